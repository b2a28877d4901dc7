"""Normalisation, tokens and shingles: the one way blocks are compared.

A block's *tokens* are the runs of letters, digits and combining marks of its text,
casefolded (after NFKC for non-ASCII text); characters of scripts written without
spaces (Han, kana, Thai, ...) are one token each, so Chinese is compared character by
character and nothing counts as a copy just because a tokenizer saw no words.
Punctuation and spacing vanish and split clitics are glued back, so "China 's
military" and "China's military", "is n't" and "isn't", curly
and straight quotes and double spaces compare alike. Across documents digits are
folded to 0 ("(c) 2019 Site" / "(c) 2020 Site"); inside one document they are kept
("Line 1" and "Line 2" are list items, not copies).

A block's *key* is its tokens joined: equal keys mean the same text.
*Shingles* are pairs of neighbouring tokens (one token for a one-token block).
"""
import re
import unicodedata
from itertools import accumulate, chain
from typing import List, Optional, Sequence, Set, Tuple

import regex

_SCRIPTS = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}"
# A character of an unspaced script with its marks, or a run of letters, digits and
# marks of other scripts (a set difference, which `regex` matches faster than a run
# that looks ahead at each character).
_TOKEN = regex.compile(r"(?V1)[" + _SCRIPTS + r"]\p{M}*|[[\p{L}\p{N}\p{M}]--[" + _SCRIPTS + r"]]+")
_DIGIT = regex.compile(r"\p{Nd}")
_ASCII_TOKEN = re.compile(r"[a-z0-9]+")
_ASCII_DIGIT = re.compile(r"[0-9]")
_ASCII_ALNUM = re.compile(r"[A-Za-z0-9]+")
# Tokenisers split clitics off ("China 's", "is n't"); glue them back.
_CLITIC_SPACE = regex.compile(r"(?<=\w)\s+(?=n?['’]\w)")
_WIDE_CHAR = regex.compile(r"[" + _SCRIPTS + r"]")
# Every character of those scripts lies at or above U+0E00 (Thai comes first), so only
# the few characters up there need the script test of `_wide_chars`.
_HIGH = re.compile("[\u0e00-\U0010ffff]+")
_LETTERS = regex.compile(r"[\p{L}\p{N}\p{M}]+")
# Blocks where the standard library's `re` tokenises like `_LETTERS` (its `[^\W_]` is
# `str.isalnum()`, the same letters and numbers) and nothing is a combining mark, a wide
# character or a digit other than 0-9: Latin, Greek and Cyrillic letters, punctuation,
# symbols and emoji. Most non-ASCII text (curly quotes, dashes, accented letters) lies
# within them and is tokenised by `re`, several times faster than the Unicode property
# classes of `regex`. The words of more scripts (Armenian, Hebrew, Arabic, Georgian,
# Ethiopic, Hangul) go the same way; the test for their blocks takes longer to make and
# is made only when a line falls outside the first ones. The characters of these blocks
# that `re` and `regex` class apart (a combining mark such as an Arabic vowel sign, a
# digit other than 0-9, a character assigned in a newer Unicode than one of them knows)
# send their line the slow way, see `_outside_blocks`.
FAST_BLOCKS = ((0x0000, 0x02FF), (0x0370, 0x0482), (0x048A, 0x052F), (0x1E00, 0x1FFF), (0x2000, 0x20CF),
               (0x2100, 0x27BF), (0x2900, 0x2BFF), (0x1F000, 0x1F1FF), (0x1F201, 0x1FAFF))
MORE_FAST_BLOCKS = ((0x0530, 0x06FF), (0x0750, 0x077F), (0x10A0, 0x137F), (0x3130, 0x318F), (0xAC00, 0xD7AF))
_FAST_LETTERS = re.compile(r"[^\W_]+")
_outside_fast: Optional["re.Pattern[str]"] = None   # a character outside `FAST_BLOCKS`
_outside_more: Optional["re.Pattern[str]"] = None   # ... outside those and `MORE_FAST_BLOCKS`
SHINGLE_SIZE = 2
_RUN_OF_HITS = re.compile(b"\x01+")


