"""JSON lines in and out: plain, gzip or zstd files and stdin, read more than once.

The corpus is read in passes (statistics, then rewriting), so stdin is first copied to
a temporary file; memory stays bounded by one record at a time.
"""
import codecs
import contextlib
import gzip
import io
import json
import os
import re
import shutil
import sys
import tempfile
import zlib
from typing import IO, Iterator, List, Optional, Sequence, Tuple

from .config import MAX_RECORD_BYTES
from .io import InputError

_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_GZIP_MAGIC = b"\x1f\x8b"
_SURROGATE = re.compile("[\ud800-\udfff]")


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
        return io.BufferedReader(zstandard.open(path, "rb"))
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
    """

    def __init__(self, paths: Sequence[str], text_key: str = "text", id_key: str = "id",
                 skip_bad: bool = False, max_record_bytes: int = MAX_RECORD_BYTES):
        self.text_key, self.id_key, self.skip_bad = text_key, id_key, skip_bad
        self.max_record_bytes = max_record_bytes
        self.skipped: List[Tuple[str, int, str]] = []
        self._spool: Optional[str] = None
        self.paths = [self._spool_stdin() if p == "-" else p for p in paths or ["-"]]
        self.names = ["<stdin>" if p == "-" else p for p in paths or ["-"]]
        for path, name in zip(self.paths, self.names):
            if not os.path.isfile(path) or not os.access(path, os.R_OK):
                raise InputError(f"{name}: cannot read it (no such file or no permission)")

    def _spool_stdin(self) -> str:
        handle, path = tempfile.mkstemp(prefix="dedup-stdin-", suffix=".jsonl")
        with os.fdopen(handle, "wb") as out:
            shutil.copyfileobj(sys.stdin.buffer, out, 1 << 20)
        self._spool = path
        return path

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
        first_pass = not hasattr(self, "_counted")
        for path, name in zip(self.paths, self.names):
            try:
                with _open(path) as raw:
                    for number, line in _lines(raw, self.max_record_bytes):
                        record = self._record(line, name, number, first_pass)
                        if record is not None:
                            yield record
            except InputError:
                raise
            except _read_errors() as error:
                # A damaged compressed file: nothing after the damage can be read.
                raise InputError(f"{name}: cannot read it ({error}); the file is damaged "
                                 "or not what its first bytes say (gzip, zstd)") from error
        self._counted = True

    def _record(self, line: Optional[bytes], name: str, number: int,
                first_pass: bool) -> Optional[Record]:
        if line is None:
            return self._bad(name, number, f"longer than {self.max_record_bytes:,} bytes "
                             "(raise --max-record-bytes to read it)", first_pass)
        if number == 1 and line.startswith(codecs.BOM_UTF8):
            line = line[len(codecs.BOM_UTF8):]  # as Windows tools write it: ignored
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as error:
            return self._bad(name, number, f"not valid UTF-8 at byte {error.start} of the line "
                             f"({error.reason})", first_pass)
        if not text.strip():
            return None
        return self._parse(text, name, number, first_pass)

    def _parse(self, line: str, name: str, number: int, first_pass: bool) -> Optional[Record]:
        try:
            value = json.loads(line)
        except ValueError as error:
            return self._bad(name, number, f"not valid JSON ({error.msg})", first_pass)
        except RecursionError:
            return self._bad(name, number, "not valid JSON (nested too deeply)", first_pass)
        if not isinstance(value, dict):
            return self._bad(name, number, "not a JSON object", first_pass)
        if not isinstance(value.get(self.text_key), str):
            return self._bad(name, number, f"no string field {self.text_key!r}", first_pass)
        record = Record(value)
        record.source, record.line = name, number
        return record

    def _bad(self, name: str, number: int, problem: str, first_pass: bool):
        if not self.skip_bad:
            raise InputError(f"{name}:{number}: {problem}; fix the line or pass --skip-bad "
                             "to skip such lines")
        if first_pass:
            self.skipped.append((name, number, problem))
        return None


def _lines(raw: IO[bytes], limit: int) -> Iterator[Tuple[int, Optional[bytes]]]:
    """(line number, line) for each line ending in "\n" (or the end); None for a line
    longer than `limit` bytes, which is read past in pieces, never held whole."""
    number = 0
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


def dumps(record: dict) -> str:
    """One output line: the record as compact JSON, non-ASCII kept."""
    line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
    if _SURROGATE.search(line):
        # A lone surrogate (read from a "\ud800" escape) has no UTF-8 form: write it
        # escaped, as it came.
        line = line.encode("utf-8", "backslashreplace").decode("utf-8")
    return line
