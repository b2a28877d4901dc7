"""The corpus pipeline as plain functions over shards, for any executor.

    chrome_parts   (map)     per shard: documents in which each line, edge line and
                             title affix occurs, hash-partitioned
    chrome_totals  (reduce)  per partition: summed counts -> chrome lines, shared
                             lines, frequent affixes
    sketch_shard   (map)     per shard: content sketches, MinHash band keys and ids
                             written to the shard's folder; headline hashes
    band_edges     (map)     per group of bands: documents sharing a bucket -> candidate
                             edges (all pairs of a small bucket, a star toward the
                             smallest id of a big one), read from every folder, one
                             band in memory at a time; never a group per key
    verify_edges   (map)     per chunk of edges: the exact check of `neardup.similar`
    plan_clusters  (driver)  array-based union-find over the verified edges
    rewrite_shard  (map)     per shard: clean each document, drop or mark duplicates

Every function is deterministic and sees only its shard (or partition): the output
does not depend on the engine, the number of workers or the order tasks finish in.
A document's global id is its position in input order (`dedup.corpus.shards`).
"""
import hashlib
import os
from array import array
from collections import Counter
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

import numpy as np

from ..config import MAX_RECORD_BYTES, Config
from ..jsonl import BadLine, output_line
from .chrome import PAIR_DOCS, Chrome, _affixes, line_hashes, line_statistics, needs, token_lines
from .grams import TokenWriter, Tokens, read_tokens, sketches
from .neardup import (ALL_PAIRS_BUCKET, COVERED_A, COVERED_B, SAME_PAGE_JACCARD, UnionFind,
                      band_parameters, members, similar)
from .shards import Shard, read_shard
from .sites import BadSite, record_site, salted, site_salt
from .store import Layout, encode_id, write_folder

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_EMPTY64 = np.zeros(0, dtype=np.uint64)
_EMPTY32 = np.zeros(0, dtype=np.uint32)
_SKETCH_TOKENS = 1 << 19


class Settings(NamedTuple):
    """What every task of one run is given (broadcast once)."""

    config: Config
    text_key: str = "text"
    id_key: str = "id"
    skip_bad: bool = False
    max_record_bytes: int = MAX_RECORD_BYTES
    work: str = ""
    partitions: int = 1
    keep_totals: bool = False
    first_new: int = 0        # documents of a saved index come before this global id
    site_key: Optional[str] = None   # learn chrome per site (`dedup.corpus.sites`)
    duplicates_only: bool = False    # drop near-duplicate documents, rewrite no text


def partition_of(hashes: np.ndarray, partitions: int) -> np.ndarray:
    """Stable partition of 64-bit hashes (a multiplicative mix of their bits)."""
    if partitions == 1:
        return np.zeros(len(hashes), dtype=np.int64)
    mixed = np.asarray(hashes, dtype=np.uint64) * _GOLDEN
    return ((mixed >> np.uint64(33)) % np.uint64(partitions)).astype(np.int64)


def affix_hash(affix: Tuple[str, ...]) -> int:
    """Stable 64-bit hash of a title affix (tokens never hold a space)."""
    return int.from_bytes(hashlib.blake2b(" ".join(affix).encode("utf-8"), digest_size=8).digest(), "little")


# -- chrome statistics ---------------------------------------------------------------

