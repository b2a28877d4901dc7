"""dedup as a pre-commit hook: clean Markdown passes untouched, and the real `pre-commit`
tool runs the hooks of `.pre-commit-hooks.yaml` from this checkout's HEAD commit."""
import itertools
import os
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

import dedup
from dedup.cli import main
from conftest import ROOT, SAMPLES

CLEAN_REPO = SAMPLES / "clean_repo"
CLEAN_FILES = sorted(p for p in CLEAN_REPO.rglob("*") if p.is_file())

# A scraped article saved as Markdown: the title line printed twice, a photo caption that
# copies a paragraph's sentence with "(file photo)", and a teaser for another article.
ARTICLE = """\
Harbour wall repairs begin after the winter storms
Harbour wall repairs begin after the winter storms

Work crews arrived on Monday to rebuild the harbour wall. The January storms broke it open in two places.

The January storms broke it open in two places (file photo)

The council expects the repairs to take six weeks and to cost about two million pounds.

Up next: Ferry timetable changes for the spring season
"""
ARTICLE_CLEAN = """\
Harbour wall repairs begin after the winter storms

Work crews arrived on Monday to rebuild the harbour wall. The January storms broke it open in two places.

The council expects the repairs to take six weeks and to cost about two million pounds.
"""
BULLETIN = """\
Island ferry timetable changes for the spring season
Island ferry timetable changes for the spring season

From April the first ferry leaves the harbour at six in the morning instead of seven.

Up next: Harbour wall repairs begin after the winter storms
"""
BULLETIN_CLEAN = """\
Island ferry timetable changes for the spring season

From April the first ferry leaves the harbour at six in the morning instead of seven.
"""


def test_articles_clean_as_expected():
    assert dedup.clean(ARTICLE) == ARTICLE_CLEAN
    assert dedup.clean(BULLETIN) == BULLETIN_CLEAN


# --- Markdown stays intact --------------------------------------------------------------

@pytest.mark.parametrize("path", CLEAN_FILES, ids=lambda p: str(p.relative_to(CLEAN_REPO)))
def test_clean_markdown_rst_and_text_are_a_fixed_point(path):
    text = path.read_text(encoding="utf-8")
    assert dedup.clean_and_explain(text).removals == []


def test_markdown_repository_passes_check_untouched():
    before = {p: p.stat().st_mtime_ns for p in CLEAN_FILES}
    result = CliRunner().invoke(main, ["clean", "--check", *map(str, CLEAN_FILES)])
    assert (result.exit_code, result.stdout_bytes, result.stderr_bytes) == (0, b"", b"")
    assert {p: p.stat().st_mtime_ns for p in CLEAN_FILES} == before


def test_protected_markdown_survives_next_to_junk():
    # Junk around code, tables, templated lists and repeated headings: only the junk goes.
    readme = (CLEAN_REPO / "README.md").read_text(encoding="utf-8")
    faq = (CLEAN_REPO / "docs" / "faq.md").read_text(encoding="utf-8")
    for document in (readme, faq):
        text = ARTICLE.replace("Up next: Ferry timetable changes for the spring season\n", "") + document
        cleaned = dedup.clean(text)
        assert cleaned == ARTICLE_CLEAN + "\n" + document


def test_each_file_gets_the_same_answer_in_any_subset(tmp_path):
    # A hook is called with any subset of the changed files, maybe over several calls.
    files = {"article.md": ARTICLE, "bulletin.txt": BULLETIN,
             "README.md": (CLEAN_REPO / "README.md").read_text(encoding="utf-8")}
    expected = {"article.md": ARTICLE_CLEAN, "bulletin.txt": BULLETIN_CLEAN,
                "README.md": files["README.md"]}
    for size in (1, 2, 3):
        for subset in itertools.combinations(sorted(files), size):
            for name, text in files.items():
                (tmp_path / name).write_text(text, encoding="utf-8")
            result = CliRunner().invoke(main, ["clean", "-i", *(str(tmp_path / n) for n in subset)])
            changed = any(expected[n] != files[n] for n in subset)
            assert result.exit_code == (1 if changed else 0)
            for name in files:
                want = expected[name] if name in subset else files[name]
                assert (tmp_path / name).read_text(encoding="utf-8") == want


# --- the real pre-commit tool -------------------------------------------------------------

