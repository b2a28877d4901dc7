"""Datasketch-compatible MinHash signatures, computed in bulk with numpy.

A signature here is bit-identical to the ``hashvalues`` of
``datasketch.MinHash(num_perm, seed, hashfunc=H, scheme=scheme)`` after
``update_batch(shingles)``, so it can be wrapped as a ``LeanMinHash``
(:func:`to_lean_minhash`) and indexed with ``datasketch.MinHashLSH``.

Two permutation schemes of datasketch 2.0 are supported:

- ``"affine32"`` (datasketch's default since 2.0): the 32-bit shingle hash is
  pre-mixed with the MurmurHash3 finalizer, then permuted with
  ``a * h + b mod 2**32``; signatures are ``uint32``.
- ``"legacy"`` (datasketch before 2.0): ``(a * h + b) % (2**61 - 1) & (2**32 - 1)``
  with the product wrapping modulo ``2**64``; signatures are ``uint64``.

The shingle hash is CRC-32 of the shingle's UTF-8 bytes (:func:`shingle_hash32`):
deterministic across runs and ``PYTHONHASHSEED``, and computed in C. datasketch's
default ``sha1_hash32`` works too, through ``hash_shingles(..., hashfunc=...)``.

datasketch itself is imported only inside the functions that need it, since
importing it costs about half a second.
"""

from __future__ import annotations

import functools
import zlib
from typing import Callable, Collection, Iterable, Optional, Union

import numpy as np

SCHEMES = ("affine32", "legacy")
DEFAULT_SCHEME = "affine32"

_DTYPES = {"affine32": np.dtype(np.uint32), "legacy": np.dtype(np.uint64)}
# The value of an empty MinHash: datasketch's max hash, in the scheme's dtype.
_EMPTY = {"affine32": np.uint32(0xFFFFFFFF), "legacy": np.uint64(0xFFFFFFFF)}

_MERSENNE_PRIME = np.uint64((1 << 61) - 1)
_LOW32 = np.uint64(0xFFFFFFFF)
_SHIFT61 = np.uint64(61)
_ONE = np.uint64(1)

# (permutation x hash) values computed at once: 4 MiB bounds memory whatever the
# document sizes and measured fastest (fits L3; much smaller chunks pay per-call costs).
_CHUNK_BYTES = 1 << 22

Shingle = Union[str, bytes]


def shingle_hash32(shingle: Shingle) -> int:
    """Hashes one shingle to 32 bits; usable as datasketch's ``hashfunc``.

    Args:
        shingle: The shingle, as bytes or as text (encoded as UTF-8).

    Returns:
        int: CRC-32 of the shingle's bytes, in ``[0, 2**32)``.

    Example:
        >>> shingle_hash32(b"the quick brown fox jumps") == shingle_hash32("the quick brown fox jumps")
        True
    """
    if isinstance(shingle, str):
        shingle = shingle.encode("utf-8")
    return zlib.crc32(shingle)


def hash_shingles(
    shingles: Collection[Shingle],
    hashfunc: Optional[Callable[[bytes], int]] = None,
) -> np.ndarray:
    """Hashes many shingles at once.

    ``hash_shingles(s)`` equals ``[shingle_hash32(x) for x in s]``; with a
    ``hashfunc`` it equals what datasketch computes with that ``hashfunc`` for the
    shingles' UTF-8 bytes.

    Args:
        shingles: Shingles as text or bytes (a list, tuple or set).
        hashfunc: None for the fast CRC-32 hash, or a datasketch-style 32-bit hash
            of bytes such as ``datasketch.hashfunc.sha1_hash32`` (much slower).

    Returns:
        np.ndarray: One ``uint32`` hash per shingle, in iteration order.
    """
    count = len(shingles)
    if hashfunc is None:
        try:
            # Two C-level maps: the common all-text case never enters Python code.
            return np.fromiter(map(zlib.crc32, map(str.encode, shingles)), np.uint32, count)
        except TypeError:  # bytes among the shingles
            return np.fromiter(map(shingle_hash32, shingles), np.uint32, count)
    encoded = (s.encode("utf-8") if isinstance(s, str) else s for s in shingles)
    return np.fromiter(map(hashfunc, encoded), np.uint32, count)


