"""Word n-gram hashes of whole shards, from the hashes of their tokens.

A shingle's hash is CRC-32 of its UTF-8 bytes (`dedup.signature.shingle_hash32`), and
the CRC-32 of a concatenation follows from the CRC-32 and byte length of its parts:

    crc(A + B) = shift(crc(A), len(B)) ^ crc(B)

where `shift(v, n)` feeds n zero bytes through the CRC register, a linear map of the 32
bits (zlib's `crc32_combine`). So the hash of "a b c" comes from the CRC-32 and length
of the tokens "a", "b" and "c": `sketches` computes every 3-gram and word pair of a
shard's documents with numpy, the same hashes `neardup.sketch` gets from the strings.
"""
import functools
import itertools
import os
import zlib
from array import array
from typing import Dict, NamedTuple, Optional, Sequence, Tuple

import numpy as np

from .neardup import PROSE_TOKENS, SHINGLE_TOKENS, members, sorted_unique

_POLY = np.uint32(0xEDB88320)   # CRC-32 (reflected)
_SPACE = np.uint32(zlib.crc32(b" "))
_SHIFTS = 256                   # shifts by fewer bytes come from a table
_LONG_TOKEN = 64                # bytes; `token_crcs` hashes longer tokens one by one


@functools.lru_cache(maxsize=1)
def _table() -> np.ndarray:
    """Flat table: entry (n * 4 + k) * 256 + b is shift(b << 8k, n), for n < `_SHIFTS`."""
    value = np.arange(256, dtype=np.uint32)[None, :] << (np.arange(4, dtype=np.uint32)[:, None] * 8)
    table = np.empty((_SHIFTS, 4, 256), dtype=np.uint32)
    for n in range(_SHIFTS):
        table[n] = value
        for _ in range(8):   # one zero byte
            value = (value >> np.uint32(1)) ^ (_POLY * (value & np.uint32(1)))
    return table.ravel()


