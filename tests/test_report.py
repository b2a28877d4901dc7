"""The HTML removal report without a browser: markup, escaping, counts, limits, CLI."""
import html.parser
import os
import stat

from click.testing import CliRunner

import dedup
from conftest import SAMPLES
from dedup.cli import main
from dedup.model import Removal
from dedup.report import render_html

SEED = SAMPLES / "coronation.txt"
TITLE = "Flood <warning> & more\n"


class Page(html.parser.HTMLParser):
    """What a page holds: the text of each document box, split into kept and removed,
    the attributes of every `del`, table rows, and any tag that loads something."""

    def __init__(self, page):
        super().__init__(convert_charrefs=True)
        self.boxes, self.dels, self.rows, self.loads, self.scripts = [], [], [], [], 0
        self._in_box = self._in_del = self._row = self._cell = None
        self._depth = 0
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if tag in ("img", "link", "iframe") or "src" in attrs or "href" in attrs and not \
                attrs["href"].startswith("#"):
            self.loads.append((tag, attrs))
        if tag == "div" and attrs.get("class") == "text":
            self._in_box, self._depth = True, 0
            self.boxes.append({"kept": "", "removed": []})
        elif self._in_box and tag == "div":
            self._depth += 1
        if self._in_box and tag == "del":
            self._in_del = True
            self.dels.append(attrs)
            self.boxes[-1]["removed"].append("")
        if tag == "tr":
            self._row = []
        if tag in ("td", "th") and self._row is not None:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "div" and self._in_box:
            if self._depth == 0:
                self._in_box = False
            self._depth -= 1
        if tag == "del":
            self._in_del = False
        if tag in ("td", "th") and self._row is not None:
            self._row.append(self._cell)
            self._cell = None
        if tag == "tr":
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data
        if self._in_box:
            if self._in_del:
                self.boxes[-1]["removed"][-1] += data
            else:
                self.boxes[-1]["kept"] += data


def _flood(extra=""):
    return f"{TITLE}{TITLE}\nThe river rose by two metres{extra} and the <b>town</b> flooded.\n"


def test_each_document_shows_kept_text_and_struck_removals_exactly():
    text = SEED.read_text(encoding="utf-8")
    result = dedup.clean_and_explain(text)
    page = Page(render_html([("coronation.txt", text, result.removals)]))
    [box] = page.boxes
    assert box["kept"] == result.text
    assert box["removed"] == [text[r.start:r.end] for r in result.removals]
    assert [d["data-reason"] for d in page.dels] == [r.reason for r in result.removals]
    assert all(d["class"] == "r-" + d["data-reason"] for d in page.dels)


def test_markup_and_ampersands_in_text_names_and_titles_are_escaped():
    text = _flood()
    result = dedup.clean_and_explain(text)
    name = "<script>alert('name')</script>&.txt"
    page_text = render_html([(name, text, result.removals),
                             ("x.txt", "<script>alert(1)</script> & co\n", [])])
    assert "<script>alert" not in page_text and "<b>town" not in page_text
    assert "&lt;script&gt;alert(&#x27;name&#x27;)&lt;/script&gt;&amp;.txt" in page_text
    page = Page(page_text)
    assert page.scripts == 1
    assert page.boxes[0]["kept"] == result.text
    [title_copy] = [d for d in page.dels if d["data-reason"] == "title_repeat"]
    assert title_copy["title"] == ("title_repeat: a further copy of the document's title "
                                   "\u2014 duplicates: 'Flood <warning> & more' (similarity 1.00)")
    assert [row[0] for row in page.rows if row and row[-1] == "unchanged"] == ["x.txt"]


