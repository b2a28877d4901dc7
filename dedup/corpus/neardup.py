"""Near-duplicate documents: MinHash signatures, LSH bands, exact verification,
union-find clusters.

Each document is reduced to the set of word 3-grams of its content (tokens with digits
folded, chrome lines left out), hashed to 32 bits. Signatures are datasketch-compatible
(`dedup.signature`), computed in bulk with numpy. Candidate pairs come from a banded
join (rows of a band hashed together; documents sharing a bucket are candidates), with
(bands, rows) chosen by datasketch's own optimiser for the Jaccard threshold. Big
buckets give only star edges toward their smallest id, never all pairs. Every
candidate is verified on the exact shingle sets before two documents are joined.
"""
from typing import Dict, Iterable, List, Sequence, Tuple

import numpy as np

from ..config import Config
from ..signature import hash_shingles, signatures

SHINGLE_TOKENS = 3
ALL_PAIRS_BUCKET = 32   # buckets up to this size are verified pair by pair


def document_shingles(token_lists: Iterable[Sequence[str]]) -> np.ndarray:
    """Sorted unique 32-bit hashes of the word 3-grams of a document's content lines."""
    toks: List[str] = []
    for line_tokens in token_lists:
        toks.extend(line_tokens)
    if not toks:
        return np.zeros(0, dtype=np.uint32)
    if len(toks) < SHINGLE_TOKENS:
        grams = [" ".join(toks)]
    else:
        grams = {" ".join(toks[i:i + SHINGLE_TOKENS]) for i in range(len(toks) - SHINGLE_TOKENS + 1)}
    return np.unique(hash_shingles(list(grams)))


def band_parameters(config: Config) -> Tuple[int, int]:
    """(bands, rows) for the threshold, as datasketch's MinHashLSH would choose them."""
    from datasketch.lsh import _optimal_param

    return _optimal_param(config.near_dup_jaccard * 0.75, config.num_perm, 0.5, 0.5)


def similar(a: np.ndarray, b: np.ndarray, config: Config) -> Tuple[bool, float]:
    """Exact check of a candidate pair on its shingle sets: (duplicate?, Jaccard)."""
    if not len(a) or not len(b):
        return False, 0.0
    shared = len(np.intersect1d(a, b, assume_unique=True))
    jaccard = shared / (len(a) + len(b) - shared)
    containment = shared / min(len(a), len(b))
    return (jaccard >= config.near_dup_jaccard and containment >= config.near_dup_containment,
            jaccard)


def candidate_edges(sigs: np.ndarray, bands: int, rows: int) -> List[Tuple[int, int]]:
    """Pairs (i, j), i < j, of documents that share a bucket in some band."""
    n = sigs.shape[0]
    edges = set()
    for band in range(bands):
        part = np.ascontiguousarray(sigs[:, band * rows:(band + 1) * rows])
        keys = part.view(np.dtype((np.void, part.dtype.itemsize * rows))).ravel()
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        ends = np.r_[starts[1:], n]
        for start, end in zip(starts, ends):
            if end - start < 2:
                continue
            members = np.sort(order[start:end])
            if end - start <= ALL_PAIRS_BUCKET:
                for x in range(len(members)):
                    for y in range(x + 1, len(members)):
                        edges.add((int(members[x]), int(members[y])))
            else:
                root = int(members[0])
                edges.update((root, int(m)) for m in members[1:])
    return sorted(edges)


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


def clusters(shingle_sets: Sequence[np.ndarray], config: Config
             ) -> Tuple[List[List[int]], Dict[int, Tuple[int, float]]]:
    """Find near-duplicate documents.

    Returns:
        (groups, nearest): every cluster of two or more documents as a sorted list of
        indexes, and for each clustered document the member it is most similar to,
        with their Jaccard similarity.
    """
    n = len(shingle_sets)
    if n < 2:
        return [], {}
    sigs = signatures(list(shingle_sets), num_perm=config.num_perm)
    bands, rows = band_parameters(config)
    found = UnionFind(n)
    nearest: Dict[int, Tuple[int, float]] = {}
    for i, j in candidate_edges(sigs, bands, rows):
        duplicate, jaccard = similar(shingle_sets[i], shingle_sets[j], config)
        if duplicate:
            found.union(i, j)
            for x, y in ((j, i), (i, j)):
                if x not in nearest or jaccard > nearest[x][1]:
                    nearest[x] = (y, jaccard)
    members: Dict[int, List[int]] = {}
    for index in sorted(nearest):
        members.setdefault(found.find(index), []).append(index)
    return sorted(members.values()), nearest
