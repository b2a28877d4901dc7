"""Teaser and link lines: "NEXT <headline>", "Read more from <site>", "Related: ...".

The patterns are generic lead phrases in several languages, combined with position
and length: a lead followed by a headline ("Next ...", "Don't miss: ...", "Related:
...", "Read more: ...") is a teaser only in the tail of the document, where pages put
their "read next" block, while a line that only links elsewhere ("Read more from
<site>", "More stories: site.com ...", "Share this article") counts anywhere. Site names are never written here; a site's
own wording is learned from repetition across documents (corpus mode) or given with
`--rules`.
"""
from typing import Dict, List, Optional, Sequence

import regex

from ..config import Config
from ..model import Block, Removal

_SEP = r"\s*(?:[:：|»›>–—-]+|\.{3,}|…)"

# Leads of a line that advertises another article. Only in the tail of a document.
_TEASER_LEADS = [
    # English
    r"(?:read|up|coming|what's|watch) next", r"next(?: story| article| up| read)?",
    r"don'?t miss(?: this)?", r"do not miss", r"also (?:trending|read|see|on \w+|watch)",
    r"trending(?: now| stories| today)?", r"(?:recommended|suggested)(?: for you| reading| stories)?",
    r"you (?:may|might|will) (?:also )?(?:like|enjoy|be interested)",
    r"(?:most|more) (?:read|popular|viewed|shared)", r"popular(?: now| stories| posts)?",
    r"(?:related|similar)(?: articles?| stories| posts| news| content| reading| coverage| links)?",
    r"see also", r"further reading", r"editor'?s picks?", r"top stories", r"must read",
    r"previous(?: story| article| post)?", r"next post",
    # German, French, Spanish, Italian, Portuguese, Dutch
    r"(?:lesen sie|lies) (?:auch|mehr)", r"auch interessant", r"mehr zum thema", r"das könnte sie (?:auch )?interessieren",
    r"(?:à )?lire aussi", r"(?:à )?voir aussi", r"sur le même sujet", r"à lire également",
    r"lee también", r"(?:también )?te puede interesar", r"noticias relacionadas", r"te recomendamos",
    r"leggi anche", r"potrebbe interessarti", r"articoli correlati",
    r"leia (?:também|mais)", r"veja também", r"você (?:pode|vai) gostar",
    r"lees (?:ook|meer)", r"meer over",
]

# Leads of a line that only links elsewhere: anywhere, if nothing follows but a short
# name ("Read more from <site>", "More stories: site.com ...", "Share this article").
_LINK_LEADS = [
    r"(?:read|see|view|find|get|discover|click here for|for) (?:more|all)"
    r"(?: stories| news| articles| posts| coverage)?",
    r"more (?:stories|news|articles|posts|coverage)", r"more", r"continue reading",
    r"read the (?:full|whole|original) (?:story|article|post)",
    r"click here(?: to (?:read|see|view) more)?",
    r"share (?:this|the) (?:article|story|post|page|video)(?: on \w+)?", r"share on \w+",
    r"weiterlesen", r"mehr lesen", r"lesen sie mehr", r"lire la suite", r"(?:leer|ver) más",
    r"continua a leggere", r"saiba mais",
    r"(?:partager|compartir|condividi|teilen|compartilhe|delen)(?: (?:cet|este|questo|diesen|esse|dit) \w+)?",
]
# The name after a link lead: up to five words after "from/at/on", or up to three
# after a separator.
_NAME = r"(?:\s+(?i:from|at|on|von|de|di|da)(?:\s+\S+){1,5}?|(?:%s(?:\s*\S+){1,3}?)?)" % r"\s*[:：|»›>–—-]+"

# A lead, a separator, then a headline: a teaser for another article, in the tail.
_TEASER = regex.compile(
    r"^\W*(?:(?i:%s)%s\s*\S|(?-i:NEXT|UP NEXT|READ NEXT|READ MORE|RELATED|WATCH|MORE)\s+\S)"
    % ("|".join(_TEASER_LEADS + [r"read more", r"more (?:stories|news)", r"continue reading"]), _SEP),
    regex.V0)
_LINK_FIRST_WORDS = frozenset(
    "read see view find get discover click for more continue share weiterlesen mehr lesen "
    "lire leer ver continua saiba partager compartir condividi teilen compartilhe delen".split())
_PUNCTUATION = "\"'«»‹›|•·-–—:>[]()*#.,!?"


def _first_word(words: Sequence[str]) -> str:
    for word in words[:2]:  # "» Read more", "| Share ..."
        word = word.strip(_PUNCTUATION)
        if word:
            return word.casefold()
    return ""


_LINK_CHARS = 160  # a link line is a lead and a short name, never longer than this
_LINK = regex.compile(r"^\W*(?i:%s)%s\s*(?:%s)?\W*$" % ("|".join(_LINK_LEADS), _NAME, _SEP), regex.V0)


def find_link_lines(blocks: Sequence[Block], config: Config,
                    known: Optional[Dict[str, bool]] = None) -> List[Removal]:
    """Removals for teaser lines in the tail and link lines anywhere (short lines only).

    `known` keeps whether a line's text is a link line, across the passes over one
    document: that depends only on the text, and most lines are looked at again.
    """
    known = {} if known is None else known
    text_blocks = [b for b in blocks if b.kind != "blank"]
    tail_from = max(0, len(text_blocks) - config.tail_blocks)
    tail = {b.index for b in text_blocks[tail_from:]}
    first = text_blocks[0].index if text_blocks else -1
    removals = []
    for block in text_blocks:
        if block.kind != "text" or block.index == first:
            continue
        link = known.get(block.text)
        if link is None:
            link = known[block.text] = _is_link(block.text.strip(), config)
        if link:
            removals.append(Removal(block.start, block.end, "link_line", rule="built-in link lead"))
        elif block.index in tail and _is_teaser(block.text.strip(), config):
            removals.append(Removal(block.start, block.end, "teaser", rule="built-in teaser lead"))
    return removals


def _is_link(line: str, config: Config) -> bool:
    """A short line that is a link lead and a name ("Read more from <site>").

    Most lines do not start with a link lead: the first two words are looked at before
    the whole line is split."""
    return len(line) <= _LINK_CHARS and _first_word(line.split(None, 2)) in _LINK_FIRST_WORDS \
        and _short(line, config) and _LINK.match(line) is not None


def _is_teaser(line: str, config: Config) -> bool:
    """A short line that is a teaser lead and a headline ("NEXT <headline>")."""
    return _short(line, config) and _TEASER.match(line) is not None


def _short(line: str, config: Config) -> bool:
    """At most `max_link_words` words (and characters for as many long words)."""
    return len(line) <= 40 * config.max_link_words and len(line.split()) <= config.max_link_words
