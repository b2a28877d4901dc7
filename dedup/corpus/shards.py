"""Shards of a corpus: what one task reads.

A shard is a whole JSON lines file, a fixed range of lines of a plain (uncompressed)
file, or a range of rows of records held in memory (in-process runs only). Shards are
cut the same way whatever the engine or number of workers, and a document's global
id is the number of documents in the shards before it plus its row in its shard: its
position in input order.
"""
from typing import Iterator, List, NamedTuple, Optional, Sequence, Tuple

from ..config import MAX_RECORD_BYTES
from ..jsonl import _GZIP_MAGIC, _ZSTD_MAGIC, BadLine, read_records

#: lines of a plain file per shard
SHARD_LINES = 10_000
_BLOCK = 1 << 20


class Shard(NamedTuple):
    """One task's part of the corpus.

    Attributes:
        index: position of the shard in input order.
        name: the input's name for messages ("<stdin>" or the path).
        path: the file to read; None for records in memory.
        start: byte offset of its first line.
        first_line: line number (1-based) of its first line in the file.
        lines: how many lines it spans (None: to the end of the file).
        rows: the records themselves, for records held in memory.
    """

    index: int
    name: str
    path: Optional[str] = None
    start: int = 0
    first_line: int = 1
    lines: Optional[int] = None
    rows: Optional[Sequence[dict]] = None


def file_shards(paths: Sequence[str], names: Sequence[str], shard_lines: int = SHARD_LINES) -> List[Shard]:
    """Shards of JSON lines files: plain files cut every `shard_lines` lines,
    compressed files whole."""
    shards: List[Shard] = []
    for path, name in zip(paths, names):
        with open(path, "rb") as probe:
            head = probe.read(4)
        if head.startswith((_GZIP_MAGIC, _ZSTD_MAGIC)):
            shards.append(Shard(len(shards), name, path))
            continue
        for start, first_line, lines in _line_ranges(path, shard_lines):
            shards.append(Shard(len(shards), name, path, start, first_line, lines))
    return shards


def _line_ranges(path: str, shard_lines: int) -> Iterator[Tuple[int, int, Optional[int]]]:
    """(byte offset, first line number, line count) of each range of `shard_lines` lines;
    the last range runs to the end of the file."""
    start, first_line, seen, offset = 0, 1, 0, 0
    with open(path, "rb") as handle:
        while True:
            block = handle.read(_BLOCK)
            if not block:
                break
            newlines = block.count(b"\n")
            if seen + newlines < shard_lines:
                seen += newlines
                offset += len(block)
                continue
            position = -1
            for _ in range(newlines):
                position = block.index(b"\n", position + 1)
                seen += 1
                if seen == shard_lines:
                    yield start, first_line, shard_lines
                    start, first_line, seen = offset + position + 1, first_line + shard_lines, 0
            offset += len(block)
    yield start, first_line, None


def memory_shards(records: Sequence[dict], shard_rows: int = SHARD_LINES) -> List[Shard]:
    """Shards of records held in memory (for in-process runs)."""
    return [Shard(number, "<records>", rows=records[lo:lo + shard_rows], first_line=lo + 1)
            for number, lo in enumerate(range(0, max(len(records), 1), shard_rows))]


def read_shard(shard: Shard, text_key: str, skip_bad: bool, bad: List[BadLine],
               max_record_bytes: int = MAX_RECORD_BYTES, site_key: Optional[str] = None) -> Iterator[dict]:
    """The records of a shard in order (see `dedup.jsonl.read_records` for bad lines)."""
    if shard.rows is not None:
        return iter(shard.rows)
    return read_records(shard.path, shard.name, text_key, skip_bad, bad, shard.start,
                        shard.first_line, shard.lines, max_record_bytes, site_key)
