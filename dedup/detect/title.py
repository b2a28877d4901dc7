"""The title printed several times, and the site name around it.

The first non-blank line of a document is its title. Its later copies go: exact copies
wherever they stand, and, near the top, copies that share the title's text but carry
another site prefix or suffix ("<headline> - Site" / "<headline> | Site Online"). When
such variants disagree on the affix, the text they share is the headline, so the
affix is cut from the kept title too.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import regex

from ..config import Config
from ..model import Block, Removal
from ..shingle import Line, key as key_of, key_with_offsets


def find_title(blocks: Sequence[Block], lines: Dict[int, Line], config: Config,
               affixes: Optional[Dict[int, Tuple[int, int]]] = None
               ) -> Tuple[Optional[Block], List[Removal]]:
    """Return the title block to protect, and the removals for its copies and site affix.

    The title is the first non-blank line, unless that line has no copies and a later
    line near the top does (a navigation line above the headline): then that line,
    provided its copies follow it directly (only copies or blank lines between, so a
    poem's refrain near the top is not taken for a title) and it does not itself copy
    a line above it (a caption under a first paragraph).

    `affixes` gives, for lines near the top, how many leading and trailing tokens are a
    site affix learned from a corpus (`dedup.corpus.chrome`): lines are compared
    without them, and the title loses its own.
    """
    affixes = affixes or {}
    keys = {index: line.key for index, line in lines.items()}
    for index, (lead, tail) in affixes.items():
        if index in keys:
            toks = lines[index].tokens
            keys[index] = "".join(toks[lead:len(toks) - tail])
    head = [b for b in blocks if b.kind != "blank"][:config.head_blocks]
    first = None
    above = set()
    for position, block in enumerate(head):
        key = keys.get(block.index)
        if not block.removable or not key or len(key) < config.title_min_chars:
            if position == 0:
                return None, []
            continue
        own = lines[block.index].shingles()
        copies_above = 2 * len(own & above) >= len(own)
        above |= own
        if copies_above:
            continue
        removals = _title_copies(blocks, keys, block, config, anywhere=position == 0,
                                 site_suffix=affixes.get(block.index, (0, 0))[1] > 0)
        if position == 0:
            first = block
            removals += _learned_cut(block, lines, affixes.get(block.index), removals, config)
        if removals:
            # A title below the first line is not protected: it may itself be a caption
            # copy, and protecting it would make the result depend on its copies.
            return (block if position == 0 else None), removals
    return first, []


def _title_copies(blocks: Sequence[Block], keys: Dict[int, str], title: Block,
                  config: Config, anywhere: bool, site_suffix: bool = False) -> List[Removal]:
    """Removals for copies of `title` and for its site affix (see the module docstring).

    With `anywhere` (the first line), exact copies count wherever they stand and near
    copies in the head; without it, only copies in an unbroken run after it. A line
    that is the title and more words counts only if a separator sets them off, unless
    the title has a learned site suffix (`site_suffix`; `keys` holds it without): such a
    site may end its titles with words that no separator sets off ("... Daily Sun").
    """
    title_key = keys[title.index]
    removals = []
    affix_evidence = []  # (side, shared length) of variants whose affix differs
    other_affix = False  # whether a variant has an affix of its own
    seen = 0
    for block in blocks[title.index + 1:]:
        if block.kind == "blank":
            continue
        seen += 1
        if anywhere and seen > config.head_blocks:
            # Past the head only exact copies count: look them up by key.
            removals += [Removal(blocks[index].start, blocks[index].end, "title_repeat",
                                 (title.start, title.content_end), 1.0)
                         for index, key in keys.items() if key == title_key and index >= block.index]
            break
        key = keys.get(block.index)
        copy = None
        if block.removable and key:
            if key == title_key:
                copy = 1.0
            elif seen <= config.head_blocks:
                variant = _variant(title_key, key, config, prefixes=anywhere)
                if variant is not None and variant[0] == "suffix" and variant[1] == len(title_key) \
                        and not site_suffix and not _set_off(block.text, key, variant[1]):
                    # The bare title and more words ("<title> for families", "<title> after
                    # the vote."): a heading or a caption that goes on from the title, not
                    # the title with a site name, which a separator sets off.
                    variant = None
                if variant is not None:
                    copy = variant[1] / max(len(key), len(title_key))
                    affix_evidence.append(variant)
                    other_affix = other_affix or len(key) > variant[1]
        if copy is not None:
            removals.append(Removal(block.start, block.end, "title_repeat",
                                    (title.start, title.content_end), copy))
        elif not anywhere:
            break
    cut = _affix_cut(title, title_key, affix_evidence, config, separated=not other_affix)
    if cut is not None and affix_evidence[0][0] == "prefix" \
            and not _prefix_shown(title, cut, keys, other_affix):
        cut = None
    if cut is not None:
        removals.append(Removal(cut[0], cut[1], "site_affix", None, None))
    return removals


def _set_off(text: str, key: str, shared: int) -> bool:
    """Whether what follows the first `shared` key characters of `text` (whose key is
    `key`) starts with a separator (punctuation glued to the last word aside)."""
    keyed, offsets = key_with_offsets(text)
    if keyed != key:
        return True   # (a learned affix left out of `key`, or NFKC: no offsets; as before)
    return _SEPARATOR.match(text, _past_glued(text, offsets[shared - 1] + 1)) is not None


def _past_glued(text: str, end: int) -> int:
    """`end` moved past punctuation glued to the word before it ("over?", "'Jaws'")."""
    while end < len(text) and not text[end].isspace() and not text[end].isalnum():
        end += 1
    return end


def _learned_cut(title: Block, lines: Dict[int, Line], affix, removals, config: Config) -> List[Removal]:
    """Cut a learned site affix from the title, unless its copies already did.

    The pages of a site share an affix that is not a site name as well: half of a small
    site's headlines may start with "The" or "How to", or end with "right now". A site
    name before the headline is set off by a separator ("Site | ..."), so a prefix
    without one stays. A suffix without one ("<headline> Daily Sun") goes only if it
    is two words or more and no other line of the page uses those words in a row.
    """
    if not affix or any(r.reason == "site_affix" for r in removals):
        return []
    lead, tail = affix
    toks = lines[title.index].tokens
    full = "".join(toks)
    cuts = []
    if tail:
        evidence = [("suffix", len(full) - sum(map(len, toks[-tail:])))]
        cut = _affix_cut(title, full, evidence, config, separated=True)
        if cut is None and _bare_suffix(toks, tail, title, lines):
            cut = _affix_cut(title, full, evidence, config)
        cuts.append(cut)
    if lead:
        cut = _affix_cut(title, full, [("prefix", len(full) - sum(map(len, toks[:lead])))], config)
        if cut is not None and not any(m.end() == cut[1] - title.start for m in _SEPARATOR.finditer(
                title.text, 0, cut[1] - title.start)):
            cut = None
        cuts.append(cut)
    return [Removal(start, end, "site_affix") for start, end in filter(None, cuts)]


def _bare_suffix(toks: List[str], tail: int, title: Block, lines: Dict[int, Line]) -> bool:
    """Whether the last `tail` tokens of the title can be a site name without a
    separator: two words or more, three letters or more, and in no other line of the
    page (but the title's copies, which carry the headline)."""
    suffix = toks[-tail:]
    if tail < 2 or sum(c.isalpha() for token in suffix for c in token) < 3:
        return False
    needle = " %s " % " ".join(suffix)
    headline = "".join(toks[:-tail])
    return not any(needle in " %s " % " ".join(line.tokens) for index, line in lines.items()
                   if index != title.index and headline not in line.key)


def _variant(title_key: str, key: str, config: Config, prefixes: bool
             ) -> Optional[Tuple[str, int]]:
    """("suffix"|"prefix", shared length) if `key` is the title with another affix.

    With `prefixes` False only another suffix counts ("<headline> - Site").
    """
    best = None
    head = _common_prefix(title_key, key)
    tail = _common_prefix(title_key[::-1], key[::-1])
    sides = (("suffix", head, tail), ("prefix", tail, head)) if prefixes else (("suffix", head, tail),)
    for side, shared, other_end in sides:
        tails = (len(title_key) - shared, len(key) - shared)
        if shared < config.min_copy_chars or shared < max(tails) \
                or max(tails) > config.max_affix_chars \
                or other_end > max(config.max_noise_chars, min(tails) // 2):
            # Too little shared, affixes too long, or the two lines also agree at the
            # other end ("Line 1 of the list" / "Line 2 of the list"): not a title copy.
            continue
        rests = (title_key[shared:], key[shared:]) if side == "suffix" else \
            (title_key[:len(title_key) - shared], key[:len(key) - shared])
        if not any(sum(c.isalpha() for c in rest) >= 3 for rest in rests):
            # "... Mustangs 2" / "... Mustangs 0": a site affix is words, not a value.
            continue
        if best is None or shared > best[1]:
            best = (side, shared)
    return best


def _common_prefix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


# A separator between a headline and a site name: " | ", " - ", " : ", " » ", ...
_SEPARATOR = regex.compile(r"\s+[|\-–—:·•/«»‹›~]+\s+|\s*[|·•«»‹›]\s*")


def _affix_cut(title: Block, title_key: str, evidence, config: Config, separated: bool = False
               ) -> Optional[Tuple[int, int]]:
    """The span of the title's own affix, when its variants show where the headline ends.

    The variants share the headline and sometimes the start of the site name too
    ("<headline> | Site Online" / "<headline> - site.com"), so the cut is made at the
    last separator inside the shared text's last `max_affix_chars` key characters, or
    else where the shared text ends, and only at a word boundary. With `separated` (the
    only variants are the bare headline, which shows where the headline ends but not
    that a site name follows) a suffix goes only after a separator: "<headline>,
    Miscellaneous papers" keeps its subtitle, "<headline> | Site" loses its site.
    """
    if not evidence or any(side != evidence[0][0] for side, _ in evidence):
        return None
    side = evidence[0][0]
    shared = min(n for _, n in evidence)
    if shared >= len(title_key):
        return None  # the title is the bare headline already
    text = title.text
    keyed, offsets = key_with_offsets(text)
    if keyed != title_key:
        return None
    if side == "prefix":
        # Work on the mirror image: the headline is the end of the line.
        first = offsets[len(title_key) - shared]
        lowest = offsets[min(len(title_key) - 1, len(title_key) - shared + config.max_affix_chars)]
        seps = [m for m in _SEPARATOR.finditer(text, first, lowest)]
        if seps:
            return title.start + _lead(text), title.start + seps[0].end()
        # Keep punctuation glued to the headline's first word ("(News) ...", "'Jaws' ...").
        while first > 0 and not text[first - 1].isspace() and not text[first - 1].isalnum():
            first -= 1
        if first <= _lead(text) or text[first - 1].isalnum():
            return None
        return title.start + _lead(text), title.start + first
    last = offsets[shared - 1] + 1
    lowest = offsets[max(0, shared - config.max_affix_chars)]
    seps = [m for m in _SEPARATOR.finditer(text, lowest, len(text)) if m.start() <= last]
    if seps:
        return title.start + seps[-1].start(), title.content_end
    end = _past_glued(text, last)   # (punctuation glued to the headline's last word stays)
    if end >= len(text) or text[end - 1].isalnum() and text[end].isalnum() \
            or separated and not _SEPARATOR.match(text, end):
        return None
    return title.start + end, title.content_end


def _prefix_shown(title: Block, cut: Tuple[int, int], keys: Dict[int, str], other_affix: bool) -> bool:
    """Whether the page shows that a prefix cut from its title is a site name.

    A line that is the end of the title is the headline under "Site: Headline", but
    the site's name (a logo line) under "Headline | Site". So the prefix goes only if
    the page never prints it as a line of its own (a page prints its headline), and
    either prints the rest as a line of its own or has a copy of the rest under
    another prefix of its own ("Breaking: <headline>" / "Update - <headline>").
    """
    lines = {k for index, k in keys.items() if index != title.index}
    text = title.text
    prefix = key_of(text[:cut[1] - title.start], fold_digits=False)
    rest = key_of(text[cut[1] - title.start:], fold_digits=False)
    return prefix not in lines and (other_affix or rest in lines)


def _lead(text: str) -> int:
    return len(text) - len(text.lstrip())
