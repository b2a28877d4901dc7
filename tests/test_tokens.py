"""Tokens: the fast path for common non-ASCII text, and the slow one for the rest,
give the tokens the Unicode property classes define."""
import random
import unicodedata

import regex

from dedup import shingle
from dedup.shingle import fast_characters, folded, tokens

# The module docstring's definition: a character of an unspaced script with its marks,
# or a run of letters, digits and marks none of which is such a character.
_UNSPACED = r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}]\p{M}*"
_REFERENCE = regex.compile(_UNSPACED + r"|(?:(?!" + _UNSPACED + r")[\p{L}\p{N}\p{M}])+")


def _reference_tokens(text: str, fold_digits: bool):
    """The tokens as the module docstring defines them, with the Unicode classes of `regex`."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = shingle._CLITIC_SPACE.sub("", text)
    if fold_digits:
        text = regex.sub(r"\p{Nd}", "0", text)
    return _REFERENCE.findall(text)


def test_every_character_of_the_fast_blocks_tokenises_as_the_unicode_classes_say():
    chars = fast_characters()
    assert len(chars) > 7000
    for char in chars:
        text = f"ab{char}cd é{char}2"
        for fold in (False, True):
            assert tokens(text, fold) == _reference_tokens(text, fold), hex(ord(char))


def test_accented_and_punctuated_text_tokenises_like_the_unicode_classes():
    line = "„Über den Fluss“ – l’été’s café, naïve ΑΘΗΝΑ déjà-vu № 5 ⅓ … Москва 2024 😀"
    for fold in (False, True):
        assert tokens(line, fold) == _reference_tokens(line, fold)
    assert tokens("Die Straße") == ["die", "strasse"]
    assert tokens("l’été") == tokens("l'été")


def test_random_text_tokenises_like_the_unicode_classes():
    rng = random.Random(7)
    pool = ([chr(c) for c in (*range(0xA0, 0x2C00), *range(0x3000, 0x3100), *range(0xAC00, 0xAC40))
             if chr(c).isprintable()]
            + list(" '’_-.,") * 40 + ["\u0301", "\u0308", "\u0e01", "\u0e31", "\u4e2d", "\u3042"] * 20)
    for _ in range(5000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(1, 16)))
        for fold in (False, True):
            assert tokens(text, fold) == _reference_tokens(text, fold), text


def test_folding_the_digits_of_tokens_gives_the_folded_tokens():
    for line in ("Page 12 of 340", "Seite ٣ von ١٢ – „Kapitel 7“", "no digits at all", "漢字 2024年"):
        assert folded(tokens(line, fold_digits=False)) == tokens(line)
