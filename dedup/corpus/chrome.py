"""Site chrome learned from repetition across documents.

- **Chrome lines**: a line (compared on its key with digits folded, so "(c) 2019 Site"
  and "(c) 2020 Site" are one line) found in at least `chrome_min_docs` documents and
  either in at least `chrome_min_share` of them while standing at their edges (within
  the first or last `EDGE_LINES` lines, where navigation and footers are), or in at
  least `chrome_body_share` of them wherever it stands. Chrome frames the content; a
  line in the middle of pages must be on nearly all of them to count, which keeps a
  sentence that a few articles quote, or a refrain that half of a site's pages print.
- **Pair lines**: a line that passes the same share tests with only `PAIR_DOCS`
  documents behind it (fewer than `chrome_min_docs`: a site of two pages). Two pages
  are weak evidence, and learned chrome goes from every page, so such a line goes only
  where chrome looks like chrome (`dedup.detect.learned`): it is short (under
  `long_block_chars`, no paragraph of prose), it stands in a run of at least
  `PAIR_RUN_LINES` chrome lines (a menu, a share bar, a footer), never alone (a
  heading or a quote both pages print), the run lies before the page's first
  paragraph or after its last, and the page keeps more text than such lines take
  (two pages that are mostly the same share content, not a frame).
- **Title affixes**: the last (or first) few tokens that the title lines of many
  documents share ("<headline> | Site", "<headline> - site.com"), with the same
  thresholds, counted on the first lines of each document.
- **Titles**: the headline of every document (its title without the affix), so that a
  line elsewhere that is "<lead> <another document's headline>" is known as a teaser.

With sites (`dedup.corpus.sites`, `--site-key`), lines and affixes are learned per
site, every threshold relative to the site's documents: line hashes are salted with
the site, and the affixes are kept per site. `Chrome.for_site` gives the part that
applies to one site's documents; headlines stay corpus-wide (a teaser may point to a
page of another site).

Everything is stored as stable 64-bit hashes and token lists, so a `Chrome` can be
saved as JSON (`dedup.corpus.profile`) and applied to one document without the corpus.
"""
import functools
import hashlib
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Dict, FrozenSet, Iterable, List, Optional, Sequence, Set, Tuple

from ..config import Config
from ..shingle import key, tokens
from .sites import salted, site_salt

Affixes = Tuple[Tuple[str, ...], ...]

MAX_AFFIX_TOKENS = 6
HEAD_LINES = 6
EDGE_LINES = 5
PAIR_DOCS = 2
PAIR_RUN_LINES = 3


def line_hash(text_key: str) -> int:
    """Stable 64-bit hash of a key (the same on every run, machine and engine)."""
    return int.from_bytes(hashlib.blake2b(text_key.encode("utf-8"), digest_size=8).digest(), "little")