def permutations(num_perm: int = 128, seed: int = 1, *, scheme: str = DEFAULT_SCHEME) -> tuple[np.ndarray, np.ndarray]:
    """Returns datasketch's permutation parameters ``(a, b)``, cached.

    They are drawn exactly as ``datasketch.MinHash(num_perm, seed, scheme=scheme)``
    draws them, so the same seed gives the same permutations. The arrays are read-only.

    Args:
        num_perm: Number of permutations (signature length).
        seed: datasketch's permutation seed.
        scheme: ``"affine32"`` (datasketch's default) or ``"legacy"``.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``a`` and ``b``, each of length ``num_perm``,
        in the scheme's dtype.
    """
    _check_scheme(scheme)
    return _permutations(int(num_perm), int(seed), scheme)


@functools.lru_cache(maxsize=32)
def _permutations(num_perm: int, seed: int, scheme: str) -> tuple[np.ndarray, np.ndarray]:
    # The same draws as datasketch's MinHash._init_permutations (2.0), without importing
    # datasketch, which costs about a second (it loads scipy); a test checks they agree.
    generator = np.random.RandomState(seed)
    if scheme == "legacy":
        pairs = [(generator.randint(1, int(_MERSENNE_PRIME), dtype=np.uint64),
                  generator.randint(0, int(_MERSENNE_PRIME), dtype=np.uint64))
                 for _ in range(num_perm)]
        a, b = np.array(pairs, dtype=np.uint64).T
    else:
        dtype = np.uint32
        a = generator.randint(0, 1 << 31, num_perm, dtype=dtype) * dtype(2) + dtype(1)
        b = generator.randint(0, 1 << 32, num_perm, dtype=dtype)
    a = np.array(a, dtype=_DTYPES[scheme])
    b = np.array(b, dtype=_DTYPES[scheme])
    a.flags.writeable = False
    b.flags.writeable = False
    return a, b


def signature(hashes: Iterable[int], num_perm: int = 128, seed: int = 1, *, scheme: str = DEFAULT_SCHEME) -> np.ndarray:
    """Computes the MinHash signature of one document.

    Args:
        hashes: The document's 32-bit shingle hashes (see :func:`hash_shingles`).
        num_perm: Number of permutations (signature length).
        seed: datasketch's permutation seed.
        scheme: ``"affine32"`` (datasketch's default) or ``"legacy"``.

    Returns:
        np.ndarray: datasketch's ``hashvalues`` for these hashes: ``uint32`` for
        ``"affine32"``, ``uint64`` for ``"legacy"``; all ``2**32 - 1`` when empty.
    """
    return signatures([hashes], num_perm, seed, scheme=scheme)[0]


