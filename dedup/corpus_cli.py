"""The corpus side of the command line: JSON lines in, JSON lines out, progress and a
summary on stderr. Kept apart from `cli.py` so the pipe filter never imports it."""
import contextlib
import sys
import time

import click

from .config import MAX_RECORD_BYTES
from .io import InputError, OutputError, silence_stdout


class Progress:
    """A one-line progress report on stderr, only when stderr is a terminal."""

    def __init__(self, enabled=None):
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._last = 0.0

    def __call__(self, stage: str, done: int) -> None:
        now = time.monotonic()
        if self.enabled and now - self._last > 0.2:
            self._last = now
            click.echo(f"\r\x1b[Kdedup: {stage}: {done:,} documents", err=True, nl=False)

    def done(self) -> None:
        if self.enabled:
            click.echo("\r\x1b[K", err=True, nl=False)


def clean_jsonl(files, output, config, rules, chrome, text_key, id_key, skip_bad, keep,
                keep_duplicates, explain, progress_flag, report_path=None, where=None,
                max_record_bytes=MAX_RECORD_BYTES):
    """Run `dedup.corpus.write_corpus` over JSON lines files (or stdin); `where` holds
    engine, jobs, ray_address, index and work_dir."""
    from .corpus import write_corpus
    from .jsonl import Corpus

    progress = Progress(progress_flag)
    try:
        with Corpus(files, text_key, id_key, skip_bad, max_record_bytes) as corpus, \
                _sink(output) as sink:
            documents, counts, shown = write_corpus(
                corpus, sink, config, rules, chrome, text_key, id_key, keep, keep_duplicates,
                progress, explain=explain, report=bool(report_path), **(where or {}))
            skipped = len(corpus.skipped)
    except BrokenPipeError:
        # `dedup clean --jsonl ... | head`: nobody reads the rest; end quietly.
        silence_stdout()
        return
    progress.done()
    if report_path:
        from .cli import write_report_or_fail

        write_report_or_fail(report_path, shown)
    parts = [f"{n:,} {reason}" for reason, n in sorted(counts.items())]
    message = f"dedup: {documents:,} documents written"
    if parts:
        message += "; removed: " + ", ".join(parts)
    if skipped:
        first = corpus.skipped[0]
        message += f"; skipped {skipped:,} bad lines (first: {first.name}:{first.line}: {first.problem})"
    if sys.stderr.isatty() or skipped or progress_flag:
        click.echo(message, err=True)


@contextlib.contextmanager
def _sink(output):
    """Where output lines go: stdout or a file, atomically. A closed pipe raises
    BrokenPipeError; any other failure to write is an `OutputError`."""
    if output and output != "-":
        from .io import atomic_output

        with atomic_output(output) as stream:
            yield stream
        return
    stream = sys.stdout.buffer
    try:
        yield stream
        stream.flush()
    except BrokenPipeError:
        raise
    except OSError as error:
        raise OutputError(f"<stdout>: cannot write it ({error.strerror or error})") from error


def learn_profile(files, output, jsonl, config, text_key, id_key, skip_bad,
                  max_record_bytes=MAX_RECORD_BYTES, site_key=None):
    """Learn a profile from FILES (per site with `site_key`) and write it atomically to `output`."""
    from .corpus import learn_chrome
    from .corpus.profile import dumps
    from .io import atomic_output, decode, read_bytes
    from .jsonl import Corpus

    if jsonl:
        with Corpus(files, text_key, id_key, skip_bad, max_record_bytes, site_key) as corpus:
            chrome = learn_chrome(corpus, config, text_key, site_key)
    else:
        texts = ({text_key: decode(read_bytes(path), path)} for path in files or ("-",))
        chrome = learn_chrome(texts, config, text_key)
    with atomic_output(output) as stream:
        stream.write(dumps(chrome).encode("utf-8"))
    pairs = f" (and {len(chrome.pair_lines):,} lines two pages share)" if chrome.pair_lines else ""
    affixes = len(chrome.suffixes) + len(chrome.prefixes) + sum(len(s) + len(p) for *_, s, p in chrome.sites)
    sites = f" of {len(chrome.sites):,} named sites" if chrome.sites else ""
    click.echo(f"dedup: learned {len(chrome.lines):,} chrome lines{pairs}, {affixes:,} title affixes from "
               f"{chrome.documents:,} documents{sites} -> {output}", err=True)


def index_corpus(index, path, files, config, text_key, id_key, skip_bad, where,
                 max_record_bytes=MAX_RECORD_BYTES):
    """Build the index at `path` from FILES (`index` None) or add FILES to `index`."""
    from .cli import BadInput
    from .corpus.index import BadIndex, index_corpus
    from .engines import EngineError
    from .jsonl import Corpus

    progress = Progress()
    try:
        with Corpus(files, text_key, id_key, skip_bad, max_record_bytes) as corpus:
            before = index.documents if index is not None else 0
            saved = index_corpus(corpus, path, config, index, text_key, id_key, progress, **where)
            skipped = len(corpus.skipped)
    except (BadIndex, InputError, EngineError) as error:
        raise BadInput(str(error)) from error
    progress.done()
    message = (f"dedup: indexed {saved.documents - before:,} documents; {path} holds "
               f"{saved.documents:,} documents in {saved.size() / 1e6:,.1f} MB")
    if skipped:
        message += f"; skipped {skipped:,} bad lines"
    click.echo(message, err=True)
