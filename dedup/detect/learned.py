"""Lines that a corpus (or a saved site profile) taught to be chrome or teasers."""
from typing import Dict, List, Optional, Sequence, Tuple

from ..model import Block, Removal
from ..shingle import tokens
from ..corpus.chrome import HEAD_LINES, Chrome, line_hash

MAX_LEAD_TOKENS = 4


def learned_affixes(blocks: Sequence[Block], chrome: Chrome) -> Dict[int, Tuple[int, int]]:
    """Leading and trailing affix tokens of the lines near the top, by block index."""
    affixes = {}
    head = [b for b in blocks if b.removable][:HEAD_LINES]
    for block in head:
        lead, tail = chrome.affix(tokens(block.text))
        if lead or tail:
            affixes[block.index] = (lead, tail)
    return affixes


def find_learned(blocks: Sequence[Block], chrome: Chrome, title: Optional[Block]) -> List[Removal]:
    """Removals for chrome lines, and for teasers whose text is another document's
    headline ("Read next: <headline> | Site")."""
    own = None
    if title is not None:
        own = chrome.headline_hash(tokens(title.text))
    removals = []
    for block in blocks:
        if not block.removable or (title is not None and block.index == title.index):
            continue
        toks = tokens(block.text)
        if not toks:
            continue
        if line_hash("".join(toks)) in chrome.lines:
            removals.append(Removal(block.start, block.end, "chrome", rule="learned chrome line"))
            continue
        if not chrome.titles:
            continue
        lead, tail = chrome.affix(toks)
        body = toks[:len(toks) - tail] if tail else toks
        for skip in range(0, min(MAX_LEAD_TOKENS, len(body) - 1) + 1):
            core = "".join(body[skip:])
            if len(core) < 12:
                break
            headline = line_hash(core)
            if headline in chrome.titles and headline != own and skip + tail > 0:
                removals.append(Removal(block.start, block.end, "teaser",
                                        rule="another document's headline"))
                break
    return removals
