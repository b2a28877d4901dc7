"""The corpus pipeline on executors: same bytes in-process, on a process pool, in shards."""
import gzip
import io
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from dedup.cli import main
from dedup.corpus import clean_corpus, write_corpus
from dedup.engines import EngineError, executor
from dedup.jsonl import Corpus
from conftest import ROOT

DATA = ROOT / "tests" / "data"


def records():
    """A site's pages (learned chrome) and 20 pages of near-duplicate clusters."""
    out = []
    for name, count in (("neardup_subset.jsonl.gz", 20), ("seedlike_pinecrest.jsonl.gz", 10)):
        with gzip.open(DATA / name, "rt", encoding="utf-8") as handle:
            rows = [json.loads(line) for line in handle]
        # Every other page: originals and their copies both come along.
        out += rows[::2][:count // 2] + rows[1::2][:count // 2] if count < len(rows) else rows
    return out


def shard_files(tmp_path, rows, count=3):
    """`rows` as `count` plain JSON lines files."""
    size = -(-len(rows) // count)
    paths = []
    for number in range(count):
        path = tmp_path / f"shard-{number}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in rows[number * size:(number + 1) * size]),
                        encoding="utf-8")
        paths.append(str(path))
    return paths


def cleaned(paths, **options):
    out = io.BytesIO()
    with Corpus(paths) as corpus:
        write_corpus(corpus, out, **options)
    return out.getvalue()


def test_process_pool_and_shards_give_the_bytes_of_one_process(tmp_path):
    rows = records()
    whole = tmp_path / "all.jsonl"
    whole.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    expected = CliRunner().invoke(main, ["clean", "--jsonl", str(whole)]).stdout_bytes
    assert expected.count(b"\n") < len(rows)  # near-duplicates were dropped
    paths = shard_files(tmp_path, rows)
    assert cleaned(paths) == expected
    assert cleaned(paths, jobs=2, shard_lines=7) == expected
    assert cleaned([str(whole)], jobs=2, shard_lines=11) == expected


def test_a_two_page_site_loses_its_menu_the_same_way_in_shards(tmp_path):
    from test_corpus import MENU, two_page_site

    paths = shard_files(tmp_path, two_page_site(), count=2)
    expected = cleaned(paths)
    assert not any(line in MENU for record in expected.splitlines()
                   for line in json.loads(record)["text"].split("\n"))
    assert cleaned(paths, jobs=2, shard_lines=1) == expected


def test_keep_longest_and_marked_duplicates_are_the_same_on_two_workers(tmp_path):
    paths = shard_files(tmp_path, records())
    options = {"keep": "longest", "keep_duplicates": True, "explain": True}
    one = cleaned(paths, **options)
    assert b'"duplicate_of"' in one
    assert cleaned(paths, jobs=2, shard_lines=5, **options) == one


def test_duplicates_only_is_the_same_on_two_workers(tmp_path):
    paths = shard_files(tmp_path, records())
    one = cleaned(paths, keep_duplicates=True, duplicates_only=True)
    assert b'"duplicate_of"' in one
    assert cleaned(paths, jobs=2, shard_lines=5, keep_duplicates=True, duplicates_only=True) == one


def test_keep_longest_ties_go_to_the_smallest_id(tmp_path):
    body = "\n".join(f"Sentence {i} of the story tells something new about item {i * 3}." for i in range(30))
    others = [{"id": f"other{k}", "text": f"A different story, number {k}, about birds and their songs."}
              for k in range(5)]
    rows = [others[0], {"id": "a", "text": body}, *others[1:3], {"id": "b", "text": body},
            {"id": "c", "text": body}, *others[3:]]
    paths = shard_files(tmp_path, rows, count=2)
    for jobs in (1, 2):
        out = [json.loads(line) for line in cleaned(paths, keep="longest", jobs=jobs, shard_lines=1).splitlines()]
        assert [r["id"] for r in out] == ["other0", "a", "other1", "other2", "other3", "other4"]


def test_records_in_memory_run_on_worker_processes_too():
    rows = [{"id": r["id"], "text": r["text"]} for r in records()]
    one = [d.record for d in clean_corpus(rows)]
    assert [d.record for d in clean_corpus(rows, jobs=2, shard_lines=9)] == one


def test_a_bad_line_in_a_later_shard_is_named_exactly(tmp_path):
    rows = records()[:12]
    path = tmp_path / "in.jsonl"
    lines = [json.dumps(r) for r in rows]
    lines[9] = "{broken"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["clean", "--jsonl", "--jobs", "2", str(path)])
    assert result.exit_code == 2 and result.stdout_bytes == b""
    assert f"{path}:10: not valid JSON" in result.stderr
    out = io.BytesIO()
    with Corpus([str(path)], skip_bad=True) as corpus:
        write_corpus(corpus, out, jobs=2, shard_lines=4)
        assert [(b.line, b.problem.split(" (")[0]) for b in corpus.skipped] == [(10, "not valid JSON")]


def test_executors_map_and_shuffle_reduce_in_order():
    for jobs in (1, 2):
        with executor("local", jobs) as run:
            offset = run.broadcast(100)
            assert list(run.map(_add, [3, 1, 2], offset)) == [103, 101, 102]
            totals = run.shuffle_reduce(_by_parity, [[1, 2, 3], [4, 5]], _sum_parts, 2, offset)
            assert totals == [(0, [[2], [4]], 100), (1, [[1, 3], [5]], 100)]


def _add(item, offset):
    return item + offset


def _by_parity(items, offset):
    return [[i for i in items if i % 2 == p] for p in range(2)]


def _sum_parts(partition, parts, offset):
    return partition, parts, offset


def test_engine_without_ray_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(EngineError, match=r"pip install 'dedup\[ray\]'"):
        executor("ray", 2)
    result = CliRunner().invoke(main, ["clean", "--jsonl", "--engine", "ray"], input=b"")
    assert result.exit_code == 2
    assert "pip install 'dedup[ray]'" in result.stderr


def test_engine_options_go_with_jsonl():
    result = CliRunner().invoke(main, ["clean", "--jobs", "2"], input=b"text\n")
    assert result.exit_code == 2 and "--jobs goes with --jsonl" in result.stderr
    result = CliRunner().invoke(main, ["clean", "--jsonl", "--ray-address", "auto"], input=b"")
    assert result.exit_code == 2 and "--ray-address goes with --engine ray" in result.stderr


def test_no_engine_imports_the_corpus_code():
    code = ("import sys, dedup.engines, dedup.engines.local, dedup.engines.ray\n"
            "assert not any(m.startswith('dedup.corpus') for m in sys.modules), sorted(sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
