"""dedup.signature must agree bit for bit with datasketch's MinHash."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from datasketch import LeanMinHash, MinHash, MinHashLSH
from datasketch.hashfunc import sha1_hash32
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import signature as sg

ROOT = Path(__file__).resolve().parents[1]

shingle_lists = st.lists(st.text(max_size=12) | st.binary(max_size=12), max_size=40)


def datasketch_hashvalues(shingles, num_perm=128, seed=1, hashfunc=None, scheme="affine32"):
    minhash = MinHash(num_perm=num_perm, seed=seed, hashfunc=hashfunc or sg.shingle_hash32, scheme=scheme)
    minhash.update_batch([s.encode("utf-8") if isinstance(s, str) else s for s in shingles])
    return minhash.hashvalues


def word_shingles(text, n=3):
    words = text.split()
    return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}


@settings(max_examples=50)
@given(shingle_lists)
def test_bulk_hash_equals_scalar_hash(shingles):
    expected = [sg.shingle_hash32(s) for s in shingles]
    assert sg.hash_shingles(shingles).tolist() == expected
    assert sg.hash_shingles(shingles).dtype == np.uint32


def test_text_and_its_utf8_bytes_hash_alike():
    shingles = ["caf\u00e9 au lait", "\u4e2d\u6587 \u5b57"]
    encoded = [s.encode("utf-8") for s in shingles]
    assert np.array_equal(sg.hash_shingles(shingles), sg.hash_shingles(encoded))
    assert np.array_equal(sg.hash_shingles(shingles, sha1_hash32), [sha1_hash32(b) for b in encoded])


@pytest.mark.parametrize("scheme", sg.SCHEMES)
@pytest.mark.parametrize("hashfunc", [None, sha1_hash32], ids=["crc32", "sha1"])
@pytest.mark.parametrize("num_perm,seed", [(128, 1), (17, 42)])
@settings(max_examples=15, deadline=None)
@given(shingles=shingle_lists)
def test_signature_is_bit_identical_to_datasketch(shingles, scheme, hashfunc, num_perm, seed):
    hashes = sg.hash_shingles(shingles, hashfunc)
    ours = sg.signature(hashes, num_perm, seed, scheme=scheme)
    theirs = datasketch_hashvalues(shingles, num_perm, seed, hashfunc, scheme)
    assert ours.dtype == theirs.dtype
    assert np.array_equal(ours, theirs)


@pytest.mark.parametrize("scheme", sg.SCHEMES)
def test_empty_document_gets_datasketch_empty_value(scheme):
    empty = sg.signature(np.empty(0, dtype=np.uint32), 64, scheme=scheme)
    assert np.array_equal(empty, MinHash(num_perm=64, scheme=scheme).hashvalues)
    assert sg.to_lean_minhash(empty, scheme=scheme).is_empty()
    assert np.array_equal(sg.signature([], 64, scheme=scheme), empty)


@pytest.mark.parametrize("scheme", sg.SCHEMES)
@pytest.mark.parametrize("chunk_bytes", [1, 600, 1 << 21])
def test_batch_equals_one_document_at_a_time(monkeypatch, scheme, chunk_bytes):
    # Small chunks cut documents across chunk edges and put several in one chunk.
    monkeypatch.setattr(sg, "_CHUNK_BYTES", chunk_bytes)
    rng = np.random.default_rng(3)
    sizes = [0, 5, 0, 0, 1, 37, 2, 0, 300, 1]
    docs = [rng.integers(0, 2**32, size, dtype=np.uint64).astype(np.uint32) for size in sizes]
    batch = sg.signatures(docs, 32, 5, scheme=scheme)
    assert batch.shape == (len(docs), 32)
    for doc, row in zip(docs, batch):
        assert np.array_equal(row, sg.signature(doc, 32, 5, scheme=scheme))
        # datasketch fed the same hashes through an identity hashfunc.
        assert np.array_equal(row, datasketch_hashvalues(doc.tolist(), 32, 5, hashfunc=int, scheme=scheme))


def test_no_documents_gives_an_empty_batch():
    assert sg.signatures([], 16).shape == (0, 16)


@settings(max_examples=50)
@given(st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=50))
def test_legacy_mersenne_reduction_matches_numpy_modulo(values):
    p = (1 << 61) - 1
    # Edge values around multiples of p, where x % p takes its rarely used branch.
    values = values + [p - 1, p, p + 7, 2 * p - 1, 2 * p, 8 * p, 2**64 - 1, (2**64 - 1) // p * p - 1]
    x = np.array(values, dtype=np.uint64)
    one, zero = np.ones(1, np.uint64), np.zeros(1, np.uint64)
    got = sg._permute(x, one, zero, np.empty((1, len(x)), np.uint64), np.empty((1, len(x)), np.uint64))
    assert got[0].tolist() == [(v % p) & 0xFFFFFFFF for v in values]


def test_permutations_are_datasketch_permutations_cached_and_read_only():
    a, b = sg.permutations(64, 9)
    expected = MinHash(num_perm=64, seed=9).permutations
    assert np.array_equal(a, expected[0]) and np.array_equal(b, expected[1])
    assert sg.permutations(64, 9)[0] is a
    with pytest.raises(ValueError):
        a[0] = 1


def test_lsh_query_finds_near_duplicate_inserted_via_lean_minhash():
    text = " ".join(f"word{i % 97} token{i % 13} item{i}" for i in range(200))
    near = text.replace("item17 ", "item17x ").replace("item150 ", "")
    other = " ".join(f"other{i} thing{i % 7}" for i in range(300))
    sigs = sg.signatures([sg.hash_shingles(word_shingles(t)) for t in (text, other, near)])
    lsh = MinHashLSH(threshold=0.7, num_perm=128)
    lsh.insert("original", sg.to_lean_minhash(sigs[0]))
    lsh.insert("other", sg.to_lean_minhash(sigs[1]))
    assert lsh.query(sg.to_lean_minhash(sigs[2])) == ["original"]
    # The wrapped sketch equals datasketch's own.
    theirs = MinHash(hashfunc=sg.shingle_hash32)
    theirs.update_batch(word_shingles(near))
    assert sg.to_lean_minhash(sigs[2]) == LeanMinHash(theirs)


@pytest.mark.parametrize("scheme", sg.SCHEMES)
def test_jaccard_estimate_is_close_to_true_jaccard(scheme):
    common = [f"shared {i}" for i in range(600)]
    first = common + [f"first {i}" for i in range(200)]
    second = common + [f"second {i}" for i in range(200)]  # true Jaccard 600 / 1000
    sigs = sg.signatures([sg.hash_shingles(first), sg.hash_shingles(second)], 256, scheme=scheme)
    estimate = sg.to_lean_minhash(sigs[0], scheme=scheme).jaccard(sg.to_lean_minhash(sigs[1], scheme=scheme))
    assert abs(estimate - 0.6) < 0.08


_HASHSEED_SCRIPT = """
import sys
from dedup import signature as sg
shingles = {"the quick brown", "quick brown fox", "brown fox jumps", "caf\\u00e9 cr\\u00e8me"}
print(sorted(sg.hash_shingles(shingles).tolist()))
print("datasketch" in sys.modules)
"""


def test_shingle_hashes_do_not_depend_on_pythonhashseed_and_skip_datasketch_import():
    # The hashes are the only input that could depend on the interpreter; the
    # permutations come from numpy's seeded RandomState. The child process
    # stays clear of datasketch, whose import alone takes about a second.
    def run(hashseed):
        env = dict(os.environ, PYTHONHASHSEED=hashseed)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        return subprocess.Popen(
            [sys.executable, "-c", _HASHSEED_SCRIPT], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    outputs = []
    for proc in [run("0"), run("12345")]:
        stdout, stderr = proc.communicate(timeout=60)
        assert proc.returncode == 0, stderr
        outputs.append(stdout.split("\n"))
    assert outputs[0] == outputs[1]
    hashes, imported_datasketch = outputs[0][:2]
    assert imported_datasketch == "False"
    # Pinned: changing the hash would silently invalidate stored signatures.
    assert hashes == "[1272230570, 1834140213, 3240475832, 3573724801]"


def test_rejects_hashes_that_are_not_32_bit():
    with pytest.raises(ValueError, match="32-bit"):
        sg.signature(np.array([2**32], dtype=np.uint64))
    with pytest.raises(ValueError, match="32-bit"):
        sg.signature([-1])
    with pytest.raises(ValueError, match="integers"):
        sg.signature(np.array([0.5]))


def test_rejects_unknown_scheme():
    with pytest.raises(ValueError, match="scheme"):
        sg.signature([1, 2], scheme="affine64")


def test_permutations_are_drawn_as_datasketch_draws_them():
    from datasketch import MinHash

    from dedup.signature import permutations

    for scheme in ("affine32", "legacy"):
        for num_perm, seed in ((128, 1), (64, 42)):
            ours = permutations(num_perm, seed, scheme=scheme)
            theirs = MinHash(num_perm=num_perm, seed=seed, scheme=scheme).permutations
            assert np.array_equal(ours[0], theirs[0]) and np.array_equal(ours[1], theirs[1])