def signatures(
    hash_arrays: Iterable[Iterable[int]],
    num_perm: int = 128,
    seed: int = 1,
    *,
    scheme: str = DEFAULT_SCHEME,
) -> np.ndarray:
    """Computes the MinHash signatures of many documents at once.

    Args:
        hash_arrays: One array of 32-bit shingle hashes per document; may be empty.
        num_perm: Number of permutations (signature length).
        seed: datasketch's permutation seed.
        scheme: ``"affine32"`` (datasketch's default) or ``"legacy"``.

    Returns:
        np.ndarray: Shape ``(n_docs, num_perm)``, row ``i`` equal to datasketch's
        ``hashvalues`` for document ``i`` (``uint32`` for ``"affine32"``, ``uint64``
        for ``"legacy"``); an empty document gets the empty value ``2**32 - 1``.

    Example:
        >>> docs = [["a b c", "b c d"], [], ["x y z"]]
        >>> signatures([hash_shingles(d) for d in docs], num_perm=64).shape
        (3, 64)
    """
    a, b = permutations(num_perm, seed, scheme=scheme)
    arrays = [_as_hashes(h) for h in hash_arrays]
    out = np.full((len(arrays), num_perm), _EMPTY[scheme], dtype=_DTYPES[scheme])
    lengths = np.array([len(h) for h in arrays], dtype=np.int64)
    total = int(lengths.sum())
    if total == 0:
        return out
    # Offsets of the non-empty documents in the concatenated hashes; an empty
    # document owns no hashes, so these are strictly increasing and starts[0] == 0.
    docs = np.flatnonzero(lengths)
    starts = (np.cumsum(lengths) - lengths)[docs]
    values = _premix(np.concatenate(arrays), scheme)

    # Permuted values are laid out one row per permutation, so each document's
    # minimum is a reduction over contiguous memory: reduceat across rows instead
    # measured ~20x slower.
    cols = max(1, _CHUNK_BYTES // (num_perm * _DTYPES[scheme].itemsize))
    block = np.empty((num_perm, min(cols, total)), dtype=_DTYPES[scheme])
    spare = np.empty_like(block) if scheme == "legacy" else None
    for lo in range(0, total, cols):
        hi = min(lo + cols, total)
        permuted = _permute(values[lo:hi], a, b, block[:, : hi - lo], None if spare is None else spare[:, : hi - lo])
        # Documents overlapping hashes [lo, hi): the one holding hash lo, then each
        # one starting inside; a document cut by a chunk edge is min-merged below.
        first = int(np.searchsorted(starts, lo, side="right")) - 1
        last = int(np.searchsorted(starts, hi, side="left"))
        offsets = starts[first:last] - lo
        offsets[0] = 0
        mins = np.minimum.reduceat(permuted, offsets, axis=1)
        chunk_docs = docs[first:last]
        out[chunk_docs] = np.minimum(out[chunk_docs], mins.T)
    return out


def to_lean_minhash(sig: np.ndarray, seed: int = 1, *, scheme: str = DEFAULT_SCHEME):
    """Wraps a signature as a ``datasketch.LeanMinHash``, e.g. for ``MinHashLSH``.

    Args:
        sig: One row of :func:`signatures` (or the result of :func:`signature`).
        seed: The seed the signature was computed with.
        scheme: The scheme the signature was computed with.

    Returns:
        datasketch.LeanMinHash: A sketch equal to datasketch's own for the same shingles.
    """
    _check_scheme(scheme)
    from datasketch import LeanMinHash

    return LeanMinHash(seed=seed, hashvalues=sig, scheme=scheme)


def _check_scheme(scheme: str) -> None:
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {', '.join(map(repr, SCHEMES))}, got {scheme!r}")


def _as_hashes(hashes: Iterable[int]) -> np.ndarray:
    """Returns ``hashes`` as a 1-D uint32 array, refusing values that do not fit."""
    arr = np.asarray(hashes if isinstance(hashes, np.ndarray) else list(hashes))
    if arr.dtype == np.uint32 and arr.ndim == 1:
        return arr
    if arr.size == 0:
        return np.empty(0, dtype=np.uint32)
    if arr.ndim != 1 or arr.dtype.kind not in "iu":
        raise ValueError(f"shingle hashes must be a 1-D array of integers, got {arr.dtype} with shape {arr.shape}")
    if int(arr.min()) < 0 or int(arr.max()) > 0xFFFFFFFF:
        raise ValueError("shingle hashes must be 32-bit unsigned integers (0 <= h < 2**32)")
    return arr.astype(np.uint32)


def _premix(hashes: np.ndarray, scheme: str) -> np.ndarray:
    """Applies the scheme's one-off transform of the input hashes."""
    if scheme == "legacy":
        return hashes.astype(np.uint64)
    # MurmurHash3 fmix32, as datasketch's "affine32" applies before permuting;
    # uint32 array arithmetic wraps modulo 2**32 like datasketch's.
    h = hashes ^ (hashes >> np.uint32(16))
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


def _permute(values: np.ndarray, a: np.ndarray, b: np.ndarray, out: np.ndarray, spare: Optional[np.ndarray]) -> np.ndarray:
    """Writes the permuted hashes into ``out``: one row per permutation, one column per hash."""
    np.multiply(a[:, None], values, out=out)  # wraps modulo 2**32 / 2**64, as in datasketch
    np.add(out, b[:, None], out=out)
    if spare is None:
        return out
    # "legacy": x % (2**61 - 1) & (2**32 - 1) without a division. With p = 2**61 - 1,
    # y = (x & p) + (x >> 61) is congruent to x and below p + 8, so x % p is y or
    # y - p; and y - p == y + 1 (mod 2**32), the subtraction happening exactly
    # when y + 1 reaches 2**61.
    np.right_shift(out, _SHIFT61, out=spare)
    np.bitwise_and(out, _MERSENNE_PRIME, out=out)
    np.add(out, spare, out=out)
    np.add(out, _ONE, out=spare)
    np.right_shift(spare, _SHIFT61, out=spare)
    np.add(out, spare, out=out)
    np.bitwise_and(out, _LOW32, out=out)
    return out
