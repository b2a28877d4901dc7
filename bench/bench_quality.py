"""Quality on every developer set with ../shared/eval/score.py, beside the baselines.

For each set in ../shared/data (neardup_dev only in corpus mode):

- doc mode: `awk '!seen[$0]++'` (run by score.py, one process per document) and
  `dedup clean`;
- corpus mode: `python3 ../shared/eval/chrome_exact.py` and `dedup clean --jsonl`, one
  call per `group`.

The figures are score.py's own: its `score()` over the outputs, its runner for awk. To
stay within minutes, dedup and chrome_exact.py run in this process by default (dedup
through `dedup.clean(text + "\\n")` per document and `dedup.clean_documents` per group,
exactly what the commands do after start-up; chrome_exact.py executed with its stdin and
stdout redirected), and the real `python -m dedup clean` / `--jsonl` commands are checked
to give the same outputs on seedlike_dev. `--cli` runs every command as a process through
score.py's runner instead (about 20 minutes here: ~1,550 corpus groups x ~0.6 s start-up).
The full score.py tables go to bench/out/quality.txt.

Usage: python bench/bench_quality.py [--cli] [--sets seedlike,neardup]
"""
import argparse
import contextlib
import importlib.util
import io
import runpy
import sys
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Dict, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

AWK = "awk '!seen[$0]++'"
JUNK = ("title_repeat", "caption_copy", "readmore", "teaser", "site_boilerplate")


def load_score():
    """score.py as a module, or None when ../shared is absent."""
    path = harness.EVAL / "score.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location("shared_score", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def groups_of(records: List[dict]) -> "OrderedDict[str, List[dict]]":
    groups: "OrderedDict[str, List[dict]]" = OrderedDict()
    for record in records:
        groups.setdefault(record.get("group", "all"), []).append(record)
    return groups


def run_corpus_commands(score, records, command: str, threads: int = 2):
    """score.py's run_corpus, with the groups shared out over `threads` threads."""
    groups = list(groups_of(records).values())
    shares = [[r for g in groups[i::threads] for r in g] for i in range(threads)]
    results = [None] * threads

    def work(i):
        results[i] = score.run_corpus(shares[i], command, 900)

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    outputs, errors, secs = {}, [], 0.0
    for out, errs, s, _done in results:
        outputs.update(out)
        errors += errs
        secs += s
    return outputs, errors, secs


def dedup_doc_in_process(records):
    sys.path.insert(0, str(harness.ROOT))
    import dedup

    outputs, errors = {}, []
    start = time.perf_counter()
    for r in records:
        text = r["text"] + "\n"
        if "\x00" in text:  # the command refuses binary input (exit 2)
            errors.append(f"doc {r['id']}: NUL byte")
            continue
        outputs[r["id"]] = dedup.clean(text)
    return outputs, errors, time.perf_counter() - start


def dedup_corpus_in_process(records):
    sys.path.insert(0, str(harness.ROOT))
    import dedup

    outputs, errors = {}, []
    start = time.perf_counter()
    for group in groups_of(records).values():
        documents = [{"id": r["id"], "text": r["text"]} for r in group]
        for out in dedup.clean_documents(documents):
            outputs[out["id"]] = out["text"]
    return outputs, errors, time.perf_counter() - start


def chrome_exact_in_process(records):
    """chrome_exact.py run once per group in this process, stdin/stdout redirected."""
    import json

    script = str(harness.EVAL / "chrome_exact.py")
    outputs, errors = {}, []
    start = time.perf_counter()
    for name, group in groups_of(records).items():
        data = "".join(json.dumps({"id": r["id"], "text": r["text"]}, ensure_ascii=False) + "\n" for r in group)
        out = io.StringIO()
        saved = sys.stdin
        try:
            sys.stdin = io.StringIO(data)
            with contextlib.redirect_stdout(out):
                runpy.run_path(script, run_name="__main__")
        except Exception as error:  # noqa: BLE001 - reported like a failed command
            errors.append(f"group {name}: {error!r}")
            continue
        finally:
            sys.stdin = saved
        for line in out.getvalue().splitlines():
            if line.strip():
                o = json.loads(line)
                outputs[o["id"]] = o["text"]
    return outputs, errors, time.perf_counter() - start


def methods(score, name: str, cli: bool):
    """(label, mode, runner) for one set; a runner gives (outputs, errors, seconds)."""
    dedup_doc = " ".join(harness.dedup_command("clean"))
    dedup_corpus = " ".join(harness.dedup_command("clean", "--jsonl"))
    chrome = f"{harness.PYTHON} {harness.EVAL / 'chrome_exact.py'}"
    found = []
    if name != "neardup":
        found.append(("awk (doc)", "doc", lambda recs: score.run_doc(recs, AWK, 120, 2)[:3]))
        found.append(("dedup clean (doc)", "doc",
                      (lambda recs: score.run_doc(recs, dedup_doc, 120, 2)[:3]) if cli else dedup_doc_in_process))
    found.append(("chrome_exact (corpus)", "corpus",
                  (lambda recs: run_corpus_commands(score, recs, chrome)) if cli else chrome_exact_in_process))
    found.append(("dedup clean --jsonl (corpus)", "corpus",
                  (lambda recs: run_corpus_commands(score, recs, dedup_corpus)) if cli else dedup_corpus_in_process))
    return found


