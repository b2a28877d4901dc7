"""Near-duplicate documents: what they are compared on, exact verification,
union-find (the banded LSH join and the clusters are in `dedup.corpus.pipeline`).

Each document is reduced to the set of word 3-grams of its content (tokens with digits
folded, chrome lines left out), hashed to 32 bits, plus the word pairs of its prose
lines. Signatures are datasketch-compatible
(`dedup.signature`), computed in bulk with numpy. Candidate pairs come from a banded
join (rows of a band hashed together; documents sharing a bucket are candidates), with
(bands, rows) chosen by datasketch's own optimiser for the Jaccard threshold. Big
buckets give only star edges toward their smallest id, never all pairs. Every
candidate is verified on the exact sets before two documents are joined: enough shared
3-grams, and one of the two lying inside the other (`covered`).
"""
import functools
from typing import Iterable, List, NamedTuple, Sequence, Tuple

import numpy as np

from ..config import Config
from ..signature import hash_shingles

SHINGLE_TOKENS = 3
PROSE_TOKENS = 8        # a line of this many words or more is prose
LINE_SHARED = 0.4       # a prose line with this share of its word pairs in another document is shared
ALL_PAIRS_BUCKET = 32   # buckets up to this size are verified pair by pair
SAME_PAGE_JACCARD = 0.5  # two pages sharing this much of their 3-grams are one page, edited
SHORT_PAGE_HELD = 0.6   # a page with little prose lies inside another holding this share of its word pairs


class Sketch(NamedTuple):
    """What a document is compared on.

    Attributes:
        shingles: sorted unique hashes of its word 3-grams (for MinHash and Jaccard).
        pairs: sorted unique hashes of its word pairs.
        line_pairs: the pair hashes of its prose lines (lines of `PROSE_TOKENS` words
            or more), one line after another: first its own prose, to see how much
            prose of its own a document has, then its furniture, the prose lines
            that other documents print too (teasers, a site's blurbs, or lines of its
            own copies).
        line_ends: where each line of `line_pairs` ends.
        own_lines: how many of those lines are its own prose.
    """

    shingles: np.ndarray
    pairs: np.ndarray
    line_pairs: np.ndarray
    line_ends: np.ndarray
    own_lines: int


def _line_sizes(line_ends: np.ndarray) -> np.ndarray:
    """Word pairs of each prose line, from where each ends (`Sketch.line_ends`)."""
    sizes = line_ends.copy()   # (`np.diff` with `prepend` costs ten times more)
    sizes[1:] -= line_ends[:-1]
    return sizes


def sketch(lines: Iterable[Tuple[Sequence[str], bool]]) -> Sketch:
    """The `Sketch` of a document given (tokens, may be its own) for its content lines;
    a line seen in several other documents (page furniture) is never its own prose."""
    toks: List[str] = []
    prose, furniture = [], []
    for line_tokens, own in lines:
        toks.extend(line_tokens)
        if len(line_tokens) >= PROSE_TOKENS:
            (prose if own else furniture).append(
                hash_shingles([" ".join(p) for p in zip(line_tokens, line_tokens[1:])]))
    if len(toks) < SHINGLE_TOKENS:
        grams = [" ".join(toks)] if toks else []
    else:
        grams = {" ".join(toks[i:i + SHINGLE_TOKENS]) for i in range(len(toks) - SHINGLE_TOKENS + 1)}
    pairs = {" ".join(p) for p in zip(toks, toks[1:])}
    lines_ = prose + furniture
    return Sketch(np.unique(hash_shingles(list(grams))), np.unique(hash_shingles(list(pairs))),
                  np.concatenate(lines_) if lines_ else np.zeros(0, dtype=np.uint32),
                  np.cumsum([len(line) for line in lines_], dtype=np.int64), len(prose))


class StoredSketch(NamedTuple):
    """A `Sketch` before it is known which lines are shared with other documents:
    every prose line (`line_pairs`, `line_ends`) with the hash of its key
    (`prose_keys`), so that the lines found in other documents can be told apart later
    (`own_sketch`)."""

    shingles: np.ndarray
    pairs: np.ndarray
    line_pairs: np.ndarray
    line_ends: np.ndarray
    prose_keys: np.ndarray


def stored_sketch(lines: Iterable[Tuple[Sequence[str], int]]) -> StoredSketch:
    """The `StoredSketch` of a document given (tokens, key hash) for its content lines."""
    lines = list(lines)
    whole = sketch((toks, True) for toks, _ in lines)
    keys = [hashed for toks, hashed in lines if len(toks) >= PROSE_TOKENS]
    return StoredSketch(whole.shingles, whole.pairs, whole.line_pairs, whole.line_ends,
                        np.array(keys, dtype=np.uint64))