def shift(values: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """`shift(v, n)` of each value and length (CRC-32 state after n more zero bytes)."""
    table = _table()
    values = np.asarray(values, dtype=np.uint32)
    lengths = np.asarray(lengths, dtype=np.int64)
    long = lengths >= _SHIFTS
    if long.any():  # tokens of hundreds of bytes: in steps
        values, lengths = values.copy(), lengths.copy()
        where = np.flatnonzero(long)
        while len(where):
            step = np.minimum(lengths[where], _SHIFTS - 1)
            values[where] = shift(values[where], step)
            lengths[where] -= step
            where = where[lengths[where] >= _SHIFTS]
    base = lengths * 1024
    out = table[base + (values & np.uint32(0xFF))]
    out ^= table[base + 256 + ((values >> np.uint32(8)) & np.uint32(0xFF))]
    out ^= table[base + 512 + ((values >> np.uint32(16)) & np.uint32(0xFF))]
    out ^= table[base + 768 + (values >> np.uint32(24))]
    return out


@functools.lru_cache(maxsize=1)
def _byte_table() -> np.ndarray:
    """The CRC-32 register after one byte b (entry b) is fed into a zero register."""
    value = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        value = (value >> np.uint32(1)) ^ (_POLY * (value & np.uint32(1)))
    return value


def token_crcs(spaced: bytes) -> Tuple[np.ndarray, np.ndarray]:
    """CRC-32 (`zlib.crc32`) and byte length of each token of `spaced`, the UTF-8 bytes
    of tokens each followed by a space. The tokens are fed one byte position at a time,
    longest first, so that each step works on a prefix of them; the few longer than
    `_LONG_TOKEN` bytes go to zlib one by one."""
    data = np.frombuffer(spaced, dtype=np.uint8)
    ends = np.flatnonzero(data == 32)
    sizes = np.diff(ends, prepend=-1) - 1
    short = sizes <= _LONG_TOKEN
    # longest first, the long ones left out at the end (a stable sort of bytes is a radix sort)
    order = np.argsort(np.where(short, _LONG_TOKEN - sizes, 255).astype(np.uint8), kind="stable")
    order = order[:np.count_nonzero(short)]
    at = (ends - sizes)[order]
    longer = np.cumsum(np.bincount(sizes[short], minlength=1)[::-1])[::-1]   # tokens of each size or more
    table, register = _byte_table(), np.full(len(order), 0xFFFFFFFF, dtype=np.uint32)
    for offset, n in enumerate(longer[1:].tolist()):   # the n tokens longer than offset
        head = register[:n]
        register[:n] = table[(head ^ data[at[:n] + offset]) & 0xFF] ^ (head >> np.uint32(8))
    crc = np.empty(len(sizes), dtype=np.uint32)
    crc[order] = ~register
    for i in np.flatnonzero(~short).tolist():
        crc[i] = zlib.crc32(spaced[ends[i] - sizes[i]:ends[i]])
    return crc, sizes.astype(np.uint32)


def joined(left: np.ndarray, right: np.ndarray, right_bytes: np.ndarray) -> np.ndarray:
    """CRC-32 of left + " " + right, from the CRC-32 of both and right's byte length."""
    return shift(left, right_bytes + 1) ^ shift(np.broadcast_to(_SPACE, right.shape), right_bytes) ^ right


class Tokens(NamedTuple):
    """The token lines of some documents, as hashes.

    Attributes:
        doc_lines: lines (with tokens) of each document.
        line_tokens: tokens of each line.
        line_hashes: `chrome.line_hash` of each line's key.
        crc: CRC-32 of each token's UTF-8 bytes.
        size: byte length of each token.
    """

    doc_lines: np.ndarray
    line_tokens: np.ndarray
    line_hashes: np.ndarray
    crc: np.ndarray
    size: np.ndarray


def _unique_by_doc(docs: np.ndarray, values: np.ndarray, documents: int):
    """Sorted unique values of each document: (values, per-document counts, sorted keys)."""
    keys = sorted_unique((docs.astype(np.uint64) << np.uint64(32)) | values.astype(np.uint64))
    counts = np.bincount((keys >> np.uint64(32)).astype(np.int64), minlength=documents)
    return (keys & np.uint64(0xFFFFFFFF)).astype(np.uint32), counts, keys


def sketches(tokens: Tokens, chrome_lines: np.ndarray) -> Dict[str, np.ndarray]:
    """The `neardup.StoredSketch` parts of each document, as the arrays of a shard folder
    (`store.write_folder`; "prose" as positions in the document's pairs, int64): its
    lines not in `chrome_lines` (sorted line hashes) are its content."""
    documents = len(tokens.doc_lines)
    line_doc = np.repeat(np.arange(documents), tokens.doc_lines)
    content = ~members(tokens.line_hashes, chrome_lines)
    token_line = np.repeat(np.arange(len(tokens.line_tokens)), tokens.line_tokens)
    kept = content[token_line]
    crc, size, line = tokens.crc[kept], tokens.size[kept].astype(np.int64), token_line[kept]
    doc = line_doc[line]
    count = np.bincount(doc, minlength=documents)
    # The shingles: 3-grams, or the whole text of a document of one or two tokens.
    pair = joined(crc[:-1], crc[1:], size[1:])
    pair_doc = doc[:-1][doc[:-1] == doc[1:]]
    pair_at = np.flatnonzero(doc[:-1] == doc[1:])
    triple_at = np.flatnonzero(doc[:-2] == doc[2:]) if len(doc) > 2 else np.zeros(0, np.int64)
    triple = joined(pair[triple_at], crc[triple_at + 2], size[triple_at + 2])
    short_pair = pair_at[count[doc[pair_at]] == SHINGLE_TOKENS - 1]
    single = np.flatnonzero(count[doc] == 1)
    shingles, shingle_counts, _ = _unique_by_doc(
        np.concatenate([doc[triple_at], doc[short_pair], doc[single]]),
        np.concatenate([triple, pair[short_pair], crc[single]]), documents)
    pairs, pair_counts, pair_keys = _unique_by_doc(pair_doc, pair[pair_at], documents)
    # Prose lines (of `PROSE_TOKENS` tokens or more): their pairs, as positions in the
    # document's sorted pairs.
    prose_line = np.flatnonzero(content & (tokens.line_tokens >= PROSE_TOKENS))
    is_prose = np.zeros(len(content), dtype=bool)
    is_prose[prose_line] = True
    inside = pair_at[(line[pair_at] == line[pair_at + 1]) & is_prose[line[pair_at]]]
    wanted = (doc[inside].astype(np.uint64) << np.uint64(32)) | pair[inside].astype(np.uint64)
    starts = np.concatenate([[0], np.cumsum(pair_counts)])
    prose = np.searchsorted(pair_keys, wanted) - starts[doc[inside]]
    return {"shingles": shingles, "shingle_counts": shingle_counts,
            "pairs": pairs, "pair_counts": pair_counts,
            "prose": prose, "prose_line_counts": tokens.line_tokens[prose_line] - 1,
            "prose_keys": tokens.line_hashes[prose_line],
            "prose_counts": np.bincount(line_doc[prose_line], minlength=documents)}


# What pass one keeps of each document for pass two, in raw files of a folder.
_FIELDS = {"doc_lines": "I", "line_tokens": "I", "line_hashes": "Q", "crc": "I", "size": "I",
           "lengths": "q", "ids": "B", "id_sizes": "I", "titles": "B", "title_sizes": "I",
           "sites": "Q"}
_DTYPES = {"I": np.uint32, "Q": np.uint64, "q": np.int64, "B": np.uint8}
_FLUSH = 1 << 18


class TokenWriter:
    """Pass one writes the token lines of a shard's documents (as hashes), their text
    lengths, ids and titles to `folder`, a few buffered writes at a time, so that pass
    two (`read_tokens`) reads neither JSON nor text."""

    def __init__(self, folder: str):
        os.makedirs(folder, exist_ok=True)
        self.folder = folder
        self.buffers = {name: array(code) for name, code in _FIELDS.items()}
        self.files = {name: open(os.path.join(folder, name), "wb") for name in _FIELDS}
        self.spaced = bytearray()   # the tokens (for "crc" and "size"), each followed by a space
        self.count = 0

    def add(self, lines: Sequence[Sequence[str]], hashes: Sequence[int], length: int, encoded_id: bytes,
            site: int = 0) -> None:
        """One document: its token lines and their `chrome.line_hash`es (salted with its
        site), its text length, id (`store.encode_id`) and site salt (`corpus.sites`)."""
        b = self.buffers
        b["doc_lines"].append(len(lines))
        sizes = list(map(len, lines))
        b["line_tokens"].extend(sizes)
        b["line_hashes"].extend(hashes)
        if lines:   # (tokens hold no space)
            self.spaced += " ".join(itertools.chain.from_iterable(lines)).encode("utf-8")
            self.spaced += b" "
            self.count += sum(sizes)
        b["lengths"].append(length)
        b["ids"].frombytes(encoded_id)
        b["id_sizes"].append(len(encoded_id))
        title = " ".join(lines[0]).encode("utf-8") if lines else b""  # tokens hold no space
        b["titles"].frombytes(title)
        b["title_sizes"].append(len(title))
        b["sites"].append(site)
        if self.count >= _FLUSH:
            self.flush()

    def flush(self) -> None:
        crc, size = token_crcs(self.spaced)
        self.buffers["crc"].frombytes(crc.tobytes())
        self.buffers["size"].frombytes(size.tobytes())
        self.spaced.clear()
        self.count = 0
        for name, buffer in self.buffers.items():
            buffer.tofile(self.files[name])
            del buffer[:]

    def close(self) -> None:
        self.flush()
        for handle in self.files.values():
            handle.close()


def read_tokens(folder: str, name: str, lo: int = 0, hi: Optional[int] = None) -> np.ndarray:
    """Items `lo` to `hi` of what `TokenWriter` wrote to its file `name` (read, not
    mapped: the pages of a mapped file would stay in memory while the shard is worked on)."""
    dtype = np.dtype(_DTYPES[_FIELDS[name]])
    return np.fromfile(os.path.join(folder, name), dtype=dtype, count=-1 if hi is None else hi - lo,
                       offset=lo * dtype.itemsize)