def check_cli_matches(score, records) -> str:
    """Runs the real dedup commands on `records` (seedlike_dev) and compares outputs."""
    dedup_doc = " ".join(harness.dedup_command("clean"))
    dedup_corpus = " ".join(harness.dedup_command("clean", "--jsonl"))
    differences = []
    for label, cli, ours in (("doc", lambda: score.run_doc(records, dedup_doc, 120, 2)[:2], dedup_doc_in_process),
                             ("corpus", lambda: run_corpus_commands(score, records, dedup_corpus),
                              dedup_corpus_in_process)):
        cli_out, cli_errors = cli()[:2]
        our_out = ours(records)[0]
        if cli_errors:
            differences.append(f"{label}: the command failed ({cli_errors[0]})")
        elif cli_out != our_out:
            bad = sum(1 for k in set(cli_out) | set(our_out) if cli_out.get(k) != our_out.get(k))
            differences.append(f"{label}: {bad} of {len(records)} outputs differ")
    if differences:
        return "**In-process outputs differ from the commands' on seedlike_dev: " + "; ".join(differences) + ".**"
    return ("Check: on seedlike_dev the real commands (`python -m dedup clean`, one process per "
            "document; `python -m dedup clean --jsonl`, one per group) gave the same outputs as "
            "the in-process runs.")


def summary_rows(name: str, results: Dict[str, dict]) -> (List[str], List[tuple]):
    """Headers and rows of one set's table from score.py's result dicts."""
    def f(x, d=3):
        return "-" if x is None else (f"{x:.{d}f}" if isinstance(x, float) else str(x))

    first = next(iter(results.values()))
    rows = []
    if "neardup" in first:
        headers = ["method", "pairwise P", "R", "F1", "dup_rec", "drop_prec", "wrong_drop", "clusters_ok"]
        for label, res in results.items():
            n = res["neardup"]
            rows.append((label, f(n["pair_p"]), f(n["pair_r"]), f(n["pair_f1"]), f(n["dup_rec"]),
                         f(n["drop_prec"]), n["wrong_drop"], f(n["clusters_ok"])))
        return headers, rows
    if "gold" in first:
        headers = ["method", "P", "R", "F1", "micro F1", "kept", "junk_rm", "extra (out/in)"]
        if "seedlike" in first:
            headers += ["exact", "title_ok", "junk removed (min of 5 labels)", "hard_negative removed"]
        for label, res in results.items():
            g = res["gold"]
            row = [label, f(g["prec"]), f(g["rec"]), f(g["f1"]), f(g["micro_f1"]), f(g["kept"]), f(g["junk_rm"]),
                   f"{g['extra_copies']}/{g['in_extra']}"]
            if "seedlike" in res:
                s = res["seedlike"]
                removed = s["removed"]
                worst = min((removed.get(k, 0.0), k) for k in JUNK)
                row += [f(s["exact"]), f(s["title_ok"]), f"{worst[0]:.2f} ({worst[1]})",
                        f(removed.get("hard_negative"), 2)]
            rows.append(tuple(row))
        return headers, rows
    if "snippets" in first:
        headers = ["method", "with_kept", "without_removed", "kept_tokens"]
        for label, res in results.items():
            s, g = res["snippets"], res.get("nogold", {})
            rows.append((label, f(s["with_kept"]), f(s["without_removed"]), f(g.get("kept_tokens"))))
        return headers, rows
    headers = ["method", "kept_tokens", "docs_emptied"]
    for label, res in results.items():
        g = res.get("nogold", {})
        rows.append((label, f(g.get("kept_tokens")), g.get("docs_emptied", "-")))
    return headers, rows


def evaluate(name: str, label: str, cli: bool):
    """One method on one set (runs in a worker process): score.py's result dict, and its
    printed table."""
    score = load_score()
    records = score.load(str(harness.set_path(name)))
    runner, mode = next((r, m) for lab, m, r in methods(score, name, cli) if lab == label)
    outputs, errors, seconds = runner(records)
    res = score.score(records, outputs)
    res["docs"] = len(records)
    res["scored"] = sum(1 for r in records if not r.get("noscore"))
    mb = sum(len(r["text"].encode("utf-8")) for r in records) / 1e6
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        score.print_table(f"{name}_dev.jsonl.gz", mode, res,
                          {"secs": seconds, "mb": mb, "sec_per_mb": seconds / mb if mb else None}, errors)
    return res, f"# {label}\n{printed.getvalue()}\n", len(records), len(groups_of(records))


