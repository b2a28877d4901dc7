"""The `dedup` command: a thin click layer over the library."""
import functools
import json
import sys

import click

from . import __version__
from .config import DEFAULT, MAX_RECORD_BYTES

EXIT_USAGE = 2


class BadInput(click.ClickException):
    """Bad input or usage: one line on stderr, exit 2."""

    exit_code = EXIT_USAGE

    def show(self, file=None):
        click.echo(f"dedup: error: {self.format_message()}", err=True)


def internal_errors_exit_2(command):
    """Turn an unexpected exception into one line on stderr and exit 2, never a traceback
    that exits 1 (which would read as "changed"); an interrupt exits 128 + its signal."""
    from .io import Terminated, sigterm_raises

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            # SIGTERM unwinds like Ctrl-C, so temporary files (atomic output, spooled
            # stdin) are removed on the way out.
            with sigterm_raises():
                return command(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except (KeyboardInterrupt, Terminated) as error:
            stopped = BadInput("interrupted; files not yet written are unchanged")
            stopped.exit_code = getattr(error, "exit_code", 130)
            raise stopped from error
        except Exception as error:
            raise BadInput(f"internal error ({type(error).__name__}: {error}); "
                           "please report it with the input") from error
    return wrapper


def threshold_options(command):
    """Options that override `Config` fields, shared by every cleaning command."""
    options = [
        click.option("--min-copy-chars", type=click.IntRange(1), default=DEFAULT.min_copy_chars,
                     show_default=True, help="Blocks shorter than this (key characters) are never copies."),
        click.option("--long-block-chars", type=click.IntRange(1), default=DEFAULT.long_block_chars,
                     show_default=True, help="Exact repeats at least this long are removed; shorter ones stay."),
        click.option("--max-affix-ratio", type=click.FloatRange(0, 1), default=DEFAULT.max_affix_ratio,
                     show_default=True, help="Largest share of a copy that may be a marker (caption, site name)."),
        click.option("--rule-timeout", type=click.FloatRange(0.001), default=DEFAULT.rule_timeout,
                     show_default=True, help="Seconds a --rules pattern may run on one line."),
        click.option("--max-line-chars", type=click.IntRange(1), default=DEFAULT.max_line_chars,
                     show_default=True, help="Longer lines are kept as they are, never compared."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dedup")
def main():
    """Remove repeated titles, copied captions, teasers and link lines from text."""


def file_mode_options(command):
    """--check, --diff and --in-place: clean files where they lie (`dedup.files`)."""
    options = [
        click.option("--check", is_flag=True,
                     help="Write nothing; list on stderr the files that would change (exit 1 if any)."),
        click.option("--diff", is_flag=True,
                     help="Write a unified diff of the changes to stdout (exit 1 if any)."),
        click.option("-i", "--in-place", is_flag=True,
                     help="Rewrite the files whose text changes, atomically (exit 1 if any)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def file_mode(files, explain, check, diff, in_place):
    """The file mode asked for ("check", "diff", "in-place") or None; usage errors exit 2."""
    chosen = [name for name, on in (("--check", check), ("--diff", diff), ("--in-place", in_place))
              if on] + (["--explain"] if explain else [])
    if len(chosen) > 1:
        raise click.UsageError(f"{' and '.join(chosen)} cannot be used together; choose one.")
    if in_place and (not files or "-" in files):
        raise click.UsageError("--in-place needs files; stdin cannot be rewritten "
                               "(leave out --in-place to clean stdin to stdout).")
    return None if explain or not chosen else chosen[0][2:]


def corpus_options(command):
    """Options of the commands that read a corpus of JSON lines."""
    options = [
        click.option("--text-key", default="text", show_default=True, help="Field holding the text."),
        click.option("--id-key", default="id", show_default=True, help="Field holding the document id."),
        click.option("--skip-bad", is_flag=True,
                     help="Skip (and count) bad JSON lines instead of stopping at the first."),
        click.option("--max-record-bytes", type=click.IntRange(1), default=MAX_RECORD_BYTES,
                     show_default=True, help="A longer JSON line is a bad line (bounds memory)."),
        click.option("--chrome-min-docs", type=click.IntRange(2), default=DEFAULT.chrome_min_docs,
                     show_default=True, help="A line in at least this many documents may be chrome..."),
        click.option("--chrome-min-share", type=click.FloatRange(0, 1), default=DEFAULT.chrome_min_share,
                     show_default=True, help="...if also in at least this share of them."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


site_key_option = click.option(
    "--site-key", default=None, metavar="FIELD",
    help="JSON lines: the field naming each record's site (a URL stands for its host); chrome is "
         "learned per site, every threshold relative to the site's documents.")


def engine_options(command):
    """Where a corpus run works: --engine, --jobs, --ray-address, --work-dir."""
    options = [
        click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True,
                     help="With --jsonl: run in local processes, or on Ray (pip install 'dedup[ray]')."),
        click.option("--jobs", type=click.IntRange(1), default=None,
                     help="With --jsonl: worker processes (local, default 1) or CPUs of the Ray "
                          "cluster started here (default: all)."),
        click.option("--ray-address", default=None,
                     help="With --engine ray: a running Ray cluster to use (\"auto\", \"ray://HOST:10001\")."),
        click.option("--work-dir", type=click.Path(file_okay=False), default=None,
                     help="With --jsonl: where tasks keep their sketches (default: a temporary folder); "
                          "on a cluster, a folder every machine sees."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def corpus_where(engine, jobs, ray_address, work_dir, index=None):
    """The keyword arguments of the corpus functions that say where to run."""
    from .engines import EngineError

    if ray_address and engine != "ray":
        raise click.UsageError("--ray-address goes with --engine ray.")
    where = {"engine": engine, "jobs": jobs, "ray_address": ray_address, "work_dir": work_dir}
    if engine == "ray":
        try:
            from .engines.ray import _import_ray

            _import_ray()
        except EngineError as error:
            raise BadInput(str(error)) from error
    if index:
        where["index"] = index
    return where


@main.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--explain", is_flag=True, help="Write JSON describing every removal instead of the text.")
@click.option("--encoding", default="utf-8", show_default=True, help="Encoding of the input (and output).")
@click.option("--rules", "rules_path", type=click.Path(dir_okay=False),
              help="File of extra patterns (regex syntax), one a line; a matching line is removed.")
@click.option("--profile", "profile_path", type=click.Path(dir_okay=False),
              help="Site profile from `dedup learn`: chrome lines, title affixes, headlines.")
@click.option("--jsonl", is_flag=True,
              help="Input is JSON lines forming one corpus: learn chrome, drop near-duplicate documents.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True),
              help="With --jsonl: write here (atomically) instead of stdout.")
@click.option("--keep", type=click.Choice(["first", "longest"]), default="first", show_default=True,
              help="With --jsonl: which document of a near-duplicate cluster stays.")
@click.option("--keep-duplicates", is_flag=True,
              help="With --jsonl: keep near-duplicate documents, marked in a \"duplicate_of\" field.")
@click.option("--duplicates-only", is_flag=True,
              help="With --jsonl: only drop (or mark) near-duplicate documents; every text stays as "
                   "it is. About twice as fast.")
@click.option("--progress/--no-progress", default=None,
              help="Progress on stderr (default: when stderr is a terminal).")
@click.option("--report", "report_path", type=click.Path(dir_okay=False),
              help="Also write an HTML page showing every removal, coloured by reason.")
@click.option("--index", "index_path", type=click.Path(file_okay=False),
              help="With --jsonl: also drop documents that near-duplicate one in this index "
                   "(`dedup index build`).")
@site_key_option
@click.option("--site", default=None, metavar="NAME",
              help="With --profile, for text: the site (or a URL of it) whose part of the profile applies.")
@engine_options
@file_mode_options
@corpus_options
@threshold_options
@internal_errors_exit_2
def clean(files, explain, encoding, rules_path, profile_path, jsonl, output, keep, keep_duplicates,
          duplicates_only, progress, report_path, index_path, site_key, site, engine, jobs, ray_address,
          work_dir, text_key, id_key, skip_bad, max_record_bytes, check, diff, in_place, **thresholds):
    """Clean FILES (or stdin, also for "-") and write the result to stdout.

    Each file is one document. With --explain, one JSON object per document is written
    instead: its removals with reason, span, the block each duplicates and similarity.
    With --jsonl the input is a corpus of JSON lines ({"id": ..., "text": ...}, other
    fields kept) and the output too. With --check, --diff or --in-place the files are
    cleaned where they lie, each on its own (a bad file is reported and the others still
    processed); exit 1 means "changed".
    """
    from . import clean_and_explain
    from .detect.rules import RuleError, load_rules
    from .engines import EngineError
    from .io import InputError, OutputError, decode, encode, read_bytes, silence_stdout, write_stdout
    from .report import explanation

    mode = file_mode(files, explain, check, diff, in_place)
    if mode and jsonl:
        raise click.UsageError(f"--{mode} works on text files, not with --jsonl.")
    config = DEFAULT.replace(**thresholds)
    if output and not jsonl:
        raise BadInput("-o/--output goes with --jsonl; for text, redirect stdout")
    corpus_only = [name for name, given in (("--index", index_path), ("--engine", engine != "local"),
                                            ("--jobs", jobs), ("--ray-address", ray_address),
                                            ("--work-dir", work_dir), ("--site-key", site_key),
                                            ("--duplicates-only", duplicates_only)) if given]
    if corpus_only and not jsonl:
        raise click.UsageError(f"{corpus_only[0]} goes with --jsonl (a corpus of JSON lines).")
    rewriting = [name for name, given in (("--explain", explain), ("--rules", rules_path),
                                          ("--report", report_path)) if given]
    if duplicates_only and rewriting:
        raise click.UsageError(f"{rewriting[0]} has no effect with --duplicates-only, which rewrites no text.")
    if site is not None and (jsonl or not profile_path):
        raise click.UsageError("--site goes with --profile on text; with --jsonl, name the field "
                               "holding each record's site with --site-key.")
    try:
        rules = load_rules(rules_path) if rules_path else ()
        chrome = _load_profile(profile_path, site)
        if jsonl:
            from .corpus_cli import clean_jsonl

            where = corpus_where(engine, jobs, ray_address, work_dir, _open_index(index_path, config))
            if site_key:
                where["site_key"] = site_key
            if duplicates_only:
                where["duplicates_only"] = True
            return clean_jsonl(files, output, config, rules, chrome, text_key, id_key, skip_bad,
                               keep, keep_duplicates, explain, progress, report_path, where,
                               max_record_bytes)
        if mode:
            from .files import clean_files

            raise click.exceptions.Exit(clean_files(files or ("-",), mode, encoding, config, rules, chrome))
        # Read and clean everything before writing anything: no partial output.
        outputs = []
        documents = []  # for --report: (name, original text, removals)
        for path in files or ("-",):
            name = "<stdin>" if path == "-" else path
            text = decode(read_bytes(path), name, encoding)
            result = clean_and_explain(text, config, rules, chrome)
            if report_path:
                documents.append((name, text, result.removals))
            if explain:
                # A lone surrogate (UTF-7 can decode one) stays a JSON escape.
                outputs.append((json.dumps(explanation(name, text, result), ensure_ascii=False)
                                + "\n").encode("utf-8", "backslashreplace"))
            else:
                outputs.append(encode(result.text, encoding))
    except (InputError, OutputError, RuleError, EngineError) as error:
        raise BadInput(str(error)) from error
    if report_path:
        write_report_or_fail(report_path, documents)
    try:
        write_stdout(b"".join(outputs))
    except BrokenPipeError:
        silence_stdout()
    except OSError as error:  # a full disk behind `> file`
        raise BadInput(f"<stdout>: cannot write it ({error.strerror or error})") from error


def write_report_or_fail(path, documents):
    """Write the HTML report (`dedup.report`); a path that cannot be written exits 2."""
    from .io import OutputError
    from .report import write_report

    try:
        write_report(path, documents)
    except OutputError as error:
        raise BadInput(f"cannot write the report: {error}; give a path in a writable directory") from error


@main.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Profile file to write (JSON).")
@click.option("--jsonl/--text", default=True, show_default=True,
              help="FILES are JSON lines (a corpus), or plain text files (one document each).")
@site_key_option
@corpus_options
@internal_errors_exit_2
def learn(files, output, jsonl, site_key, text_key, id_key, skip_bad, max_record_bytes, chrome_min_docs,
          chrome_min_share):
    """Learn a site profile (chrome lines, title affixes, headlines) from FILES."""
    from .corpus_cli import learn_profile
    from .io import InputError, OutputError

    if site_key and not jsonl:
        raise click.UsageError("--site-key goes with JSON lines (--jsonl), whose records name their site.")
    config = DEFAULT.replace(chrome_min_docs=chrome_min_docs, chrome_min_share=chrome_min_share)
    try:
        learn_profile(files, output, jsonl, config, text_key, id_key, skip_bad, max_record_bytes, site_key)
    except (InputError, OutputError) as error:
        raise BadInput(str(error)) from error


@main.group()
def index():
    """Save what a corpus holds, to drop later documents that duplicate it."""


@index.command("build")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False),
              help="Index folder to create (it must not exist yet).")
@site_key_option
@engine_options
@corpus_options
@internal_errors_exit_2
def index_build(files, output, site_key, engine, jobs, ray_address, work_dir, text_key, id_key, skip_bad,
                max_record_bytes, chrome_min_docs, chrome_min_share):
    """Index the JSON lines corpus FILES: sketches, band keys, chrome statistics."""
    _index(None, output, files, (engine, jobs, ray_address, work_dir), site_key, text_key, id_key,
           skip_bad, max_record_bytes, chrome_min_docs, chrome_min_share)


@index.command("add")
@click.argument("index_path", type=click.Path(file_okay=False))
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, allow_dash=True))
@site_key_option
@engine_options
@corpus_options
@internal_errors_exit_2
def index_add(index_path, files, site_key, engine, jobs, ray_address, work_dir, text_key, id_key, skip_bad,
              max_record_bytes, chrome_min_docs, chrome_min_share):
    """Add the documents of the JSON lines corpus FILES to the index INDEX_PATH."""
    _index(index_path, index_path, files, (engine, jobs, ray_address, work_dir), site_key, text_key,
           id_key, skip_bad, max_record_bytes, chrome_min_docs, chrome_min_share)


def _index(existing, output, files, where, site_key, text_key, id_key, skip_bad, max_record_bytes,
           chrome_min_docs, chrome_min_share):
    """Build the index `output` from FILES, or grow the index at `existing` with them."""
    from .corpus_cli import index_corpus

    config = DEFAULT.replace(chrome_min_docs=chrome_min_docs, chrome_min_share=chrome_min_share)
    where = corpus_where(*where)
    if site_key:
        where["site_key"] = site_key
    index_corpus(_open_index(existing, config), output, files, config, text_key, id_key,
                 skip_bad, where, max_record_bytes)


def _open_index(path, config):
    if not path:
        return None
    from .corpus.index import BadIndex, open_index

    try:
        return open_index(path, config)
    except BadIndex as error:
        raise BadInput(str(error)) from error


def _load_profile(path, site=None):
    """The profile at `path` (None without one); with `site`, that site's part of it."""
    if not path:
        return None
    from .corpus.profile import ProfileError, load

    try:
        chrome = load(path)
    except ProfileError as error:
        raise BadInput(str(error)) from error
    if site is None:
        return chrome
    from .corpus.sites import site_name

    name = site_name(site)
    if not chrome.knows(name):
        click.echo(f"dedup: {path} learned nothing of site {name!r}; only its headlines apply", err=True)
    return chrome.for_site(name)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
