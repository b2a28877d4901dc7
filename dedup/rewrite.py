"""Cut removed spans out of the original text; kept text stays byte-identical.

The only other change is tidying: blank lines that a removal left next to each other
are cut to one (none at the very start or end of the text), and the text keeps or
lacks its final line break as the input did. The tidying is expressed as more
removals (reason "blank"), so an explanation replays exactly.
"""
from typing import List, Sequence

from .model import Block, Removal


def apply(text: str, removals: Sequence[Removal]) -> str:
    """Return `text` without the spans of `removals` (sorted, non-overlapping)."""
    pieces = []
    position = 0
    for removal in removals:
        pieces.append(text[position:removal.start])
        position = removal.end
    pieces.append(text[position:])
    return "".join(pieces)


def tidy(text: str, blocks: Sequence[Block], removals: Sequence[Removal]) -> List[Removal]:
    """Return `removals` plus the blank-line and final-newline tidying they call for."""
    if not removals:
        return list(removals)
    by_start = {b.start: b for b in blocks}
    removed_lines = {by_start[r.start].index for r in removals
                     if r.start in by_start and by_start[r.start].end == r.end}
    extra: List[Removal] = []
    # The maximal run of lines that are blank or removed around each removed line keeps
    # at most one of its blank lines (none at the start or end of the text).
    n = len(blocks)
    j = 0
    for line in sorted(removed_lines):
        if line < j:
            continue  # inside the run just done
        i, j = line, line + 1
        while i > 0 and (blocks[i - 1].kind == "blank" or i - 1 in removed_lines):
            i -= 1
        while j < n and (blocks[j].kind == "blank" or j in removed_lines):
            j += 1
        blanks = [b for b in blocks[i:j] if b.kind == "blank" and b.index not in removed_lines]
        edge = i == 0 or j == n
        drop = blanks if edge else blanks[1:]
        extra += [Removal(b.start, b.end, "blank") for b in drop]
    merged = sorted(list(removals) + extra, key=lambda r: r.start)
    return sorted(merged + _final_newline(text, blocks, merged), key=lambda r: r.start)


def _final_newline(text: str, blocks, removals: Sequence[Removal]) -> List[Removal]:
    """If the input did not end with a line break but the kept text would, cut it."""
    if not blocks or text.endswith(("\n", "\r")):
        return []
    cut = {(r.start, r.end) for r in removals}
    kept = [b for b in blocks if (b.start, b.end) not in cut]
    if not kept or kept[-1] is blocks[-1]:
        return []
    last = kept[-1]
    return [Removal(last.content_end, last.end, "blank")]


class OffsetMap:
    """Maps offsets in a cleaned text back to the original it was cut from."""

    def __init__(self, length: int):
        # (offset in current text, offset in original, length) of each kept piece.
        self.pieces = [(0, 0, length)] if length else []

    def cut(self, removals: Sequence[Removal]) -> None:
        """Record that `removals` (in current offsets) were cut from the current text."""
        pieces, position = [], 0
        for cur, orig, length in self.pieces:
            start = cur
            for removal in removals:
                if removal.end <= start or removal.start >= cur + length:
                    continue
                if removal.start > start:
                    pieces.append((position, orig + start - cur, removal.start - start))
                    position += removal.start - start
                start = max(start, removal.end)
            if start < cur + length:
                pieces.append((position, orig + start - cur, cur + length - start))
                position += cur + length - start
        self.pieces = pieces

    def original(self, removal: Removal) -> List[Removal]:
        """The removal in original offsets: one piece per kept piece it covers."""
        out = []
        for cur, orig, length in self.pieces:
            start, end = max(removal.start, cur), min(removal.end, cur + length)
            if start < end:
                out.append(removal._replace(start=orig + start - cur, end=orig + end - cur,
                                            kept_ref=self._ref(removal.kept_ref)))
        return out

    def _ref(self, ref):
        if ref is None:
            return None
        return self._point(ref[0]), self._point(ref[1] - 1) + 1

    def _point(self, offset: int) -> int:
        for cur, orig, length in self.pieces:
            if cur <= offset < cur + length:
                return orig + offset - cur
        return offset