def test_summary_counts_every_document_and_unchanged_ones_are_listed_not_shown():
    documents = []
    for number in range(3):
        text = _flood(extra=f" (report {number})")
        documents.append((f"flood-{number}.txt", text, dedup.clean_and_explain(text).removals))
    documents.insert(1, ("calm.txt", "Nothing happened today.\n", []))
    page = Page(render_html(documents))
    rows = {row[0]: row for row in page.rows if row}
    removals = [r for _, _, found in documents for r in found]
    title_repeats = [r for r in removals if r.reason == "title_repeat"]
    assert rows["title_repeat"][1:3] == [str(len(title_repeats)),
                                         str(sum(r.end - r.start for r in title_repeats))]
    assert rows["total"][1] == str(len(removals))
    assert rows["calm.txt"][1:] == ["0", "0", "24", "unchanged"]
    assert len(page.boxes) == 3
    assert 'id="doc-1"' not in render_html(documents)


def test_limits_keep_a_big_corpus_small_and_say_so():
    text = _flood()
    removals = dedup.clean_and_explain(text).removals
    documents = ((f"doc-{n}", text, removals) for n in range(50))  # a generator is enough
    page_text = render_html(documents, max_shown=2, max_listed=5)
    page = Page(page_text)
    assert len(page.boxes) == 2
    assert [row[0] for row in page.rows if row and row[0].startswith("doc-")] == \
        [f"doc-{n}" for n in range(5)]
    assert "45 more documents are not listed" in page_text
    assert "Only the first 2 of 50 changed documents are shown in full" in page_text
    assert f"<td class=\"n\">{50 * len([r for r in removals if r.reason == 'title_repeat'])}" \
           "</td>" in page_text


def test_page_is_self_contained_and_deterministic():
    text = SEED.read_text(encoding="utf-8")
    documents = [("coronation.txt", text, dedup.clean_and_explain(text).removals)]
    first = render_html(documents)
    assert first == render_html(documents)
    assert Page(first).loads == []
    assert "http://" not in first and "https://" not in first and "@import" not in first


def test_a_document_without_removals_says_nothing_was_removed():
    page_text = render_html([("calm.txt", "Quiet.\n", [])])
    assert "Nothing was removed." in page_text
    assert "<title>dedup report: calm.txt</title>" in page_text


def test_an_unknown_reason_and_overlapping_spans_do_not_break_the_page():
    text = "alpha beta gamma delta\n"
    removals = [Removal(6, 16, "future_reason"), Removal(0, 11, "title_repeat")]
    page = Page(render_html([("odd.txt", text, removals)]))
    [box] = page.boxes
    assert box["removed"] == ["alpha beta ", "gamma"]
    assert box["kept"] == " delta\n"
    assert page.dels[1]["class"] == "r-future_reason"


def test_cli_writes_the_report_for_several_files_beside_the_normal_output(tmp_path):
    calm = tmp_path / "calm.txt"
    calm.write_text("Nothing happened today.\n", encoding="utf-8")
    report = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["clean", "--report", str(report), str(SEED), str(calm)])
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout_bytes == ((SAMPLES / "coronation.expected.txt").read_bytes()
                                   + calm.read_bytes())
    page_text = report.read_text(encoding="utf-8")
    assert "dedup report: 2 documents" in page_text and "calm.txt" in page_text
    assert stat.S_IMODE(report.stat().st_mode) == 0o666 & ~_umask()
    assert sorted(os.listdir(tmp_path)) == ["calm.txt", "report.html"]  # no temp file left


def test_cli_report_from_stdin_and_with_explain(tmp_path):
    report = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["clean", "--explain", "--report", str(report)],
                                input=SEED.read_bytes())
    assert result.exit_code == 0 and result.stdout.startswith("{")
    assert "dedup report: &lt;stdin&gt;" in report.read_text(encoding="utf-8")


def test_cli_unwritable_report_path_exits_2_before_any_output(tmp_path):
    target = tmp_path / "missing" / "report.html"
    result = CliRunner().invoke(main, ["clean", "--report", str(target)], input=SEED.read_bytes())
    assert result.exit_code == 2
    assert result.stdout_bytes == b""
    assert "report.html" in result.stderr and "cannot write the report" in result.stderr


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask
