"""Detectors inside one document. Each is a small pure function returning Removals."""
from typing import List, Sequence

from ..config import Config
from ..model import Block, Removal
from ..shingle import key
from .copies import find_copies
from .rules import Rule, find_rule_lines
from .teaser import find_link_lines
from .title import find_title


def detect(blocks: Sequence[Block], config: Config, rules: Sequence[Rule] = ()) -> List[Removal]:
    """Run every in-document detector; return non-overlapping removals sorted by start.

    When two detectors claim the same line, the first in this order wins: user rules,
    title copies, teaser and link lines, copies of other blocks.
    """
    keys = {b.index: key(b.text) for b in blocks if b.removable}
    found: List[Removal] = []
    if rules:
        found += find_rule_lines(blocks, rules, config.rule_timeout)
    title, title_removals = find_title(blocks, keys, config)
    protected = set() if title is None else {title.index}
    found += title_removals
    found += find_link_lines(blocks, config)
    claimed = {r.start for r in found}
    protected |= {b.index for b in blocks if b.start in claimed}
    found += find_copies(blocks, keys, protected, config)
    return merge(found)


def merge(removals: Sequence[Removal]) -> List[Removal]:
    """Sort removals and drop any that overlaps one kept before it."""
    kept: List[Removal] = []
    end = -1
    for removal in sorted(removals, key=lambda r: (r.start, -r.end)):
        if removal.start >= end:
            kept.append(removal)
            end = removal.end
    return kept
