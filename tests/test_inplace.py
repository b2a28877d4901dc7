"""`dedup clean --check / --diff / --in-place`: exit codes, files keep their form, atomic writes."""
import os
import random
import signal
import stat
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

import dedup
from dedup import io as dedup_io
from dedup.cli import main
from dedup.io import OutputError, Terminated, sigterm_raises, write_atomic
from conftest import ROOT, SAMPLES

SEED = (SAMPLES / "coronation.txt").read_bytes()
EXPECTED = (SAMPLES / "coronation.expected.txt").read_bytes()
STORY = ("Harbour wall repairs begin after the winter storms\n"
         "Harbour wall repairs begin after the winter storms\n"
         "\n"
         "Work crews arrived on Monday to rebuild the harbour wall that the storms broke open.\n"
         "\n"
         "Work crews arrived on Monday to rebuild the harbour wall that the storms broke open "
         "(file photo)\n"
         "\n"
         "The council expects the repairs to take six weeks.\n"
         "\n"
         "Up next: Ferry timetable changes for the spring season\n")
STORY_CLEAN = ("Harbour wall repairs begin after the winter storms\n"
               "\n"
               "Work crews arrived on Monday to rebuild the harbour wall that the storms broke open.\n"
               "\n"
               "The council expects the repairs to take six weeks.\n")
CLEAN = "A note that has nothing to remove\n\nJust one paragraph of text.\n"


def run(args, stdin=b""):
    return CliRunner().invoke(main, ["clean", *args], input=stdin, catch_exceptions=False)


def write(path, data):
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def temp_files(folder):
    return sorted(p.name for p in folder.iterdir() if "dedup-tmp" in p.name)


def snapshot(path):
    info = path.stat()
    return path.read_bytes(), info.st_mtime_ns, info.st_ino, stat.S_IMODE(info.st_mode)


def test_stories_clean_as_expected():
    assert dedup.clean(STORY) == STORY_CLEAN
    assert dedup.clean(CLEAN) == CLEAN


# --- exit codes -------------------------------------------------------------------------

def test_check_lists_files_that_would_change_on_stderr_exits_1_and_writes_nothing(tmp_path):
    story, note = write(tmp_path / "story.md", STORY), write(tmp_path / "note.md", CLEAN)
    before = snapshot(story), snapshot(note)
    result = run(["--check", str(story), str(note)])
    assert result.exit_code == 1
    assert result.stdout_bytes == b""
    assert result.stderr == f"would clean {story} (3 removals)\n"
    assert (snapshot(story), snapshot(note)) == before


def test_check_of_clean_files_exits_0_silently(tmp_path):
    note = write(tmp_path / "note.md", CLEAN)
    result = run(["--check", str(note)])
    assert (result.exit_code, result.stdout_bytes, result.stderr_bytes) == (0, b"", b"")


def test_check_reads_stdin():
    result = run(["--check"], STORY.encode())
    assert result.exit_code == 1 and result.stderr == "would clean <stdin> (3 removals)\n"
    assert run(["--check", "-"], CLEAN.encode()).exit_code == 0


def test_diff_is_a_unified_diff_with_a_and_b_headers_and_exits_1(tmp_path):
    story, note = write(tmp_path / "story.md", STORY), write(tmp_path / "note.md", CLEAN)
    before = snapshot(story)
    result = run(["--diff", str(note), str(story)])
    assert result.exit_code == 1
    assert result.stderr_bytes == b""
    lines = result.stdout.splitlines(keepends=True)
    assert lines[:2] == [f"--- a/{story}\n", f"+++ b/{story}\n"]
    assert lines[2].startswith("@@ -1,10 +1,5 @@")
    removed = "".join(line[1:] for line in lines[3:] if line.startswith("-"))
    assert "(file photo)" in removed and "Up next:" in removed
    assert not any(line.startswith("+") for line in lines[2:])
    # The diff replays: the kept and removed lines rebuild both sides.
    old = "".join(line[1:] for line in lines[3:] if line[0] in " -")
    new = "".join(line[1:] for line in lines[3:] if line[0] in " +")
    assert (old, new) == (STORY, STORY_CLEAN)
    assert snapshot(story) == before


def test_diff_marks_a_last_line_without_newline(tmp_path):
    story = write(tmp_path / "story.txt", STORY.rstrip("\n"))
    result = run(["--diff", str(story)])
    assert result.exit_code == 1
    assert result.stdout.endswith("-Up next: Ferry timetable changes for the spring season\n"
                                  "\\ No newline at end of file\n"
                                  "+The council expects the repairs to take six weeks.\n"
                                  "\\ No newline at end of file\n")


