"""Teaser and link lines: "NEXT <headline>", "Read more from <site>", "Related: ...".

The patterns are generic lead phrases in several languages, combined with position
and length: a teaser lead ("Next", "Don't miss", "Also trending") only counts in the
tail of the document, where pages put their "read next" block, while a link lead
("Read more from <site>", "More stories:", "Share this article") counts anywhere but
only on a short line that is nothing else. Site names are never written here; a site's
own wording is learned from repetition across documents (corpus mode) or given with
`--rules`.
"""
from typing import List, Sequence

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

# Leads of a line that only links elsewhere: anywhere, if the line is short.
_LINK_LEADS = [
    r"(?:read|see|view|find|get|discover|click here for|for) (?:more|all)(?: stories| news| articles| posts| coverage)?"
    r"(?: (?:from|at|on|in|of) .{1,60})?",
    r"more (?:stories|news|articles|posts|coverage)(?: (?:from|at|on|in) .{1,60})?",
    r"more from .{1,60}", r"continue reading(?: .{1,60})?", r"read the (?:full|whole|original) (?:story|article|post)(?: .{1,60})?",
    r"click here(?: to (?:read|see|view) more)?", r"see more", r"read more",
    r"share (?:this|the) (?:article|story|post|page|video)(?: on .{1,30})?", r"share on \w+",
    r"(?:weiterlesen|mehr lesen|lesen sie mehr)(?: .{1,60})?", r"lire la suite(?: .{1,60})?",
    r"(?:leer|ver) más(?: .{1,60})?", r"continua a leggere(?: .{1,60})?", r"saiba mais(?: .{1,60})?",
    r"(?:partager|compartir|condividi|teilen|compartilhe|delen)(?: (?:cet|este|questo|diesen|esse|dit) \w+)?",
]

_TEASER = regex.compile(
    r"^\W*(?:(?i:%s)%s\s*\S|(?-i:NEXT|UP NEXT|READ NEXT|READ MORE|RELATED|WATCH|MORE)\s+\S)"
    % ("|".join(_TEASER_LEADS), _SEP), regex.V0)
_LINK = regex.compile(
    r"^\W*(?i:%s)(?:%s)?\W*$|^\W*(?i:%s)%s\s*\S.{0,120}$"
    % ("|".join(_LINK_LEADS), _SEP, r"read more|more stories|more news|related|see also", _SEP),
    regex.V0)


def find_link_lines(blocks: Sequence[Block], config: Config) -> List[Removal]:
    """Removals for teaser lines in the tail and link lines anywhere (short lines only)."""
    text_blocks = [b for b in blocks if b.kind != "blank"]
    tail_from = max(0, len(text_blocks) - config.tail_blocks)
    tail = {b.index for b in text_blocks[tail_from:]}
    first = text_blocks[0].index if text_blocks else -1
    removals = []
    for block in text_blocks:
        if not block.removable or block.index == first:
            continue
        line = block.text.strip()
        if len(line.split()) > config.max_link_words:
            continue
        if _LINK.match(line):
            removals.append(Removal(block.start, block.end, "link_line", rule="built-in link lead"))
        elif block.index in tail and _TEASER.match(line):
            removals.append(Removal(block.start, block.end, "teaser", rule="built-in teaser lead"))
    return removals
