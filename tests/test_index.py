"""A saved index: cleaning against it drops what cleaning everything together drops."""
import gzip
import json

import numpy as np
from click.testing import CliRunner

from dedup.cli import main
from conftest import ROOT

DATA = ROOT / "tests" / "data"


def records():
    with gzip.open(DATA / "neardup_subset.jsonl.gz", "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return str(path)


def run(*args):
    result = CliRunner().invoke(main, list(map(str, args)))
    return result


def kept(output):
    return [json.loads(line) for line in output.splitlines()]


def test_indexed_corpus_then_new_corpus_keeps_what_cleaning_both_together_keeps(tmp_path):
    rows = records()
    # Every other record: each half holds originals and copies of clusters of the other.
    first, second = rows[0::2], rows[1::2]
    a, b = write(tmp_path / "a.jsonl", first), write(tmp_path / "b.jsonl", second)
    both = write(tmp_path / "ab.jsonl", first + second)
    result = run("index", "build", a, "-o", tmp_path / "index")
    assert result.exit_code == 0, result.stderr
    assert f"indexed {len(first)} documents" in result.stderr
    against = run("clean", "--jsonl", "--index", tmp_path / "index", b)
    assert against.exit_code == 0, against.stderr
    together = kept(run("clean", "--jsonl", both).stdout)
    new_ids = {r["id"] for r in second}
    expected = [r for r in together if r["id"] in new_ids]
    assert 0 < len(expected) < len(second)
    assert kept(against.stdout) == expected
    # Marked duplicates name an indexed document where one is in the cluster.
    marked = kept(run("clean", "--jsonl", "--keep-duplicates", "--index", tmp_path / "index", b).stdout)
    old_ids = {r["id"] for r in first}
    assert any(r.get("duplicate_of") in old_ids for r in marked)


def test_index_add_grows_the_index(tmp_path):
    rows = records()
    parts = [rows[k::3] for k in range(3)]
    paths = [write(tmp_path / f"{k}.jsonl", p) for k, p in enumerate(parts)]
    everything = write(tmp_path / "all.jsonl", parts[0] + parts[1] + parts[2])
    assert run("index", "build", paths[0], "-o", tmp_path / "index").exit_code == 0
    result = run("index", "add", tmp_path / "index", paths[1])
    assert result.exit_code == 0, result.stderr
    assert f"holds {len(parts[0]) + len(parts[1])} documents" in result.stderr
    against = kept(run("clean", "--jsonl", "--index", tmp_path / "index", paths[2]).stdout)
    new_ids = {r["id"] for r in parts[2]}
    assert against == [r for r in kept(run("clean", "--jsonl", everything).stdout) if r["id"] in new_ids]


def test_index_is_plain_arrays_and_json(tmp_path):
    path = write(tmp_path / "a.jsonl", records()[:20])
    assert run("index", "build", path, "-o", tmp_path / "index").exit_code == 0
    manifest = json.loads((tmp_path / "index" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format"] == "dedup-index" and manifest["version"] == 1
    files = sorted(p for p in (tmp_path / "index").rglob("*") if p.is_file())
    assert {p.suffix for p in files} == {".npy", ".json"}
    for name in manifest["files"]:
        array = np.load(tmp_path / "index" / name, allow_pickle=False, mmap_mode="r")
        assert array.dtype != object


def test_tampered_foreign_or_newer_index_is_refused(tmp_path):
    path = write(tmp_path / "a.jsonl", records()[:20])
    index = tmp_path / "index"
    assert run("index", "build", path, "-o", index).exit_code == 0
    result = run("index", "build", path, "-o", index)
    assert result.exit_code == 2 and "already exists" in result.stderr

    shingles = next(index.glob("seg-*/shingles.npy"))
    original = shingles.read_bytes()
    shingles.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))
    result = run("clean", "--jsonl", "--index", index, path)
    assert result.exit_code == 2 and "checksum mismatch in seg-" in result.stderr
    assert result.stdout_bytes == b""
    shingles.write_bytes(original)

    manifest_path = index / "manifest.json"
    manifest = manifest_path.read_text(encoding="utf-8")
    manifest_path.write_text(manifest.replace('"documents": 20', '"documents": 21'), encoding="utf-8")
    result = run("clean", "--jsonl", "--index", index, path)
    assert result.exit_code == 2 and "checksum mismatch in manifest.json" in result.stderr
    manifest_path.write_text(manifest.replace('"version": 1', '"version": 99'), encoding="utf-8")
    result = run("index", "add", index, path)
    assert result.exit_code == 2 and "version 99 is not supported" in result.stderr

    result = run("clean", "--jsonl", "--index", tmp_path, path)
    assert result.exit_code == 2 and "not a dedup index" in result.stderr
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "manifest.json").write_text('{"hello": 1}', encoding="utf-8")
    result = run("clean", "--jsonl", "--index", tmp_path / "foreign", path)
    assert result.exit_code == 2 and "not a dedup index" in result.stderr
