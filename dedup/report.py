"""The HTML removal report: every document with its removed spans struck through.

`render_html(documents)` takes any iterable of `(name, text, removals)`, one document
at a time, so one file, several files and a JSON-lines corpus all go through it. It
keeps only what it will print: the text of at most `max_shown` changed documents and
one list row for at most `max_listed` documents; the rest are counted in the summary.
The page is self-contained (inline CSS and a few lines of JS, no network) and
deterministic: the same input gives the same bytes.
"""
import html
import re
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from .model import REASONS, Removal

Document = Tuple[str, str, Sequence[Removal]]

# (strike and text colour, background) per reason; a reason not listed here (a newer
# detector) gets the fallback, so the report never breaks on a new code.
COLOURS = {
    "title_repeat": ("#b03a2e", "#fadbd8"),
    "site_affix": ("#ba4a00", "#fae5d3"),
    "repeated_block": ("#7d3c98", "#ebdef0"),
    "caption_copy": ("#1f618d", "#d6eaf8"),
    "contained": ("#117864", "#d0ece7"),
    "teaser": ("#9a7d0a", "#fcf3cf"),
    "link_line": ("#1e8449", "#d5f5e3"),
    "user_rule": ("#6e2c00", "#edbb99"),
    "chrome": ("#4d5656", "#d7dbdd"),
    "blank": ("#707b7c", "#e5e8e8"),
}
FALLBACK_COLOUR = ("#424949", "#d5d8dc")
SNIPPET_CHARS = 80

_CSS = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 70em;
  padding: 1em 2em; color: #1b1b1b; background: #fff; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 2em; }