def tokens(text: str, fold_digits: bool = True) -> List[str]:
    """Return the tokens of `text` (see the module docstring)."""
    if text.isascii():
        text = text.lower()
        if "'" in text:
            text = _CLITIC_SPACE.sub("", text)
        return _ASCII_TOKEN.findall(_ASCII_DIGIT.sub("0", text) if fold_digits else text)
    text = unicodedata.normalize("NFKC", text).casefold()
    if "'" in text or "’" in text:
        text = _CLITIC_SPACE.sub("", text)
    if (_outside_fast or _outside_blocks(FAST_BLOCKS)).search(text) is None or \
            (_outside_more or _outside_blocks(FAST_BLOCKS + MORE_FAST_BLOCKS)).search(text) is None:
        return _FAST_LETTERS.findall(_ASCII_DIGIT.sub("0", text) if fold_digits else text)
    return _TOKEN.findall(_DIGIT.sub("0", text) if fold_digits else text)


def fast_characters(blocks: Sequence[Tuple[int, int]] = FAST_BLOCKS + MORE_FAST_BLOCKS) -> str:
    """Every character of `blocks` (all that `re` may tokenise)."""
    return "".join(chain.from_iterable(map(chr, range(low, high + 1)) for low, high in blocks))


def _outside_blocks(blocks: Sequence[Tuple[int, int]]) -> "re.Pattern[str]":
    """The pattern of a character that `re` may not tokenise: one outside `blocks`
    (`FAST_BLOCKS`, or those and `MORE_FAST_BLOCKS`), or one inside that the installed
    `re` and `regex` class apart. Made on first use (about 3 ms, or 10 ms with the
    Hangul syllables), so that ASCII input never pays for it."""
    global _outside_fast, _outside_more
    chars = fast_characters(blocks)
    apart = set(_FAST_LETTERS.sub("", chars)) ^ set(_LETTERS.sub("", chars))   # what is no letter
    apart |= set(_WIDE_CHAR.findall(chars)) | set(_DIGIT.findall(chars)) - set("0123456789")
    # One class of what is fast (the blocks with holes at `apart`), which `re` tests in
    # one step per character: an alternative `|[apart]` would take it three times as long.
    inside, holes = [], sorted(map(ord, apart))
    for low, high in blocks:
        for hole in [c for c in holes if low <= c <= high] + [high + 1]:
            if low < hole:
                inside.append(re.escape(chr(low)) + "-" + re.escape(chr(hole - 1)))
            low = hole + 1
    pattern = re.compile("[^%s]" % "".join(inside))
    if blocks == FAST_BLOCKS:
        _outside_fast = pattern
    else:
        _outside_more = pattern
    return pattern


def folded(toks: List[str]) -> List[str]:
    """`tokens(text)` from `tokens(text, fold_digits=False)`: folding a digit never
    moves the end of a token."""
    joined = "".join(toks)
    digit = _ASCII_DIGIT if joined.isascii() else _DIGIT
    if digit.search(joined) is None:
        return toks
    return [digit.sub("0", token) for token in toks]


def _wide_chars(text: str) -> List[str]:
    """The characters of unspaced scripts in `text`."""
    return _WIDE_CHAR.findall("".join(_HIGH.findall(text)))


def key(text: str, fold_digits: bool = True) -> str:
    """Return the key of `text`: its tokens joined."""
    return "".join(tokens(text, fold_digits))


def key_with_offsets(text: str, fold_digits: bool = False) -> Tuple[str, List[int]]:
    """Return `key(text, fold_digits)` and, for each key character, its offset in `text`.

    Slower than `key`; used only where a cut must land inside a line. The key may
    differ from `key(text)` where NFKC joins characters; callers check.
    """
    if text.isascii():
        runs = list(_ASCII_ALNUM.finditer(text))
        offsets = list(chain.from_iterable(range(*run.span()) for run in runs))
        keyed = "".join(run.group() for run in runs).lower()
        return (keyed if not fold_digits else _ASCII_DIGIT.sub("0", keyed)), offsets
    keys = {char: key(char, fold_digits) for char in set(text)}
    chars, offsets = [], []
    for i, char in enumerate(text):
        for piece in keys[char]:
            chars.append(piece)
            offsets.append(i)
    return "".join(chars), offsets