def test_diff_of_clean_files_is_empty_and_exits_0(tmp_path):
    note = write(tmp_path / "note.md", CLEAN)
    result = run(["--diff", str(note)])
    assert (result.exit_code, result.stdout_bytes, result.stderr_bytes) == (0, b"", b"")


def test_in_place_rewrites_changed_files_reports_them_and_exits_1(tmp_path):
    story, note = write(tmp_path / "story.md", STORY), write(tmp_path / "note.md", CLEAN)
    result = run(["--in-place", str(story), str(note)])
    assert result.exit_code == 1
    assert result.stdout_bytes == b""
    assert result.stderr == f"cleaned {story} (3 removals)\n"
    assert story.read_text() == STORY_CLEAN
    assert note.read_text() == CLEAN
    # The output is a fixed point: a second run has nothing to do.
    again = run(["-i", str(story), str(note)])
    assert (again.exit_code, again.stderr_bytes) == (0, b"")
    assert temp_files(tmp_path) == []


def test_in_place_matches_the_stdout_mode_on_the_seed(tmp_path):
    seed = write(tmp_path / "coronation.txt", SEED)
    assert run(["-i", str(seed)]).exit_code == 1
    assert seed.read_bytes() == EXPECTED


@pytest.mark.parametrize("args, stdin", [
    (["--in-place"], b"text\n"),
    (["--in-place", "-"], b"text\n"),
    (["--in-place", "--explain", "FILE"], b""),
    (["--check", "--explain", "FILE"], b""),
    (["--check", "--diff", "FILE"], b""),
    (["--diff", "-i", "FILE"], b""),
    (["--check", "--in-place", "FILE"], b""),
])
def test_usage_errors_exit_2_and_touch_nothing(tmp_path, args, stdin):
    story = write(tmp_path / "story.md", STORY)
    before = snapshot(story)
    result = run([str(story) if a == "FILE" else a for a in args], stdin)
    assert result.exit_code == 2
    assert result.stdout_bytes == b""
    assert "Error:" in result.stderr
    assert snapshot(story) == before