@pytest.fixture(scope="session")
def hook_rev():
    """The commit of this checkout that pre-commit will clone: HEAD."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        pytest.skip("pre-commit is not installed; pip install '.[test]'")
    head = subprocess.run(["git", "rev-parse", "--verify", "-q", "HEAD"], cwd=ROOT,
                          capture_output=True, text=True, env=_clean_git_env())
    if head.returncode:
        pytest.skip(f"{ROOT} has no commits; pre-commit installs hooks from a commit")
    sha = head.stdout.strip()
    listed = subprocess.run(["git", "cat-file", "-e", f"{sha}:.pre-commit-hooks.yaml"], cwd=ROOT,
                            capture_output=True, env=_clean_git_env())
    if listed.returncode:
        pytest.skip("HEAD has no .pre-commit-hooks.yaml; commit it to test the hooks")
    return sha


@pytest.fixture(scope="session")
def hook_env(tmp_path_factory):
    """Environment for git and pre-commit: no user config, one pre-commit cache per session
    (the hook's virtualenv is built once)."""
    home = tmp_path_factory.mktemp("hook-home")
    gitconfig = home / "gitconfig"
    gitconfig.write_text("[user]\n\tname = dedup tests\n\temail = tests@example.invalid\n"
                         "[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n"
                         "[safe]\n\tdirectory = *\n", encoding="utf-8")
    return dict(_clean_git_env(), GIT_CONFIG_GLOBAL=str(gitconfig), GIT_CONFIG_NOSYSTEM="1",
                PRE_COMMIT_HOME=str(home / "pre-commit"), PRE_COMMIT_COLOR="never")


def _clean_git_env():
    # Running inside a git hook sets GIT_DIR, GIT_INDEX_FILE...; they must not leak in.
    return {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}


def _content_repo(path, env, rev, hook_ids, files):
    path.mkdir()
    hooks = "".join(f"      - id: {hook_id}\n" for hook_id in hook_ids)
    (path / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {ROOT}\n    rev: {rev}\n    hooks:\n{hooks}", encoding="utf-8")
    for name, data in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_bytes(data)
    _git(path, env, "init", "-q")
    subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=path, env=env,
                   check=True, capture_output=True)
    _git(path, env, "add", "-A")
    return path


def _git(path, env, *args, check=True):
    return subprocess.run(["git", *args], cwd=path, env=env, capture_output=True, text=True,
                          check=check)


def _commit(path, env):
    result = _git(path, env, "commit", "-q", "-m", "content", check=False)
    return result.returncode, result.stdout + result.stderr


def _state(path, names):
    return {name: ((path / name).read_bytes(), (path / name).stat().st_mtime_ns) for name in names}


DIRTY = {"news/harbour.md": ARTICLE.encode(), "news/ferry.txt": BULLETIN.replace("\n", "\r\n").encode(),
         "README.md": (CLEAN_REPO / "README.md").read_bytes()}


def test_fixing_hook_fails_the_first_commit_fixes_the_files_and_the_second_passes(
        tmp_path, hook_rev, hook_env):
    repo = _content_repo(tmp_path / "content", hook_env, hook_rev, ["dedup"], DIRTY)
    readme = _state(repo, ["README.md"])
    code, output = _commit(repo, hook_env)
    assert code == 1, output
    assert "files were modified by this hook" in output
    assert "cleaned news/harbour.md (3 removals)" in output
    assert (repo / "news/harbour.md").read_bytes() == ARTICLE_CLEAN.encode()
    assert (repo / "news/ferry.txt").read_bytes() == BULLETIN_CLEAN.replace("\n", "\r\n").encode()
    assert _state(repo, ["README.md"]) == readme
    assert _git(repo, hook_env, "rev-parse", "--verify", "-q", "HEAD", check=False).returncode
    _git(repo, hook_env, "add", "-A")
    code, output = _commit(repo, hook_env)
    assert code == 0, output
    assert _git(repo, hook_env, "status", "--porcelain").stdout == ""


def test_check_hook_fails_and_never_writes(tmp_path, hook_rev, hook_env):
    repo = _content_repo(tmp_path / "content", hook_env, hook_rev, ["dedup-check"], DIRTY)
    before = _state(repo, DIRTY)
    code, output = _commit(repo, hook_env)
    assert code == 1, output
    assert "would clean news/harbour.md (3 removals)" in output
    assert "would clean news/ferry.txt (2 removals)" in output
    assert "README.md" not in output.replace(".pre-commit-config.yaml", "")
    assert _state(repo, DIRTY) == before
    assert _git(repo, hook_env, "status", "--porcelain").stdout.count("A ") == len(DIRTY) + 1


def test_clean_markdown_repository_passes_both_hooks_untouched(tmp_path, hook_rev, hook_env):
    files = {str(p.relative_to(CLEAN_REPO)): p.read_bytes() for p in CLEAN_FILES}
    repo = _content_repo(tmp_path / "content", hook_env, hook_rev, ["dedup", "dedup-check"], files)
    before = _state(repo, files)
    code, output = _commit(repo, hook_env)
    assert code == 0, output
    assert output.count("Passed") == 2, output
    assert _state(repo, files) == before