def weight(tokens_: Sequence[str], wide_char_weight: int = 3) -> int:
    """Length in key characters, counting a character of an unspaced script
    `wide_char_weight` times (a Chinese character carries about a word)."""
    joined = "".join(tokens_)
    if wide_char_weight == 1 or joined.isascii():
        return len(joined)
    return len(joined) + (wide_char_weight - 1) * len(_wide_chars(joined))


def shingles(tokens_: Sequence[str]) -> Set[Tuple[str, ...]]:
    """Pairs of neighbouring tokens; a one-token block is its own shingle."""
    if len(tokens_) < SHINGLE_SIZE:
        return {tuple(tokens_)} if tokens_ else set()
    return set(zip(tokens_, tokens_[1:]))


def coverage(tokens_: Sequence[str], other: Set[Tuple[str, ...]]) -> Tuple[int, int, int]:
    """How a token list is covered by another block's shingles.

    Returns (start, end, covered): the longest stretch `tokens_[start:end]` made of
    shingles found in `other`, and how many tokens are covered at all. A copy with a
    marker appended is one long stretch plus an uncovered end; two template lines that
    differ in the middle share stretches on both sides of the difference.
    """
    n = len(tokens_)
    if n < SHINGLE_SIZE:
        return (0, n, n) if tuple(tokens_) in other else (0, 0, 0)
    # One byte a shingle, 1 where `other` has it: the stretches are the runs of ones.
    hits = bytes(map(other.__contains__, zip(tokens_, tokens_[1:])))
    best = (0, 0)
    covered = 0
    for run in _RUN_OF_HITS.finditer(hits):
        start, end = run.start(), run.end() + SHINGLE_SIZE - 1
        covered += end - start
        if end - start > best[1] - best[0]:
            best = (start, end)
    return best[0], best[1], covered


class Line:
    """What comparing one line of a document needs, each part worked out once: the
    fixed-point loop looks at a document several times, and a line may repeat.

    Attributes:
        text: the line.
        tokens: its tokens, digits kept (`tokens(text, fold_digits=False)`).
        key: the tokens joined.
    """

    __slots__ = ("text", "tokens", "key", "_shingles", "_ends", "_offsets", "_weight")

    def __init__(self, text: str):
        self.text = text
        self.tokens = tokens(text, fold_digits=False)
        self.key = "".join(self.tokens)
        self._shingles: Optional[Set[Tuple[str, ...]]] = None
        self._ends: Optional[List[int]] = None
        self._offsets: Optional[List[int]] = None
        self._weight: Optional[Tuple[int, int]] = None

    def weight(self, wide_char_weight: int) -> int:
        """`weight(self.tokens, wide_char_weight)`."""
        if self._weight is None or self._weight[0] != wide_char_weight:
            size = len(self.key) if self.key.isascii() else weight(self.tokens, wide_char_weight)
            self._weight = (wide_char_weight, size)
        return self._weight[1]

    def shingles(self) -> Set[Tuple[str, ...]]:
        """`shingles(self.tokens)`."""
        if self._shingles is None:
            self._shingles = shingles(self.tokens)
        return self._shingles

    def chars(self, start: int, end: int) -> int:
        """Key characters in tokens[start:end]."""
        if self._ends is None:
            self._ends = [0, *accumulate(map(len, self.tokens))]
        return self._ends[end] - self._ends[start]

    def offsets(self) -> List[int]:
        """The offset in the line of each key character (`key_with_offsets`)."""
        if self._offsets is None:
            self._offsets = key_with_offsets(self.text)[1]
        return self._offsets
