"""Fuzz the cleaner and the JSON lines reader with atheris for a fixed budget.

    python bench/fuzz.py --seconds 600                 # both targets, one after the other
    python bench/fuzz.py --seconds 600 --target clean  # one target
    python bench/fuzz.py --seconds 600 --parallel      # both at once (2 cores)
    python bench/fuzz.py --seconds 600 --keep-going    # on after a failure, to the budget

The targets and their properties are in `tests/fuzz/targets.py`. Each target runs in
its own process under libFuzzer (atheris, coverage-guided over the `dedup` package),
starting from seeds built from `samples/` and `tests/data/`, with its working corpus
in `bench/out/fuzz/TARGET/corpus` (kept between runs). A failing input is saved as
`bench/out/fuzz/TARGET/crash-*`; replay it with
`python -c "import sys; sys.path.insert(0, 'tests/fuzz'); import targets; targets.check_clean(open(FILE, 'rb').read())"`
and copy it to `tests/fuzz/regressions/TARGET/` so the test suite replays it.

Prints one line a run: executions, seconds, and "ok" or the crash file; exits 1 if any
target failed. libFuzzer stops at the first failure; with --keep-going the target is
started again with the rest of its budget (logs `last-2.log`, ... after `last.log`),
which may well find the same bug again.
"""
import argparse
import gzip
import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench", "out", "fuzz")
TARGETS = ("clean", "jsonl")
MAX_LEN = {"clean": 4096, "jsonl": 4096}


def seeds(target):
    """Seed inputs: real pages, odd text, JSON lines good and bad (control byte first)."""
    texts = []
    for name in sorted(os.listdir(os.path.join(ROOT, "samples"))):
        path = os.path.join(ROOT, "samples", name)
        if os.path.isfile(path):
            with open(path, "rb") as handle:
                texts.append(handle.read()[:MAX_LEN[target] - 1])
    records = []
    data = os.path.join(ROOT, "tests", "data")
    for name in sorted(os.listdir(data)):
        if name.endswith(".jsonl.gz"):
            with gzip.open(os.path.join(data, name), "rt", encoding="utf-8") as handle:
                records += [json.loads(line) for line in handle][:6]
    texts += [r["text"].encode("utf-8")[:2000] for r in records]
    texts += [s.encode("utf-8") for s in (
        "标题在这里\n标题在这里\n\n第一段文字，讲的是河水上涨。\n第二段文字，讲的是商店关门。\n",
        "عنوان الخبر هنا\nعنوان الخبر هنا\n\nשלום עולם, זו פסקה בעברית.\n",
        "Cafe\u0301 e\u0300 n\u0303\r\nline two\rline three\n",
        "---\ntitle: x\n---\n# Head\n```\ncode\ncode\n```\n| a | b |\n|---|---|\n",
        "\ufeffTitle line here\r\nTitle line here\r\n",
        "   \n\t\n \r\n",
    )]
    if target == "clean":
        return [bytes([control]) + text for text in texts for control in (0, 16, 48, 112)]
    lines = [json.dumps(r, ensure_ascii=False).encode("utf-8") for r in records]
    odd = [b'{"id": 1}', b'{"text": 5}', b"[1, 2]", b"{broken", b'{"text": "caf\xe9"}',
           b'{"text": "a \\ud800 b"}', b"\xef\xbb\xbf" + b'{"text": "bom"}', b"", b"  \r",
           b"[" * 1100, b'{"text": "' + b"x" * 80 + b'"}']
    inputs = [b"\n".join(lines[:3]), b"\n".join(lines[3:6] + odd), b"\n".join(odd)]
    return [bytes([control]) + data[:MAX_LEN[target] - 1] for data in inputs for control in (0, 1, 2, 5)]


def child(target, args):
    """Run one target under libFuzzer; never returns."""
    import atheris

    sys.path.insert(0, os.path.join(ROOT, "tests", "fuzz"))
    sys.path.insert(0, ROOT)
    with atheris.instrument_imports(include=["dedup", "targets"]):
        import targets
    check = {"clean": targets.check_clean, "jsonl": targets.check_jsonl}[target]
    if target == "jsonl":
        import dedup.corpus  # noqa: F401  (numpy and friends loaded once, not per input)
    atheris.Setup([sys.argv[0]] + args, check)
    atheris.Fuzz()


