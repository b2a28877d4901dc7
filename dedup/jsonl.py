"""JSON lines in and out: plain, gzip or zstd files and stdin, read more than once.

The corpus is read in passes (statistics, then rewriting), so stdin is first copied to
a temporary file; memory stays bounded by one record at a time.
"""
import codecs
import contextlib
import gzip
import io
import itertools
import json
import os
import re
import shutil
import sys
import tempfile
import zlib
from typing import IO, Iterator, List, NamedTuple, Optional, Sequence, Tuple

from .config import MAX_RECORD_BYTES
from .io import InputError

_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_GZIP_MAGIC = b"\x1f\x8b"
_SURROGATE = re.compile("[\ud800-\udfff]")
_BUFFER = 1 << 20


class Record(dict):
    """One JSON object of the input; `source` and `line` say where it came from."""

    __slots__ = ("source", "line")


def _open(path: str) -> IO[bytes]:
    with open(path, "rb") as probe:
        head = probe.read(4)
    if head.startswith(_GZIP_MAGIC):
        return gzip.open(path, "rb")
    if head.startswith(_ZSTD_MAGIC):
        try:
            import zstandard
        except ImportError as error:
            raise InputError(f"{path}: is zstd-compressed; install the extra with "
                             "pip install 'dedup[zst]'") from error
        # The decompression reader cannot give lines; a buffer over it can.
        return io.BufferedReader(zstandard.open(path, "rb"), _BUFFER)
    return open(path, "rb")


def _read_errors() -> tuple:
    """What a damaged file raises while it is read (zstd's own error if it is loaded)."""
    zstandard = sys.modules.get("zstandard")
    return (OSError, EOFError, zlib.error) + ((zstandard.ZstdError,) if zstandard else ())


class Corpus:
    """JSON lines from files (or stdin as "-"), iterable any number of times.

    Args:
        paths: files to read, "-" for stdin.
        text_key, id_key: field names of the text and the document id.
        skip_bad: count and skip bad lines instead of stopping with an error.
        max_record_bytes: a longer line is a bad line (memory holds one record at a time,
            so this bounds it); it is skipped without being read into memory.
        site_key: a field naming each record's site; a line where it is not a string or
            a number is a bad line.
    """

    def __init__(self, paths: Sequence[str], text_key: str = "text", id_key: str = "id",
                 skip_bad: bool = False, max_record_bytes: int = MAX_RECORD_BYTES,
                 site_key: Optional[str] = None):
        self.text_key, self.id_key, self.skip_bad, self.site_key = text_key, id_key, skip_bad, site_key
        self.max_record_bytes = max_record_bytes
        self.skipped: List[BadLine] = []
        self._spool: Optional[str] = None
        self.names = ["<stdin>" if p == "-" else p for p in paths or ["-"]]
        try:
            self.paths = [self._spool_stdin() if p == "-" else p for p in paths or ["-"]]
            for path, name in zip(self.paths, self.names):
                if not os.path.isfile(path) or not os.access(path, os.R_OK):
                    raise InputError(f"{name}: cannot read it (no such file or no permission)")
        except BaseException:  # a missing file or an interrupt: leave no copy of stdin behind
            self.close()
            raise

    def _spool_stdin(self) -> str:
        handle, self._spool = tempfile.mkstemp(prefix="dedup-stdin-", suffix=".jsonl")
        with os.fdopen(handle, "wb") as out:
            shutil.copyfileobj(sys.stdin.buffer, out, 1 << 20)
        return self._spool

    def close(self) -> None:
        if self._spool:
            with contextlib.suppress(OSError):
                os.unlink(self._spool)
            self._spool = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __iter__(self) -> Iterator[Record]:
        """Records in input order; the first pass also collects skipped lines."""
        bad: List[BadLine] = []
        for path, name in zip(self.paths, self.names):
            yield from read_records(path, name, self.text_key, self.skip_bad, bad,
                                    max_record_bytes=self.max_record_bytes, site_key=self.site_key)
        if not hasattr(self, "_counted"):
            self.skipped.extend(bad)
        self._counted = True


class BadLine(NamedTuple):
    """A line that is not a record: where, and what is wrong with it."""

    name: str
    line: int
    problem: str