def own_sketch(stored: StoredSketch, common: np.ndarray) -> Sketch:
    """The `Sketch` of a stored one, its prose lines found in `common` (sorted line
    hashes of lines in several documents) not counted as its own."""
    shared = members(stored.prose_keys, common)
    if not shared.any():
        return Sketch(stored.shingles, stored.pairs, stored.line_pairs, stored.line_ends, len(shared))
    sizes = _line_sizes(stored.line_ends)   # (a stable sort puts the own lines first, in their order)
    lines = np.argsort(shared, kind="stable")
    pairs = np.argsort(np.repeat(shared, sizes), kind="stable")
    return Sketch(stored.shingles, stored.pairs, stored.line_pairs[pairs], np.cumsum(sizes[lines]),
                  len(shared) - int(np.count_nonzero(shared)))


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """`np.unique(values)` by sorting (numpy 2's `np.unique` hashes, many times slower)."""
    values = np.sort(values)
    return values[np.r_[True, values[1:] != values[:-1]]] if len(values) else values


def members(values: np.ndarray, sorted_unique: np.ndarray) -> np.ndarray:
    """For each of `values`, is it in `sorted_unique` (a sorted array of unique values)?"""
    if not len(sorted_unique):
        return np.zeros(len(values), dtype=bool)
    where = np.searchsorted(sorted_unique, values)
    return sorted_unique[np.minimum(where, len(sorted_unique) - 1)] == values


def _lines_found(document: Sketch, other: Sketch) -> Tuple[np.ndarray, np.ndarray]:
    """Words of each prose line of `document`, and whether `other` has the line."""
    ends = document.line_ends
    if not len(ends):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
    found = np.zeros(len(document.line_pairs) + 1, dtype=np.int64)
    np.cumsum(members(document.line_pairs, other.pairs), out=found[1:])
    pairs = _line_sizes(ends)
    shared = found[ends] - found[ends - pairs]
    return pairs + 1, shared >= LINE_SHARED * pairs


def covered(document: Sketch, other: Sketch, config: Config) -> bool:
    """Whether `other` holds all but a little of `document`'s prose.

    A prose line counts as held when most of its word pairs are in `other` (an edited
    or rewrapped copy of a line still is). Its own prose (lines no other document prints) must be almost all in `other`, and,
    if it has prose, at least half of all of it too: the lines of an article printed
    in several copies are "printed elsewhere" as well, and without that second test
    an article whose copies are in the corpus would be held by any page of its site.
    A page with little prose (fewer than `near_dup_own_words` words of prose lines: a
    list, a table, a stub) has nothing for those tests to miss, so `other` must also
    hold `SHORT_PAGE_HELD` of all its word pairs: two short pages of a site share
    header and footer but not their lists.
    """
    words, found = _lines_found(document, other)
    if int(words.sum()) < config.near_dup_own_words and len(document.pairs) and \
            np.count_nonzero(members(document.pairs, other.pairs)) < SHORT_PAGE_HELD * len(document.pairs):
        return False
    own_words, own_found = words[:document.own_lines], found[:document.own_lines]
    own = int(own_words[~own_found].sum())
    if own > config.near_dup_own_words or own > config.near_dup_own_share * int(own_words.sum()):
        return False
    return 2 * int(words[found].sum()) >= int(words.sum())


def band_parameters(config: Config) -> Tuple[int, int]:
    """(bands, rows) minimising the summed false positive and false negative areas
    under the S-curve, as datasketch's MinHashLSH chooses them (with a numeric
    integral instead of scipy's), for a threshold below the verification threshold."""
    return _optimal_bands(config.near_dup_jaccard * 0.75, config.num_perm)


@functools.lru_cache(maxsize=16)
def _optimal_bands(threshold: float, num_perm: int) -> Tuple[int, int]:
    integrate = getattr(np, "trapezoid", None) or np.trapz  # numpy 2 renamed it
    grid = np.linspace(0.0, 1.0, 2001)
    below, above = grid <= threshold, grid >= threshold
    best, choice = float("inf"), (1, 1)
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            candidate = 1 - (1 - grid ** rows) ** bands
            error = integrate(candidate[below], grid[below]) + integrate(1 - candidate[above], grid[above])
            if error < best:
                best, choice = error, (bands, rows)
    return choice


COVERED_A, COVERED_B = 1, 2


def similar(a: Sketch, b: Sketch, config: Config) -> Tuple[int, float]:
    """Exact check of a candidate pair: (which is a near-duplicate of the other, Jaccard
    of their 3-gram sets).

    Duplicates share enough 3-grams (Jaccard and containment thresholds), and one of
    them has almost no prose of its own (`covered`): two different articles of one
    site can share a lot of header, footer and teaser text, but each has its own
    article. The first value is 0 (no duplicates), or `COVERED_A` if `a` is covered by
    `b`, plus `COVERED_B` if `b` is covered by `a` (3: copies of each other).
    """
    if not len(a.shingles) or not len(b.shingles):
        return 0, 0.0
    shared = int(np.count_nonzero(members(a.shingles, b.shingles)))
    jaccard = shared / (len(a.shingles) + len(b.shingles) - shared)
    containment = shared / min(len(a.shingles), len(b.shingles))
    if jaccard < config.near_dup_jaccard or containment < config.near_dup_containment:
        return 0, jaccard
    return (COVERED_A if covered(a, b, config) else 0) | (COVERED_B if covered(b, a, config) else 0), jaccard


class UnionFind:
    """Array-based union-find; the root of a cluster is its smallest member."""

    def __init__(self, n: int):
        self.parent = np.arange(n)

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return int(root)

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            low, high = min(ra, rb), max(ra, rb)
            self.parent[high] = low
