"""Cold start of the pre-commit hook: `dedup clean --check` on 20 small Markdown files
against a bare `python3 -c pass`.

Each run is a fresh process (what pre-commit starts for every hook call). The two commands
are run interleaved, so that both see the same machine load; the median of each is
printed with their ratio (goal: at most 10x). The dedup under test is this checkout's
(`python -m dedup` with PYTHONPATH set to it), not whatever `dedup` is installed.

Usage: python bench/bench_hook.py [--runs 21] [--files 20]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL = 10.0

PAGE = """\
# Note {n}

A short page of a documentation repository, number {n}, with a list and some code.

## Example

- Step 1: open the settings page and find the section about item {n}.
- Step 2: open the settings page and find the section about item {m}.

```sh
widget convert --to pdf ./incoming/{n} ./outgoing/{n}
widget convert --to pdf ./incoming/{n} ./outgoing/{n}
```

| name | value |
|------|-------|
| item | {n}   |
"""


def median_seconds(commands, runs, env):
    """Runs each command `runs` times, interleaved; returns the median seconds of each."""
    times = [[] for _ in commands]
    for _ in range(runs):
        for command, seconds in zip(commands, times):
            start = time.perf_counter()
            result = subprocess.run(command, env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE)
            seconds.append(time.perf_counter() - start)
            if result.returncode:
                sys.exit(f"{' '.join(command)} exited {result.returncode}: "
                         f"{result.stderr.decode(errors='replace')}")
    return [statistics.median(seconds) for seconds in times]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=21, help="runs of each command (default 21)")
    parser.add_argument("--files", type=int, default=20, help="Markdown files to check (default 20)")
    args = parser.parse_args()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for n in range(args.files):
            path = Path(folder) / f"note{n}.md"
            path.write_text(PAGE.format(n=n, m=n + 1), encoding="utf-8")
            paths.append(str(path))
        bare = [sys.executable, "-c", "pass"]
        check = [sys.executable, "-m", "dedup", "clean", "--check", *paths]
        baseline, hook = median_seconds([bare, check], args.runs, env)
    print(f"python -c pass:                        median {baseline * 1000:7.1f} ms")
    print(f"dedup clean --check ({args.files} Markdown files): median {hook * 1000:7.1f} ms")
    ratio = hook / baseline
    print(f"ratio {ratio:.1f}x (goal <= {GOAL:g}x; {args.runs} interleaved runs each, {sys.executable})")


if __name__ == "__main__":
    main()
