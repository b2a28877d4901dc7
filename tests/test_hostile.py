"""Hostile and odd input, faults and untrusted files (issue 7): each case pinned here.

Tests marked `slow` (a 200 MB line, a million lines) are skipped unless pytest runs
with `--run-slow`; `bench/fuzz_limits.py` measures the same cases and the 1 GB corpus.
"""
import errno
import gzip
import json
import os
import random
import re
import resource
import signal
import subprocess
import sys
import time
import tracemalloc

import pytest
from click.testing import CliRunner

import dedup
import dedup.shingle
import dedup.detect
from dedup import io as dedup_io
from dedup.cli import main
from dedup.corpus import learn_chrome
from dedup.corpus.profile import VERSION, _checksum, _fields, dumps as profile_dumps
from dedup.jsonl import Corpus
from conftest import ROOT

STORY = ("Harbour wall repairs begin after the winter storms\n"
         "Harbour wall repairs begin after the winter storms\n"
         "\n"
         "Work crews arrived on Monday to rebuild the harbour wall that the storms broke open.\n"
         "\n"
         "The council expects the repairs to take six weeks.\n")
STORY_CLEAN = STORY.replace("Harbour wall repairs begin after the winter storms\n", "", 1)


def run(args, stdin=b""):
    return CliRunner().invoke(main, args, input=stdin, catch_exceptions=False)


def one_line_error(result, *parts):
    """Exit 2, nothing on stdout, one line on stderr that holds every part."""
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert result.stdout_bytes == b""
    assert result.stderr.startswith("dedup: error: ") and result.stderr.count("\n") == 1, result.stderr
    for part in parts:
        assert part in result.stderr, (part, result.stderr)


def jsonl(records):
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")


def records(stdout):
    return [json.loads(line) for line in stdout.decode("utf-8").splitlines()]


def stories(count, seed=5):
    """Distinct documents that share nothing but their words."""
    rng = random.Random(seed)
    words = ("harbour wall council storm repairs ferry season crews island bridge road school "
             "market river north south weather night morning bakery").split()
    return [{"id": i, "text": "\n\n".join(" ".join(rng.choice(words) for _ in range(18)) + "."
                                          for _ in range(3)) + "\n"} for i in range(count)]