class Counts(NamedTuple):
    """Hashes (sorted, unique) and in how many documents each was seen; with a site
    key, the salt of each hash's site (`sites`), to which its thresholds are relative."""

    hashes: np.ndarray
    docs: np.ndarray
    sites: Optional[np.ndarray] = None

    @staticmethod
    def seen(hashes: np.ndarray, sites: Optional[np.ndarray] = None) -> "Counts":
        """The counts of hashes listed once for each document they are in (and the
        site of each)."""
        if sites is None:
            hashes = np.sort(hashes)
        else:
            order = np.argsort(hashes, kind="stable")
            hashes, sites = hashes[order], sites[order]
        starts = np.flatnonzero(np.r_[True, hashes[1:] != hashes[:-1]]) if len(hashes) else \
            np.zeros(0, dtype=np.int64)
        return Counts(hashes[starts], np.diff(np.r_[starts, len(hashes)]).astype(np.int64),
                      None if sites is None else sites[starts])

    @staticmethod
    def of(counter: Counter, sites: Optional[Dict[int, int]] = None) -> "Counts":
        """Counts of a Counter of hashes (and their sites, by hash)."""
        hashes = np.fromiter(counter.keys(), dtype=np.uint64, count=len(counter))
        docs = np.fromiter(counter.values(), dtype=np.int64, count=len(counter))
        order = np.argsort(hashes, kind="stable")
        if sites is None:
            return Counts(hashes[order], docs[order])
        salts = np.fromiter((sites[h] for h in counter.keys()), dtype=np.uint64, count=len(counter))
        return Counts(hashes[order], docs[order], salts[order])

    def where(self, chosen: np.ndarray) -> "Counts":
        return Counts(*(None if a is None else a[chosen] for a in self))

    def split(self, partitions: int) -> List["Counts"]:
        where = partition_of(self.hashes, partitions)
        return [self.where(where == p) for p in range(partitions)]

    @staticmethod
    def total(parts: Sequence["Counts"]) -> "Counts":
        hashes = np.concatenate([p.hashes for p in parts]) if parts else _EMPTY64
        docs = np.concatenate([p.docs for p in parts]) if parts else np.zeros(0, np.int64)
        with_sites = any(p.sites is not None for p in parts)
        found = np.unique(hashes, return_index=with_sites, return_inverse=True)
        unique, inverse = found[0], found[-1]
        sites = np.concatenate([p.sites for p in parts])[found[1]] if with_sites else None
        return Counts(unique, np.bincount(inverse, weights=docs, minlength=len(unique)).astype(np.int64), sites)

    def needs(self, config: Config, documents: int, sites: Optional["Counts"],
              min_docs: Optional[int] = None):
        """`chrome.needs` of each hash: for its site's documents (`sites`: documents of
        each site salt), else for all `documents`."""
        if sites is None:
            return needs(config, documents, min_docs)
        each = np.array([needs(config, n, min_docs) for n in sites.docs.tolist()], dtype=np.float64)
        where = np.searchsorted(sites.hashes, self.sites)
        return each.reshape(-1, 2)[where, 0], each.reshape(-1, 2)[where, 1]


class ChromePart(NamedTuple):
    """One shard's chrome statistics for one partition."""

    documents: int
    lines: Counts
    edges: Counts
    suffixes: Counts
    prefixes: Counts
    names: Dict[int, Tuple[str, ...]]   # affix hash -> tokens, for the shard's frequent affixes
    bad: List[BadLine]
    affix_folder: str = ""   # all the shard's affix counts, when `suffixes` and `prefixes` are its frequent ones
    sites: Optional[Counts] = None   # with a site key: documents of each site (by salt) in the shard


class ChromeTotals(NamedTuple):
    """One partition's summed chrome statistics, and what they teach."""

    shard_documents: List[int]
    bad: List[BadLine]
    chrome_lines: np.ndarray
    common: np.ndarray
    suffixes: Dict[Tuple[int, Tuple[str, ...]], int]   # (site salt, affix) -> documents
    prefixes: Dict[Tuple[int, Tuple[str, ...]], int]
    totals: Optional[Tuple[Counts, Counts, Counts, Counts, Dict[int, Tuple[str, ...]]]] = None
    pair_lines: np.ndarray = np.zeros(0, np.uint64)
    sites: Optional[Counts] = None   # with a site key: documents of each site (by salt)


