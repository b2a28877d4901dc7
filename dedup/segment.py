"""Split text into line blocks with exact spans, marking Markdown that is never rewritten."""
import re
from functools import partial
from typing import List, Optional

from .model import Block

# A line and its terminator: \r\n, \n or a lone \r (old Mac files); the last line may
# have none.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^ {0,3}#{1,6}(?:\s|$)")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_FRONT_MATTER = ("---", "+++")
_MARKUP_START = set("`~#")
# A line starting (after spaces) with one of _MARKUP_START.
_MARKUP_LINE = re.compile(r"(?:\A|[\r\n]) *[`~#]")
# Block(*fields) without the namedtuple's Python-level __new__: a document has many lines.
_block = partial(tuple.__new__, Block)


def segment(text: str, max_line_chars: Optional[int] = None) -> List[Block]:
    """Return one `Block` per line of `text`; joining their spans gives `text` back.

    Markdown that must survive untouched is marked: YAML/TOML front matter at the top,
    fenced code blocks, tables (rows around a `|---|` rule) and ATX headings. A line
    longer than `max_line_chars` is "long": kept as it is and never compared (no title,
    caption or teaser is that long, and its tokens would cost memory without end).
    """
    blocks = []
    if "\r" not in text:
        # The common case, without a regex: split on \n and count offsets.
        start = 0
        lines = text.split("\n")
        if lines[-1] == "":
            lines.pop()
        for index, content in enumerate(lines):
            end = start + len(content)
            blocks.append(_block((index, start, end, end + 1, "text" if content.strip() else "blank",
                                  content)))
            start = end + 1
        if blocks and not text.endswith("\n"):
            blocks[-1] = blocks[-1]._replace(end=blocks[-1].content_end)
    else:
        for index, match in enumerate(_LINE.finditer(text)):
            line = match.group()
            content = line.rstrip("\r\n")
            start = match.start()
            kind = "text" if content.strip() else "blank"
            blocks.append(Block(index, start, start + len(content), match.end(), kind, content))
    if max_line_chars is not None and len(text) > max_line_chars:
        _mark_long(blocks, max_line_chars)
    if blocks:
        _mark_markdown(blocks, text)
    return blocks


def _mark_long(blocks: List[Block], max_line_chars: int) -> None:
    for i, block in enumerate(blocks):
        if block.content_end - block.start > max_line_chars:
            blocks[i] = block._replace(kind="long")


def _mark_markdown(blocks: List[Block], document: str) -> None:
    def mark(i, kind):
        blocks[i] = blocks[i]._replace(kind=kind)

    i = 0
    first = blocks[0].text.strip().lstrip("\ufeff")
    if first in _FRONT_MATTER:
        close = next((j for j in range(1, len(blocks)) if blocks[j].text.strip() == first), None)
        if close is not None:
            for j in range(close + 1):
                mark(j, "front_matter")
            i = close + 1
    if "|" not in document and not _markup_line(document):
        return  # no line can start a fence, a heading or a table
    fence = None
    for j in range(i, len(blocks)):
        text = blocks[j].text
        if fence is None and not text.lstrip(" ")[:1] in _MARKUP_START and "|" not in text:
            continue  # plain prose: no fence, heading or table rule can start here
        opener = _FENCE.match(text)
        if fence is not None:
            mark(j, "code")
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence) \
                    and not text.strip().strip(fence[0]):
                fence = None
        elif opener:
            fence = opener.group(1)
            mark(j, "code")
        elif _HEADING.match(text):
            mark(j, "heading")
        elif _TABLE_RULE.match(text) and "|" in text and j > 0 and "|" in blocks[j - 1].text:
            # The header row above the rule and every row below it that has a pipe.
            mark(j - 1, "table")
            mark(j, "table")
            k = j + 1
            while k < len(blocks) and "|" in blocks[k].text and blocks[k].kind == "text":
                mark(k, "table")
                k += 1


def _markup_line(document: str) -> bool:
    """Whether a line of `document` starts (after spaces) with one of _MARKUP_START.

    The pattern tries every line start, so it runs only where one of those characters
    occurs at all (most documents have none).
    """
    return any(char in document for char in _MARKUP_START) \
        and _MARKUP_LINE.search(document) is not None