table { border-collapse: collapse; margin: .5em 0; }
th, td { border-bottom: 1px solid #d0d3d4; padding: .2em .8em; text-align: left; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
code { font-size: .95em; }
.note { color: #555; font-style: italic; }
.legend { list-style: none; padding: 0; } .legend li { margin: .2em 0; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; font: 14px/1.5 ui-monospace,
  monospace; border: 1px solid #d0d3d4; padding: .8em; background: #fff; }
del { text-decoration-line: line-through; text-decoration-thickness: 2px; }
del.r-blank::before { content: "\\21B5"; }
span.kept { background: #eef2f7; border-bottom: 1px dotted #5d6d7e; }
span.kept.hl { background: #f9e79f; }
"""

# Hovering a removed span lights up the kept block it duplicates.
_JS = """
document.addEventListener("mouseover", function (event) {
  var ref = event.target.closest && event.target.closest("del[data-ref]");
  document.querySelectorAll("span.kept.hl").forEach(function (s) { s.classList.remove("hl"); });
  if (!ref) return;
  document.querySelectorAll("span.kept[data-ref]").forEach(function (s) {
    if (s.dataset.ref.split(" ").indexOf(ref.dataset.ref) >= 0) s.classList.add("hl");
  });
});
"""


def explanation(name: str, text: str, result) -> dict:
    """The `--explain` JSON of one document: counts per reason and every removal with
    its span, text, the block it duplicates and the similarity."""
    counts: Dict[str, int] = {}
    for removal in result.removals:
        counts[removal.reason] = counts.get(removal.reason, 0) + 1
    return {
        "input": name,
        "chars_in": len(text),
        "chars_out": len(result.text),
        "counts": counts,
        "reasons": {reason: REASONS.get(reason, reason) for reason in counts},
        "removals": [r.as_dict(text) for r in result.removals],
    }


def render_html(documents: Iterable[Document], title: Optional[str] = None,
                max_shown: int = 100, max_listed: int = 10_000) -> str:
    """Render the removal report for one or more documents as one HTML page.

    Args:
        documents: `(name, text, removals)` for each document, in output order; `name`
            is a file name or document id, `removals` as from `clean_and_explain`.
        title: the page heading; by default it names the document or counts them.
        max_shown: changed documents whose text is shown in full; later ones are only
            listed (and counted).
        max_listed: documents named in the document list; later ones are only counted.

    Returns:
        The page, a `str`; nothing in it refers to anything outside it.

    Example:
        result = dedup.clean_and_explain(text)
        page = render_html([("page.txt", text, result.removals)])
    """
    totals: Dict[str, List[int]] = {}
    rows: List[str] = []
    sections: List[str] = []
    count = changed = chars_in = chars_out = 0
    first_name = ""
    for index, (name, text, removals) in enumerate(documents):
        removals = _clipped(removals, len(text))
        count += 1
        if count == 1:
            first_name = str(name)
        chars_in += len(text)
        chars_out += len(text) - sum(r.end - r.start for r in removals)
        per_reason = _per_reason(removals)
        for reason, (number, chars) in per_reason.items():
            total = totals.setdefault(reason, [0, 0])
            total[0] += number
            total[1] += chars
        shown = bool(removals) and changed < max_shown
        changed += bool(removals)
        if shown:
            sections.append(_section(index, name, text, removals))
        if index < max_listed:
            rows.append(_list_row(index, name, len(text), removals, per_reason, shown))
    if title is None:
        title = f"dedup report: {first_name}" if count == 1 else f"dedup report: {count} documents"
    return "".join([
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
        f"<title>{_escape(title)}</title>\n<style>{_CSS}{_reason_css(totals)}</style>\n",
        "</head>\n<body>\n",
        f"<h1>{_escape(title)}</h1>\n",
        _summary(totals, count, changed, chars_in, chars_out),
        _legend(totals),
        _document_list(rows, count, changed, max_shown, max_listed),
        "".join(sections),
        f"<script>{_JS}</script>\n</body>\n</html>\n",
    ])


def write_report(path: str, documents: Iterable[Document], **options) -> None:
    """Render the report and write it to `path` atomically (`dedup.io.atomic_output`)."""
    from .io import atomic_output

    page = render_html(documents, **options).encode("utf-8", "replace")
    with atomic_output(path) as stream:
        stream.write(page)


def _clipped(removals: Sequence[Removal], length: int) -> List[Removal]:
    """Removals sorted, inside the text and not overlapping (a later one is cut short)."""
    result: List[Removal] = []
    position = 0
    for removal in sorted(removals, key=lambda r: (r.start, r.end)):
        start, end = max(removal.start, position, 0), min(removal.end, length)
        if start < end:
            result.append(removal._replace(start=start, end=end))
            position = end
    return result


def _per_reason(removals: Sequence[Removal]) -> Dict[str, Tuple[int, int]]:
    counts: Dict[str, Tuple[int, int]] = {}
    for removal in removals:
        number, chars = counts.get(removal.reason, (0, 0))
        counts[removal.reason] = (number + 1, chars + removal.end - removal.start)
    return counts


def _ordered(reasons: Iterable[str]) -> List[str]:
    """Known reasons in `REASONS` order, then any others alphabetically."""
    known = list(REASONS)
    return sorted(reasons, key=lambda r: (known.index(r) if r in known else len(known), r))


def _css_class(reason: str) -> str:
    return "r-" + re.sub(r"[^A-Za-z0-9_-]", "_", reason)


def _reason_css(totals) -> str:
    rules = []
    for reason in _ordered(totals):
        strike, background = COLOURS.get(reason, FALLBACK_COLOUR)
        rules.append(f"del.{_css_class(reason)} {{ color: {strike}; background: {background};"
                     f" text-decoration-color: {strike}; }}\n")
    return "".join(rules)


def _escape(value) -> str:
    return html.escape(str(value), quote=True)


def _summary(totals, count, changed, chars_in, chars_out) -> str:
    parts = ["<h2 id=\"summary\">Summary</h2>\n",
             f"<p>{count} document{'s' if count != 1 else ''}, {changed} changed, "
             f"{count - changed} unchanged; {chars_in} characters in, {chars_out} out "
             f"({chars_in - chars_out} removed).</p>\n"]
    if not totals:
        return "".join(parts) + "<p>Nothing was removed.</p>\n"
    parts.append("<table class=\"summary\">\n<thead><tr><th>reason</th><th class=\"n\">removals"
                 "</th><th class=\"n\">characters</th><th>meaning</th></tr></thead>\n<tbody>\n")
    for reason in _ordered(totals):
        number, chars = totals[reason]
        parts.append(f"<tr data-reason=\"{_escape(reason)}\"><td><code>{_escape(reason)}</code>"
                     f"</td><td class=\"n\">{number}</td><td class=\"n\">{chars}</td>"
                     f"<td>{_escape(REASONS.get(reason, ''))}</td></tr>\n")
    removals = sum(number for number, _ in totals.values())
    chars = sum(chars for _, chars in totals.values())
    parts.append(f"</tbody>\n<tfoot><tr><th>total</th><th class=\"n\">{removals}</th>"
                 f"<th class=\"n\">{chars}</th><th></th></tr></tfoot>\n</table>\n")
    return "".join(parts)


def _legend(totals) -> str:
    if not totals:
        return ""
    items = [f"<li><del class=\"{_css_class(reason)}\" data-reason=\"{_escape(reason)}\">"
             f"{_escape(reason)}</del> {_escape(REASONS.get(reason, 'removed'))}</li>\n"
             for reason in _ordered(totals)]
    items.append("<li><span class=\"kept\">kept text</span> the block that a removed span "
                 "duplicates (hover a removed span to light it up)</li>\n")
    return "<h2 id=\"legend\">Legend</h2>\n<ul class=\"legend\">\n" + "".join(items) + "</ul>\n"


def _list_row(index, name, length, removals, per_reason, shown) -> str:
    label = _escape(name)
    if shown:
        label = f"<a href=\"#doc-{index}\">{label}</a>"
    if not removals:
        what = "unchanged"
    else:
        what = ", ".join(f"{_escape(reason)} {per_reason[reason][0]}"
                         for reason in _ordered(per_reason))
    chars = sum(r.end - r.start for r in removals)
    state = "changed" if removals else "unchanged"
    return (f"<tr class=\"{state}\"><td>{label}</td><td class=\"n\">{len(removals)}</td>"
            f"<td class=\"n\">{chars}</td><td class=\"n\">{length}</td><td>{what}</td></tr>\n")


def _document_list(rows, count, changed, max_shown, max_listed) -> str:
    parts = ["<h2 id=\"documents\">Documents</h2>\n",
             "<table class=\"documents\">\n<thead><tr><th>document</th><th class=\"n\">removals"
             "</th><th class=\"n\">characters removed</th><th class=\"n\">length</th>"
             "<th>by reason</th></tr></thead>\n<tbody>\n", *rows, "</tbody>\n</table>\n"]
    if count > max_listed:
        parts.append(f"<p class=\"note\">{count - max_listed} more documents are not listed "
                     f"(limit {max_listed}); their removals are counted in the summary.</p>\n")
    if changed > max_shown:
        parts.append(f"<p class=\"note\">Only the first {max_shown} of {changed} changed "
                     "documents are shown in full below; the others are listed and counted."
                     "</p>\n")
    return "".join(parts)


def _section(index, name, text, removals) -> str:
    removed = sum(r.end - r.start for r in removals)
    return (f"<section class=\"document\" id=\"doc-{index}\">\n<h2>{_escape(name)}</h2>\n"
            f"<p>{len(removals)} removal{'s' if len(removals) != 1 else ''}, {removed} of "
            f"{len(text)} characters removed.</p>\n"
            f"<div class=\"text\">{_marked_text(index, text, removals)}</div>\n</section>\n")


def _marked_text(index: int, text: str, removals: Sequence[Removal]) -> str:
    """The text, escaped, with removals in `<del>` and the blocks they duplicate marked."""
    refs = sorted({r.kept_ref for r in removals if r.kept_ref})
    parts: List[str] = []
    position = 0
    for removal in removals:
        parts.append(_kept(index, text, position, removal.start, refs))
        parts.append(_deleted(index, text, removal))
        position = removal.end
    parts.append(_kept(index, text, position, len(text), refs))
    return "".join(parts)


def _ref_id(index: int, ref: Tuple[int, int]) -> str:
    return f"d{index}-{ref[0]}-{ref[1]}"


def _kept(index, text, start, end, refs) -> str:
    """Kept text from `start` to `end`; pieces inside duplicated blocks get a span."""
    if start >= end:
        return ""
    cuts = sorted({start, end} | {edge for ref in refs for edge in ref if start < edge < end})
    parts = []
    for left, right in zip(cuts, cuts[1:]):
        piece = _escape(text[left:right])
        inside = [_ref_id(index, ref) for ref in refs if ref[0] <= left and right <= ref[1]]
        parts.append(f"<span class=\"kept\" data-ref=\"{' '.join(inside)}\">{piece}</span>"
                     if inside else piece)
    return "".join(parts)


def _deleted(index, text, removal: Removal) -> str:
    reason = removal.reason
    tip = f"{reason}: {REASONS.get(reason, 'removed')}"
    if removal.kept_ref:
        tip += f" \u2014 duplicates: '{_snippet(text[removal.kept_ref[0]:removal.kept_ref[1]])}'"
    if removal.similarity is not None:
        tip += f" (similarity {removal.similarity:.2f})"
    if removal.rule:
        tip += f" \u2014 rule: {removal.rule}"
    ref = f" data-ref=\"{_ref_id(index, removal.kept_ref)}\"" if removal.kept_ref else ""
    return (f"<del class=\"{_css_class(reason)}\" data-reason=\"{_escape(reason)}\"{ref} "
            f"title=\"{_escape(tip)}\">{_escape(text[removal.start:removal.end])}</del>")


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET_CHARS else text[:SNIPPET_CHARS - 1] + "\u2026"