def report(cli: bool = False, sets: Optional[List[str]] = None, check: bool = True,
           workers: int = 2) -> harness.Section:
    """The quality section. Nothing here is timed, so `workers` processes share the work."""
    from concurrent.futures import ProcessPoolExecutor

    score = load_score()
    names = harness.shared_sets(sets or harness.ALL_SETS)
    if score is None or not names:
        return harness.Section(f"## Quality\n\nSkipped: {harness.SHARED} (../shared/eval/score.py and "
                               f"../shared/data) is absent, so there is nothing to score against.\n", [])
    parts = ["## Quality", "",
             f"Scored by `{harness.EVAL / 'score.py'}` (its `score()`; awk through its runner). "
             + ("Every command ran as a process through score.py's runner (`--cli`)." if cli else
                "dedup and chrome_exact.py ran in-process (same code as the commands, without a "
                "process start per document or group); `--cli` runs the commands."),
             ""]
    tasks = [(name, label) for name in names for label, _mode, _runner in methods(score, name, cli)]
    print(f"bench_quality: {len(tasks)} runs over {', '.join(names)} ({workers} at a time) ...", file=sys.stderr)
    with ProcessPoolExecutor(workers) as pool:
        futures = {task: pool.submit(evaluate, *task, cli) for task in tasks}
        done = {task: future.result() for task, future in futures.items()}
    listing = io.StringIO()
    headline = []
    for name in names:
        results = OrderedDict()
        for (set_name, label), (res, printed, docs, groups) in done.items():
            if set_name == name:
                results[label] = res
                listing.write(printed)
        headline += headline_rows(name, results)
        headers, rows = summary_rows(name, results)
        parts += [f"**{name}_dev** ({docs_of(done, name)})", "", harness.table(headers, rows), ""]
    if not cli and check and "seedlike" in names:
        print("bench_quality: checking the real commands on seedlike_dev ...", file=sys.stderr)
        parts += [check_cli_matches(score, score.load(str(harness.set_path("seedlike")))), ""]
    harness.OUT.mkdir(parents=True, exist_ok=True)
    (harness.OUT / "quality.txt").write_text(listing.getvalue(), encoding="utf-8")
    parts += ["Full score.py tables: bench/out/quality.txt.", ""]
    return harness.Section("\n".join(parts), headline)


def docs_of(done, name: str) -> str:
    _res, _printed, docs, groups = next(v for (n, _l), v in done.items() if n == name)
    return f"{docs} docs, {groups} group{'s' if groups != 1 else ''}"


def headline_rows(name: str, results: Dict[str, dict]) -> List[tuple]:
    """dedup against the baseline of the same mode, on the set's main figure."""
    pairs = [("dedup clean (doc)", "awk (doc)"), ("dedup clean --jsonl (corpus)", "chrome_exact (corpus)")]
    rows = []
    for ours, theirs in pairs:
        if ours not in results or theirs not in results:
            continue
        a, b = results[ours], results[theirs]
        if "neardup" in a:
            figure, x, y = "pairwise F1", a["neardup"]["pair_f1"], b["neardup"]["pair_f1"]
        elif "seedlike" in a:
            figure, x, y = "exact", a["seedlike"]["exact"], b["seedlike"]["exact"]
            rows.append((f"{name}_dev {ours}: token F1", f"{a['gold']['f1']:.3f}",
                         f"{theirs} {b['gold']['f1']:.3f}", f"{a['gold']['f1'] - b['gold']['f1']:+.3f}", "-"))
        elif "gold" in a:
            figure, x, y = "token F1 (kept)", a["gold"]["f1"], b["gold"]["f1"]
            rows.append((f"{name}_dev {ours}: token F1", f"{x:.3f} (kept {a['gold']['kept']:.3f})",
                         f"{theirs} {y:.3f} (kept {b['gold']['kept']:.3f})", f"{x - y:+.3f}", "-"))
            continue
        elif "snippets" in a:
            figure = "without_removed (with_kept)"
            x, y = a["snippets"]["without_removed"], b["snippets"]["without_removed"]
            rows.append((f"{name}_dev {ours}: {figure}",
                         f"{x:.3f} ({a['snippets']['with_kept']:.3f})",
                         f"{theirs} {y:.3f} ({b['snippets']['with_kept']:.3f})", f"{x - y:+.3f}", "-"))
            continue
        else:
            figure, x, y = "kept_tokens", a["nogold"]["kept_tokens"], b["nogold"]["kept_tokens"]
        rows.append((f"{name}_dev {ours}: {figure}", f"{x:.3f}", f"{theirs} {y:.3f}", f"{x - y:+.3f}", "-"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cli", action="store_true", help="run dedup and chrome_exact.py as processes")
    parser.add_argument("--sets", help="comma-separated set names (default: all present)")
    args = parser.parse_args()
    sets = [s.strip() for s in args.sets.split(",")] if args.sets else None
    print(report(args.cli, sets).markdown)


if __name__ == "__main__":
    main()