def chrome_parts(item, settings: Settings) -> List[ChromePart]:
    """Map: the chrome statistics of a shard (or of a saved index), partitioned."""
    if not isinstance(item, Shard):
        return item.chrome_parts(settings)
    config = settings.config
    documents = 0
    line_docs, edge_docs = array("Q"), array("Q")   # each document's lines, once
    line_sites = array("Q")   # (with a site key) the site of each of `line_docs`
    suffix_docs, prefix_docs = Counter(), Counter()   # (site salt, affix) -> documents
    site_docs: Counter = Counter()
    bad: List[BadLine] = []
    # What pass two needs of each document is kept, so that it reads no text again.
    kept = TokenWriter(tokens_folder(settings, item))
    try:
        for row, record in enumerate(read_shard(item, settings.text_key, settings.skip_bad, bad,
                                                settings.max_record_bytes, settings.site_key)):
            documents += 1
            salt = _salt(record, settings.site_key, item, row)
            site_docs[salt] += 1
            text = record[settings.text_key]
            toks = token_lines(text)
            hashes = line_hashes(toks, salt)
            lines, edges, suffixes, prefixes, _ = line_statistics(toks, hashes)
            if settings.site_key:
                line_sites.extend([salt] * len(lines))
            line_docs.extend(lines)
            edge_docs.extend(edges)
            suffix_docs.update((salt, a) for a in suffixes)
            prefix_docs.update((salt, a) for a in prefixes)
            kept.add(toks, hashes, len(text), encode_id(record.get(settings.id_key)), salt)
    finally:
        kept.close()
    # A frequent affix (in `share` of all documents) is in `share` of some shard's, so
    # each shard names only its own frequent affixes, and sends only those: the counts
    # of all its affixes stay in its folder, where `chrome_totals` looks up the frequent
    # ones of every shard (the counts of rare affixes, one for every head line of every
    # document, would not fit in memory for millions of documents).
    # (per site with a site key: a site's frequent affix is frequent in some shard's part of it)
    local_need = {salt: config.chrome_min_share * n for salt, n in site_docs.items()}
    names = {}
    hashed = []
    for kind, counter in (("suffix", suffix_docs), ("prefix", prefix_docs)):
        by_hash, site_of = Counter(), {}
        for (salt, affix), n in counter.items():
            h = salted(affix_hash(affix), salt)
            by_hash[h] += n
            site_of[h] = salt
            if n >= local_need[salt]:
                names[h] = affix
        counts = Counts.of(by_hash, site_of if settings.site_key else None)
        if not settings.keep_totals:
            np.save(os.path.join(kept.folder, kind + "es.npy"), counts.hashes, allow_pickle=False)
            np.save(os.path.join(kept.folder, kind + "_docs.npy"), counts.docs, allow_pickle=False)
            need = local_need.get(0, 0.0) if counts.sites is None else \
                np.array([local_need[s] for s in counts.sites.tolist()], dtype=np.float64)
            # (with a margin for rounding: `need` in `chrome_totals` is a product of floats)
            counts = counts.where(counts.docs >= need * (1 - 1e-9))
        hashed.append(counts)
    sites = None
    if settings.site_key:
        sites = Counts.of(site_docs)
        lines = Counts.seen(np.frombuffer(line_docs, dtype=np.uint64), np.frombuffer(line_sites, dtype=np.uint64))
    else:
        lines = Counts.seen(np.frombuffer(line_docs, dtype=np.uint64))
    return _partition(documents, lines, Counts.seen(np.frombuffer(edge_docs, dtype=np.uint64)), hashed[0],
                      hashed[1], names, bad, settings.partitions, "" if settings.keep_totals else kept.folder,
                      sites)


def _salt(record: dict, site_key: Optional[str], shard: Shard, row: int) -> int:
    """The salt of a record's site (0 without a site key). A bad site field of a file's
    line was refused when it was read; one of a record in memory is refused here."""
    if not site_key:
        return 0
    try:
        return site_salt(record_site(record, site_key))
    except BadSite as error:
        from ..io import InputError

        raise InputError(f"{shard.name}:{shard.first_line + row}: field {site_key!r} {error}") from error


