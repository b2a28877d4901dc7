"""Tokens: the fast path for common non-ASCII text gives the same tokens as the
Unicode property classes it stands in for."""
import random
import unicodedata

import regex

from dedup import shingle
from dedup.shingle import fast_characters, folded, tokens

_REFERENCE = regex.compile(r"[\p{L}\p{N}\p{M}]+")


def _reference_tokens(text: str, fold_digits: bool):
    """The tokens as the slow path defines them, for text without wide characters."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = shingle._CLITIC_SPACE.sub("", text)
    if fold_digits:
        text = regex.sub(r"\p{Nd}", "0", text)
    return _REFERENCE.findall(text)


def test_every_character_of_the_fast_blocks_tokenises_as_the_unicode_classes_say():
    chars = fast_characters()
    assert len(chars) > 7000
    for char in chars:
        if shingle._WIDE_CHAR.match(unicodedata.normalize("NFKC", char)):
            continue
        text = f"ab{char}cd é{char}2"
        for fold in (False, True):
            assert tokens(text, fold) == _reference_tokens(text, fold), hex(ord(char))


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
        if shingle._wide_chars(unicodedata.normalize("NFKC", text)):
            continue
        for fold in (False, True):
            assert tokens(text, fold) == _reference_tokens(text, fold), text


def test_folding_the_digits_of_tokens_gives_the_folded_tokens():
    for line in ("Page 12 of 340", "Seite ٣ von ١٢ – „Kapitel 7“", "no digits at all", "漢字 2024年"):
        assert folded(tokens(line, fold_digits=False)) == tokens(line)
