"""The data that flows through the cleaner: blocks of a document and removals."""
from typing import NamedTuple, Optional, Tuple


class Block(NamedTuple):
    """One line of a document.

    `start:end` is the line with its terminator, so the spans of all blocks rebuild
    the text exactly; `start:content_end` is the line without its terminator.
    `kind` is "text", "blank", or a protected Markdown kind ("code", "front_matter",
    "table", "heading") or "long" (see `Config.max_line_chars`), never removed.
    """

    index: int
    start: int
    content_end: int
    end: int
    kind: str
    text: str

    @property
    def removable(self) -> bool:
        return self.kind == "text"


class Removal(NamedTuple):
    """A span cut out of the original text, and why.

    Attributes:
        start, end: character offsets in the original text.
        reason: a reason code (see `dedup.REASONS`).
        kept_ref: (start, end) of the block this one duplicates, if any.
        similarity: share of this block found in `kept_ref` (1.0 = all of it), if any.
        rule: the pattern that matched, for teaser, link and user-rule removals.
    """

    start: int
    end: int
    reason: str
    kept_ref: Optional[Tuple[int, int]] = None
    similarity: Optional[float] = None
    rule: Optional[str] = None

    def as_dict(self, text: str) -> dict:
        row = {"reason": self.reason, "start": self.start, "end": self.end,
               "text": text[self.start:self.end]}
        if self.kept_ref is not None:
            row["duplicates"] = {"start": self.kept_ref[0], "end": self.kept_ref[1],
                                 "text": text[self.kept_ref[0]:self.kept_ref[1]]}
        if self.similarity is not None:
            row["similarity"] = round(self.similarity, 4)
        if self.rule is not None:
            row["rule"] = self.rule
        return row


REASONS = {
    "title_repeat": "a further copy of the document's title",
    "site_affix": "a site name around the title, seen on the title's copies",
    "repeated_block": "an exact or near copy of an earlier long block",
    "caption_copy": "a copy of another block with a short marker added (a caption)",
    "contained": "a block whose text lies inside a longer block that comes first",
    "teaser": "a teaser for another article: trailing, or another document's headline",
    "chrome": "a line found in many documents of the corpus (navigation, footer, links)",
    "duplicate_document": "a near-duplicate of another document of the corpus",
    "link_line": "a read-more, related or share line",
    "user_rule": "a line matched by a pattern from --rules",
    "blank": "a blank line left behind by a removal",
}
