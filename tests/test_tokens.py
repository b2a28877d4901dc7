"""Tokens: the fast path for common non-ASCII text gives the same tokens as the
Unicode property classes it stands in for."""
import random
import unicodedata

import regex

from dedup import shingle
from dedup.shingle import FAST_BLOCKS, folded, tokens

_REFERENCE = regex.compile(r"[\p{L}\p{N}\p{M}]+")


def _reference_tokens(text: str, fold_digits: bool):
    """The tokens as the slow path defines them, for text without wide characters."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = shingle._CLITIC_SPACE.sub("", text)
    if fold_digits:
        text = regex.sub(r"\p{Nd}", "0", text)
    return _REFERENCE.findall(text)


def _fast_characters():
    ranges = regex.findall(r"(.)-(.)", FAST_BLOCKS, flags=regex.S)
    return "".join(chr(c) for low, high in ranges for c in range(ord(low), ord(high) + 1))


def test_every_character_of_the_fast_blocks_is_classed_as_the_unicode_classes_say():
    chars = _fast_characters()
    assert len(chars) > 7000
    assert set("".join(shingle._FAST_LETTERS.findall(chars))) == set("".join(_REFERENCE.findall(chars)))
    assert not regex.search(r"\p{M}", chars)
    assert not shingle._WIDE_CHAR.search(chars)
    assert set(regex.findall(r"\p{Nd}", chars)) == set("0123456789")


def test_accented_and_punctuated_text_tokenises_like_the_unicode_classes():
    line = "„Über den Fluss“ – l’été’s café, naïve ΑΘΗΝΑ déjà-vu № 5 ⅓ … Москва 2024 😀"
    for fold in (False, True):
        assert tokens(line, fold) == _reference_tokens(line, fold)
    assert tokens("Die Straße") == ["die", "strasse"]
    assert tokens("l’été") == tokens("l'été")


def test_random_text_tokenises_like_the_slow_path():
    rng = random.Random(7)
    pool = ([chr(c) for c in range(0xA0, 0x2C00) if chr(c).isprintable()]
            + list(" '’_-.,") * 40 + ["\u0301", "\u0308", "\u0e01", "\u4e2d", "\u3042"] * 20)
    for _ in range(5000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(1, 16)))
        for fold in (False, True):
            expected = _reference_tokens(text, fold) if not shingle._wide_chars(
                unicodedata.normalize("NFKC", text)) else None
            got = tokens(text, fold)
            if expected is not None:
                assert got == expected, text


def test_folding_the_digits_of_tokens_gives_the_folded_tokens():
    for line in ("Page 12 of 340", "Seite ٣ von ١٢ – „Kapitel 7“", "no digits at all", "漢字 2024年"):
        assert folded(tokens(line, fold_digits=False)) == tokens(line)
