"""Throughput of MinHash signing: datasketch against dedup.signature.

Signs word 5-gram shingles of about 5 MB of text (the text fields of
``shared/data/*.jsonl.gz`` when present, synthetic text otherwise) three ways,
for each permutation scheme:

- ``datasketch sha1``: ``MinHash.bulk`` with datasketch's default ``sha1_hash32``;
- ``datasketch crc32``: the same with ``hashfunc=dedup.signature.shingle_hash32``;
- ``dedup.signature``: ``hash_shingles`` + ``signatures`` over the whole batch
  (``hashing part``: its ``hash_shingles`` alone).

Each figure is the median of several runs; MB/s counts the UTF-8 bytes of the
documents' text, and the ratio is against ``datasketch sha1`` of the same scheme
in the same run. Shingling itself is not timed. The script also checks that all
three give the same signatures.

Usage: python bench/bench_signature.py [--mb 5] [--runs 3] [--num-perm 128] [--data DIR]
"""

import argparse
import gzip
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dedup import signature as sg  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def load_texts(data_dir: Path, target_bytes: int) -> tuple[list[str], str]:
    """Returns about ``target_bytes`` of document texts and where they came from."""
    texts, size = [], 0
    for path in sorted(data_dir.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                text = json.loads(line).get("text")
                if isinstance(text, str) and text:
                    texts.append(text)
                    size += len(text.encode("utf-8"))
                    if size >= target_bytes:
                        return texts, f"{data_dir}/*.jsonl.gz"
    if texts:
        return texts, f"{data_dir}/*.jsonl.gz (all of it)"
    return synthetic_texts(target_bytes), "synthetic"


def synthetic_texts(target_bytes: int) -> list[str]:
    """Zipf-distributed words in documents of 200 to 2000 words, fixed seed."""
    rng = np.random.default_rng(0)
    vocabulary = np.array([f"w{i}" for i in range(50_000)])
    texts, size = [], 0
    while size < target_bytes:
        ranks = np.minimum(rng.zipf(1.2, rng.integers(200, 2000)), len(vocabulary)) - 1
        text = " ".join(vocabulary[ranks])
        texts.append(text)
        size += len(text)
    return texts


def word_shingles(text: str, n: int = 5) -> list[str]:
    words = text.split()
    return list(dict.fromkeys(" ".join(words[i : i + n]) for i in range(max(1, len(words) - n + 1))))


def median_seconds(run, runs: int):
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=5.0, help="megabytes of text to sign (default 5)")
    parser.add_argument("--runs", type=int, default=3, help="runs per method; the median is shown (default 3)")
    parser.add_argument("--num-perm", type=int, default=128)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of *.jsonl.gz with a text field")
    args = parser.parse_args()

    from datasketch import MinHash
    from datasketch.hashfunc import sha1_hash32

    texts, source = load_texts(args.data, int(args.mb * 1e6))
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    docs = [word_shingles(t) for t in texts]
    print(f"{megabytes:.2f} MB from {source}: {len(docs)} documents, "
          f"{sum(map(len, docs))} word 5-gram shingles, num_perm={args.num_perm}, median of {args.runs} runs\n")

    def datasketch_sha1(scheme):
        return [m.hashvalues for m in MinHash.bulk(
            ([s.encode("utf-8") for s in doc] for doc in docs), num_perm=args.num_perm, scheme=scheme)]

    def datasketch_crc32(scheme):
        return [m.hashvalues for m in MinHash.bulk(
            docs, num_perm=args.num_perm, scheme=scheme, hashfunc=sg.shingle_hash32)]

    def ours(scheme):
        return sg.signatures([sg.hash_shingles(doc) for doc in docs], args.num_perm, scheme=scheme)

    rows = []
    for scheme in sg.SCHEMES:
        sg.permutations(args.num_perm, scheme=scheme)  # cached after the first call; keep it out of the timing
        baseline, sha1_sigs = median_seconds(lambda: datasketch_sha1(scheme), args.runs)
        crc_seconds, crc_sigs = median_seconds(lambda: datasketch_crc32(scheme), args.runs)
        our_seconds, our_sigs = median_seconds(lambda: ours(scheme), args.runs)
        if not np.array_equal(np.array(crc_sigs), our_sigs):
            sys.exit(f"dedup.signature differs from datasketch (scheme {scheme})")
        sha1_check = sg.signatures([sg.hash_shingles(doc, sha1_hash32) for doc in docs], args.num_perm, scheme=scheme)
        if not np.array_equal(np.array(sha1_sigs), sha1_check):
            sys.exit(f"dedup.signature with sha1_hash32 differs from datasketch (scheme {scheme})")
        hash_seconds, _ = median_seconds(lambda: [sg.hash_shingles(doc) for doc in docs], args.runs)
        for name, seconds in [("datasketch sha1", baseline), ("datasketch crc32", crc_seconds),
                              ("dedup.signature", our_seconds), ("  hashing part", hash_seconds)]:
            rows.append((scheme, name, seconds, megabytes / seconds, baseline / seconds))

    print(f"{'scheme':<9} {'method':<17} {'seconds':>8} {'MB/s':>7} {'vs sha1':>8}")
    for scheme, name, seconds, rate, ratio in rows:
        print(f"{scheme:<9} {name:<17} {seconds:8.3f} {rate:7.2f} {ratio:7.2f}x")
    print("\nAll signatures identical to datasketch's.")


if __name__ == "__main__":
    main()
