"""JSON lines in and out: plain, gzip or zstd files and stdin, read more than once.

The corpus is read in passes (statistics, then rewriting), so stdin is first copied to
a temporary file; memory stays bounded by one record at a time.
"""
import contextlib
import gzip
import io
import json
import os
import shutil
import sys
import tempfile
from typing import IO, Iterator, List, Optional, Sequence, Tuple

from .io import InputError

_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_GZIP_MAGIC = b"\x1f\x8b"


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
        return zstandard.open(path, "rb")
    return open(path, "rb")


class Corpus:
    """JSON lines from files (or stdin as "-"), iterable any number of times.

    Args:
        paths: files to read, "-" for stdin.
        text_key, id_key: field names of the text and the document id.
        skip_bad: count and skip bad lines instead of stopping with an error.
    """

    def __init__(self, paths: Sequence[str], text_key: str = "text", id_key: str = "id",
                 skip_bad: bool = False):
        self.text_key, self.id_key, self.skip_bad = text_key, id_key, skip_bad
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
            with _open(path) as raw:
                stream = io.TextIOWrapper(raw, encoding="utf-8", errors="strict", newline="\n")
                number = 0
                while True:
                    try:
                        line = stream.readline()
                    except UnicodeDecodeError as error:
                        problem = f"not valid UTF-8 ({error.reason})"
                        self._bad(name, number + 1, problem, first_pass)
                        break
                    if not line:
                        break
                    number += 1
                    if not line.strip():
                        continue
                    record = self._parse(line, name, number, first_pass)
                    if record is not None:
                        yield record
        self._counted = True

    def _parse(self, line: str, name: str, number: int, first_pass: bool) -> Optional[Record]:
        try:
            value = json.loads(line)
        except ValueError as error:
            return self._bad(name, number, f"not valid JSON ({error.msg})", first_pass)
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


def dumps(record: dict) -> str:
    """One output line: the record as compact JSON, non-ASCII kept."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
