"""Corpus mode: `dedup clean --jsonl` end to end beside text-dedup, datatrove and
datasketch MinHash on the same near-duplicate corpus, near-dup F1 on neardup_dev, and
scaling over 10k -> 100k (-> 1M) short documents.

1. Corpus: the near-dup corpus of `make_corpus.py` (`--mb`, default 10; 100 for the
   issue's figure), cached under bench/out/. Each command runs on the same file, in one
   process (one core): wall and CPU seconds, peak RSS (wait4 of the child), MB/s = MB
   of text / wall seconds and MB per CPU second. Ratios: each tool's wall time over
   dedup's in the same run (> 1: dedup is faster). Floors: `awk '!seen[$0]++'` over the
   JSON lines and ../shared/eval/drop_exact_dups.py (exact copies only), same run.
   Kept-set quality on the corpus's known clusters: dup_rec (redundant copies removed),
   drop_prec (removed docs that were redundant), wrong_drop (docs removed with no copy
   kept), clusters_ok (clusters with exactly one doc kept).
2. neardup_dev: each tool as a corpus-mode command of ../shared/eval/score.py (pairwise
   P/R/F1, dup_rec, wrong_drop).
3. Scaling: `dedup clean --jsonl` on 10k and 100k short documents (`--scaling` adds
   1000000); each run is stopped after `--scale-timeout` seconds (default 300) and then
   reported with the stage and document count it had reached.
4. Profiles: cProfile of `dedup.clean_documents` in this process over the first
   `--profile-mb` MB (default 2) of the corpus and over the first `--profile-short`
   (default 5000) short documents; listings in bench/out/*_profile.txt.

Other tools run in the benchmark's own virtualenv, bench/.venv (made on first use with
pip: text-dedup, datatrove and what their MinHash needs; see VENV_PACKAGES); a tool that
cannot be installed or run is skipped with the reason.

Usage: python bench/bench_corpus.py [--mb 10] [--repeats 1] [--scaling 10000,100000]
           [--scale-timeout 300] [--no-tools] [--profile-mb 2] [--profile-short 5000]
           [--tools-threshold T]
"""
import argparse
import cProfile
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
import make_corpus  # noqa: E402

VENV = harness.BENCH / ".venv"
VENV_PYTHON = VENV / "bin" / "python"
VENV_PACKAGES = ["text-dedup", "datatrove", "xxhash<4", "orjson", "spacy", "tokenizers", "datasketch"]
TOOL_IMPORTS = {"text-dedup": "import text_dedup.minhash, datasets",
                "datatrove": "import datatrove.pipeline.dedup.minhash, datatrove.pipeline.readers, "
                             "spacy, orjson; spacy.blank('en')",
                "datasketch": "import datasketch"}
MB_GOAL = 20.0
# The same near-duplicate documents dropped, no text rewritten: the job the other tools do.
DUPLICATES_ONLY = "dedup clean --jsonl --duplicates-only"
WORK = harness.OUT / "work" / f"run-{os.getpid()}"  # one per run: two runs at once do not collide


# ----------------------------------------------------------------------------------------
# the virtualenv of the other tools


def other_tools(enabled: bool = True) -> Dict[str, Optional[str]]:
    """Tool name -> None when usable, else why it is skipped. Makes bench/.venv if needed."""
    if not enabled:
        return {tool: "not run (--no-tools)" for tool in TOOL_IMPORTS}
    log = harness.OUT / "venv_install.log"
    if not VENV_PYTHON.exists():
        harness.OUT.mkdir(parents=True, exist_ok=True)
        print(f"bench_corpus: making {VENV} (pip install {' '.join(VENV_PACKAGES)}; a few "
              f"minutes the first time, log in {log}) ...", file=sys.stderr)
        with open(log, "w") as out:
            made = subprocess.run([harness.PYTHON, "-m", "venv", str(VENV)], stdout=out, stderr=out)
            if made.returncode == 0:
                subprocess.run([str(VENV_PYTHON), "-m", "pip", "install", "--upgrade", "pip"],
                               stdout=out, stderr=out)
                # One package at a time, so that one that cannot be installed does not stop the others.
                for package in VENV_PACKAGES:
                    subprocess.run([str(VENV_PYTHON), "-m", "pip", "install", package],
                                   stdout=out, stderr=out)
    status = {}
    for tool, statement in TOOL_IMPORTS.items():
        if not VENV_PYTHON.exists():
            status[tool] = f"no virtualenv at {VENV} (see {log})"
            continue
        check = subprocess.run([str(VENV_PYTHON), "-c", statement], capture_output=True, text=True,
                               env={**harness.dedup_env(), "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"})
        status[tool] = None if check.returncode == 0 else (
            "cannot be imported in bench/.venv: " + (check.stderr.strip().splitlines() or ["?"])[-1])
    return status


