"""Detectors inside one document. Each is a small pure function returning Removals."""
from typing import Dict, List, Optional, Sequence

from ..config import Config
from ..model import Block, Removal
from ..shingle import Line
from .copies import find_copies
from .rules import Rule, find_rule_lines
from .teaser import find_link_lines
from .title import find_title


class Memo:
    """What the passes over one document share: each line's `Line` by its text, whether
    it is a link line (see `find_link_lines`), verdicts on pairs of lines and the
    candidates picked for a list of lines (see `find_copies`)."""

    __slots__ = ("lines", "links", "judged", "picked")

    def __init__(self):
        self.lines: Dict[str, Line] = {}
        self.links: Dict[str, bool] = {}
        self.judged: dict = {}
        self.picked: dict = {}


def detect(blocks: Sequence[Block], config: Config, rules: Sequence[Rule] = (),
           memo: Optional[Memo] = None, chrome=None) -> List[Removal]:
    """Run every in-document detector; return non-overlapping removals sorted by start.

    When two detectors claim the same line, the first in this order wins: user rules,
    title copies, teaser and link lines, copies of other blocks. `memo` saves work
    when the same document is looked at again; `chrome` (a
    `dedup.corpus.chrome.Chrome`) adds what a corpus or a site profile taught.
    """
    memo = Memo() if memo is None else memo
    cache = memo.lines
    lines = {}
    for block in blocks:
        if block.kind == "text":  # removable
            line = cache.get(block.text)
            if line is None:
                line = cache[block.text] = Line(block.text)
            lines[block.index] = line
    found: List[Removal] = []
    if rules:
        found += find_rule_lines(blocks, rules, config.rule_timeout)
    affixes = None
    if chrome is not None:
        from .learned import find_learned, learned_affixes
        affixes = learned_affixes(blocks, lines, chrome)
    title, title_removals = find_title(blocks, lines, config, affixes)
    protected = set() if title is None else {title.index}
    found += title_removals
    if chrome is not None:
        found += find_learned(blocks, lines, chrome, title, config)
    found += find_link_lines(blocks, config, memo.links)
    by_start = {b.start: b.index for b in blocks}
    claimed = {by_start[r.start]: r for r in found
               if r.start in by_start and blocks[by_start[r.start]].end == r.end}
    found += find_copies(blocks, lines, protected, claimed, config, memo.judged, memo.picked)
    return merge(_keep_one_title(found))


def _keep_one_title(found: List[Removal]) -> List[Removal]:
    """Drop title copies whose title went too (a line under a navigation bar taken for
    the title may itself be a caption copy): one of them must stay."""
    gone = {r.start for r in found if r.reason != "title_repeat"}
    return [r for r in found if r.reason != "title_repeat" or r.kept_ref[0] not in gone]


def merge(removals: Sequence[Removal]) -> List[Removal]:
    """Sort removals and drop any that overlaps one kept before it."""
    kept: List[Removal] = []
    end = -1
    for removal in sorted(removals, key=lambda r: (r.start, -r.end)):
        if removal.start >= end:
            kept.append(removal)
            end = removal.end
    return kept
