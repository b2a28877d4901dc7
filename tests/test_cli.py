"""The `dedup clean` command as a pipe filter: exit codes, stdout and stderr apart."""
import json
import subprocess
import sys

from click.testing import CliRunner

from dedup.cli import main
from conftest import SAMPLES

SEED = (SAMPLES / "coronation.txt").read_bytes()
EXPECTED = (SAMPLES / "coronation.expected.txt").read_bytes()


def run(args, stdin=b""):
    return CliRunner().invoke(main, args, input=stdin, catch_exceptions=False)


def test_stdin_to_stdout():
    result = run(["clean"], SEED)
    assert result.exit_code == 0
    assert result.stdout_bytes == EXPECTED
    assert result.stderr_bytes == b""


def test_dash_means_stdin_and_file_argument_works():
    assert run(["clean", "-"], SEED).stdout_bytes == EXPECTED
    assert run(["clean", str(SAMPLES / "coronation.txt")]).stdout_bytes == EXPECTED


def test_explain_writes_replayable_json():
    result = run(["clean", "--explain"], SEED)
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    text = SEED.decode("utf-8")
    reasons = {row["reason"] for row in report["removals"]}
    assert {"title_repeat", "caption_copy", "link_line", "teaser"} <= reasons
    caption = next(row for row in report["removals"] if row["reason"] == "caption_copy")
    assert "(file photo)" in caption["text"]
    assert "China's military" in caption["duplicates"]["text"]
    assert 0.8 < caption["similarity"] <= 1
    kept, position = [], 0
    for row in sorted(report["removals"], key=lambda r: r["start"]):
        assert text[row["start"]:row["end"]] == row["text"]
        kept.append(text[position:row["start"]])
        position = row["end"]
    kept.append(text[position:])
    assert "".join(kept).encode("utf-8") == EXPECTED


def test_invalid_utf8_is_refused_with_offset_and_exit_2():
    result = run(["clean"], b"Good line\nbad \xff byte\n")
    assert result.exit_code == 2
    assert result.stdout_bytes == b""
    message = result.stderr.strip()
    assert "\n" not in message
    assert "<stdin>" in message and "offset 14" in message and "--encoding" in message


def test_encoding_option_reads_latin1():
    result = run(["clean", "--encoding", "latin-1"], "Caf\xe9 line\n".encode("latin-1"))
    assert result.exit_code == 0
    assert result.stdout_bytes == "Caf\xe9 line\n".encode("latin-1")


def test_binary_input_is_refused(tmp_path):
    path = tmp_path / "image.bin"
    path.write_bytes(b"PNG\x00\x01\x02")
    result = run(["clean", str(path)])
    assert result.exit_code == 2
    assert "image.bin" in result.stderr and "binary" in result.stderr


def test_missing_file_is_a_clear_error_and_nothing_is_written(tmp_path):
    good = tmp_path / "good.txt"
    good.write_bytes(SEED)
    result = run(["clean", str(good), str(tmp_path / "missing.txt")])
    assert result.exit_code == 2
    assert result.stdout_bytes == b""
    assert "missing.txt" in result.stderr


def test_empty_input_gives_empty_output():
    result = run(["clean"], b"")
    assert result.exit_code == 0 and result.stdout_bytes == b""


def test_crlf_and_bom_survive_the_command():
    data = "\ufeffHeadline of the day\r\nHeadline of the day\r\n\r\nBody text.\r\n".encode("utf-8")
    result = run(["clean"], data)
    assert result.stdout_bytes == "\ufeffHeadline of the day\r\n\r\nBody text.\r\n".encode("utf-8")


def test_bad_rules_file_exits_2(tmp_path):
    rules = tmp_path / "rules.txt"
    rules.write_text("(unclosed\n", encoding="utf-8")
    result = run(["clean", "--rules", str(rules)], SEED)
    assert result.exit_code == 2 and "rules.txt:1" in result.stderr


def test_closed_pipe_ends_quietly(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"".join(b"Line number %d of a long text that goes on.\n" % i
                             for i in range(200_000)))
    command = f"{sys.executable} -m dedup clean {big} | head -1"
    result = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True)
    assert result.stdout == b"Line number 0 of a long text that goes on.\n"
    assert result.stderr == b""
    assert result.returncode == 0


def test_python_m_dedup_and_version():
    result = subprocess.run([sys.executable, "-m", "dedup", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and "dedup" in result.stdout