def _partition(documents, lines, edges, suffixes, prefixes, names, bad, partitions,
               affix_folder: str = "", sites: Optional[Counts] = None) -> List[ChromePart]:
    split = [c.split(partitions) for c in (lines, edges, suffixes, prefixes)]
    where = {h: int(p) for h, p in zip(names, partition_of(np.array(list(names), dtype=np.uint64),
                                                           partitions))} if names else {}
    return [ChromePart(documents, split[0][p], split[1][p], split[2][p], split[3][p],
                       {h: a for h, a in names.items() if where[h] == p}, bad if p == 0 else [], affix_folder,
                       sites)
            for p in range(partitions)]


def _affix_totals(parts: Sequence[ChromePart], kind: str) -> Counts:
    """In how many documents each affix that some shard sent occurs, summed over the
    shards (from their folders when they sent only their frequent ones)."""
    sent = Counts.total([getattr(p, kind) for p in parts])
    if not any(p.affix_folder for p in parts):
        return sent
    docs = np.zeros(len(sent.hashes), dtype=np.int64)
    for part in parts:
        if part.affix_folder:
            hashes, counts = (np.load(os.path.join(part.affix_folder, name + ".npy"), mmap_mode="r",
                                      allow_pickle=False) for name in (kind, kind[:-2] + "_docs"))
        else:
            hashes, counts = getattr(part, kind)[:2]
        found = members(sent.hashes, hashes)
        docs[found] += counts[np.searchsorted(hashes, sent.hashes[found])]
    return sent._replace(docs=docs)


def chrome_totals(partition: int, parts: Sequence[ChromePart], settings: Settings) -> ChromeTotals:
    """Reduce: sum one partition's statistics over all shards; pick chrome lines, lines
    shared by several documents and frequent affixes (thresholds of `ChromeCounter`)."""
    config = settings.config
    documents = sum(p.documents for p in parts)
    sites = Counts.total([p.sites for p in parts]) if settings.site_key else None
    lines = Counts.total([p.lines for p in parts])
    edges = Counts.total([p.edges for p in parts])
    edge_docs = np.zeros(len(lines.hashes), dtype=np.int64)
    edge_docs[np.searchsorted(lines.hashes, edges.hashes)] = edges.docs

    def chrome(min_docs):
        at_edges, anywhere = lines.needs(config, documents, sites, min_docs)
        return (lines.docs >= anywhere) | ((lines.docs >= at_edges) & (edge_docs >= at_edges))

    strong = chrome(config.chrome_min_docs)
    chrome_lines, pair_lines = lines.hashes[strong], lines.hashes[chrome(PAIR_DOCS) & ~strong]
    common = lines.hashes[lines.docs >= config.chrome_min_docs]
    names: Dict[int, Tuple[str, ...]] = {}
    for part in parts:
        names.update(part.names)
    affixes = []
    for kind in ("suffixes", "prefixes"):
        counts = _affix_totals(parts, kind)
        frequent = counts.docs >= counts.needs(config, documents, sites)[0]
        salts = counts.sites[frequent].tolist() if sites is not None else [0] * int(frequent.sum())
        affixes.append({(salt, names[int(h)]): int(n) for h, n, salt in
                        zip(counts.hashes[frequent], counts.docs[frequent], salts) if int(h) in names})
        if settings.keep_totals:
            affixes.append(counts)
    totals = None
    if settings.keep_totals:
        totals = (lines, Counts(lines.hashes, edge_docs), affixes[1], affixes[3], names)
        affixes = [affixes[0], affixes[2]]
    return ChromeTotals([p.documents for p in parts], [b for p in parts for b in p.bad],
                        chrome_lines, common, affixes[0], affixes[1], totals, pair_lines, sites)


