"""Time and peak memory of `dedup clean` on hostile sizes (issue 7), each in a fresh child.

    python bench/fuzz_limits.py                      # all cases (the corpus takes long)
    python bench/fuzz_limits.py --only line lines    # the 200 MB line, a million lines
    python bench/fuzz_limits.py --only corpus --corpus-mb 1024

Cases:
  line     one line of LINE_MB MB (default 200) of words: `dedup clean FILE`
  lines    LINES (default 1,000,000) one-character lines: `dedup clean FILE`
  corpus   JSON lines of about CORPUS_MB MB (default 1024): pages of a few sites with
           shared chrome (navigation, footer, title suffix), prose from a large
           vocabulary, and 5 % near-duplicate pages: `dedup clean --jsonl FILE -o OUT`

Inputs are built once under bench/out/limits/ (gitignored) and reused. Peak memory is
the child's maximum resident set size (wait4); time is wall clock, and CPU (user +
system) for a shared machine. One line a case is printed and appended to
bench/out/limits/results.txt; while a case runs, its peak RSS so far and how far it has
read the input go to bench/out/limits/progress.txt every SAMPLE seconds.
"""
import argparse
import itertools
import json
import os
import random
import resource
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench", "out", "limits")
SAMPLE = 10  # seconds between samples of a running case


def build_line(path, megabytes):
    rng = random.Random(1)
    vocabulary = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9)))
                  for _ in range(20000)]
    with open(path, "w", encoding="utf-8") as handle:
        size = 0
        while size < megabytes << 20:
            chunk = " ".join(rng.choice(vocabulary) for _ in range(100000)) + " "
            handle.write(chunk)
            size += len(chunk)
        handle.write("\n")


def build_lines(path, count):
    rng = random.Random(2)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("".join(rng.choice("abcdefghij") + "\n" for _ in range(count)))


def build_corpus(path, megabytes):
    rng = random.Random(3)
    # A Zipf-like vocabulary, so that prose repeats words but rarely whole sentences.
    vocabulary = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 10)))
                  for _ in range(50000)]
    cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(vocabulary))))
    sites = []
    for number in range(40):
        name = f"Site {number} News"
        sites.append({
            "suffix": f" | {name}",
            "header": [f"Home | World | Sport | {name} | Contact", f"Subscribe to {name} today"],
            "footer": [f"(c) 2024 {name}. All rights reserved.", f"Read more from {name}",
                       f"Privacy policy and cookies at {name}"],
        })

    def sentence():
        words = rng.choices(vocabulary, cum_weights=cumulative, k=rng.randint(8, 30))
        return " ".join(words).capitalize() + "."

    previous = []
    written = 0
    number = 0
    with open(path, "w", encoding="utf-8") as handle:
        while written < megabytes << 20:
            site = rng.choice(sites)
            if previous and rng.random() < 0.05:
                # A near-duplicate: the same story, another wrapper, one paragraph changed.
                title, paragraphs = rng.choice(previous)
                paragraphs = list(paragraphs)
                paragraphs[rng.randrange(len(paragraphs))] = " ".join(sentence() for _ in range(3))
            else:
                title = sentence()[:-1]
                paragraphs = [" ".join(sentence() for _ in range(rng.randint(2, 6)))
                              for _ in range(rng.randint(3, 12))]
                previous = (previous + [(title, paragraphs)])[-200:]
            lines = site["header"] + [title + site["suffix"], title + site["suffix"], ""] + \
                [p + "\n" for p in paragraphs] + site["footer"]
            line = json.dumps({"id": number, "url": f"https://example.org/{number}",
                               "text": "\n".join(lines) + "\n"}, ensure_ascii=False) + "\n"
            handle.write(line)
            written += len(line.encode("utf-8"))
            number += 1