@dataclass(frozen=True)
class Chrome:
    """What a corpus taught: chrome line hashes, title affixes, headline hashes, and
    the hashes of pair lines (see the module docstring).

    `sites` holds the named sites, (salt, documents, suffixes, prefixes) sorted by
    salt; `suffixes` and `prefixes` are those of the unnamed site (all documents,
    without a site key), `documents` counts every site's. `salt` is 0 except in the
    part of one site (`for_site`), whose lines are looked up salted."""

    lines: FrozenSet[int] = frozenset()
    suffixes: Affixes = ()
    prefixes: Affixes = ()
    titles: FrozenSet[int] = frozenset()
    documents: int = 0
    pair_lines: FrozenSet[int] = frozenset()
    sites: Tuple[Tuple[int, int, Affixes, Affixes], ...] = ()
    salt: int = 0
    root: Optional["Chrome"] = field(default=None, compare=False, repr=False)

    def is_chrome(self, text: str) -> bool:
        k = key(text)
        return bool(k) and self.line_key(line_hash(k)) in self.lines

    def line_key(self, hashed: int) -> int:
        """The hash a line of this site's documents is learned under."""
        return salted(hashed, self.salt)

    def for_site(self, site: str) -> "Chrome":
        """The chrome that applies to the documents of `site` (a `sites.site_name`; ""
        is the unnamed site): its lines and affixes, and every headline. Made once a
        site, so that `dedup.detect.learned` keeps its memo across the site's pages."""
        return self.for_salt(site_salt(site))

    def for_salt(self, salt: int) -> "Chrome":
        """`for_site` of the site of salt `salt` (`sites.site_salt`)."""
        root = self.root or self
        if not salt:
            return root
        view = root._views.get(salt)
        if view is None:
            _, suffixes, prefixes = root._site_parts.get(salt, (0, (), ()))
            view = root._views[salt] = replace(root, suffixes=suffixes, prefixes=prefixes, salt=salt, root=root)
        return view

    def site_documents(self) -> int:
        """How many documents the site of this part had (all of them without sites)."""
        root = self.root or self
        if self.salt:
            return root._site_parts.get(self.salt, (0,))[0]
        return root.documents - sum(documents for _, documents, _, _ in root.sites)

    def knows(self, site: str) -> bool:
        """Whether `site` had documents where this chrome was learned."""
        return self.for_site(site).site_documents() > 0

    @functools.cached_property
    def _views(self) -> Dict[int, "Chrome"]:
        return {}

    @functools.cached_property
    def _site_parts(self) -> Dict[int, Tuple[int, Affixes, Affixes]]:
        """(documents, suffixes, prefixes) of each named site, by salt."""
        return {salt: tuple(rest) for salt, *rest in self.sites}

    def affix(self, toks: Sequence[str]) -> Tuple[int, int]:
        """How many leading and trailing tokens of a title line are a learned affix."""
        if not (self.prefixes or self.suffixes):
            return 0, 0
        (lead_sizes, prefixes), (tail_sizes, suffixes) = self._affix_lookup
        n = len(toks)
        lead = next((k for k in lead_sizes if k < n and tuple(toks[:k]) in prefixes), 0)
        tail = next((k for k in tail_sizes if k < n - lead and tuple(toks[n - k:]) in suffixes), 0)
        return lead, tail

    @functools.cached_property
    def _affix_lookup(self):
        """(sizes longest first, set) of the prefixes and of the suffixes."""
        return tuple((sorted({len(a) for a in affixes}, reverse=True), frozenset(affixes))
                     for affixes in (self.prefixes, self.suffixes))

    def headline_hash(self, toks: Sequence[str]) -> Optional[int]:
        lead, tail = self.affix(toks)
        core = "".join(toks[lead:len(toks) - tail])
        return line_hash(core) if core else None


def document_statistics(text: str, salt: int = 0) -> Tuple[Set[int], Set[int], Set[Tuple[str, ...]],
                                                          Set[Tuple[str, ...]], Optional[Tuple[str, ...]]]:
    """What one document adds to the corpus statistics: its line hashes (salted with
    its site's `salt`), those at its edges, the affixes (up to `MAX_AFFIX_TOKENS`
    leading and trailing tokens) of its head lines, and the tokens of its title (first
    line with tokens)."""
    lines = token_lines(text)
    return line_statistics(lines, line_hashes(lines, salt))


def line_hashes(lines: Sequence[Sequence[str]], salt: int = 0) -> List[int]:
    """The `line_hash` of each line's tokens, salted with its site's `salt`."""
    hashes = [line_hash("".join(toks)) for toks in lines]
    return [salted(h, salt) for h in hashes] if salt else hashes


def token_lines(text: str) -> List[List[str]]:
    """The tokens (digits folded) of each line of `text` that has some."""
    return [toks for toks in map(tokens, filter(None, text.splitlines())) if toks]


def line_statistics(lines: Sequence[Sequence[str]], hashes: Sequence[int]) -> Tuple[
        Set[int], Set[int], Set[Tuple[str, ...]], Set[Tuple[str, ...]], Optional[Tuple[str, ...]]]:
    """`document_statistics` of a document's `token_lines` and their `line_hash`es."""
    head = lines[:HEAD_LINES]
    suffixes, prefixes = set(), set()
    for toks in head:
        for n in range(1, min(MAX_AFFIX_TOKENS, len(toks) - 1) + 1):
            suffixes.add(tuple(toks[-n:]))
            prefixes.add(tuple(toks[:n]))
    return (set(hashes), set(hashes[:EDGE_LINES]) | set(hashes[-EDGE_LINES:]), suffixes, prefixes,
            tuple(head[0]) if head else None)