def tool_versions() -> str:
    if not VENV_PYTHON.exists():
        return ""
    listed = subprocess.run([str(VENV_PYTHON), "-m", "pip", "list", "--format=json"],
                            capture_output=True, text=True)
    try:
        versions = {p["name"].lower(): p["version"] for p in json.loads(listed.stdout)}
    except ValueError:
        return ""
    return ", ".join(f"{n} {versions[n]}" for n in ("text-dedup", "datatrove", "datasketch", "datasets", "spacy")
                     if n in versions)


# ----------------------------------------------------------------------------------------
# corpus run


def corpus_commands(corpus: Path, tools: Dict[str, Optional[str]]) -> Dict[str, dict]:
    """name -> {"cmd", "stdin", "stdout", "kept"}: how each is run and where its kept set lands."""
    WORK.mkdir(parents=True, exist_ok=True)
    commands = {}
    awk = harness.check_awk()
    if awk:
        commands["awk '!seen[$0]++' (JSON lines)"] = {
            "cmd": [awk, "!seen[$0]++"], "stdin": corpus, "stdout": WORK / "awk.jsonl", "kept": "jsonl",
            "floor": True}
    exact = harness.EVAL / "drop_exact_dups.py"
    if exact.is_file():
        commands["drop_exact_dups.py (exact)"] = {
            "cmd": [harness.PYTHON, str(exact)], "stdin": corpus, "stdout": WORK / "exact.jsonl",
            "kept": "jsonl", "floor": True}
    commands["dedup clean --jsonl"] = {
        "cmd": harness.dedup_command("clean", "--jsonl", str(corpus), "-o", str(WORK / "dedup.jsonl")),
        "stdin": None, "stdout": None, "kept": WORK / "dedup.jsonl"}
    commands[DUPLICATES_ONLY] = {
        "cmd": harness.dedup_command("clean", "--jsonl", "--duplicates-only", str(corpus),
                                     "-o", str(WORK / "dedup-duplicates.jsonl")),
        "stdin": None, "stdout": None, "kept": WORK / "dedup-duplicates.jsonl"}
    for tool, why in tools.items():
        if why is None:
            commands[tool] = {
                "cmd": [str(VENV_PYTHON), str(harness.BENCH / "minhash_tools.py"), tool, "--input",
                        str(corpus), "--kept-ids", str(WORK / f"{tool}.ids"), "--work", str(WORK)],
                "stdin": None, "stdout": WORK / f"{tool}.log", "kept": WORK / f"{tool}.ids"}
    return commands


