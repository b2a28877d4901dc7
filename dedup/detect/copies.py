"""Copies inside one document: exact and near repeats, captions that copy a
paragraph, blocks contained in a longer block.

Inside one document the blocks are few, so they are compared exactly on their token
shingles (`dedup.shingle`); no MinHash here.

How a pair (s, L) of blocks with s no longer than L is judged:
- the longest run of s found in L is the *core*; what is left of s is its *affix*
  (lengths in key characters);
- s is a **repeat** of L when nothing but noise is left on either side: the later one
  goes if the block is long (a short exact repeat is a refrain, a heading, "A: Yes."
  and stays);
- s is a **caption copy** when its affix is a short marker that trails the copied text
  and is set off from it ("... Square (file photo)", "... planet. Credit: AFP") and its
  core is long enough: it goes wherever it stands; symmetrically, when L is s plus such
  a marker, L goes (a caption copy never wins over the paragraph it copies);
- a line that is a URL or slug (no spaces) never counts as the text another copies;
- s is **contained** when L has much more text around the core: s goes only if it is
  long and comes after L, because a longer paragraph that quotes an earlier one must not
  take its place, and only if L is not a summary cut off with "...";
- two blocks that differ only at the same end ("What to ask a birth mom" / "What to ask
  an adoptee") are siblings, not copies, unless the shared part is a whole sentence of
  the longer block (a caption copying a paragraph's first sentence).
Template lines that differ in one place ("... fair in Salem drew ..." / "... in Madison
drew ...") share text on both sides of the difference, so they are never copies.
"""
from collections import Counter
from itertools import chain
from typing import Dict, List, Optional, Sequence, Tuple

import regex

from ..config import Config
from ..model import Block, Removal
from ..shingle import Line, coverage


class _Entry:
    """A block compared as a copy: its `Line` (whose parts are worked out once) at its
    place in the document; tokens, key and shingles are the line's, held here too for
    the comparison loops."""

    __slots__ = ("block", "line", "tokens", "key", "size", "shingles")

    def __init__(self, block: Block, line: Line, size: int):
        self.block, self.line, self.tokens, self.key, self.size = block, line, line.tokens, line.key, size
        self.shingles = line.shingles()


# Rounds of comparison when the candidate limits hid some pairs (see `find_copies`).
_MAX_ROUNDS = 4


def _ref(block: Block):
    return (block.start, block.content_end)


def find_copies(blocks: Sequence[Block], lines: Dict[int, Line], protected: set,
                claimed: Dict[int, Removal], config: Config, judged: Optional[dict] = None,
                picked: Optional[dict] = None) -> List[Removal]:
    """Return removals for repeats, caption copies and contained blocks.

    Args:
        blocks: the document's blocks.
        lines: every removable block's `Line`, by block index.
        protected: block indexes that must not be removed (the title).
        claimed: removals other detectors made, by block index; an exact repeat of a
            claimed block goes the same way.
        config: thresholds.
        judged: verdicts on pairs of lines, kept across the passes over one document
            (a verdict depends only on the two lines and their order).
        picked: what `_candidates` found for a list of lines, kept across the passes
            too (it depends only on the lines and their order, and a pass that removed
            only repeats or short lines compares the same ones again).
    """
    judged = {} if judged is None else judged
    picked = {} if picked is None else picked
    protected = protected | set(claimed)
    entries = []
    for index, line in sorted(lines.items()):
        size = line.weight(config.wide_char_weight)
        if size >= config.min_copy_chars:
            entries.append(_Entry(blocks[index], line, size))

    removals = {}
    # Exact repeats by key first: cheap, and they keep the candidate index small. A
    # repeat shares the fate of its first copy, decided below.
    first_by_key = {}
    distinct, repeats = [], []
    for entry in entries:
        first = first_by_key.setdefault(entry.key, entry)
        (distinct if first is entry else repeats).append(entry)

    by_start = {b.start: b.index for b in blocks}
    live = distinct
    for _ in range(_MAX_ROUNDS):
        compared = tuple(entry.line for entry in live)
        if compared not in picked:
            picked[compared] = _candidates(live, config)
        candidates, capped = picked[compared]
        before = len(removals)
        for position, small in enumerate(live):
            if small.block.index in protected or small.block.index in removals:
                continue
            for other_position in candidates.get(position, ()):
                big = live[other_position]
                pair = (small.line, big.line, small.block.index < big.block.index)
                verdict = judged.get(pair, False)
                if verdict is False:
                    verdict = judged[pair] = _judge(small, big, config)
                if verdict is None:
                    continue
                reason, small_loses, similarity = verdict
                loser, winner = (small, big) if small_loses else (big, small)
                if loser.block.index in protected or loser.block.index in removals \
                        or _copies(winner.block.index, loser.block.index, removals, by_start):
                    continue
                removals[loser.block.index] = Removal(
                    loser.block.start, loser.block.end, reason, _ref(winner.block), similarity)
                if loser is small:
                    break
        if not capped or len(removals) == before:
            break
        # Some blocks saw only their `max_candidates` closest blocks, and some of those
        # went: look again among the blocks that stay, as a second run would, so that
        # the output is a fixed point.
        live = [e for e in live if e.block.index not in removals and e.block.index not in claimed]

    for entry in repeats:
        if entry.block.index in protected:
            continue
        first = first_by_key[entry.key]
        fate = removals.get(first.block.index) or claimed.get(first.block.index)
        if fate is not None:
            removals[entry.block.index] = fate._replace(start=entry.block.start, end=entry.block.end)
        elif entry.size >= config.long_block_chars:
            removals[entry.block.index] = Removal(
                entry.block.start, entry.block.end, "repeated_block", _ref(first.block), 1.0)
    return [_retarget(r, removals, by_start) for _, r in sorted(removals.items())]