def python(code, *args, **kwargs):
    """Run Python code in a child with this worktree's dedup first on the path."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), **kwargs.pop("env", {}))
    return subprocess.run([sys.executable, "-c", code, *args], env=env, cwd=str(ROOT),
                          capture_output=True, **kwargs)


def dedup_command(*args):
    return f"{sys.executable} -m dedup " + " ".join(args)


# --- regressions the fuzzer found in the cleaner -----------------------------------------

HEADLINE = "Harbour wall repairs begin after the winter storms broke it open in January"


def test_a_line_that_copies_the_title_once_its_site_affix_is_cut_goes_in_the_same_run():
    # Once "Breaking: " is cut from the title, the last line is a copy of it; the
    # first run must see that too, or a second run would change the text again.
    text = (f"Breaking: {HEADLINE}\n{HEADLINE} - The Courier\n\n"
            "The council expects the work to take six weeks.\n\ne " + HEADLINE + "\n")
    result = dedup.clean_and_explain(text)
    assert result.text == f"{HEADLINE}\n\nThe council expects the work to take six weeks.\n"
    assert dedup.clean(result.text) == result.text
    # Every copy points at the title that stays, not at a line removed later.
    assert {text[r.kept_ref[0]:r.kept_ref[1]] for r in result.removals if r.kept_ref} == {HEADLINE}


@pytest.mark.parametrize("order", ["ABC", "ACB", "BAC", "BCA", "CAB", "CBA"])
def test_copies_of_copies_never_remove_every_copy_of_a_sentence(order):
    # A is B with a caption marker, B is C with a lead, C lies inside A: each verdict
    # alone is right, but all three together would lose the sentence.
    c = "The council said the harbour wall would be rebuilt before the summer season begins."
    b = "Harbour news for islanders: " + c
    a = b + " Photo by the town archive"
    lines = {"A": a, "B": b, "C": c}
    text = "Storm week on the island\n\n" + "\n\n".join(lines[k] for k in order) + "\n\nThe end.\n"
    result = dedup.clean_and_explain(text)
    assert any(c in line for line in result.text.splitlines())
    assert dedup.clean(result.text) == result.text


def test_many_marked_copies_of_one_sentence_are_all_found_in_one_run():
    # Each line sees only its `max_candidates` closest lines; when copies among those
    # go, the lines they hid are compared too, as a second run would.
    s = "The harbour wall will be rebuilt before the summer season begins here on the island"
    lines = [s + " Credit: AFP", s + " (photo)", s.replace("The", "Thes", 1), s + " - Site", s + "y",
             s[s.index("wall"):], s.replace("rebuilt", "rebuilts"), s[s.index("will"):], s + " - Site",
             s + " Credit: AFP", s + " Credit: AFP", s[:-7], s[:-7], s + " Credit: AFP", s + " - Site",
             s.replace("will", "wills", 1)]
    once = dedup.clean("Storm week on the island of Mull\n\n" + "\n".join(lines) + "\n")
    assert dedup.clean(once) == once
    assert "- Site" not in once and "Credit: AFP" not in once


# --- encodings, NUL bytes, whitespace, line endings -------------------------------------

def test_invalid_utf8_names_the_byte_offset_and_writes_nothing():
    data = "Caf\u00e9 owners reopened.\n".encode("utf-8") + b"Then \x93quoted\x94 text\n"
    one_line_error(run(["clean"], data), "<stdin>", "not valid utf-8 at byte offset 28",
                   "--encoding")


def test_mixed_encodings_read_as_latin1_keep_every_byte():
    # UTF-8 and cp1252 bytes in one file: latin-1 reads any byte, and what is kept is
    # written back byte for byte.
    title = "Caf\u00e9 owners reopen after the winter storms\n".encode("utf-8")
    body = b"The \x93harbour\x94 caf\xe9s open again on Monday.\n"
    data = title + title + b"\n" + body
    result = run(["clean", "--encoding", "latin-1"], data)
    assert result.exit_code == 0
    assert result.stdout_bytes == title + b"\n" + body


def test_explain_of_a_lone_surrogate_decoded_from_utf7_is_valid_json():
    line = b"Harbour wall +2AA- repairs begin after the storms\n"
    result = run(["clean", "--encoding", "utf-7", "--explain"], line * 2)
    assert result.exit_code == 0, result.stderr
    removal, = json.loads(result.stdout_bytes.decode("utf-8"))["removals"]
    assert removal["text"] == "Harbour wall \ud800 repairs begin after the storms\n"


def test_nul_byte_is_refused_as_binary_naming_its_offset(tmp_path):
    path = tmp_path / "page.txt"
    path.write_bytes(b"A line of text\n\x00\x01binary")
    one_line_error(run(["clean", str(path)]), str(path), "looks binary (NUL byte at offset 15)")


def test_nul_bytes_of_utf16_are_text_and_survive():
    data = STORY.encode("utf-16")
    result = run(["clean", "--encoding", "utf-16"], data)
    assert result.exit_code == 0
    assert result.stdout_bytes == STORY_CLEAN.encode("utf-16")


def test_nul_characters_in_text_from_python_are_kept():
    text = "Line one\x00with a NUL\n\x00\n" + STORY
    assert dedup.clean(text) == "Line one\x00with a NUL\n\x00\n" + STORY_CLEAN


@pytest.mark.parametrize("text", ["", " ", "\n", "\n\n\n", " \t \n\r\n\r  ", "\u3000\u00a0\u2003\n",
                                  "\ufeff", "\ufeff\n \n", "\r\r\r", "\x0b\x0c\x1c\x85\u2028\n"])
def test_only_whitespace_comes_back_unchanged(text):
    assert dedup.clean(text) == text
    result = run(["clean"], text.encode("utf-8"))
    assert (result.exit_code, result.stdout_bytes, result.stderr_bytes) == (0, text.encode("utf-8"), b"")


def test_cr_only_and_mixed_line_endings_keep_each_line_its_own_break():
    title = "Harbour wall repairs begin after the winter storms"
    text = (f"{title}\r{title}\r\n\r\n"
            "Work crews arrived on Monday to rebuild the harbour wall.\n"
            "The council expects the repairs to take six weeks.\r"
            "Read more from The Courier\r\n"
            "Last line without a break")
    expected = (f"{title}\r\r\n"  # the title's own "\r", then the blank line's "\r\n"
                "Work crews arrived on Monday to rebuild the harbour wall.\n"
                "The council expects the repairs to take six weeks.\r"
                "Last line without a break")
    assert dedup.clean(text) == expected
    assert run(["clean"], text.encode("utf-8")).stdout_bytes == expected.encode("utf-8")


# --- scripts: right-to-left, CJK, combining characters ----------------------------------

ARABIC = ("ارتفع منسوب النهر مترين خلال الليل وغمر المدينة السفلى بالكامل، "
          "وأغلقت المتاجر أبوابها طوال اليوم وطلب رئيس البلدية من السكان البقاء في منازلهم.")
HEBREW = "צוותי החילוץ עבדו כל הלילה כדי להגיע לכפרים במעלה הנהר, שם הכבישים נסחפו."


def test_right_to_left_text_repeats_go_and_everything_else_stays_byte_for_byte():
    title = "فيضان في المدينة السفلى اليوم"
    text = (f"{title}\n{title}\n\n{ARABIC}\n\n\u200f{HEBREW}\u200e\n\n"
            f"\u202b{HEBREW[:30]}\u202c\n\n{ARABIC}\n")
    assert dedup.clean(text) == f"{title}\n\n{ARABIC}\n\n\u200f{HEBREW}\u200e\n\n\u202b{HEBREW[:30]}\u202c\n"


CHINESE_A = "今年夏天，河水上涨了两米，淹没了下城区，商店全天关闭，居民被要求留在家中。"
CHINESE_B = "救援队连夜工作，赶往上游的村庄，那里的道路已经被冲毁，电力也中断了。"


def test_two_different_chinese_paragraphs_both_stay_and_an_exact_repeat_goes():
    text = f"洪水新闻\n\n{CHINESE_A}\n\n{CHINESE_B}\n\n{CHINESE_A}\n"
    result = dedup.clean_and_explain(text)
    assert result.text == f"洪水新闻\n\n{CHINESE_A}\n\n{CHINESE_B}\n"
    assert [r.reason for r in result.removals if r.reason != "blank"] == ["repeated_block"]


@pytest.mark.parametrize("lines", [
    # Chinese, Japanese and Thai lines with no word a Latin tokenizer would see; they
    # share characters but are different text, so none is a copy.
    ["河水上涨了两米，淹没了下城区。", "河水上涨了三米，淹没了上城区。", "商店全天关闭，居民留在家中。",
     "救援队连夜工作，赶往上游的村庄。", "道路已经被冲毁，电力也中断了。"],
    ["きょうは雨がたくさん降りました。", "あしたは雪がたくさん降るでしょう。", "カタカナのテキストもあります。"],
    ["น้ำท่วมเมืองล่างเมื่อคืนนี้", "ร้านค้าปิดทั้งวันในวันจันทร์", "ทีมกู้ภัยทำงานตลอดทั้งคืน"],
])
def test_text_without_spaces_is_compared_by_character_never_as_empty(lines):
    text = "\n".join(lines) + "\n"
    assert dedup.clean(text) == text
    assert dedup.clean(text + lines[-1] * 3 + "\n") == text + lines[-1] * 3 + "\n"


def test_composed_and_decomposed_accents_are_the_same_text_and_kept_as_written():
    decomposed = "Cafe\u0301 owners reopened their shops on the harbour front after the storm passed."
    composed = "Caf\u00e9 owners reopened their shops on the harbour front after the storm passed."
    text = f"Storm news of the week here\n\nA first paragraph that stands on its own here.\n\n{decomposed}\n\n{composed}\n"
    cleaned = dedup.clean(text)
    assert cleaned == f"Storm news of the week here\n\nA first paragraph that stands on its own here.\n\n{decomposed}\n"


def test_a_pile_of_combining_marks_is_fast_and_kept():
    zalgo = "".join(c + "\u0351\u0352\u0353\u0354\u0355\u0356\u0357\u0358" * 20 for c in "harbour wall ") * 20
    text = f"{zalgo}\n\n{zalgo[::-1]}\n"
    started = time.monotonic()
    assert dedup.clean(text) == text
    assert time.monotonic() - started < 5


# --- size: a huge line, very many lines -------------------------------------------------

def test_a_line_longer_than_max_line_chars_is_kept_and_never_tokenized(monkeypatch):
    real = dedup.shingle.tokens
    seen = []

    def tokens(text, *args, **kwargs):
        seen.append(len(text))
        return real(text, *args, **kwargs)

    monkeypatch.setattr(dedup.shingle, "tokens", tokens)
    huge = "word " * 2_000_000  # 10 MB on one line, twice
    text = f"Title of the page\n{huge}\n{huge}\nThe end.\n"
    assert dedup.clean(text) == text
    assert max(seen) < dedup.Config().max_line_chars
    # Below the limit, the same two lines are an exact repeat.
    short = "word " * 1000
    assert dedup.clean(f"Title of the page\n{short}\n{short}\n") == f"Title of the page\n{short}\n"
    assert dedup.clean(f"Title of the page\n{short}\n{short}\n", max_line_chars=1000) == \
        f"Title of the page\n{short}\n{short}\n"


def test_200k_one_character_lines_are_cleaned_in_seconds():
    rng = random.Random(2)
    text = "".join(rng.choice("abcdefghij") + "\n" for _ in range(200_000))
    started = time.monotonic()
    assert dedup.clean(text) == text  # short repeats (refrains, list items) stay
    assert time.monotonic() - started < 20  # about 3 s on a quiet machine


def _measured(code, *args):
    """Run code in a child; return (seconds, peak RSS in MB, completed process)."""
    started = time.monotonic()
    wrapped = code + "\nimport resource, sys\nprint(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
    result = python(wrapped, *args)
    seconds = time.monotonic() - started
    peak = int(result.stderr.decode().strip().splitlines()[-1]) / 1024
    return seconds, peak, result


@pytest.mark.slow
def test_200_mb_single_line_in_bounded_time_and_memory(tmp_path):
    path = tmp_path / "line.txt"
    with open(path, "wb") as handle:
        chunk = b"harbour wall council storm repairs ferry season crews island bridge " * 1000
        for _ in range(200 * 2**20 // len(chunk)):
            handle.write(chunk)
        handle.write(b"\n")
    size = path.stat().st_size
    code = ("import sys\nfrom dedup.cli import main\nsys.stdout = open(sys.argv[2], 'w')\n"
            "try:\n    main(['clean', sys.argv[1]], prog_name='dedup')\nexcept SystemExit as e:\n"
            "    assert not e.code, e.code\n")
    out = tmp_path / "out.txt"
    seconds, peak, result = _measured(code, str(path), str(out))
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size == size
    assert seconds < 120, seconds
    assert peak < 5 * size / 2**20, peak  # input bytes, text, output: a few copies


@pytest.mark.slow
def test_a_million_one_character_lines_in_bounded_time():
    code = ("import random, dedup\nrng = random.Random(2)\n"
            "text = ''.join(rng.choice('abcdefghij') + '\\n' for _ in range(1_000_000))\n"
            "assert dedup.clean(text) == text\n")
    seconds, peak, result = _measured(code)
    assert result.returncode == 0, result.stderr
    assert seconds < 90 and peak < 1500, (seconds, peak)


# --- JSON lines: bad records ------------------------------------------------------------

@pytest.mark.parametrize("record, problem", [
    ({"id": 2, "body": "no text field"}, "no string field 'text'"),
    ({"id": 2, "text": 5}, "no string field 'text'"),
    ({"id": 2, "text": None}, "no string field 'text'"),
    ({"id": 2, "text": ["a", "list"]}, "no string field 'text'"),
    ({"id": 2, "text": {"an": "object"}}, "no string field 'text'"),
    ([1, 2, 3], "not a JSON object"),
    ("just a string", "not a JSON object"),
])
def test_a_record_without_a_string_text_names_its_line_or_is_skipped_and_counted(record, problem):
    good = stories(2)
    data = jsonl([good[0], record, good[1]])
    one_line_error(run(["clean", "--jsonl"], data), f"<stdin>:2: {problem}", "--skip-bad")
    result = run(["clean", "--jsonl", "--skip-bad"], data)
    assert result.exit_code == 0
    assert [r["id"] for r in records(result.stdout_bytes)] == [0, 1]
    assert f"skipped 1 bad lines (first: <stdin>:2: {problem})" in result.stderr


@pytest.mark.parametrize("line, problem", [
    (b"{broken", "not valid JSON"),
    (b'{"id": 2, "text": "unterminated', "not valid JSON"),
    (b"[" * 5000, "not valid JSON (nested too deeply)"),
    (b'{"id": 2, "text": "raw \x00 NUL"}', "not valid JSON"),
    (b'{"id": 2, "text": "caf\xe9"}', "not valid UTF-8 at byte 22 of the line"),
], ids=["broken", "unterminated", "nested", "raw NUL", "latin-1"])
def test_a_broken_line_far_into_a_file_is_named_by_its_own_number(tmp_path, line, problem):
    # The reader used to decode in 8 KB chunks, so invalid UTF-8 was blamed on the
    # first line of the chunk, and --skip-bad dropped every line after it.
    good = stories(300)
    lines = jsonl(good).splitlines(keepends=True)
    path = tmp_path / "pages.jsonl"
    path.write_bytes(b"".join(lines[:250]) + line + b"\n" + b"".join(lines[250:]))
    one_line_error(run(["clean", "--jsonl", str(path)]), f"{path}:251: {problem}")
    result = run(["clean", "--jsonl", "--skip-bad", str(path)])
    assert result.exit_code == 0
    assert [r["id"] for r in records(result.stdout_bytes)] == list(range(300))
    assert f"skipped 1 bad lines (first: {path}:251: {problem}" in result.stderr


def test_a_huge_record_is_a_bad_line_named_by_number_or_skipped(tmp_path):
    good = stories(3)
    huge = {"id": "huge", "text": "word " * 1000}
    data = jsonl([good[0], huge, good[1], good[2]])
    one_line_error(run(["clean", "--jsonl", "--max-record-bytes", "1000"], data),
                   "<stdin>:2: longer than 1,000 bytes (raise --max-record-bytes to read it)")
    result = run(["clean", "--jsonl", "--max-record-bytes", "1000", "--skip-bad"], data)
    assert result.exit_code == 0
    assert [r["id"] for r in records(result.stdout_bytes)] == [0, 1, 2]
    assert "skipped 1 bad lines (first: <stdin>:2: longer than 1,000 bytes" in result.stderr
    # The default limit reads it.
    assert len(records(run(["clean", "--jsonl"], data).stdout_bytes)) == 4


def test_a_huge_record_is_skipped_without_being_held_in_memory(tmp_path):
    path = tmp_path / "pages.jsonl"
    with open(path, "wb") as handle:
        handle.write(jsonl(stories(1)))
        handle.write(b'{"id": "huge", "text": "' + b"word " * 4_000_000 + b'"}\n')  # 20 MB
        handle.write(jsonl(stories(2)[1:]))
    tracemalloc.start()
    try:
        with Corpus([str(path)], skip_bad=True, max_record_bytes=1 << 20) as corpus:
            assert [r["id"] for r in corpus] == [0, 1]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20, peak
    assert corpus.skipped[0][1:] == (2, "longer than 1,048,576 bytes (raise --max-record-bytes to read it)")


def test_a_lone_surrogate_escape_is_written_escaped_as_valid_utf8():
    data = b'{"id": 1, "text": "broken pair \\ud800 here and \\udc00 there"}\n'
    result = run(["clean", "--jsonl"], data)
    assert result.exit_code == 0, result.stderr
    result.stdout_bytes.decode("utf-8")  # strict: valid UTF-8
    assert b"\\ud800" in result.stdout_bytes
    assert records(result.stdout_bytes) == [json.loads(data)]


def test_a_byte_order_mark_and_crlf_line_ends_are_read():
    data = b"\xef\xbb\xbf" + jsonl(stories(3)).replace(b"\n", b"\r\n")
    result = run(["clean", "--jsonl"], data)
    assert result.exit_code == 0, result.stderr
    assert [r["id"] for r in records(result.stdout_bytes)] == [0, 1, 2]


@pytest.mark.parametrize("damage", ["truncated", "garbage", "trailing garbage"])
def test_a_damaged_gzip_file_is_a_clear_error(tmp_path, damage):
    packed = gzip.compress(jsonl(stories(200)))
    data = {"truncated": packed[:len(packed) // 2], "garbage": b"\x1f\x8b" + b"\x00junk" * 10,
            "trailing garbage": packed + b"not gzip"}[damage]
    path = tmp_path / "pages.jsonl.gz"
    path.write_bytes(data)
    for extra in ([], ["--skip-bad"]):
        one_line_error(run(["clean", "--jsonl", *extra, str(path)]), f"{path}: cannot read it (",
                       "the file is damaged")


def test_learn_reports_a_bad_line_in_one_line_and_exit_2(tmp_path):
    path = tmp_path / "pages.jsonl"
    path.write_bytes(jsonl(stories(2)) + b"{broken\n")
    profile = tmp_path / "profile.json"
    one_line_error(run(["learn", str(path), "-o", str(profile)]), f"{path}:3: not valid JSON")
    assert not profile.exists()


# --- bounded resources: user rules ------------------------------------------------------

@pytest.mark.parametrize("mode", [[], ["--jsonl"], ["--in-place"], ["--check"]])
def test_a_catastrophic_user_rule_is_stopped_by_its_timeout_with_one_line(tmp_path, mode):
    rules = tmp_path / "rules.txt"
    rules.write_text("# backtracks without end on a line of a's\n^(a|a)*$\n", encoding="utf-8")
    line = "a" * 40 + "b"
    path = tmp_path / ("pages.jsonl" if mode == ["--jsonl"] else "page.txt")
    path.write_bytes(jsonl([{"id": 1, "text": line}]) if mode == ["--jsonl"] else (line + "\n").encode())
    before = path.read_bytes()
    started = time.monotonic()
    result = run(["clean", *mode, "--rules", str(rules), "--rule-timeout", "0.1", str(path)])
    assert time.monotonic() - started < 10
    one_line_error(result, f"{rules}:2: the pattern '^(a|a)*$' ran longer than 0.1 s on one line")
    assert "internal error" not in result.stderr
    assert path.read_bytes() == before


# --- faults: signals, full disk, closed stdout ------------------------------------------

def temp_files(folder):
    return sorted(p.name for p in folder.iterdir() if "dedup-tmp" in p.name or "dedup-stdin" in p.name)


def _corpus_process(source, output, prelude="", stdin=None, env=None):
    # A shell that starts jobs in the background has them ignore SIGINT, and Python keeps
    # that; give the child Ctrl-C back, as a terminal would.
    code = ("import signal\nsignal.signal(signal.SIGINT, signal.default_int_handler)\n"
            + prelude + "from dedup.cli import main\n"
            f"main(['clean', '--jsonl', {str(source)!r}, '-o', {str(output)!r}], prog_name='dedup')\n")
    return subprocess.Popen([sys.executable, "-c", code], cwd=str(ROOT), stdin=stdin,
                            env=dict(os.environ, PYTHONPATH=str(ROOT), **(env or {})),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_while_the_output_file_is_written_leaves_the_old_file_and_no_temp_file(
        tmp_path, signum, code):
    source = tmp_path / "pages.jsonl"
    source.write_bytes(jsonl(stories(50)))
    output = tmp_path / "clean.jsonl"
    output.write_bytes(b"the old output\n")
    # A slow disk: the kill lands after the new content is written, before the rename.
    process = _corpus_process(source, output, "import os, time\nos.fsync = lambda fd: time.sleep(60)\n")
    deadline = time.monotonic() + 60
    while not temp_files(tmp_path) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.01)
    assert temp_files(tmp_path), "the temporary file never appeared"
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == code
    assert stderr == b"dedup: error: interrupted; files not yet written are unchanged\n"
    assert output.read_bytes() == b"the old output\n"
    assert temp_files(tmp_path) == []


def test_sigterm_removes_the_spooled_copy_of_stdin(tmp_path):
    source = tmp_path / "pages.jsonl"
    source.write_bytes(jsonl(stories(3000)))
    spool = tmp_path / "spool"
    spool.mkdir()
    with open(source, "rb") as stdin:
        process = _corpus_process("-", tmp_path / "clean.jsonl", stdin=stdin, env={"TMPDIR": str(spool)})
        deadline = time.monotonic() + 60
        while not temp_files(spool) and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.01)
        assert temp_files(spool), "stdin was never spooled"
        time.sleep(0.3)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 143, stderr
    assert temp_files(spool) == [] and temp_files(tmp_path) == []
    assert not (tmp_path / "clean.jsonl").exists()


def test_kills_at_random_moments_leave_the_old_output_or_the_new_one(tmp_path):
    source = tmp_path / "pages.jsonl"
    source.write_bytes(jsonl(stories(400)))
    output = tmp_path / "clean.jsonl"
    old = b"the old output\n"
    output.write_bytes(old)
    started = time.monotonic()
    process = _corpus_process(source, output)
    process.communicate(timeout=120)
    duration = time.monotonic() - started
    assert process.returncode == 0
    new = output.read_bytes()
    # A signal that comes while Python is still importing dedup kills it outright: the
    # moments are taken after the imports (timed once), within the run.
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", "from dedup.cli import main"], cwd=str(ROOT), check=True,
                   env=dict(os.environ, PYTHONPATH=str(ROOT)))
    startup = time.monotonic() - started
    rng = random.Random(11)
    for attempt in range(6):
        signum = (signal.SIGTERM, signal.SIGKILL, signal.SIGINT)[attempt % 3]
        output.write_bytes(old)
        process = _corpus_process(source, output)
        time.sleep(startup + max(duration - startup, 0.0) * rng.uniform(0.5, 1.1))
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=120)
        assert output.read_bytes() in (old, new), f"mixed output after signal {signum}"
        if signum != signal.SIGKILL and process.returncode != -signum:
            # (-signum: the signal came before dedup set its handler, or after it was
            # done, while Python started or shut down; the output is old or new anyway.)
            assert process.returncode in (0, 130, 143), (process.returncode, stderr)
            assert temp_files(tmp_path) == []
        for name in temp_files(tmp_path):  # left by SIGKILL, which no process can catch
            (tmp_path / name).unlink()


def test_a_full_disk_under_the_output_file_is_a_clear_error_and_keeps_the_old_file(tmp_path, monkeypatch):
    output = tmp_path / "clean.jsonl"
    output.write_bytes(b"the old output\n")

    def no_space(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(dedup_io.os, "fsync", no_space)
    result = run(["clean", "--jsonl", "-o", str(output)], jsonl(stories(3)))
    one_line_error(result, f"{output}: cannot write it (No space left on device)")
    assert output.read_bytes() == b"the old output\n"
    assert temp_files(tmp_path) == []


_SMALL_DISK = ("import resource, signal\nsignal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
               "resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000))\n")


@pytest.mark.parametrize("mode", ["-o", "--in-place"])
def test_a_real_write_failure_past_a_file_size_limit_loses_nothing(tmp_path, mode):
    # RLIMIT_FSIZE makes the write itself fail (EFBIG) half-way, like a full disk. In
    # corpus mode the first file to outgrow it is a sketch in the work folder, and the
    # error says so (the output's own write failure is the fsync test above).
    work = tmp_path / "work"
    work.mkdir()
    if mode == "-o":
        source = tmp_path / "pages.jsonl"
        source.write_bytes(jsonl(stories(200)))  # cleaned, about 60 KB
        target = tmp_path / "clean.jsonl"
        target.write_bytes(b"the old output\n")
        args = ["--jsonl", str(source), "-o", str(target), "--work-dir", str(work)]
        problem = re.escape(f"{work}/") + r"dedup-work-\w+: cannot write the work folder .*; free space there"
    else:
        target = tmp_path / "story.txt"
        target.write_bytes((STORY * 1 + "".join(f"Paragraph {i} of the story goes on here.\n"
                                                for i in range(1500))).encode())
        args = ["--in-place", str(target)]
        problem = re.escape(f"{target}: cannot write it (File too large)")
    before = target.read_bytes()
    code = _SMALL_DISK + "import sys\nfrom dedup.cli import main\nmain(['clean', *sys.argv[1:]], prog_name='dedup')\n"
    result = python(code, *args)
    assert result.returncode == 2, result.stderr
    assert re.fullmatch("dedup: error: " + problem + ".*\n", result.stderr.decode()), result.stderr
    assert target.read_bytes() == before
    assert temp_files(tmp_path) == [] and list(work.iterdir()) == []


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("mode", ["text", "jsonl"])
def test_a_full_disk_behind_stdout_is_a_clear_error(tmp_path, mode):
    source = tmp_path / ("pages.jsonl" if mode == "jsonl" else "page.txt")
    source.write_bytes(jsonl(stories(100)) if mode == "jsonl" else STORY.encode() * 200)
    command = dedup_command("clean", "--jsonl" if mode == "jsonl" else "", str(source)) + " > /dev/full"
    result = subprocess.run(["bash", "-c", command], capture_output=True, cwd=str(ROOT),
                            env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert result.returncode == 2
    assert result.stderr == b"dedup: error: <stdout>: cannot write it (No space left on device)\n"


@pytest.mark.parametrize("mode", ["text", "jsonl"])
def test_a_closed_stdout_ends_quietly(tmp_path, mode):
    source = tmp_path / ("pages.jsonl" if mode == "jsonl" else "page.txt")
    if mode == "jsonl":
        source.write_bytes(jsonl(stories(3000)))
    else:
        source.write_bytes(b"".join(b"Line %d of a long text that goes on.\n" % i for i in range(20_000)))
    command = dedup_command("clean", "--jsonl" if mode == "jsonl" else "", str(source)) + " | head -1"
    result = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True,
                            cwd=str(ROOT), env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert result.stdout.count(b"\n") == 1
    assert result.stderr == b""
    assert result.returncode == 0


# --- trust: profiles --------------------------------------------------------------------

def _profile_text():
    chrome = learn_chrome([{"text": "Nav line of the site\nSite title suffix here\nBody one\n"}] * 4)
    return profile_dumps(chrome)


def _resigned(change):
    """A profile with a field changed and its checksum recomputed, as a forger would."""
    document = json.loads(_profile_text())
    change(document)
    document["sha256"] = _checksum(_fields(document))
    return json.dumps(document)


@pytest.mark.parametrize("content, message", [
    (lambda: _profile_text().replace('"documents": 4', '"documents": 5'), "checksum mismatch"),
    (lambda: _profile_text()[:len(_profile_text()) // 2], "not a dedup profile (not JSON"),
    (lambda: "", "not a dedup profile (not JSON"),
    (lambda: "[" * 100_000, "not a dedup profile (not JSON"),
    (lambda: '["a", "list"]', "not a dedup profile"),
    (lambda: '{"format": "something-else", "version": 1}', "not a dedup profile"),
    (lambda: jsonl(stories(2)).decode(), "not a dedup profile (not JSON"),
    (lambda: _profile_text().replace(f'"version": {VERSION}', '"version": 99'), "profile version 99 is not supported"),
    (lambda: _resigned(lambda d: d.update(documents="four")), 'malformed profile ("documents" must be a count)'),
    (lambda: _resigned(lambda d: d.update(documents=True)), 'malformed profile ("documents" must be a count)'),
    (lambda: _resigned(lambda d: d.update(chrome_lines="abc")), '"chrome_lines" must be a list of 16-digit hex hashes'),
    (lambda: _resigned(lambda d: d.update(chrome_lines=[123])), '"chrome_lines" must be a list of 16-digit hex hashes'),
    (lambda: _resigned(lambda d: d.update(titles={"a": 1})), '"titles" must be a list of 16-digit hex hashes'),
    (lambda: _resigned(lambda d: d.update(suffixes="abc")), '"suffixes" must be a list of lists of tokens'),
    (lambda: _resigned(lambda d: d.update(prefixes=[[1, 2]])), '"prefixes" must be a list of lists of tokens'),
    (lambda: _resigned(lambda d: d.update(prefixes=None)), '"prefixes" must be a list of lists of tokens'),
], ids=["tampered", "truncated", "empty", "nested", "list", "foreign format", "a corpus",
        "version", "documents str", "documents bool", "lines str", "lines int", "titles dict",
        "suffixes str", "prefixes ints", "prefixes null"])
def test_a_profile_that_is_not_what_dedup_wrote_is_refused_in_one_line(tmp_path, content, message):
    path = tmp_path / "profile.json"
    path.write_text(content(), encoding="utf-8")
    one_line_error(run(["clean", "--profile", str(path)], STORY.encode()), str(path), message)


def test_a_binary_or_missing_profile_is_refused_in_one_line(tmp_path):
    binary = tmp_path / "profile.bin"
    binary.write_bytes(b"\x80\x81\xff" * 10)
    one_line_error(run(["clean", "--profile", str(binary)], STORY.encode()), str(binary),
                   "cannot read the profile")
    one_line_error(run(["clean", "--profile", str(tmp_path / "missing.json")], STORY.encode()),
                   "missing.json", "cannot read the profile")


def test_a_genuine_profile_still_loads():
    path_text = _profile_text()
    from dedup.corpus.profile import loads
    assert loads(path_text).documents == 4


# --- trust: indexes ---------------------------------------------------------------------

class _Planted:
    """Unpickling this object would create the file it names: the code an index must
    never run."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def _re_signed_index_with_a_pickle(tmp_path):
    """An index whose every array a forger replaced with a pickled object, every checksum
    recomputed; (index, its source, the file unpickling would create)."""
    import numpy as np
    from dedup.corpus.index import _checksum as index_checksum, _file_sha256

    source = tmp_path / "pages.jsonl"
    source.write_bytes(jsonl(stories(20)))
    index = tmp_path / "index"
    assert run(["index", "build", str(source), "-o", str(index)]).exit_code == 0
    manifest_path = index / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    planted = tmp_path / "planted"
    for name in manifest["files"]:
        np.save(index / name, np.array([_Planted(str(planted))], dtype=object), allow_pickle=True)
        manifest["files"][name] = _file_sha256(str(index / name))
    body = {k: v for k, v in manifest.items() if k != "sha256"}
    manifest_path.write_text(json.dumps(dict(body, sha256=index_checksum(body))), encoding="utf-8")
    return index, source, planted


INDEX_USES = [["clean", "--jsonl", "--index", "{index}", "{source}"], ["index", "add", "{index}", "{source}"]]


@pytest.mark.parametrize("args", INDEX_USES, ids=["clean", "index add"])
def test_a_re_signed_index_holding_a_pickle_never_runs_it(tmp_path, args):
    # Past the checksums, the arrays are still read with allow_pickle=False.
    index, source, planted = _re_signed_index_with_a_pickle(tmp_path)
    result = run([a.format(index=index, source=source) for a in args])
    assert result.exit_code == 2 and result.stdout_bytes == b""
    assert not planted.exists()


@pytest.mark.parametrize("args", INDEX_USES, ids=["clean", "index add"])
def test_a_re_signed_index_holding_a_pickle_is_refused_in_one_line_naming_it(tmp_path, args):
    index, source, planted = _re_signed_index_with_a_pickle(tmp_path)
    result = run([a.format(index=index, source=source) for a in args])
    one_line_error(result, f"{index}: ")
    assert "internal error" not in result.stderr