@dataclass
class ChromeCounter:
    """Pass one of a corpus: feed documents, then `learn()`. The documents of a named
    site are counted by a counter of their own (`salt`), which learns as if its site
    were the whole corpus."""

    config: Config
    documents: int = 0
    _line_docs: Counter = field(default_factory=Counter)
    _edge_docs: Counter = field(default_factory=Counter)
    _suffix_docs: Counter = field(default_factory=Counter)
    _prefix_docs: Counter = field(default_factory=Counter)
    _title_tokens: List[Tuple[str, ...]] = field(default_factory=list)
    salt: int = 0
    _sites: Dict[int, "ChromeCounter"] = field(default_factory=dict)

    def add(self, text: str, site: str = "") -> None:
        salt = site_salt(site)
        if salt != self.salt:
            counter = self._sites.get(salt)
            if counter is None:
                counter = self._sites[salt] = ChromeCounter(self.config, salt=salt)
            counter.add(text, site)
            return
        self.documents += 1
        lines, edges, suffixes, prefixes, title = document_statistics(text, salt)
        self._line_docs.update(lines)
        self._edge_docs.update(edges)
        if title:
            self._title_tokens.append(title)
        self._suffix_docs.update(suffixes)
        self._prefix_docs.update(prefixes)

    def common_lines(self, share: float = 0.0) -> FrozenSet[int]:
        """Lines in at least `chrome_min_docs` documents (and `share` of them)."""
        need = max(self.config.chrome_min_docs, share * self.documents)
        return frozenset(h for h, n in self._line_docs.items() if n >= need)

    def learn(self) -> Chrome:
        def chrome_lines(min_docs):
            at_edges, anywhere = needs(self.config, self.documents, min_docs)
            return frozenset(h for h, n in self._line_docs.items()
                             if n >= anywhere or (n >= at_edges and self._edge_docs[h] >= at_edges))

        lines = chrome_lines(self.config.chrome_min_docs)
        need = needs(self.config, self.documents)[0]
        chrome = Chrome(lines, _affixes(self._suffix_docs, need), _affixes(self._prefix_docs, need, prefixes=True),
                        documents=self.documents, pair_lines=chrome_lines(PAIR_DOCS) - lines)
        titles = frozenset(h for h in (chrome.headline_hash(t) for t in self._title_tokens) if h)
        if not self._sites:
            return replace(chrome, titles=titles)
        parts = [chrome] + [self._sites[salt].learn() for salt in sorted(self._sites)]
        return replace(chrome, lines=frozenset().union(*(p.lines for p in parts)),
                       pair_lines=frozenset().union(*(p.pair_lines for p in parts)),
                       titles=titles.union(*(p.titles for p in parts[1:])),
                       documents=sum(p.documents for p in parts),
                       sites=tuple((salt, p.documents, p.suffixes, p.prefixes)
                                   for salt, p in zip(sorted(self._sites), parts[1:])))


def needs(config: Config, documents: int, min_docs: Optional[int] = None) -> Tuple[float, float]:
    """In how many of `documents` a line must stand at the edges, or anywhere, to be
    chrome (and an affix to be learned: the first figure), with at least `min_docs`
    (default `chrome_min_docs`) documents behind it."""
    min_docs = config.chrome_min_docs if min_docs is None else min_docs
    return (max(min_docs, config.chrome_min_share * documents),
            max(min_docs, config.chrome_body_share * documents))


def _affixes(counts: Counter, need: float, prefixes: bool = False) -> Tuple[Tuple[str, ...], ...]:
    """The affixes seen in enough documents, longest first; an affix is dropped when a
    longer one that goes on from it was seen as often: keep the suffix "daily news",
    not "news", and the prefix "site news", not "site" (a suffix goes on at its start,
    a prefix at its end)."""
    frequent = {a: n for a, n in counts.items() if n >= need and sum(map(len, a)) >= 3}
    kept = []
    for affix in sorted(frequent, key=lambda a: (-len(a), a)):
        if not any(len(longer) > len(affix) and frequent[longer] >= frequent[affix]
                   and (longer[:len(affix)] if prefixes else longer[-len(affix):]) == affix
                   for longer in kept):
            kept.append(affix)
    return tuple(kept)


def learn(texts: Iterable[str], config: Config) -> Chrome:
    """Learn chrome from an iterable of document texts (one pass)."""
    counter = ChromeCounter(config)
    for text in texts:
        counter.add(text)
    return counter.learn()