def test_internal_error_exits_2_in_one_line_and_other_files_are_still_cleaned(tmp_path, monkeypatch):
    real = dedup.clean_and_explain

    def fails_on_boom(text, *args, **kwargs):
        if "boom" in text:
            raise RuntimeError("boom")
        return real(text, *args, **kwargs)

    monkeypatch.setattr(dedup, "clean_and_explain", fails_on_boom)
    bad, story = write(tmp_path / "bad.md", "boom\n"), write(tmp_path / "story.md", STORY)
    result = run(["-i", str(bad), str(story)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"dedup: error: {bad}: internal error (RuntimeError: boom); please report it with the file",
        f"cleaned {story} (3 removals)"]
    assert story.read_text() == STORY_CLEAN
    # The stdout mode stays all or nothing, and exits 2 too, never 1 with a traceback.
    plain = run([str(story), str(bad)])
    assert plain.exit_code == 2 and plain.stdout_bytes == b""
    assert plain.stderr.count("\n") == 1 and "internal error (RuntimeError: boom)" in plain.stderr


@pytest.mark.parametrize("exception, code", [(KeyboardInterrupt, 130), (Terminated, 143)])
def test_an_interrupt_never_exits_1(tmp_path, monkeypatch, exception, code):
    def interrupted(*args, **kwargs):
        raise exception()

    monkeypatch.setattr(dedup, "clean_and_explain", interrupted)
    story = write(tmp_path / "story.md", STORY)
    result = run(["-i", str(story)])
    assert result.exit_code == code
    assert result.stderr == "dedup: error: interrupted; files not yet written are unchanged\n"
    assert story.read_text() == STORY


# --- bad files: one line each, the others still processed, exit 2 ----------------------

def test_read_only_file_is_a_clear_error_and_the_other_files_are_still_cleaned(tmp_path):
    locked, story = write(tmp_path / "locked.md", STORY), write(tmp_path / "story.md", STORY)
    locked.chmod(0o444)
    before = snapshot(locked)
    result = run(["-i", str(locked), str(story)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"dedup: error: {locked}: the file is read-only (mode 444); "
        "make it writable (chmod u+w) or leave it out",
        f"cleaned {story} (3 removals)"]
    assert snapshot(locked) == before
    assert story.read_text() == STORY_CLEAN
    assert temp_files(tmp_path) == []


def test_read_only_file_that_needs_no_change_is_fine(tmp_path):
    note = write(tmp_path / "note.md", CLEAN)
    note.chmod(0o444)
    assert run(["-i", str(note)]).exit_code == 0


@pytest.mark.parametrize("mode", ["--check", "--diff", "--in-place"])
def test_file_not_utf8_is_a_clear_error_and_the_others_are_still_processed(tmp_path, mode):
    bad = write(tmp_path / "latin.md", "Caf\xe9 au lait\n".encode("latin-1"))
    story = write(tmp_path / "story.md", STORY)
    result = run([mode, str(bad), str(story)])
    assert result.exit_code == 2
    error, *rest = result.stderr.splitlines()
    assert error == (f"dedup: error: {bad}: not valid utf-8 at byte offset 3; give the right "
                     "encoding with --encoding (e.g. --encoding latin-1)")
    if mode == "--diff":
        assert rest == [] and f"+++ b/{story}" in result.stdout
    else:
        assert rest == [f"{'would clean' if mode == '--check' else 'cleaned'} {story} (3 removals)"]
    assert bad.read_bytes() == "Caf\xe9 au lait\n".encode("latin-1")


def test_missing_file_is_an_error_and_the_others_are_still_checked(tmp_path):
    story = write(tmp_path / "story.md", STORY)
    result = run(["--check", str(tmp_path / "missing.md"), str(story)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"dedup: error: {tmp_path / 'missing.md'}: cannot read it (No such file or directory)",
        f"would clean {story} (3 removals)"]


# --- files keep their form ------------------------------------------------------------

@pytest.mark.parametrize("form", ["crlf", "bom", "bom+crlf", "no final newline", "lone cr"])
def test_in_place_keeps_line_breaks_bom_and_final_newline(tmp_path, form):
    original, cleaned = STORY, STORY_CLEAN
    if "crlf" in form:
        original, cleaned = original.replace("\n", "\r\n"), cleaned.replace("\n", "\r\n")
    if form == "lone cr":
        original, cleaned = original.replace("\n", "\r"), cleaned.replace("\n", "\r")
    if "bom" in form:
        original, cleaned = "\ufeff" + original, "\ufeff" + cleaned
    if form == "no final newline":
        original, cleaned = original.rstrip("\n"), cleaned.rstrip("\n")
    story = write(tmp_path / "story.txt", original)
    assert run(["-i", str(story)]).exit_code == 1
    assert story.read_bytes() == cleaned.encode("utf-8")


def test_in_place_keeps_the_encoding(tmp_path):
    story = write(tmp_path / "story.txt", STORY.replace("weeks", "weeks, caf\xe9s shut").encode("latin-1"))
    assert run(["-i", "--encoding", "latin-1", str(story)]).exit_code == 1
    assert story.read_bytes() == STORY_CLEAN.replace("weeks", "weeks, caf\xe9s shut").encode("latin-1")


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o755])
def test_in_place_keeps_the_file_mode(tmp_path, mode):
    story = write(tmp_path / "story.md", STORY)
    story.chmod(mode)
    assert run(["-i", str(story)]).exit_code == 1
    assert stat.S_IMODE(story.stat().st_mode) == mode
    assert story.read_text() == STORY_CLEAN


def test_unchanged_file_is_not_touched(tmp_path):
    note, story = write(tmp_path / "note.md", CLEAN), write(tmp_path / "story.md", STORY)
    old = time.time() - 3600
    os.utime(note, (old, old))
    before = snapshot(note)
    assert run(["-i", str(note), str(story)]).exit_code == 1
    assert snapshot(note) == before  # same bytes, mtime and inode: never rewritten


def test_in_place_through_a_symlink_rewrites_the_target_and_keeps_the_link(tmp_path):
    story = write(tmp_path / "story.md", STORY)
    link = tmp_path / "link.md"
    link.symlink_to(story.name)
    assert run(["-i", str(link)]).exit_code == 1
    assert link.is_symlink() and story.read_text() == STORY_CLEAN


# --- the atomic writer ----------------------------------------------------------------

def test_write_atomic_replaces_content_and_keeps_mode(tmp_path):
    target = write(tmp_path / "a.txt", "old\n")
    target.chmod(0o751)
    write_atomic(str(target), b"new\n")
    assert target.read_bytes() == b"new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o751
    assert temp_files(tmp_path) == []


def test_write_atomic_new_file_gets_the_umask_mode(tmp_path):
    mask = os.umask(0o027)
    try:
        write_atomic(str(tmp_path / "new.txt"), b"x")
    finally:
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o640


@pytest.mark.parametrize("step", ["fsync", "chmod", "replace"])
@pytest.mark.parametrize("exception", [OSError(5, "Input/output error"), KeyboardInterrupt()])
def test_write_atomic_failing_mid_write_leaves_the_original_and_no_temp_file(
        tmp_path, monkeypatch, step, exception):
    target = write(tmp_path / "a.txt", "original\n")

    def fail(*args, **kwargs):
        assert len(temp_files(tmp_path)) == 1  # the new content is half-way there
        raise exception

    monkeypatch.setattr(dedup_io.os, step, fail)
    expected = OutputError if isinstance(exception, OSError) else KeyboardInterrupt
    with pytest.raises(expected) as raised:
        write_atomic(str(target), b"new content\n")
    monkeypatch.undo()
    if expected is OutputError:
        assert str(raised.value) == f"{target}: cannot write it (Input/output error)"
    assert target.read_bytes() == b"original\n"
    assert temp_files(tmp_path) == []


def test_sigterm_during_write_atomic_removes_the_temp_file(tmp_path, monkeypatch):
    target = write(tmp_path / "a.txt", "original\n")
    real_fsync = os.fsync

    def fsync_then_sigterm(fd):
        real_fsync(fd)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler raises long before this ends

    monkeypatch.setattr(dedup_io.os, "fsync", fsync_then_sigterm)
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(Terminated), sigterm_raises():
        write_atomic(str(target), b"new content\n")
    assert target.read_bytes() == b"original\n"
    assert temp_files(tmp_path) == []
    assert signal.getsignal(signal.SIGTERM) is before


def test_write_atomic_refuses_a_read_only_file(tmp_path):
    target = write(tmp_path / "a.txt", "original\n")
    target.chmod(0o400)
    with pytest.raises(OutputError, match="read-only"):
        write_atomic(str(target), b"new\n")
    assert target.read_bytes() == b"original\n"


# --- killing a real process half-way ---------------------------------------------------

def _big_story(paragraphs):
    rng = random.Random(4)
    words = ("harbour wall council storm repairs ferry season crews island bridge road "
             "school market river north south weather night morning").split()
    body = "\n\n".join(f"Paragraph {i}: " + " ".join(rng.choice(words) for _ in range(25)) + "."
                       for i in range(paragraphs))
    return (STORY + "\n" + body + "\n").encode("utf-8")


def _dedup_process(path, prelude=""):
    code = prelude + "from dedup.cli import main\nmain(['clean', '-i', %r], prog_name='dedup')\n" % str(path)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-c", code], env=env, cwd=str(ROOT),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_kill_while_the_temp_file_is_written_leaves_the_original(tmp_path, signum):
    original = _big_story(200)
    path = write(tmp_path / "story.txt", original)
    # A slow disk: fsync of the temporary file takes a long time, so the kill lands
    # after the new content is written and before the file is replaced. A child
    # started in the background ignores SIGINT; give it Ctrl-C back, as a terminal would.
    prelude = ("import os, signal, time\nsignal.signal(signal.SIGINT, signal.default_int_handler)\n"
               "os.fsync = lambda fd: time.sleep(60)\n")
    process = _dedup_process(path, prelude)
    deadline = time.monotonic() + 30
    while not temp_files(tmp_path) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.01)
    assert temp_files(tmp_path), "the temporary file never appeared"
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=30)
    assert path.read_bytes() == original
    if signum != signal.SIGKILL:
        assert process.returncode == {signal.SIGINT: 130, signal.SIGTERM: 143}[signum]
        assert stderr == b"dedup: error: interrupted; files not yet written are unchanged\n"
        assert temp_files(tmp_path) == []


def test_kill_at_random_moments_leaves_the_original_or_the_cleaned_file(tmp_path):
    original = _big_story(2500)
    path = write(tmp_path / "story.txt", original)
    start = time.monotonic()
    process = _dedup_process(path)
    process.communicate(timeout=60)
    duration = time.monotonic() - start
    assert process.returncode == 1
    cleaned = path.read_bytes()
    assert cleaned != original
    rng = random.Random(7)
    for attempt in range(12):
        signum = (signal.SIGTERM, signal.SIGKILL)[attempt % 2]
        path.write_bytes(original)
        process = _dedup_process(path)
        # Spread the kills over the whole run, most of them near its end (the write).
        time.sleep(duration * (rng.uniform(0.0, 1.1) if attempt < 4 else rng.uniform(0.7, 1.1)))
        process.send_signal(signum)
        process.communicate(timeout=60)
        content = path.read_bytes()
        assert content in (original, cleaned), f"mixed content after signal {signum} (attempt {attempt})"
        if signum == signal.SIGTERM:
            assert process.returncode in (1, 143, -signal.SIGTERM)
            assert temp_files(tmp_path) == []
        for name in temp_files(tmp_path):  # left by SIGKILL, which no process can catch
            (tmp_path / name).unlink()
