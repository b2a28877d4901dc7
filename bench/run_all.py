"""Every benchmark in one command: doc mode, corpus mode, quality; a Markdown report.

Runs bench_doc, bench_corpus and bench_quality with fast defaults (under 10 minutes on
the 2-core development machine, once bench/.venv exists: making it the first time adds
a few minutes of pip), writes bench/out/report.md and prints it. Every ratio compares
figures measured in the same run. Without ../shared the quality part is skipped and the
other parts use samples/ and generated text.

Defaults: cold start 15 rounds; doc throughput median of 3 over the developer sets; a
3 MB near-dup corpus through dedup, text-dedup, datatrove and datasketch; neardup_dev F1;
scaling over 5k and 20k short documents; quality on every set (dedup in-process).
`--full` gives the issue-sized runs instead: a 100 MB corpus and 10k -> 100k -> 1M short
documents (each run stopped after 5 minutes): about an hour here (dedup alone takes
~17 minutes on the 100 MB corpus, datatrove ~11, datasketch ~9, text-dedup ~3.5).

Usage: python bench/run_all.py [--full] [--cli] [--no-tools] [--only doc,corpus,quality]
                               [--mb MB] [--scaling N,N,...] [--repeats N]
"""
import argparse
import datetime
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

PARTS = ("doc", "corpus", "quality")


def git_line() -> str:
    def git(*args):
        done = subprocess.run(["git", *args], cwd=harness.ROOT, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    branch = git("rev-parse", "--abbrev-ref", "HEAD")
    dirty = " (with uncommitted changes)" if git("status", "--porcelain", "--", "dedup") else ""
    return f"dedup at commit {commit}{' on ' + branch if branch else ''}{dirty}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true",
                        help="100 MB corpus and 10k/100k/1M scaling (about an hour)")
    parser.add_argument("--cli", action="store_true",
                        help="quality: run dedup and chrome_exact.py as processes (about 20 minutes more)")
    parser.add_argument("--no-tools", action="store_true", help="skip text-dedup, datatrove and datasketch")
    parser.add_argument("--only", default=",".join(PARTS), help="parts to run (default: doc,corpus,quality)")
    parser.add_argument("--mb", type=float, help="near-dup corpus size in MB (default 3; 100 with --full)")
    parser.add_argument("--scaling", help="short-document counts (default 5000,20000; with --full "
                                          "10000,100000,1000000)")
    parser.add_argument("--repeats", type=int, default=1, help="interleaved runs of each corpus command")
    args = parser.parse_args()
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s) {', '.join(sorted(unknown))}; choose from {', '.join(PARTS)}")
    mb = args.mb or (100.0 if args.full else 3.0)
    scaling = args.scaling if args.scaling is not None else (
        "10000,100000,1000000" if args.full else "5000,20000")
    sizes = [int(s) for s in scaling.split(",") if s.strip()]

    command = "python bench/run_all.py" + "".join(f" {a}" for a in sys.argv[1:])
    started = time.perf_counter()
    header = ["# dedup benchmark report", "",
              f"`{command}`, {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}; {git_line()}; "
              f"{harness.machine_line()}.", ""]
    if not harness.SHARED.is_dir():
        header += [f"{harness.SHARED} is absent: doc and corpus figures use samples/ and generated "
                   f"text, and the quality part is skipped.", ""]
    sections = []
    if "doc" in parts:
        import bench_doc

        sections.append(bench_doc.report(runs=15, throughput_runs=3, profile_mb=3.0))
    if "corpus" in parts:
        import bench_corpus

        sections.append(bench_corpus.report(mb=mb, repeats=args.repeats, sizes=sizes, scale_timeout=300.0,
                                            with_tools=not args.no_tools, profile_mb=1.0,
                                            profile_short=2000))
    if "quality" in parts:
        import bench_quality

        sections.append(bench_quality.report(cli=args.cli))
    elapsed = time.perf_counter() - started
    summary = [row for section in sections for row in section.headline]
    body = header
    if summary:
        body += ["## Summary", "",
                 "Each baseline was measured in the same run as dedup's figure.", "",
                 harness.table(["what", "dedup", "baseline (same run)", "ratio / difference", "goal"], summary),
                 ""]
    body += [s.markdown for s in sections]
    body += [f"Whole run: {elapsed / 60:.1f} minutes.", ""]
    report = "\n".join(body)
    harness.OUT.mkdir(parents=True, exist_ok=True)
    (harness.OUT / "report.md").write_text(report, encoding="utf-8")
    print(report)
    print(f"(written to {harness.OUT / 'report.md'})", file=sys.stderr)


if __name__ == "__main__":
    main()