def learn_chrome(totals: Sequence[ChromeTotals], config: Config) -> Tuple[Chrome, np.ndarray]:
    """The learned `Chrome` (without headlines: `sketch_shard` finds them) and the
    sorted hashes of lines shared by several documents."""
    documents = sum(totals[0].shard_documents)
    sites = totals[0].sites
    site_documents = {0: documents} if sites is None else dict(zip(sites.hashes.tolist(), sites.docs.tolist()))
    counted: Dict[int, Tuple[Counter, Counter]] = {}   # site salt -> suffixes, prefixes
    for total in totals:
        for position, found in enumerate((total.suffixes, total.prefixes)):
            for (salt, affix), n in found.items():
                counted.setdefault(salt, (Counter(), Counter()))[position][affix] += n
    learned = {}
    for salt, n in sorted(site_documents.items()):
        suffixes, prefixes = counted.get(salt, (Counter(), Counter()))
        need = needs(config, n)[0]
        learned[salt] = (n, _affixes(suffixes, need), _affixes(prefixes, need, prefixes=True))
    lines = frozenset(int(h) for t in totals for h in t.chrome_lines)
    pairs = frozenset(int(h) for t in totals for h in t.pair_lines)
    common = np.sort(np.concatenate([t.common for t in totals])) if totals else _EMPTY64
    _, suffixes, prefixes = learned.pop(0, (0, (), ()))
    return Chrome(lines, suffixes, prefixes, documents=documents, pair_lines=pairs,
                  sites=tuple((salt, *found) for salt, found in learned.items())), common


# -- sketches and candidate pairs ----------------------------------------------------

class SketchSummary(NamedTuple):
    documents: int
    folder: str
    titles: np.ndarray


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One 64-bit key per (document, band): the band's rows themselves when they fit in
    64 bits (two 32-bit rows, the default), else a hash of them."""
    n = signatures.shape[0]
    part = signatures[:, :bands * rows].astype(np.uint64).reshape(n, bands, rows)
    if rows * 32 <= 64:
        keys = np.zeros((n, bands), dtype=np.uint64)
        for r in range(rows):
            keys |= part[:, :, r] << np.uint64(32 * r)
        return keys
    keys = np.full((n, bands), 0xCBF29CE484222325, dtype=np.uint64)
    for r in range(rows):
        keys = (keys ^ part[:, :, r]) * np.uint64(0x100000001B3)
        keys ^= keys >> np.uint64(29)
    return keys


def tokens_folder(settings: Settings, shard: Shard) -> str:
    """Where pass one keeps a shard's tokens for pass two."""
    return os.path.join(settings.work, f"tokens-{shard.index:06d}")