def _candidates(distinct: List[_Entry], config: Config) -> Tuple[Dict[int, List[int]], bool]:
    """For each block, the blocks that may hold its core, in document order; and
    whether any block lost candidates to the limits below.

    A core covers at least 1 - max_affix_ratio of a block, so it holds the shingles
    around the block's middle: those *probe* shingles are indexed, and the blocks that
    hold a block's probes are its candidates if they share enough of its shingles.
    Probe shingles held by the middles of more than `stop_shingle_blocks` blocks that
    look for candidates are skipped, and at most `max_candidates` blocks, those sharing
    the most shingles, are kept, which keeps pathological input (thousands of
    near-identical lines) linear.

    Only shingles found in two blocks can pair them, so only those are looked up, and
    a block with too few such shingles to share enough with any other one looks for no
    candidates (a paragraph whose only repeated shingles are "of the" and "in a").
    """
    seen: set = set()
    shared: set = set()
    for entry in distinct:
        shared |= seen & entry.shingles
        seen |= entry.shingles
    limit = config.stop_shingle_blocks
    # How many middles of blocks that look for candidates hold each probe shingle (a
    # repeat inside one counts too). Only shared shingles can be probes, so only they
    # are counted, except in a block that repeats some shingle more than `limit`
    # times: there one shingle alone caps.
    middles = {}
    counted = []
    for position, entry in enumerate(distinct):
        repeats = len(entry.tokens) - 1 - len(entry.shingles)
        looks = len(entry.shingles & shared) >= _need(entry, config)
        if repeats < limit and not looks:
            continue
        middle = _middle(entry.tokens, config)
        counted.append(middle if repeats >= limit else filter(shared.__contains__, middle))
        if looks:
            middles[position] = middle
    holders = Counter(chain.from_iterable(counted))
    capped = max(holders.values(), default=0) > limit
    probes: Dict[int, set] = {}
    for position, middle in middles.items():
        own = {pair for pair in shared.intersection(middle) if holders[pair] <= limit}
        if own:
            probes[position] = own
    wanted = set().union(*probes.values())
    containers: Dict[tuple, set] = {}
    for position, entry in enumerate(distinct):
        for pair in entry.shingles & wanted:
            containers.setdefault(pair, set()).add(position)
    result = {}
    for small_position, own in probes.items():
        small = distinct[small_position]
        others = set().union(*(containers[pair] for pair in own))
        others.discard(small_position)
        need = _need(small, config)
        held = small.shingles
        ranked = sorted((-common, other) for other in others
                        for shingles in (distinct[other].shingles,) if len(shingles) >= need
                        for common in (len(held & shingles),) if common >= need)
        if ranked:
            result[small_position] = sorted(other for _, other in ranked[:config.max_candidates])
        capped = capped or len(ranked) > config.max_candidates
    return result, capped


def _middle(toks: List[str], config: Config) -> List[tuple]:
    """The shingles around the middle of a block, which its core must hold."""
    n = len(toks)
    low = max(0, int(n * config.max_affix_ratio) - 1)
    high = min(n - 1, max(low + 1, n - int(n * config.max_affix_ratio)))
    return list(zip(toks[low:high], toks[low + 1:high + 1]))


def _need(entry: _Entry, config: Config) -> float:
    """How many shingles a block that holds this one's core shares with it, at least."""
    return (1 - config.max_affix_ratio) * len(entry.shingles) - 1


def _copies(index: int, original: int, removals, by_start) -> bool:
    """Whether block `index` already went as a copy of block `original`, directly or
    through a chain of copies. Removing `original` as a copy of it would close a
    cycle (A a caption of B, B a marked copy of C, C inside A) and lose the text of
    all of them."""
    seen = set()
    while index in removals and index not in seen:
        seen.add(index)
        ref = removals[index].kept_ref
        index = by_start.get(ref[0]) if ref is not None else None
        if index == original:
            return True
    return False