def read_records(path: str, name: str, text_key: str, skip_bad: bool, bad: List[BadLine],
                 start: int = 0, first_line: int = 1, lines: Optional[int] = None,
                 max_record_bytes: int = MAX_RECORD_BYTES, site_key: Optional[str] = None) -> Iterator[Record]:
    """The records of a JSON lines file, or of `lines` lines of it from byte `start`
    (line number `first_line`).

    A bad line (longer than `max_record_bytes`, not UTF-8, not JSON, not an object, no
    string `text_key`, a `site_key` field that names no site) raises `InputError` naming it, or with `skip_bad` is appended to
    `bad` and skipped. A damaged compressed file raises `InputError`.
    """
    try:
        with _open(path) as raw:
            if start:
                raw.seek(start)
            # islice: a shard stops at its last line, never reading into the next one's.
            for number, line in itertools.islice(_lines(raw, max_record_bytes, first_line), lines):
                record = _record(line, name, number, text_key, skip_bad, bad, max_record_bytes, site_key)
                if record is not None:
                    yield record
    except InputError:
        raise
    except _read_errors() as error:
        # A damaged compressed file: nothing after the damage can be read.
        raise InputError(f"{name}: cannot read it ({error}); the file is damaged "
                         "or not what its first bytes say (gzip, zstd)") from error


def _record(line: Optional[bytes], name: str, number: int, text_key: str, skip_bad: bool,
            bad: List[BadLine], max_record_bytes: int, site_key: Optional[str] = None) -> Optional[Record]:
    if line is None:
        return _bad(name, number, f"longer than {max_record_bytes:,} bytes "
                    "(raise --max-record-bytes to read it)", skip_bad, bad)
    if number == 1 and line.startswith(codecs.BOM_UTF8):
        line = line[len(codecs.BOM_UTF8):]  # as Windows tools write it: ignored
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as error:
        return _bad(name, number, f"not valid UTF-8 at byte {error.start} of the line "
                    f"({error.reason})", skip_bad, bad)
    if not text.strip():
        return None
    try:
        value = json.loads(text)
    except ValueError as error:
        return _bad(name, number, f"not valid JSON ({error.msg})", skip_bad, bad)
    except RecursionError:
        return _bad(name, number, "not valid JSON (nested too deeply)", skip_bad, bad)
    if not isinstance(value, dict):
        return _bad(name, number, "not a JSON object", skip_bad, bad)
    if not isinstance(value.get(text_key), str):
        return _bad(name, number, f"no string field {text_key!r}", skip_bad, bad)
    if site_key:
        from .corpus.sites import BadSite, site_name

        try:
            site_name(value.get(site_key))
        except BadSite as error:
            return _bad(name, number, f"field {site_key!r} {error}", skip_bad, bad)
    record = Record(value)
    record.source, record.line = name, number
    return record


def _bad(name: str, number: int, problem: str, skip_bad: bool, bad: List[BadLine]) -> None:
    if not skip_bad:
        raise InputError(f"{name}:{number}: {problem}; fix the line or pass --skip-bad "
                         "to skip such lines")
    bad.append(BadLine(name, number, problem))
    return None


def _lines(raw: IO[bytes], limit: int, first: int = 1) -> Iterator[Tuple[int, Optional[bytes]]]:
    """(line number, line) for each line ending in "\n" (or the end), numbered from
    `first`; None for a line longer than `limit` bytes, which is read past in pieces,
    never held whole."""
    number = first - 1
    while True:
        line = raw.readline(limit + 1)
        if not line:
            return
        number += 1
        if len(line) > limit and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = raw.readline(1 << 20)
            yield number, None
        else:
            yield number, line


def output_line(record: dict, duplicate_of=None, removals=None) -> bytes:
    """The output line of a cleaned record: marked with the id of the document it
    duplicates (if any) and, for --explain, its removals."""
    if duplicate_of is not None:
        record["duplicate_of"] = duplicate_of
    if removals is not None:
        record["removals"] = [{"reason": r.reason, "start": r.start, "end": r.end} for r in removals]
    return dumps(record).encode("utf-8")


def dumps(record: dict) -> str:
    """One output line: the record as compact JSON, non-ASCII kept."""
    line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
    if _SURROGATE.search(line):
        # A lone surrogate (read from a "\ud800" escape) has no UTF-8 form: write it
        # escaped, as it came.
        line = line.encode("utf-8", "backslashreplace").decode("utf-8")
    return line
