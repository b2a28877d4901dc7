"""Doc mode: cold start of `dedup clean` and in-process throughput of `dedup.clean`.

1. Cold start: `python -m dedup clean < samples/coronation.txt` against `python -c pass`
   and `awk '!seen[$0]++'` on the same input, run interleaved (all three once per round,
   `--runs` rounds), medians and the ratio dedup / python (goal <= 8x).
2. Throughput: `dedup.clean` over every `text` of each developer set (or of samples/ when
   ../shared is absent), in this process, one core; beside it one awk process over the
   same texts joined by newlines. Median of `--throughput-runs` rounds; MB = 10^6 bytes of
   UTF-8 text. Goal >= 5 MB/s.
3. Profile: cProfile of one pass of `dedup.clean` over the same texts (every k-th one
   with `--profile-mb`); the functions with the most own time and the dedup functions
   with the most cumulative time.
   The full listing goes to bench/out/doc_profile.txt.

The dedup measured is this checkout's (`python -m dedup` with PYTHONPATH set to it).

Usage: python bench/bench_doc.py [--runs 15] [--throughput-runs 3] [--no-profile] [--top 12]
                                 [--profile-mb MB]
"""
import argparse
import cProfile
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

sys.path.insert(0, str(harness.ROOT))
import dedup  # noqa: E402

COLD_GOAL = 8.0
THROUGHPUT_GOAL = 5.0
SEED = harness.SAMPLES / "coronation.txt"


def cold_start(runs: int) -> dict:
    """Medians (seconds) of dedup, bare python and awk on the seed, interleaved."""
    awk = harness.check_awk()
    commands = {"dedup": harness.dedup_command("clean"), "python": [harness.PYTHON, "-c", "pass"]}
    if awk:
        commands["awk"] = [awk, "!seen[$0]++"]
    times = harness.interleaved_runs(list(commands.values()), runs, stdin_path=SEED,
                                     env=harness.dedup_env())
    result = {name: harness.median(t) for name, t in zip(commands, times)}
    result["runs"] = runs
    result["min"] = {name: min(t) for name, t in zip(commands, times)}
    return result


def cold_start_markdown(result: dict) -> str:
    python = result["python"]
    rows = []
    for name, label in (("python", f"`{Path(harness.PYTHON).name} -c pass`"),
                        ("dedup", "`python -m dedup clean < samples/coronation.txt`"),
                        ("awk", "`awk '!seen[$0]++' < samples/coronation.txt`")):
        if name in result:
            rows.append((label, f"{result[name] * 1000:.1f}", f"{result['min'][name] * 1000:.1f}",
                         f"{result[name] / python:.2f}x"))
    ratio = result["dedup"] / python
    verdict = "meets" if ratio <= COLD_GOAL else "misses"
    return (f"Cold start, {result['runs']} interleaved runs each (ratio = median / median of "
            f"the bare Python start, same run):\n\n"
            + harness.table(["command", "median ms", "min ms", "vs python"], rows)
            + f"\n\ndedup / python = **{ratio:.2f}x** ({verdict} the goal <= {COLD_GOAL:g}x).")