def sketch_shard(shard: Shard, settings: Settings, chrome: Chrome, learn_titles: bool) -> SketchSummary:
    """Map: write the content sketches, band keys, lengths and ids of a shard's
    documents to its folder (from the tokens pass one kept); return their headline
    hashes when learning chrome."""
    from ..signature import signatures

    config = settings.config
    bands, rows = band_parameters(config)
    source = tokens_folder(settings, shard)
    kept = {name: read_tokens(source, name) for name in ("doc_lines", "line_tokens", "line_hashes", "lengths",
                                                          "ids", "id_sizes", "titles", "title_sizes", "sites")}
    documents = len(kept["doc_lines"])
    line_starts = _starts(kept["doc_lines"])
    token_starts = _starts(kept["line_tokens"])
    doc_tokens = token_starts[line_starts]
    chrome_lines = np.array(sorted(chrome.lines), dtype=np.uint64)
    parts: Dict[str, list] = {}
    keys = []
    # Chunks of documents of about `_SKETCH_TOKENS` tokens bound the memory.
    firsts = np.searchsorted(doc_tokens, np.arange(0, int(doc_tokens[-1]), _SKETCH_TOKENS), side="right") - 1
    bounds = np.unique(np.r_[0, firsts]).tolist() + [documents]
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        l0, l1 = int(line_starts[lo]), int(line_starts[hi])
        t0, t1 = int(doc_tokens[lo]), int(doc_tokens[hi])
        chunk = sketches(Tokens(kept["doc_lines"][lo:hi], kept["line_tokens"][l0:l1], kept["line_hashes"][l0:l1],
                                read_tokens(source, "crc", t0, t1), read_tokens(source, "size", t0, t1)),
                         chrome_lines)
        for name, values in chunk.items():
            parts.setdefault(name, []).append(values)
        starts = _starts(chunk["shingle_counts"]).tolist()
        shingles = [chunk["shingles"][a:b] for a, b in zip(starts[:-1], starts[1:])]
        keys.append(band_keys(signatures(shingles, num_perm=config.num_perm), bands, rows))
    titles = set()
    if learn_titles:
        title_starts = _starts(kept["title_sizes"])
        encoded = kept["titles"].tobytes()
        for a, b, salt in zip(title_starts[:-1].tolist(), title_starts[1:].tolist(), kept["sites"].tolist()):
            if b > a:
                # (with the title affixes of the document's site; headlines are corpus-wide)
                headline = chrome.for_salt(salt).headline_hash(encoded[a:b].decode("utf-8").split(" "))
                if headline:
                    titles.add(headline)
    id_starts = _starts(kept["id_sizes"]).tolist()
    encoded_ids = kept["ids"].tobytes()
    folder = os.path.join(settings.work, f"shard-{shard.index:06d}")
    write_folder(folder, {name: np.concatenate(values) for name, values in parts.items()}, np.concatenate(keys),
                 kept["lengths"], [encoded_ids[a:b] for a, b in zip(id_starts[:-1], id_starts[1:])])
    return SketchSummary(documents, folder, np.array(sorted(titles), dtype=np.uint64))


def _starts(counts: np.ndarray) -> np.ndarray:
    """Offsets of consecutive runs of `counts` (one more than there are counts)."""
    out = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=out[1:])
    return out


#: bands joined by one task: each reads the band keys of every folder once
BANDS_PER_TASK = 4


def band_groups(bands: int) -> List[Tuple[int, ...]]:
    """The bands of each `band_edges` task."""
    return [tuple(range(lo, min(lo + BANDS_PER_TASK, bands))) for lo in range(0, bands, BANDS_PER_TASK)]


def band_edges(bands: Sequence[int], sources: Sequence[Tuple[int, str]], settings: Settings) -> np.ndarray:
    """Map: candidate edges (i, j), i < j, of documents sharing a bucket (band, key) of
    one of `bands`: all pairs of a bucket of up to `ALL_PAIRS_BUCKET` documents, else a
    star toward its smallest id. Reads those bands' keys from every folder ((first
    global id, folder) in id order), one band at a time in memory: about 30 bytes a
    document. Only edges with an end at or after `settings.first_new` (a saved index
    holds the documents before it)."""
    from .store import band_columns

    columns = [band_columns(folder, bands) for _, folder in sources]
    ids = np.concatenate([np.arange(start, start + len(c[0]), dtype=np.int64)
                          for (start, _), c in zip(sources, columns)]) if sources else np.zeros(0, np.int64)
    edges = []
    for number in range(len(bands)):
        keys = np.concatenate([c[number] for c in columns]) if columns else _EMPTY64
        # A stable sort keeps the ids of a bucket in increasing order.
        order = np.argsort(keys, kind="stable")
        edges += _bucket_pairs(keys[order], ids[order], settings.first_new)
    if not edges:
        return np.zeros((0, 2), dtype=np.int64)
    return np.unique(np.concatenate(edges), axis=0)


