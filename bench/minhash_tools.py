"""Other tools' MinHash near-duplicate removal, run the way their documentation shows.

Runs inside the benchmark's own virtualenv (bench/.venv, made by bench_corpus.py), never
with the project's dependencies:

- ``text-dedup``: ``text_dedup.minhash`` (its command line: HF ``datasets`` json loader,
  ``--column text``, defaults: 5-grams, 250 permutations, threshold 0.7), one process
  (``--num_proc 1``); output saved with ``save_to_disk`` as it does.
- ``datatrove``: the four MinHash stages of its example (``MinhashDedupSignature``,
  ``MinhashDedupBuckets``, ``MinhashDedupCluster``, ``MinhashDedupFilter`` between a
  ``JsonlReader`` and a ``JsonlWriter``), ``LocalPipelineExecutor`` with one worker,
  ``MinhashConfig`` defaults (5-grams, 14 buckets x 8 hashes, threshold about 0.72,
  64-bit hashes as in the example); English word tokenizer (spaCy).
- ``datasketch``: its README's recipe: a ``MinHash(num_perm=128)`` per document updated
  with each word 5-gram, ``MinHashLSH(threshold=0.5)``; a document whose query finds an
  earlier kept one is dropped, otherwise inserted (streaming keep-first).

Two ways to call it:

- ``minhash_tools.py TOOL --input CORPUS.jsonl --kept-ids OUT.txt``: runs the tool on
  the file and writes the ids of the kept documents, one a line; prints one JSON line
  with the tool's own stage timings.
- ``minhash_tools.py TOOL`` with JSON lines on stdin: prints the kept records as JSON
  lines ``{"id", "text"}`` (a corpus-mode command for ../shared/eval/score.py).
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
TOOLS = ("text-dedup", "datatrove", "datasketch")


def run_text_dedup(corpus: Path, work: Path, threshold=None):
    """Returns (kept ids, stage seconds)."""
    from text_dedup import minhash

    args = ["--path", "json", "--data_files", str(corpus), "--split", "train",
            "--cache_dir", str(work / "cache"), "--output", str(work / "out"),
            "--column", "text", "--num_proc", "1"]
    if threshold is not None:
        args += ["--threshold", str(threshold)]
    start = time.perf_counter()
    minhash.main.main(args, standalone_mode=False)
    seconds = time.perf_counter() - start
    from datasets import load_from_disk

    kept = load_from_disk(str(work / "out"))["id"]
    return kept, {"dedup": seconds}


def run_datatrove(corpus: Path, work: Path, threshold=None):
    from datatrove.executor.local import LocalPipelineExecutor
    from datatrove.pipeline.dedup.minhash import (MinhashConfig, MinhashDedupBuckets,
                                                  MinhashDedupCluster, MinhashDedupFilter,
                                                  MinhashDedupSignature)
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers.jsonl import JsonlWriter
    from datatrove.utils.hashing import HashConfig
    from datatrove.utils.typeshelper import Languages

    config = MinhashConfig(hash_config=HashConfig(precision=64))
    if threshold is not None:
        # (1 / buckets) ** (1 / rows) is about the threshold: 8 rows, as many buckets as needed
        config = MinhashConfig(hash_config=HashConfig(precision=64), hashes_per_bucket=8,
                               num_buckets=max(1, round((1 / threshold) ** 8)))

    def reader():
        return JsonlReader(str(corpus.parent), glob_pattern=corpus.name, text_key="text",
                           id_key="id")

    logs = str(work / "logs")
    stages = [
        LocalPipelineExecutor(pipeline=[reader(), MinhashDedupSignature(
            output_folder=str(work / "signatures"), config=config, language=Languages.english)],
            tasks=1, workers=1, logging_dir=f"{logs}/signatures"),
        LocalPipelineExecutor(pipeline=[MinhashDedupBuckets(
            input_folder=str(work / "signatures"), output_folder=str(work / "buckets"), config=config)],
            tasks=config.num_buckets, workers=1, logging_dir=f"{logs}/buckets"),
        LocalPipelineExecutor(pipeline=[MinhashDedupCluster(
            input_folder=str(work / "buckets"), output_folder=str(work / "remove_ids"), config=config)],
            tasks=1, workers=1, logging_dir=f"{logs}/clusters"),
        LocalPipelineExecutor(pipeline=[reader(), MinhashDedupFilter(input_folder=str(work / "remove_ids")),
                                        JsonlWriter(str(work / "out"), compression=None)],
                              tasks=1, workers=1, logging_dir=f"{logs}/filter"),
    ]
    seconds = {}
    for name, stage in zip(("signatures", "buckets", "clusters", "filter"), stages):
        start = time.perf_counter()
        stage.run()
        seconds[name] = time.perf_counter() - start
    kept = []
    for path in sorted((work / "out").glob("*.jsonl")):
        with open(path, encoding="utf-8") as lines:
            kept += [json.loads(line)["id"] for line in lines]
    return kept, seconds


def run_datasketch(corpus: Path, work: Path, threshold=None):
    import re

    from datasketch import MinHash, MinHashLSH

    word = re.compile(r"\w+")
    lsh = MinHashLSH(threshold=threshold or 0.5, num_perm=128)
    kept = []
    start = time.perf_counter()
    with open(corpus, encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            words = word.findall(record["text"].lower())
            minhash = MinHash(num_perm=128)
            for gram in {" ".join(words[i:i + 5]) for i in range(max(1, len(words) - 4))}:
                minhash.update(gram.encode("utf8"))
            if not lsh.query(minhash):
                lsh.insert(record["id"], minhash)
                kept.append(record["id"])
    return kept, {"dedup": time.perf_counter() - start}


RUNNERS = {"text-dedup": run_text_dedup, "datatrove": run_datatrove, "datasketch": run_datasketch}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("tool", choices=TOOLS)
    parser.add_argument("--input", type=Path, help="JSON lines corpus (default: stdin, filter mode)")
    parser.add_argument("--kept-ids", type=Path, help="write the kept ids here (with --input)")
    parser.add_argument("--work", type=Path, help="scratch folder (default: a temporary one)")
    parser.add_argument("--threshold", type=float, help="Jaccard threshold instead of the tool's default")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix=f"{args.tool}-", dir=args.work))
    try:
        if args.input:
            kept, seconds = RUNNERS[args.tool](args.input.resolve(), work, args.threshold)
            if args.kept_ids:
                args.kept_ids.write_text("".join(f"{i}\n" for i in kept), encoding="utf-8")
            print(json.dumps({"tool": args.tool, "kept": len(kept), "seconds": seconds}))
            return
        # Filter mode: stdin to a file (the tools read files), kept records to stdout.
        corpus = work / "input.jsonl"
        records = {}
        with open(corpus, "w", encoding="utf-8") as out:
            for line in sys.stdin:
                if line.strip():
                    record = json.loads(line)
                    records[record["id"]] = record
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
        # Keep the output quiet: the tools log to stdout/stderr freely.
        saved = os.dup(1)
        os.dup2(2, 1)
        try:
            kept, _seconds = RUNNERS[args.tool](corpus, work, args.threshold)
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
        for identifier in kept:
            record = records[identifier]
            print(json.dumps({"id": identifier, "text": record["text"]}, ensure_ascii=False))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