def run(target, seconds, extra, attempt=0):
    folder = os.path.join(OUT, target)
    corpus = os.path.join(folder, "corpus")
    seed_dir = os.path.join(folder, "seeds")
    os.makedirs(corpus, exist_ok=True)
    os.makedirs(seed_dir, exist_ok=True)
    for number, data in enumerate(seeds(target)):
        with open(os.path.join(seed_dir, f"seed-{number:03d}"), "wb") as handle:
            handle.write(data)
    log = os.path.join(folder, "last.log" if not attempt else f"last-{attempt + 1}.log")
    args = [f"-max_total_time={seconds}", f"-max_len={MAX_LEN[target]}", "-timeout=20",
            "-rss_limit_mb=4096", "-print_final_stats=1", f"-artifact_prefix={folder}/",
            *extra, corpus, seed_dir]
    command = [sys.executable, os.path.abspath(__file__), "--child", target, "--", *args]
    started = time.monotonic()
    with open(log, "wb") as handle:
        process = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT, cwd=ROOT)
    return process, log, started


def report(target, process, log, started):
    code = process.wait()
    elapsed = time.monotonic() - started
    with open(log, encoding="utf-8", errors="replace") as handle:
        text = handle.read()
    runs = re.findall(r"stat::number_of_executed_units:\s*(\d+)", text) or \
        re.findall(r"Done (\d+) runs", text) or re.findall(r"#(\d+)\s", text)
    executions = int(runs[-1]) if runs else 0
    crash = re.findall(r"Test unit written to (\S+)", text)
    status = "ok" if code == 0 and not crash else f"FAILED (exit {code}) {' '.join(crash)}; log: {log}"
    print(f"{target}: {executions:,} executions in {elapsed:.0f} s: {status}", flush=True)
    return code == 0 and not crash, executions, elapsed


def run_until_spent(target, seconds, extra):
    """Run a target for its whole budget: after a failure, again (same corpus) with what
    is left of the budget, so that one bug does not end the search for others."""
    ok, total, attempt, left = True, 0, 0, seconds
    while left >= 10:
        passed, executions, elapsed = report(target, *run(target, int(left), extra, attempt))
        ok, total, attempt, left = ok and passed, total + executions, attempt + 1, left - elapsed
        if passed:
            break
    if attempt > 1:
        print(f"{target}: {total:,} executions in {attempt} runs, {seconds - max(left, 0):.0f} s", flush=True)
    return ok, total


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[4:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60, help="budget per target (default 60)")
    parser.add_argument("--target", choices=TARGETS + ("all",), default="all")
    parser.add_argument("--parallel", action="store_true", help="run the targets at once")
    parser.add_argument("--keep-going", action="store_true",
                        help="after a failure, go on with the rest of the budget (not with --parallel)")
    parser.add_argument("libfuzzer", nargs="*", help="extra libFuzzer flags (after --)")
    options = parser.parse_args()
    chosen = TARGETS if options.target == "all" else (options.target,)
    print(f"fuzzing {', '.join(chosen)} for {options.seconds} s each"
          f"{' in parallel' if options.parallel else ''}; logs in {OUT}", flush=True)
    results = []
    if options.parallel:
        running = [(t, *run(t, options.seconds, options.libfuzzer)) for t in chosen]
        results = [report(*r)[:2] for r in running]
    elif options.keep_going:
        results = [run_until_spent(t, options.seconds, options.libfuzzer) for t in chosen]
    else:
        results = [report(t, *run(t, options.seconds, options.libfuzzer))[:2] for t in chosen]
    total = sum(n for _, n in results)
    print(f"total: {total:,} executions", flush=True)
    sys.exit(0 if all(ok for ok, _ in results) else 1)


if __name__ == "__main__":
    main()