def _bucket_pairs(keys: np.ndarray, ids: np.ndarray, first_new: int) -> List[np.ndarray]:
    """Edges of the buckets of one band, given its keys sorted (ids in order within a key)."""
    if len(ids) < 2:
        return []
    change = np.r_[True, keys[1:] != keys[:-1]]
    starts = np.flatnonzero(change)
    sizes = np.diff(np.r_[starts, len(ids)])
    edges = []
    big = starts[sizes > ALL_PAIRS_BUCKET]
    for start, size in zip(big, sizes[sizes > ALL_PAIRS_BUCKET]):
        members = ids[start:start + size]
        if members[-1] >= first_new:
            tail = members[1:][members[1:] >= first_new]
            edges.append(np.column_stack([np.full(len(tail), members[0]), tail]))
    small = (sizes >= 2) & (sizes <= ALL_PAIRS_BUCKET)
    for size in np.unique(sizes[small]):
        chosen = starts[small & (sizes == size)]
        members = ids[chosen[:, None] + np.arange(size)]
        x, y = np.triu_indices(size, 1)
        pairs = np.stack([members[:, x].ravel(), members[:, y].ravel()], axis=1)
        edges.append(pairs[pairs[:, 1] >= first_new])
    return edges


def unique_edges(parts: Sequence[np.ndarray]) -> np.ndarray:
    """All candidate edges, unique and sorted."""
    edges = [p for p in parts if len(p)]
    if not edges:
        return np.zeros((0, 2), dtype=np.int64)
    return np.unique(np.concatenate(edges), axis=0)


def verify_edges(edges: np.ndarray, layout: Layout, common: np.ndarray,
                 config: Config) -> Tuple[np.ndarray, np.ndarray]:
    """Map: `neardup.similar` for each candidate edge: (which covers which, Jaccard)."""
    duplicate = np.zeros(len(edges), dtype=np.int8)
    jaccard = np.zeros(len(edges), dtype=np.float64)
    cache: Dict[int, object] = {}
    for k, (i, j) in enumerate(edges.tolist()):
        a = cache.get(i)
        if a is None:
            a = cache[i] = layout.sketch(i, common)
        b = cache.get(j)
        if b is None:
            b = cache[j] = layout.sketch(j, common)
        duplicate[k], jaccard[k] = similar(a, b, config)
        if len(cache) > 4096:
            cache.clear()
    return duplicate, jaccard


class Dropped(NamedTuple):
    """A document left out (or marked): the id of the document kept in its place, and
    the similarity to its nearest verified neighbour."""

    duplicate_of: object
    similarity: float


def plan_clusters(edges: np.ndarray, duplicate: np.ndarray, jaccard: np.ndarray, documents: int,
                  keep: str, layout: Layout, first_new: int = 0, id_of=None,
                  close: float = SAME_PAGE_JACCARD) -> Dict[int, Dropped]:
    """Driver: clusters of the verified edges (`neardup.similar`); one document kept per
    cluster ("first": the smallest id; "longest": the longest, ties to the smallest id).

    Copies of each other (both covered) are joined by union-find, in sorted order. A
    cluster some document of which lies inside another document without holding it (a
    short page, a cut copy) joins the cluster of the document it is most similar to
    (ties: the smallest id), and of those of its other holders that are `close` (an
    edge of at least that Jaccard similarity) to that one, never more: joining every
    holder would make one cluster of two different articles through a short page of
    their site that lies inside both. A cluster holding documents of a saved index (ids
    below `first_new`) keeps one of those. `id_of(gid)` may give (True, id) for documents
    whose ids are at hand (else they are read from the layout). Returns the dropped
    documents by global id."""
    found = UnionFind(documents)
    nearest: Dict[int, Tuple[int, float]] = {}

    def note(x: int, y: int, similarity: float) -> None:
        if x not in nearest or similarity > nearest[x][1]:
            nearest[x] = (y, similarity)

    copies = duplicate == COVERED_A | COVERED_B
    for (i, j), similarity in zip(edges[copies].tolist(), jaccard[copies].tolist()):
        found.union(i, j)
        note(i, j, similarity)
        note(j, i, similarity)
    mutual_root = {m: found.find(m) for m in nearest}  # (others are alone)
    holders: Dict[int, List[Tuple[float, int, int]]] = {}
    one_way = (duplicate == COVERED_A) | (duplicate == COVERED_B)
    for (i, j), code, similarity in zip(edges[one_way].tolist(), duplicate[one_way].tolist(),
                                        jaccard[one_way].tolist()):
        x, y = (i, j) if code == COVERED_A else (j, i)
        holders.setdefault(mutual_root.get(x, x), []).append((similarity, -y, x))
    near = set(map(tuple, edges[jaccard >= close].tolist())) if holders else set()
    for _, held in sorted(holders.items()):
        best = -max(held)[1]  # the most similar holder (ties: the smallest id)
        for similarity, minus_y, x in held:
            y = -minus_y
            if y == best or (min(y, best), max(y, best)) in near:
                found.union(x, y)
                note(x, y, similarity)
                note(y, x, similarity)
    members: Dict[int, List[int]] = {}
    for index in sorted(nearest):
        members.setdefault(found.find(index), []).append(index)
    dropped: Dict[int, Dropped] = {}
    for group in members.values():
        candidates = [m for m in group if m < first_new] or group
        kept = candidates[0] if keep == "first" else max(candidates, key=lambda m: (layout.length(m), -m))
        known = id_of(kept) if id_of else None
        kept_id = known[1] if known else layout.id(kept)
        for member in group:
            if member != kept and member >= first_new:
                dropped[member] = Dropped(kept_id, nearest[member][1])
    return dropped


