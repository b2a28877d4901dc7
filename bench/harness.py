"""What the benchmark scripts share: paths, the developer sets, timing of child
processes (wall, CPU, peak memory), interleaved medians and Markdown tables.

Not part of the installed package; the scripts import it as a sibling module.
"""
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional, Sequence

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
OUT = BENCH / "out"
SAMPLES = ROOT / "samples"
# The shared folder lies beside the checkout (../shared); DEDUP_SHARED overrides it.
SHARED = Path(os.environ.get("DEDUP_SHARED", ROOT.parent / "shared"))
DATA = SHARED / "data"
EVAL = SHARED / "eval"
DOC_SETS = ("newspaper4k", "trafilatura", "dolma_cc", "seedlike")
ALL_SETS = DOC_SETS + ("neardup",)

# The real interpreter, not a pyenv shim (a shim adds a shell start to every run).
PYTHON = os.path.realpath(sys.executable)


def dedup_env() -> Dict[str, str]:
    """Environment that makes `python -m dedup` run this checkout, not an installed copy."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def dedup_command(*args: str) -> List[str]:
    return [PYTHON, "-m", "dedup", *args]


def set_path(name: str) -> Path:
    return DATA / f"{name}_dev.jsonl.gz"


def shared_sets(names: Sequence[str] = DOC_SETS) -> List[str]:
    """The developer sets of `names` present on this machine."""
    return [n for n in names if set_path(n).is_file()]


def load_set(name: str) -> List[dict]:
    with gzip.open(set_path(name), "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def sample_texts() -> Dict[str, List[str]]:
    """The repository's own samples, when the developer sets are absent."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.rglob("*"))
             if p.is_file() and p.suffix in (".txt", ".md") and ".expected" not in p.name]
    return {"samples": texts}


def document_sets() -> Dict[str, List[str]]:
    """Texts to time doc mode on: each developer set present, else samples/."""
    names = shared_sets(DOC_SETS)
    if not names:
        return sample_texts()
    return {name: [r["text"] for r in load_set(name) if isinstance(r.get("text"), str)]
            for name in names}


def megabytes(texts: Sequence[str]) -> float:
    return sum(len(t.encode("utf-8")) for t in texts) / 1e6


class Run(NamedTuple):
    """One finished child process: wall and CPU seconds, peak resident memory."""

    wall: float
    user: float
    system: float
    max_rss_mb: float
    returncode: int
    killed: bool
    stderr: str

    @property
    def cpu(self) -> float:
        return self.user + self.system


def run_measured(command: Sequence[str], stdin_path: Optional[Path] = None,
                 stdout_path: Optional[Path] = None, env: Optional[dict] = None,
                 timeout: Optional[float] = None, cwd: Optional[Path] = None) -> Run:
    """Run a command through bench/measure.py (see there why) and return its wall and
    CPU seconds and peak RSS. A run longer than `timeout` seconds is stopped (SIGTERM,
    then SIGKILL) and comes back with `killed` set."""
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    stdout = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    with tempfile.TemporaryFile() as err, tempfile.TemporaryDirectory() as folder:
        result = Path(folder) / "run.json"
        launcher = [PYTHON, "-S", str(BENCH / "measure.py"), str(result), str(timeout or 0), "--"]
        try:
            done = subprocess.run(launcher + list(command), stdin=stdin, stdout=stdout, stderr=err,
                                  env=env, cwd=cwd)
        finally:
            if stdin_path:
                stdin.close()
            if stdout_path:
                stdout.close()
        err.seek(0)
        message = err.read().decode("utf-8", "replace")
        if not result.is_file():
            raise RuntimeError(f"bench/measure.py failed ({done.returncode}): {message[-500:]}")
        figures = json.loads(result.read_text())
    return Run(figures["wall"], figures["user"], figures["system"], figures["max_rss_mb"],
               figures["returncode"], figures["killed"], message)


def interleaved_runs(commands: Sequence[Sequence[str]], runs: int, stdin_path: Optional[Path] = None,
                     env: Optional[dict] = None) -> List[List[float]]:
    """Wall seconds of each command over `runs` rounds, the commands interleaved inside
    each round so that all of them see the same machine load."""
    times: List[List[float]] = [[] for _ in commands]
    for _ in range(runs):
        for command, seconds in zip(commands, times):
            run = run_measured(command, stdin_path=stdin_path, env=env)
            if run.returncode:
                raise SystemExit(f"{' '.join(command)} exited {run.returncode}: {run.stderr[-500:]}")
            seconds.append(run.wall)
    return times


class Section(NamedTuple):
    """One part of the report: its Markdown, and rows for the summary table at the top
    (what, dedup's figure, the baseline's figure from the same run, ratio, goal)."""

    markdown: str
    headline: List[Sequence[str]]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table; floats are shown as given (format them before)."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def profile_tables(profiler, listing_name: str, top: int) -> Dict[str, object]:
    """Write a cProfile run's listing to bench/out/<listing_name> and return its top rows:
    "own" (most own time), "ours" (dedup functions by cumulative time), "total" (the
    largest cumulative time: the profiled call, 100 %)."""
    import io
    import pstats

    OUT.mkdir(parents=True, exist_ok=True)
    listing = io.StringIO()
    pstats.Stats(profiler, stream=listing).sort_stats("tottime").print_stats(60)
    pstats.Stats(profiler, stream=listing).sort_stats("cumulative").print_stats(80)
    (OUT / listing_name).write_text(listing.getvalue(), encoding="utf-8")
    rows = [(_where(path, line, func), calls, own, cumulative)
            for (path, line, func), (_cc, calls, own, cumulative, _callers) in pstats.Stats(profiler).stats.items()]
    return {"total": max(r[3] for r in rows),
            "own": sorted(rows, key=lambda r: -r[2])[:top],
            "ours": sorted((r for r in rows if r[0].startswith("dedup/")), key=lambda r: -r[3])[:top]}


def profile_markdown(tables: Dict[str, object]) -> str:
    """The two tables of `profile_tables` in Markdown."""
    total = tables["total"]

    def rows(items):
        return [(f"`{w}`", n, f"{own:.2f}", f"{100 * own / total:.0f}%", f"{cum:.2f}", f"{100 * cum / total:.0f}%")
                for w, n, own, cum in items]

    headers = ["function", "calls", "own s", "own %", "cumulative s", "cum %"]
    return ("Most own time:\n\n" + table(headers, rows(tables["own"]))
            + "\n\ndedup functions by cumulative time:\n\n" + table(headers, rows(tables["ours"])))


def _where(path: str, line: int, func: str) -> str:
    root = str(ROOT) + "/"
    if path.startswith(root):
        return f"{path[len(root):]}:{line}({func})"
    return func if path == "~" else f"{Path(path).name}:{line}({func})"


def machine_line() -> str:
    """One line saying where the figures come from."""
    import platform

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()} "
            f"({PYTHON}), load average {load:.2f} at start")


def check_awk() -> Optional[str]:
    """Path of awk, or None."""
    from shutil import which

    return which("awk")