def kept_ids(spec: dict) -> List[str]:
    kept = spec["kept"]
    if kept == "jsonl":
        kept = spec["stdout"]
    if str(kept).endswith(".ids"):
        return Path(kept).read_text(encoding="utf-8").split()
    ids = []
    with open(kept, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                ids.append(json.loads(line)["id"])
    return ids


def cluster_labels(corpus: Path):
    """id -> cluster, and the MB of text."""
    labels, size = {}, 0
    with open(corpus, encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            labels[record["id"]] = record["cluster"]
            size += len(record["text"].encode("utf-8"))
    return labels, size / 1e6


def kept_set_quality(labels: Dict[str, str], kept: List[str]) -> dict:
    """dup_rec, drop_prec, wrong_drop, clusters_ok of a kept set against known clusters."""
    kept_set = set(kept)
    size = Counter(labels.values())
    kept_in = Counter(labels[i] for i in kept_set if i in labels)
    redundant = sum(n - 1 for n in size.values())
    dropped = len(labels) - len(kept_set & labels.keys())
    # A cluster of n with k >= 1 kept has n - k redundant copies removed; with none kept,
    # n - 1 removed copies were redundant and one removal was wrong.
    removed_redundant = sum(n - max(kept_in[c], 1) for c, n in size.items())
    wrong = sum(1 for c in size if kept_in[c] == 0)
    return {"docs": len(labels), "kept": len(kept_set), "dup_rec": removed_redundant / redundant if redundant else 1.0,
            "drop_prec": removed_redundant / dropped if dropped else 1.0, "wrong_drop": wrong,
            "clusters_ok": sum(1 for c in size if kept_in[c] == 1) / len(size)}


def run_corpus(mb: float, repeats: int, tools: Dict[str, Optional[str]]) -> dict:
    corpus = make_corpus.near_dup_corpus(mb)
    labels, text_mb = cluster_labels(corpus)
    file_mb = corpus.stat().st_size / 1e6
    commands = corpus_commands(corpus, tools)
    runs = defaultdict(list)
    for round_number in range(repeats):
        for name, spec in commands.items():
            print(f"bench_corpus: {name} on {corpus.name} (round {round_number + 1}/{repeats}) ...",
                  file=sys.stderr)
            run = harness.run_measured(spec["cmd"], stdin_path=spec["stdin"], stdout_path=spec["stdout"],
                                       env=harness.dedup_env())
            if run.returncode:
                print(f"bench_corpus: {name} exited {run.returncode}: {run.stderr[-800:]}", file=sys.stderr)
            runs[name].append(run)
    results = {}
    for name, spec in commands.items():
        ok = [r for r in runs[name] if r.returncode == 0]
        entry = {"floor": spec.get("floor", False), "runs": len(runs[name]), "failed": len(runs[name]) - len(ok)}
        if ok:
            entry.update(wall=harness.median([r.wall for r in ok]), cpu=harness.median([r.cpu for r in ok]),
                         rss=max(r.max_rss_mb for r in ok))
            entry["quality"] = kept_set_quality(labels, kept_ids(spec))
        else:
            entry["error"] = (runs[name][-1].stderr.strip().splitlines() or ["?"])[-1][:200]
        results[name] = entry
    for spec in commands.values():
        for path in (spec["stdout"], spec["kept"]):
            if isinstance(path, Path) and path.exists():
                path.unlink()
    return {"corpus": corpus, "about": make_corpus.describe(corpus), "text_mb": text_mb,
            "file_mb": file_mb, "results": results, "repeats": repeats}


def corpus_markdown(result: dict, tools: Dict[str, Optional[str]]) -> str:
    mb = result["text_mb"]
    dedup = result["results"].get("dedup clean --jsonl", {})
    rows = []
    for name, r in result["results"].items():
        if "wall" not in r:
            rows.append((name, "failed: " + r.get("error", "?"), *["-"] * 11))
            continue
        q = r["quality"]
        vs = "1.00x" if name == "dedup clean --jsonl" else (
            f"{r['wall'] / dedup['wall']:.2f}x" if dedup.get("wall") else "-")
        vs_cpu = "1.00x" if name == "dedup clean --jsonl" else (
            f"{r['cpu'] / dedup['cpu']:.2f}x" if dedup.get("cpu") else "-")
        rows.append((name, f"{r['wall']:.1f}", f"{r['cpu']:.1f}", f"{mb / r['wall']:.2f}",
                     f"{mb / r['cpu']:.2f}" if r["cpu"] else "-", f"{r['rss']:.0f}", vs, vs_cpu, q["kept"],
                     f"{q['dup_rec']:.3f}", f"{q['drop_prec']:.3f}", q["wrong_drop"], f"{q['clusters_ok']:.3f}"))
    skipped = [f"{tool}: {why}" for tool, why in tools.items() if why]
    text = (f"Corpus: `{result['corpus'].relative_to(harness.ROOT)}` ({result['about']}; "
            f"{result['file_mb']:.1f} MB of JSON lines). One process each, "
            f"{'median of ' + str(result['repeats']) + ' interleaved runs' if result['repeats'] > 1 else 'one run each'}; "
            f"MB/s = MB of text / wall s; MB/CPU-s = MB / (user + sys s); "
            f"time vs dedup = wall (CPU) / dedup's wall (CPU), > 1: dedup faster. Kept-set quality on the "
            f"known clusters ({next(iter(result['results'].values())).get('quality', {}).get('docs', '?')} docs):\n\n"
            + harness.table(["command", "wall s", "CPU s", "MB/s", "MB/CPU-s", "peak RSS MB", "wall vs dedup",
                             "CPU vs dedup", "kept", "dup_rec", "drop_prec", "wrong_drop", "clusters_ok"], rows))
    if dedup.get("wall"):
        rate = mb / dedup["cpu"]
        verdict = "meets" if rate >= MB_GOAL else "misses"
        text += (f"\n\ndedup: **{mb / dedup['wall']:.2f} MB/s** wall, **{rate:.2f} MB per CPU second** "
                 f"({verdict} the goal >= {MB_GOAL:g} MB/s per core), peak RSS {dedup['rss']:.0f} MB.")
    if skipped:
        text += "\n\nSkipped: " + "; ".join(skipped) + "."
    return text


# ----------------------------------------------------------------------------------------
# neardup_dev through score.py


def neardup_scores(tools: Dict[str, Optional[str]], threshold: Optional[float] = None) -> Optional[dict]:
    """Tool -> score.py's neardup figures (and seconds), or None without ../shared."""
    score = harness.EVAL / "score.py"
    dataset = harness.set_path("neardup")
    if not (score.is_file() and dataset.is_file()):
        return None
    commands = {"dedup clean --jsonl": " ".join(harness.dedup_command("clean", "--jsonl")),
                DUPLICATES_ONLY: " ".join(harness.dedup_command("clean", "--jsonl", "--duplicates-only"))}
    for tool, why in tools.items():
        if why is None:
            commands[tool] = f"{VENV_PYTHON} {harness.BENCH / 'minhash_tools.py'} {tool}"
            if threshold is not None:
                commands[f"{tool} (threshold {threshold:g})"] = commands[tool] + f" --threshold {threshold}"
    def one(item):
        name, command = item
        print(f"bench_corpus: neardup_dev with {name} ...", file=sys.stderr)
        done = subprocess.run([harness.PYTHON, str(score), str(dataset), "--cmd", command, "--mode", "corpus",
                               "--json"], capture_output=True, text=True, env=harness.dedup_env())
        try:
            result = json.loads(done.stdout.strip().splitlines()[-1])
            return name, {**result["neardup"], "errors": len(result["errors"])}
        except (ValueError, IndexError, KeyError):
            return name, {"error": (done.stderr.strip().splitlines() or ["no output"])[-1][:200]}

    # Only quality is read here, so two run at a time.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        return dict(pool.map(one, commands.items()))


def neardup_markdown(scores: Optional[dict]) -> str:
    if scores is None:
        return f"neardup_dev: skipped ({harness.SHARED} is absent)."
    rows = []
    for name, s in scores.items():
        if "error" in s:
            rows.append((name, "failed: " + s["error"], *["-"] * 6))
            continue
        rows.append((name, f"{s['pair_p']:.3f}", f"{s['pair_r']:.3f}", f"**{s['pair_f1']:.3f}**",
                     f"{s['dup_rec']:.3f}", f"{s['drop_prec']:.3f}", s["wrong_drop"], f"{s['clusters_ok']:.3f}"))
    return ("Near-duplicate quality on neardup_dev (328 docs, 150 clusters), each tool as the "
            "corpus-mode command of `../shared/eval/score.py` (its figures; two run at a time, "
            "so no times here):\n\n"
            + harness.table(["tool", "pairwise P", "R", "F1", "dup_rec", "drop_prec", "wrong_drop",
                             "clusters_ok"], rows))


# ----------------------------------------------------------------------------------------
# scaling


PROGRESS = re.compile(r"dedup: ([a-z ]+): ([\d,]+) documents")


def scaling(sizes: List[int], timeout: float) -> List[dict]:
    rows = []
    for count in sizes:
        print(f"bench_corpus: building / reading {count:,} short documents ...", file=sys.stderr)
        corpus = make_corpus.short_docs(count)
        _labels, text_mb = cluster_labels(corpus)
        out = WORK / "short_out.jsonl"
        WORK.mkdir(parents=True, exist_ok=True)
        print(f"bench_corpus: dedup clean --jsonl on {count:,} short documents (stopped after "
              f"{timeout:g} s) ...", file=sys.stderr)
        run = harness.run_measured(harness.dedup_command("clean", "--jsonl", "--progress", str(corpus),
                                                         "-o", str(out)),
                                   env=harness.dedup_env(), timeout=timeout)
        reached = PROGRESS.findall(run.stderr.replace("\r", "\n"))
        rows.append({"docs": count, "mb": text_mb, "wall": run.wall, "cpu": run.cpu, "rss": run.max_rss_mb,
                     "killed": run.killed, "returncode": run.returncode,
                     "reached": reached[-1] if reached else None,
                     "error": None if run.returncode == 0 or run.killed else run.stderr.strip()[-300:]})
        if out.exists():
            out.unlink()
    return rows


def scaling_markdown(rows: List[dict], timeout: float) -> str:
    first = next((r for r in rows if not r["killed"] and r["returncode"] == 0), None)
    table_rows = []
    for r in rows:
        if r["killed"]:
            stage = (f"stopped at {timeout:g} s wall; last progress report: {r['reached'][0]}, "
                     f"{r['reached'][1]} docs" if r["reached"] else f"stopped at {timeout:g} s (no progress report yet)")
            table_rows.append((f"{r['docs']:,}", f"{r['mb']:.1f}", f">{r['wall']:.0f}", f"{r['cpu']:.0f}", "-", "-",
                               f"{r['rss']:.0f}", stage))
            continue
        if r["returncode"]:
            table_rows.append((f"{r['docs']:,}", f"{r['mb']:.1f}", "-", "-", "-", "-", f"{r['rss']:.0f}",
                               f"failed ({r['returncode']}): {r['error']}"))
            continue
        per_doc = r["cpu"] / r["docs"] * 1e6
        growth = f"{per_doc / (first['cpu'] / first['docs'] * 1e6):.2f}x" if first else "-"
        table_rows.append((f"{r['docs']:,}", f"{r['mb']:.1f}", f"{r['wall']:.1f}", f"{r['cpu']:.1f}", f"{per_doc:.0f}",
                           growth, f"{r['rss']:.0f}", f"{r['mb'] / r['cpu']:.2f} MB/CPU-s, "
                                                      f"{r['docs'] / r['cpu']:,.0f} docs/CPU-s"))
    return ("Scaling, `dedup clean --jsonl` on short documents (a few hundred bytes, ~10 % copies); "
            "CPU = user + sys seconds (steadier than wall on a shared machine); CPU µs/doc vs first = "
            "CPU time per document over the smallest run's (1.00x = linear):\n\n"
            + harness.table(["docs", "MB", "wall s", "CPU s", "CPU µs/doc", "vs first", "peak RSS MB", "rate"],
                            table_rows))


# ----------------------------------------------------------------------------------------
# profile


def profile(corpus: Path, mb: float = 0.0, docs: int = 0, top: int = 15, name: str = "corpus") -> str:
    """cProfile of `dedup.clean_documents` over the first `mb` MB or `docs` documents;
    the listing goes to bench/out/{name}_profile.txt."""
    sys.path.insert(0, str(harness.ROOT))
    import dedup

    records, size = [], 0
    with open(corpus, encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            records.append({"id": record["id"], "text": record["text"]})
            size += len(record["text"].encode("utf-8"))
            if (mb and size >= mb * 1e6) or (docs and len(records) >= docs):
                break
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    for _ in dedup.clean_documents(records):
        pass
    profiler.disable()
    seconds = time.perf_counter() - start
    tables = harness.profile_tables(profiler, f"{name}_profile.txt", top)
    return (f"Profile of `dedup.clean_documents` (in-process, cProfile) over the first {size / 1e6:.1f} MB "
            f"({len(records):,} docs) of `{corpus.name}`: {seconds:.1f} s under the profiler; listing in "
            f"bench/out/{name}_profile.txt. " + harness.profile_markdown(tables))


# ----------------------------------------------------------------------------------------


def report(mb: float = 10.0, repeats: int = 1, sizes=(10_000, 100_000), scale_timeout: float = 300.0,
           with_tools: bool = True, profile_mb: float = 2.0, tools_threshold: Optional[float] = None,
           profile_short: int = 5000) -> harness.Section:
    """The corpus-mode section of the report."""
    tools = other_tools(with_tools)
    parts = ["## Corpus mode", ""]
    versions = tool_versions() if with_tools else ""
    if versions:
        parts += [f"Other tools, in bench/.venv: {versions}.", ""]
    result = run_corpus(mb, repeats, tools)
    parts += [corpus_markdown(result, tools), ""]
    scores = neardup_scores(tools, tools_threshold)
    parts += [neardup_markdown(scores), ""]
    rows = []
    if sizes:
        rows = scaling(list(sizes), scale_timeout)
        parts += [scaling_markdown(rows, scale_timeout), ""]
    if profile_mb:
        print(f"bench_corpus: profile over {profile_mb:g} MB ...", file=sys.stderr)
        parts += [profile(result["corpus"], mb=profile_mb, name="corpus"), ""]
    if profile_short:
        print(f"bench_corpus: profile over {profile_short:,} short documents ...", file=sys.stderr)
        short = make_corpus.short_docs(min(sizes) if sizes and min(sizes) >= profile_short else 10_000)
        parts += [profile(short, docs=profile_short, name="short_docs"), ""]
    shutil.rmtree(WORK, ignore_errors=True)
    raw = {"corpus": {**result, "corpus": str(result["corpus"])}, "neardup": scores, "scaling": rows}
    (harness.OUT / "corpus_results.json").write_text(json.dumps(raw, indent=1), encoding="utf-8")
    return harness.Section("\n".join(parts), headline(result, scores, rows))


def headline(result: dict, scores: Optional[dict], rows: List[dict]) -> List[tuple]:
    """Summary rows: corpus rate and memory, time and F1 against each tool, scaling."""
    mb = result["text_mb"]
    found = result["results"]
    dedup = found.get("dedup clean --jsonl", {})
    lines = []
    if "wall" not in dedup:
        return [("corpus mode, `dedup clean --jsonl`", "failed", "-", "-", "-")]
    floor = found.get("drop_exact_dups.py (exact)") or found.get("awk '!seen[$0]++' (JSON lines)") or {}
    floor_name = "drop_exact_dups.py" if "drop_exact_dups.py (exact)" in found else "awk"
    lines.append((f"corpus mode, `dedup clean --jsonl` on {mb:.0f} MB (near-dup corpus)",
                  f"{mb / dedup['wall']:.2f} MB/s wall, {mb / dedup['cpu']:.2f} MB/CPU-s",
                  f"{floor_name} {mb / floor['wall']:.1f} MB/s" if floor.get("wall") else "-",
                  f"{dedup['wall'] / floor['wall']:.0f}x its time" if floor.get("wall") else "-",
                  f">= {MB_GOAL:g} MB/s per core"))
    others = [(n, r) for n, r in found.items() if not r.get("floor") and not n.startswith("dedup")]
    lines.append(("peak RSS on that corpus", f"{dedup['rss']:.0f} MB",
                  ", ".join(f"{n} {r['rss']:.0f} MB" for n, r in others if "rss" in r) or "-", "-", "-"))
    for ours in ("dedup clean --jsonl", DUPLICATES_ONLY):
        mine = found.get(ours, {})
        for name, r in others:
            if "wall" in r and "wall" in mine:
                ratio, cpu_ratio = r["wall"] / mine["wall"], r["cpu"] / mine["cpu"]
                lines.append((f"time on that corpus vs {name} (wall; CPU), `{ours}`",
                              f"{mine['wall']:.1f} s; {mine['cpu']:.1f} CPU s",
                              f"{name} {r['wall']:.1f} s; {r['cpu']:.1f} CPU s",
                              f"{ratio:.2f}x; {cpu_ratio:.2f}x ({'dedup faster' if cpu_ratio > 1 else 'dedup slower'})",
                              ">= 3x faster"))
    if scores and "pair_f1" in scores.get("dedup clean --jsonl", {}):
        theirs = ", ".join(f"{n} {s['pair_f1']:.3f}" for n, s in scores.items()
                           if not n.startswith("dedup") and "pair_f1" in s)
        lines.append(("neardup_dev pairwise F1", f"{scores['dedup clean --jsonl']['pair_f1']:.3f}", theirs or "-",
                      "-", ">= 0.95 and >= the others"))
    first = next((r for r in rows if not r["killed"] and r["returncode"] == 0), None)
    for r in rows:
        if r["killed"]:
            what = f"stopped after {r['wall']:.0f} s wall ({r['cpu']:.0f} CPU s)" + (
                f", last progress: {r['reached'][0]}, {r['reached'][1]} docs" if r["reached"] else "")
            lines.append((f"scaling: {r['docs']:,} short docs", what + f"; {r['rss']:.0f} MB", "-", "-",
                          "about linear; <= 1 GB at 1M"))
        elif r["returncode"] == 0 and first:
            growth = (r["cpu"] / r["docs"]) / (first["cpu"] / first["docs"])
            lines.append((f"scaling: {r['docs']:,} short docs", f"{r['cpu']:.1f} CPU s, {r['rss']:.0f} MB",
                          f"{first['docs']:,} docs: {first['cpu']:.1f} CPU s",
                          f"{growth:.2f}x CPU time per doc", "about linear; <= 1 GB at 1M"))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=10.0,
                        help="size of the near-dup corpus in MB of text (default 10; 100 for the full run)")
    parser.add_argument("--repeats", type=int, default=1, help="interleaved runs of each command (default 1)")
    parser.add_argument("--scaling", default="10000,100000",
                        help="short-document counts, comma-separated ('' to skip; add 1000000 for the big run)")
    parser.add_argument("--scale-timeout", type=float, default=300.0,
                        help="stop a scaling run after this many seconds (default 300)")
    parser.add_argument("--no-tools", action="store_true", help="skip text-dedup, datatrove and datasketch")
    parser.add_argument("--profile-mb", type=float, default=2.0, help="MB to profile in-process (0: skip)")
    parser.add_argument("--profile-short", type=int, default=5000,
                        help="short documents to profile in-process (0: skip)")
    parser.add_argument("--tools-threshold", type=float,
                        help="also score the other tools on neardup_dev at this Jaccard threshold")
    args = parser.parse_args()
    sizes = [int(s) for s in args.scaling.split(",") if s.strip()]
    print(harness.machine_line() + "\n")
    print(report(args.mb, args.repeats, sizes, args.scale_timeout, not args.no_tools, args.profile_mb,
                 args.tools_threshold, args.profile_short).markdown)


if __name__ == "__main__":
    main()