def measure(args, watch=None):
    """Run `python -m dedup ARGS` in a child; (wall seconds, CPU seconds, peak RSS in MiB,
    floor in MiB, exit code, stderr). Linux carries this process's peak RSS into the
    child's across exec, so the child's figure is never below this script's own (the
    floor, reported beside it; the inputs are written in chunks, so it stays small).

    While it runs, every SAMPLE seconds a line goes to bench/out/limits/progress.txt:
    elapsed time, peak RSS so far (VmHWM) and how far the child has read `watch`, so
    that a run stopped before its end still tells how far it got and what it used.
    """
    env = dict(os.environ, PYTHONPATH=ROOT)
    floor = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.monotonic()
    with open(os.devnull, "wb") as null, open(os.path.join(OUT, "stderr.txt"), "w+b") as errors, \
            open(os.path.join(OUT, "progress.txt"), "a", encoding="utf-8") as progress:
        process = subprocess.Popen([sys.executable, "-m", "dedup", *args], cwd=ROOT, env=env,
                                   stdout=null, stderr=errors)
        progress.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} pid {process.pid}: dedup {' '.join(args)}\n")
        sampled = started
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            time.sleep(0.1)
            if time.monotonic() - sampled >= SAMPLE:
                sampled = time.monotonic()
                progress.write(f"  {sampled - started:,.0f} s: {_sample(process.pid, watch)}\n")
                progress.flush()
        process.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        stderr = errors.read()
    seconds = time.monotonic() - started
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, cpu, usage.ru_maxrss / 1024, floor, process.returncode, stderr.decode(errors="replace")


def _sample(pid, watch):
    """Peak RSS so far, and the read position in the file `watch`, of a running process."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            peak = next(line.split()[1] for line in handle if line.startswith("VmHWM:"))
        text = f"peak RSS {int(peak) / 1024:,.0f} MiB"
        if watch:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                if os.path.realpath(f"/proc/{pid}/fd/{fd}") == os.path.realpath(watch):
                    with open(f"/proc/{pid}/fdinfo/{fd}", encoding="ascii") as handle:
                        position = int(handle.readline().split()[1])
                    text += f", at {position / 2**20:,.0f} of {os.path.getsize(watch) / 2**20:,.0f} MiB of the input"
        return text
    except (OSError, StopIteration, ValueError):
        return "ended"


def report(case, path, result):
    seconds, cpu, peak, floor, code, stderr = result
    size = os.path.getsize(path) / 2**20
    line = (f"{case}: input {size:,.0f} MiB, {seconds:,.1f} s ({cpu:,.1f} s CPU), peak RSS {peak:,.0f} MiB "
            f"({peak / size:.2f}x input; floor {floor:.0f} MiB), exit {code}")
    if code:
        line += f": {stderr.strip()[-300:]}"
    print(line, flush=True)
    with open(os.path.join(OUT, "results.txt"), "a", encoding="utf-8") as handle:
        handle.write(time.strftime("%Y-%m-%d %H:%M ") + line + "\n")


def built(path, build, *args):
    """Build `path` once (under a temporary name, so an interrupted build is not reused)."""
    if not os.path.exists(path):
        started = time.monotonic()
        build(path + ".part", *args)
        os.replace(path + ".part", path)
        print(f"built {path} in {time.monotonic() - started:.0f} s", flush=True)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", choices=("line", "lines", "corpus"),
                        default=["line", "lines", "corpus"])
    parser.add_argument("--line-mb", type=int, default=200)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--corpus-mb", type=int, default=1024)
    options = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)
    if "line" in options.only:
        path = built(os.path.join(OUT, f"line-{options.line_mb}mb.txt"), build_line, options.line_mb)
        report(f"one {options.line_mb} MB line", path, measure(["clean", path], watch=path))
    if "lines" in options.only:
        path = built(os.path.join(OUT, f"lines-{options.lines}.txt"), build_lines, options.lines)
        report(f"{options.lines:,} one-character lines", path, measure(["clean", path], watch=path))
    if "corpus" in options.only:
        path = built(os.path.join(OUT, f"corpus-{options.corpus_mb}mb.jsonl"), build_corpus, options.corpus_mb)
        output = os.path.join(OUT, "corpus-clean.jsonl")
        report("corpus --jsonl -o", path, measure(["clean", "--jsonl", path, "-o", output, "--no-progress"],
                                                  watch=path))


if __name__ == "__main__":
    main()