def throughput(runs: int) -> dict:
    """Per document set: MB, dedup and awk seconds (medians), rounds interleaved."""
    sets = harness.document_sets()
    awk = harness.check_awk()
    harness.OUT.mkdir(parents=True, exist_ok=True)
    joined = {}
    for name, texts in sets.items():
        path = harness.OUT / f"doc_{name}.txt"
        path.write_text("\n".join(texts) + "\n", encoding="utf-8")
        joined[name] = path
    wall = {name: [] for name in sets}
    cpu = {name: [] for name in sets}
    awk_wall = {name: [] for name in sets}
    clean = dedup.clean
    for _ in range(runs):
        for name, texts in sets.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            for text in texts:
                clean(text)
            wall[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
            if awk:
                run = harness.run_measured([awk, "!seen[$0]++"], stdin_path=joined[name])
                awk_wall[name].append(run.wall)
    result = {"runs": runs, "sets": {}}
    for name, texts in sets.items():
        result["sets"][name] = {
            "docs": len(texts), "mb": harness.megabytes(texts),
            "dedup": harness.median(wall[name]), "dedup_cpu": harness.median(cpu[name]),
            "awk": harness.median(awk_wall[name]) if awk_wall[name] else None,
        }
    return result


def throughput_markdown(result: dict) -> str:
    rows = []
    total_mb = total_dedup = total_cpu = total_awk = 0.0
    for name, s in result["sets"].items():
        total_mb += s["mb"]
        total_dedup += s["dedup"]
        total_cpu += s["dedup_cpu"]
        total_awk += s["awk"] or 0.0
        rows.append(_rate_row(name, s["docs"], s["mb"], s["dedup"], s["dedup_cpu"], s["awk"]))
    docs = sum(s["docs"] for s in result["sets"].values())
    rows.append(_rate_row("**all**", docs, total_mb, total_dedup, total_cpu, total_awk or None))
    overall = total_mb / total_dedup
    verdict = "meets" if overall >= THROUGHPUT_GOAL else "misses"
    return (f"Doc-mode throughput, `dedup.clean` in-process on one core, median of "
            f"{result['runs']} rounds; awk = one `awk '!seen[$0]++'` process over the set's "
            f"texts joined, same rounds:\n\n"
            + harness.table(["set", "docs", "MB", "dedup s", "dedup MB/s", "dedup MB/s (CPU)",
                             "awk MB/s", "dedup / awk time"], rows)
            + f"\n\nOverall **{overall:.2f} MB/s** ({verdict} the goal >= {THROUGHPUT_GOAL:g} MB/s).")


def _rate_row(name, docs, mb, seconds, cpu, awk_seconds):
    return (name, docs, f"{mb:.2f}", f"{seconds:.2f}", f"{mb / seconds:.2f}", f"{mb / cpu:.2f}",
            f"{mb / awk_seconds:.1f}" if awk_seconds else "-",
            f"{seconds / awk_seconds:.0f}x" if awk_seconds else "-")


def profile(top: int, max_mb: float = 0.0) -> dict:
    """cProfile of one pass over the texts (every k-th one, to stay near `max_mb` when
    given); returns `harness.profile_tables` plus what was profiled."""
    texts = [t for ts in harness.document_sets().values() for t in ts]
    total_mb = harness.megabytes(texts)
    if max_mb and total_mb > max_mb:
        texts = texts[::math.ceil(total_mb / max_mb)]
    profiler = cProfile.Profile()
    profiler.enable()
    for text in texts:
        dedup.clean(text)
    profiler.disable()
    tables = harness.profile_tables(profiler, "doc_profile.txt", top)
    return {**tables, "mb": harness.megabytes(texts), "docs": len(texts)}


def profile_markdown(result: dict) -> str:
    return (f"Profile (cProfile, one pass over {result['docs']} documents, {result['mb']:.2f} MB; "
            f"{result['total']:.1f} s in `dedup.clean` under the profiler; full listing in "
            f"bench/out/doc_profile.txt). " + harness.profile_markdown(result))


def report(runs: int = 15, throughput_runs: int = 3, with_profile: bool = True, top: int = 12,
           profile_mb: float = 0.0) -> harness.Section:
    """The doc-mode section of the report."""
    parts = ["## Doc mode", "", f"Data: {_data_line()}.", ""]
    print(f"bench_doc: cold start, {runs} rounds ...", file=sys.stderr)
    cold = cold_start(runs)
    parts += [cold_start_markdown(cold), ""]
    print(f"bench_doc: throughput, {throughput_runs} rounds ...", file=sys.stderr)
    rates = throughput(throughput_runs)
    parts += [throughput_markdown(rates), ""]
    if with_profile:
        print("bench_doc: profile ...", file=sys.stderr)
        parts += [profile_markdown(profile(top, profile_mb)), ""]
    headline = [("cold start, `dedup clean < samples/coronation.txt` (median)",
                 f"{cold['dedup'] * 1000:.0f} ms", f"`python -c pass` {cold['python'] * 1000:.0f} ms",
                 f"{cold['dedup'] / cold['python']:.2f}x", f"<= {COLD_GOAL:g}x")]
    sets = rates["sets"].values()
    mb = sum(s["mb"] for s in sets)
    seconds = sum(s["dedup"] for s in sets)
    awk = sum(s["awk"] or 0 for s in sets)
    headline.append((f"doc mode, `dedup.clean` on {mb:.1f} MB, one core",
                     f"{mb / seconds:.2f} MB/s", f"awk {mb / awk:.1f} MB/s" if awk else "-",
                     f"{seconds / awk:.0f}x awk's time" if awk else "-", f">= {THROUGHPUT_GOAL:g} MB/s"))
    return harness.Section("\n".join(parts), headline)


def _data_line() -> str:
    names = harness.shared_sets(harness.DOC_SETS)
    if names:
        return ", ".join(f"{harness.DATA}/{n}_dev.jsonl.gz" for n in names)
    return f"{harness.SHARED} is absent, so the texts of samples/ (a few KB: rates are rough)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="cold-start rounds (default 15)")
    parser.add_argument("--throughput-runs", type=int, default=3, help="throughput rounds (default 3)")
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile pass")
    parser.add_argument("--top", type=int, default=12, help="profile rows to show (default 12)")
    parser.add_argument("--profile-mb", type=float, default=0.0,
                        help="profile about this many MB (every k-th document; default: all)")
    args = parser.parse_args()
    print(harness.machine_line() + "\n")
    print(report(args.runs, args.throughput_runs, not args.no_profile, args.top, args.profile_mb).markdown)


if __name__ == "__main__":
    main()
