"""Normalisation keys and character grams, the one way blocks are compared.

A block's *key* is its text casefolded (after NFKC for non-ASCII text) with every
character that is not a letter, digit or combining mark removed and every digit folded
to 0, so "China 's military" and "China's military", curly and straight quotes, double
spaces and different numbers all compare alike. Character grams of the key are robust
to tokenisation noise and work for scripts written without spaces (CJK).
"""
import unicodedata
from typing import List, Set, Tuple

import regex

_NOT_KEY = regex.compile(r"[^\p{L}\p{N}\p{M}]+")
_DIGIT = regex.compile(r"\p{Nd}")
_WIDE = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]")


def key(text: str) -> str:
    """Return the normalisation key of `text` (see the module docstring)."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return _DIGIT.sub("0", _NOT_KEY.sub("", text.casefold()))


def key_with_offsets(text: str) -> Tuple[str, List[int]]:
    """Return `key(text)` and, for each key character, its offset in `text`.

    Slower than `key`; used only where a cut must land inside a line.
    """
    chars, offsets = [], []
    for i, char in enumerate(text):
        for piece in key(char):
            chars.append(piece)
            offsets.append(i)
    return "".join(chars), offsets


def weight(k: str, wide_char_weight: int = 3) -> int:
    """Length of a key, counting wide (CJK) characters `wide_char_weight` times."""
    if k.isascii():
        return len(k)
    return len(k) + (wide_char_weight - 1) * len(_WIDE.findall(k))


def grams(k: str, size: int) -> Set[str]:
    """Character grams of a key; a key shorter than `size` is its own single gram."""
    if len(k) <= size:
        return {k} if k else set()
    return {k[i:i + size] for i in range(len(k) - size + 1)}


def coverage(k: str, other_grams: Set[str], size: int) -> Tuple[int, int, int, int]:
    """How `k` is covered by the grams of another key.

    Returns (run_start, run_end, run_length, covered): the longest stretch of `k` made
    of grams found in `other_grams`, and the number of key characters covered at all.
    A copy with a marker appended is one long run plus an uncovered end; two template
    lines that differ in the middle ("... fair in Salem drew ..." / "... in Madison
    drew ...") are two runs with a gap.
    """
    n = len(k)
    if n <= size:
        return (0, n, n, n) if k in other_grams else (0, 0, 0, 0)
    best = (0, 0)
    covered = 0
    run_start = run_end = -1
    for i in range(n - size + 1):
        if k[i:i + size] in other_grams:
            if i <= run_end:  # extends the current run
                run_end = i + size
            else:
                if run_end > run_start:
                    covered += run_end - run_start
                    if run_end - run_start > best[1] - best[0]:
                        best = (run_start, run_end)
                run_start, run_end = i, i + size
    if run_end > run_start:
        covered += run_end - run_start
        if run_end - run_start > best[1] - best[0]:
            best = (run_start, run_end)
    return best[0], best[1], best[1] - best[0], covered