def _retarget(removal: Removal, removals, by_start) -> Removal:
    """Point a removal at a block that stays, following chains of copies."""
    seen = set()
    ref = removal.kept_ref
    while ref is not None:
        index = by_start.get(ref[0])
        if index is None or index not in removals or index in seen:
            break
        seen.add(index)
        ref = removals[index].kept_ref
    return removal._replace(kept_ref=ref)


def _judge(a: _Entry, b: _Entry, config: Config):
    """Decide whether one of two blocks copies the other; see the module docstring.

    Returns None, or (reason, whether `a` is the copy that goes, similarity).
    """
    small, big = (a, b) if (len(a.key), a.block.index) <= (len(b.key), b.block.index) else (b, a)
    limit = _max_affix(len(small.key), config)
    if len(small.shingles) - len(small.shingles & big.shingles) > limit:
        # A shingle missing from the big block lies outside the core, and the pair
        # positions outside the core are as many as the tokens of the affix, each at
        # least one key character long: the affix is too long, without a closer look.
        return None
    start, end, covered = coverage(small.tokens, big.shingles)
    if end == start or covered > end - start:
        # Nothing shared, or shared text on both sides of a difference: a template.
        return None
    run = small.line.chars(start, end)
    affix = len(small.key) - run
    noise = config.max_noise_chars
    if affix > limit:
        return None
    # Where is the core inside the big block, and how much of the big one is extra?
    core = small.key[small.line.chars(0, start):small.line.chars(0, end)]
    big_start = big.key.find(core)
    if big_start < 0:
        # The run is made of shingles from different places: not one copy.
        return None
    extra = len(big.key) - len(core)
    similarity = run / len(small.key)
    if affix <= noise and extra <= noise:
        # The same text twice: drop the later copy of a long block.
        if small.size < config.long_block_chars:
            return None
        return "repeated_block", a.block.index > b.block.index, 1.0
    if not big.block.text.strip().count(" "):
        # A URL or slug that spells out a headline is never the text a line copies.
        return None
    if affix > noise:
        if small.size - (len(small.key) - run) < config.min_copy_chars:
            return None
        if start > 0 or affix > config.max_marker_chars or \
                not _break(small, len(core), after=True, marks=_MARKER_START):
            # A caption marker trails the copied text and is set off from it: "...
            # Square (file photo)", "... planet. Credit: AFP". Text around both ends, or
            # a word running on ("Desktop notifications subscribed!"), is not a marker.
            return None
        if start == 0 and big_start == 0:
            boundary = _break(big, len(core), after=True)
        elif big_start + len(core) == len(big.key):
            boundary = _break(big, big_start, after=False)
        else:
            boundary = True
        if not boundary:
            # "What to ask a birth mom" / "What to ask an adoptee": siblings that differ
            # at one end, not a copy of one sentence with a marker.
            return None
        # A marker at the end of the small block: a caption copy, wherever it stands.
        return "caption_copy", small is a, similarity
    # The small block is (all but noise) inside the big one.
    if big_start == 0 and extra <= min(config.max_marker_chars, len(core) // 2) \
            and _break(big, len(core), after=True, marks=_MARKER_START):
        # The big block is the small one plus a marker: the marked copy goes.
        return "caption_copy", big is a, len(core) / len(big.key)
    if small.block.index > big.block.index and small.size >= config.long_block_chars \
            and not _truncated(big.block.text):
        return "contained", small is a, similarity
    return None


_SENTENCE_END = regex.compile(r"[.!?。！？…]")
# Where a caption marker starts: after a sentence end or a bracket, at a dash, or as a
# label ("Credit: AFP").
_MARKER_START = regex.compile(r"[.!?。！？…()\[\]{}:|–—]|\s-\s")
_LABEL = regex.compile(r"\w+:")


def _break(entry: _Entry, key_position: int, after: bool, marks=_SENTENCE_END) -> bool:
    """Does a sentence of the entry's line end (or, with `marks`, a marker start) at key
    character `key_position`?

    The shared run may overshoot the break by a letter or two that happen to match
    ("years. I|n" / "years. I|mage"), so a break just inside the run counts too.
    """
    text, offsets = entry.block.text, entry.line.offsets()
    slack = range(key_position - 3, key_position + 1) if after else range(key_position, key_position + 4)
    for position in slack:
        if 0 < position < len(offsets):
            if marks.search(text, offsets[position - 1] + 1, offsets[position]):
                return True
            if marks is _MARKER_START and _LABEL.match(text, offsets[position]):
                return True  # "... to Sylvie Credit: AFP"
    return False


def _truncated(text: str) -> bool:
    """A block cut off with an ellipsis is a summary: it never outranks the full text."""
    return text.rstrip().endswith(("...", "\u2026"))


def _max_affix(length: int, config: Config) -> int:
    return min(config.max_affix_chars, int(config.max_affix_ratio * length))
