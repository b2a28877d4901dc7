"""Sketches of a shard on disk: plain .npy arrays, read back memory-mapped.

A folder holds, for its documents in order: their `StoredSketch` parts (3-gram and
word-pair hashes, prose lines as positions among the pairs, with their key hashes) as concatenated arrays with
offsets, their LSH band keys, text lengths and ids (JSON). A task writes the folder of
its own shard; verification tasks read the few documents they need from any folder.
The same folders make up a saved index (`dedup.corpus.index`). Nothing is pickled.
"""
import json
import os
from typing import Dict, Sequence, Tuple

import numpy as np

from .neardup import Sketch, StoredSketch, own_sketch

ARRAYS = ("shingles", "shingle_offsets", "pairs", "pair_offsets", "prose", "prose_line_offsets",
          "prose_keys", "prose_offsets", "band_keys", "lengths", "ids", "id_offsets")


def _offsets(sizes: Sequence[int]) -> np.ndarray:
    """Offsets of consecutive runs of `sizes`, in 32 bits when they fit."""
    out = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=out[1:])
    return out.astype(np.uint32) if out[-1] < 1 << 32 else out


def encode_id(document_id) -> bytes:
    """A document id as stored: compact JSON."""
    return json.dumps(document_id, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def write_folder(folder: str, parts: Dict[str, np.ndarray], band_keys: np.ndarray,
                 lengths: Sequence[int], ids: Sequence[bytes]) -> None:
    """Write a shard's folder from the concatenated sketch parts of its documents and
    their counts (as `grams.sketches` gives them), band keys, lengths and encoded ids."""
    os.makedirs(folder, exist_ok=True)
    widest = int(np.max(parts["pair_counts"], initial=0))
    arrays = {
        "shingles": np.asarray(parts["shingles"], dtype=np.uint32),
        "shingle_offsets": _offsets(parts["shingle_counts"]),
        "pairs": np.asarray(parts["pairs"], dtype=np.uint32),
        "pair_offsets": _offsets(parts["pair_counts"]),
        "prose": np.asarray(parts["prose"]).astype(np.uint16 if widest <= 1 << 16 else np.uint32),
        "prose_line_offsets": _offsets(parts["prose_line_counts"]),
        "prose_keys": np.asarray(parts["prose_keys"], dtype=np.uint64),
        "prose_offsets": _offsets(parts["prose_counts"]),
        "band_keys": np.ascontiguousarray(band_keys, dtype=np.uint64),
        "lengths": np.asarray(lengths, dtype=np.int64),
        "ids": np.frombuffer(b"".join(ids), dtype=np.uint8),
        "id_offsets": _offsets([len(e) for e in ids]),
    }
    for name, array in arrays.items():
        np.save(os.path.join(folder, name + ".npy"), array, allow_pickle=False)


def band_columns(folder: str, bands: Sequence[int]) -> np.ndarray:
    """The band keys of a folder's documents for `bands`, one row a band (read, not
    mapped: a mapped file's pages would stay in this process's memory)."""
    keys = np.load(os.path.join(folder, "band_keys.npy"), allow_pickle=False)
    return np.ascontiguousarray(keys[:, list(bands)].T)


class Folder:
    """The arrays of one folder, memory-mapped."""

    def __init__(self, folder: str):
        self.path = folder
        # Plain views of the mapped files: slicing a np.memmap costs ten times more.
        self.arrays = {name: np.asarray(np.load(os.path.join(folder, name + ".npy"), mmap_mode="r",
                                                allow_pickle=False)) for name in ARRAYS}
        self.documents = len(self.arrays["lengths"])

    def stored(self, row: int) -> StoredSketch:
        a = self.arrays
        s0, s1 = a["shingle_offsets"][row:row + 2].tolist()
        p0, p1 = a["pair_offsets"][row:row + 2].tolist()
        l0, l1 = a["prose_offsets"][row:row + 2].tolist()
        bounds = a["prose_line_offsets"][l0:l1 + 1]
        pairs = a["pairs"][p0:p1]
        return StoredSketch(a["shingles"][s0:s1], pairs, pairs[a["prose"][bounds[0]:bounds[-1]]],
                            (bounds[1:] - bounds[0]).astype(np.int64), a["prose_keys"][l0:l1])

    def length(self, row: int) -> int:
        return int(self.arrays["lengths"][row])

    def id(self, row: int):
        i0, i1 = self.arrays["id_offsets"][row:row + 2]
        return json.loads(bytes(self.arrays["ids"][i0:i1]).decode("utf-8"))


_OPEN: Dict[str, Folder] = {}


def open_folder(folder: str) -> Folder:
    """A `Folder`, opened once per process."""
    opened = _OPEN.get(folder)
    if opened is None:
        if len(_OPEN) > 4096:
            _OPEN.clear()
        opened = _OPEN[folder] = Folder(folder)
    return opened


def forget(folders: Sequence[str]) -> None:
    """Close the folders (before they are removed)."""
    for folder in folders:
        _OPEN.pop(folder, None)


class Layout:
    """Where each global id lives: folders in id order with the first id of each."""

    def __init__(self, folders: Sequence[Tuple[int, str]]):
        self.starts = np.array([start for start, _ in folders], dtype=np.int64)
        self.folders = [folder for _, folder in folders]

    def locate(self, gid: int) -> Tuple[Folder, int]:
        number = int(np.searchsorted(self.starts, gid, side="right")) - 1
        return open_folder(self.folders[number]), int(gid - self.starts[number])

    def sketch(self, gid: int, common: np.ndarray) -> Sketch:
        folder, row = self.locate(gid)
        return own_sketch(folder.stored(row), common)

    def length(self, gid: int) -> int:
        folder, row = self.locate(gid)
        return folder.length(row)

    def id(self, gid: int):
        folder, row = self.locate(gid)
        return folder.id(row)
