"""The corpus pipeline on one and two workers: local in-process, local processes, Ray.

Takes the corpus of short documents of `make_corpus.py` (built once, cached in
bench/out/), then in one run cleans it with `dedup.corpus.write_corpus` as

- local, 1 worker (in-process, the default of `dedup clean --jsonl`);
- local, 2 worker processes (`--jobs 2`);
- Ray, 2 CPUs (`--engine ray --jobs 2`; the cluster is started before its clock runs,
  and the time to start it is printed apart);

checks that the three outputs are byte-identical, and prints times (wall, and the CPU
seconds of this process and its finished children: the Ray workers are not among
them), documents per second and the ratio to one worker (goal: 2 workers >= 1.7x).
Then it builds an index
of the corpus (`dedup index build`) and prints its size on disk per document and
extrapolated to 1M documents (goal: <= 1 GB).

Usage: python bench/bench_engines.py [--documents 200000] [--skip local1,local2,ray,index] [--out DIR]
"""
import argparse
import hashlib
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_corpus  # noqa: E402
from dedup.corpus import write_corpus  # noqa: E402
from dedup.corpus.index import index_corpus  # noqa: E402
from dedup.config import DEFAULT  # noqa: E402
from dedup.jsonl import Corpus  # noqa: E402


def digest(path: Path) -> str:
    hashed = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            hashed.update(block)
    return hashed.hexdigest()[:16]


def cpu_seconds() -> float:
    """User + system seconds of this process and of its children that have ended."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def clean(corpus_path: Path, out: Path, **where):
    start, cpu = time.perf_counter(), cpu_seconds()
    with Corpus([str(corpus_path)]) as corpus, open(out, "wb") as stream:
        written, _, _ = write_corpus(corpus, stream, **where)
    elapsed, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    print(f"    {written:,} documents written", flush=True)
    return elapsed, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=200_000)
    parser.add_argument("--skip", default="", help="comma-separated: local1, local2, ray, index")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out" / "engines")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"building or reading {args.documents:,} short documents ...", flush=True)
    corpus_path = make_corpus.short_docs(args.documents)
    size = corpus_path.stat().st_size
    print(f"corpus: {args.documents:,} documents, {size / 1e6:.1f} MB, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)

    runs = [("local, 1 worker", {"engine": "local", "jobs": 1}),
            ("local, 2 workers", {"engine": "local", "jobs": 2})]
    runs = [run for run, key in zip(runs, ("local1", "local2")) if key not in skip]
    if "ray" not in skip:
        try:
            import ray
        except ImportError:
            print("Ray is not installed (pip install 'dedup[ray]'): no Ray run", flush=True)
        else:
            runs.append(("ray, 2 workers", {"engine": "ray"}))
    results = []
    for name, where in runs:
        out = args.out / f"out-{name.split(',')[0]}-{where.get('jobs', 2)}.jsonl"
        if where["engine"] == "ray":  # started here, so that it idles through no other run
            start = time.perf_counter()
            ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
            print(f"Ray cluster (2 CPUs) started in {time.perf_counter() - start:.1f} s", flush=True)
        print(f"{name} ...", flush=True)
        seconds, cpu = clean(corpus_path, out, **where)
        results.append((name, seconds, cpu, digest(out)))
        print(f"    {seconds:.1f} s, {cpu:.1f} CPU s, load average {os.getloadavg()[0]:.1f}", flush=True)
    base = results[0][1] if results else 1.0
    print(f"\n{'run':<18} {'seconds':>8} {'CPU s':>7} {'docs/s':>8} {'MB/s':>6} {'vs 1 worker':>11}  output sha256")
    for name, seconds, cpu, hashed in results:
        print(f"{name:<18} {seconds:8.1f} {cpu:7.1f} {args.documents / seconds:8.0f} {size / 1e6 / seconds:6.2f} "
              f"{base / seconds:10.2f}x  {hashed}")
    same = len({h for *_, h in results}) <= 1
    print(f"outputs byte-identical: {'yes' if same else 'NO'}")

    if "index" not in skip:
        index_path = args.out / "index"
        shutil.rmtree(index_path, ignore_errors=True)
        start = time.perf_counter()
        with Corpus([str(corpus_path)]) as corpus:
            index = index_corpus(corpus, str(index_path), DEFAULT, jobs=2)
        seconds = time.perf_counter() - start
        per_document = index.size() / index.documents
        print(f"\nindex: {index.documents:,} documents in {index.size() / 1e6:.1f} MB "
              f"({per_document:.0f} bytes a document; 1M documents: {per_document * 1e6 / 1e9:.2f} GB), "
              f"built in {seconds:.1f} s on 2 workers")
        parts = {}
        for name in index.manifest["files"]:
            kind = name.split("/")[1][:-4] if name.startswith("seg-") else "chrome/" + name.split("/")[1][:-4]
            parts[kind] = parts.get(kind, 0) + os.path.getsize(index_path / name)
        print("  bytes a document by file: " + ", ".join(
            f"{k} {v / index.documents:.0f}" for k, v in sorted(parts.items(), key=lambda kv: -kv[1])))
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