# -- rewriting -----------------------------------------------------------------------

class Rewritten(NamedTuple):
    """A shard after cleaning: its documents (or, written to `part`, their summary)."""

    documents: list
    written: int = 0
    counts: Optional[Counter] = None
    shown: Optional[list] = None


def rewrite_shard(job, settings: Settings, chrome: Chrome, rules: Sequence, keep_duplicates: bool,
                  output: Optional[dict]) -> Rewritten:
    """Map: clean each document of a shard with what the corpus taught (with
    `settings.duplicates_only`, keep its text as it is); leave out (or mark) the
    duplicates in `job`'s plan. With `output` ({"explain", "report", "stream"}),
    write the shard's JSON lines to `stream` (a run in one process) or else to its part
    file, and return counts instead of documents."""
    from .. import Explained, clean_and_explain
    from . import CleanedDocument

    shard, dropped, first = job
    documents = []
    counts: Counter = Counter()
    shown = [] if output and output["report"] else None
    part = own = None
    if output is not None:
        part = output.get("stream")
        if part is None:
            part = own = open(os.path.join(settings.work, f"part-{shard.index:06d}.jsonl"), "wb")
    try:
        for row, record in enumerate(read_shard(shard, settings.text_key, True, [], settings.max_record_bytes,
                                                settings.site_key)):
            drop = dropped.get(first + row)
            if drop is not None and not keep_duplicates:
                continue
            text = record[settings.text_key]
            if settings.duplicates_only:
                result = Explained(text, [])
            else:
                site = chrome.for_site(record_site(record, settings.site_key)) if settings.site_key else chrome
                result = clean_and_explain(text, settings.config, rules, site)
            out = dict(record)
            out[settings.text_key] = result.text
            document = CleanedDocument(out, result.removals, drop and drop.duplicate_of,
                                       drop and drop.similarity, text)
            if part is None:
                documents.append(document)
                continue
            if document.duplicate_of is not None:
                counts["duplicate_document"] += 1
            counts.update(r.reason for r in result.removals if r.reason != "blank")
            if shown is not None:
                shown.append((settings.id_key in out, out.get(settings.id_key), text, result.removals))
            part.write(output_line(out, document.duplicate_of,
                                   result.removals if output["explain"] else None))
            counts["_written"] += 1
    finally:
        if own is not None:
            own.close()
    written = counts.pop("_written", 0)
    return Rewritten(documents, written, counts, shown)
