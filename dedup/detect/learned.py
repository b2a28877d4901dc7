"""Lines that a corpus (or a saved site profile) taught to be chrome or teasers."""
import weakref
from typing import Dict, List, Optional, Sequence, Tuple

from ..model import Block, Removal
from ..shingle import Line, folded
from ..config import Config
from ..corpus.chrome import HEAD_LINES, PAIR_RUN_LINES, Chrome, line_hash

MAX_LEAD_TOKENS = 4
#: characters of line text remembered; the memo is emptied when it holds more
MEMO_CHARS = 1 << 23
_CHROME = "chrome"
_PAIR = "pair"


class _LineMemo:
    """What a line's text comes to under one `Chrome`, worked out once: the cleaner looks
    at every line again on each of its passes, and chrome lines recur in every document
    of a site. Every value depends only on the text and the `Chrome`: one memo serves a
    `Chrome` and the parts of its sites (`Chrome.for_site`), whose lines are memoised
    under (salt, text)."""

    def __init__(self, chrome: Chrome):
        self.of = weakref.ref(chrome)   # (the memo must not keep a corpus's titles alive)
        self.verdicts: Dict[str, object] = {}
        self.affixes: Dict[str, Tuple[int, int]] = {}
        self.headlines: Dict[str, Optional[int]] = {}
        self.chars = 0

    def verdict(self, chrome: Chrome, line: Line):
        """None (no tokens, or nothing learned about it), `_CHROME`, `_PAIR` (a pair
        line), or the headlines of other documents it may be a teaser for (a tuple,
        maybe empty)."""
        return self._remember(self.verdicts, chrome, line, _verdict)

    def affix(self, chrome: Chrome, line: Line) -> Tuple[int, int]:
        return self._remember(self.affixes, chrome, line, lambda chrome, toks: chrome.affix(toks))

    def headline(self, chrome: Chrome, line: Line) -> Optional[int]:
        return self._remember(self.headlines, chrome, line, lambda chrome, toks: chrome.headline_hash(toks))

    def _remember(self, table: dict, chrome: Chrome, line: Line, work):
        """`work(chrome, tokens)` of the line's tokens (digits folded), from `table` when
        it holds them; the text is the key, with the site's salt in one site's part."""
        memo_key = (chrome.salt, line.text) if chrome.salt else line.text
        try:
            return table[memo_key]
        except KeyError:
            pass
        self._bound(line.text)
        found = table[memo_key] = work(chrome, folded(line.tokens))
        return found

    def _bound(self, text: str) -> None:
        """Make room for `text`: empty every memo when they hold `MEMO_CHARS`."""
        self.chars += len(text)
        if self.chars > MEMO_CHARS:
            self.verdicts.clear()
            self.affixes.clear()
            self.headlines.clear()
            self.chars = len(text)


def _verdict(chrome: Chrome, toks: List[str]):
    """What `_LineMemo.verdict` says of a line with these tokens (digits folded)."""
    if not toks:
        return None
    key = "".join(toks)
    hashed = chrome.line_key(line_hash(key))
    if hashed in chrome.lines:
        return _CHROME
    if hashed in chrome.pair_lines:
        return _PAIR
    if not chrome.titles:
        return None
    lead, tail = chrome.affix(toks)
    body_end = len(toks) - tail
    core = "".join(toks[:body_end]) if tail else key
    headlines = []
    for skip in range(0, min(MAX_LEAD_TOKENS, body_end - 1) + 1):
        if skip:
            core = core[len(toks[skip - 1]):]   # the tokens after the first `skip`
        if len(core) < 12:
            break
        if skip + tail == 0:   # a teaser has a lead or an affix besides the headline
            continue
        headline = line_hash(core)
        if headline in chrome.titles:
            headlines.append(headline)
    return tuple(headlines)


_memo: Optional[_LineMemo] = None


def _memo_of(chrome: Chrome) -> _LineMemo:
    """The memo of `chrome` and of the other sites' parts of the same `Chrome` (a new one
    when another `Chrome` is in use)."""
    global _memo
    root = chrome.root or chrome
    if _memo is None or _memo.of() is not root:
        _memo = _LineMemo(root)
    return _memo


def learned_affixes(blocks: Sequence[Block], lines: Dict[int, Line],
                    chrome: Chrome) -> Dict[int, Tuple[int, int]]:
    """Leading and trailing affix tokens of the lines near the top, by block index."""
    affixes = {}
    memo = _memo_of(chrome)
    head = [b for b in blocks if b.removable][:HEAD_LINES]
    for block in head:
        lead, tail = memo.affix(chrome, lines[block.index])
        if lead or tail:
            affixes[block.index] = (lead, tail)
    return affixes


def find_learned(blocks: Sequence[Block], lines: Dict[int, Line], chrome: Chrome, title: Optional[Block],
                 config: Config) -> List[Removal]:
    """Removals for chrome lines, for short pair lines in a run of chrome lines, and
    for teasers whose text is another document's headline ("Read next: <headline> |
    Site").

    In a small site (fewer than twice `chrome_min_docs` documents) a long chrome line
    between the page's paragraphs stays: there, every page printing it is weak
    evidence, and the articles of a small site may quote the same sentence.
    """
    memo = _memo_of(chrome)
    own = None
    if title is not None:
        own = memo.headline(chrome, lines[title.index])
    title_index = None if title is None else title.index
    verdicts = {block.index: memo.verdict(chrome, lines[block.index]) for block in blocks if block.removable}
    weights = {i: lines[i].weight(config.wide_char_weight) for i in verdicts}
    long_enough = config.long_block_chars
    prose = [i for i, verdict in verdicts.items()
             if verdict is not _CHROME and verdict is not _PAIR and weights[i] >= long_enough]
    quoted = range(prose[0] + 1, prose[-1]) if prose and \
        chrome.site_documents() < 2 * config.chrome_min_docs else range(0)
    removals = []
    for block in blocks:
        verdict = verdicts.get(block.index)
        if verdict is None or verdict is _PAIR or block.index == title_index:
            continue
        if verdict is _CHROME:
            if block.index not in quoted or weights[block.index] < long_enough:
                removals.append(Removal(block.start, block.end, "chrome", rule="learned chrome line"))
        elif any(headline != own for headline in verdict):
            removals.append(Removal(block.start, block.end, "teaser", rule="another document's headline"))
    if _PAIR in verdicts.values():
        removals += _pair_runs(blocks, verdicts, weights, prose, title_index, config)
    return sorted(removals, key=lambda r: r.start)


def _pair_runs(blocks: Sequence[Block], verdicts: Dict[int, object], weights: Dict[int, int],
               prose: List[int], title_index: Optional[int], config: Config) -> List[Removal]:
    """Removals for the short pair lines of runs of `PAIR_RUN_LINES` or more chrome
    lines that frame the document's prose: before its first paragraph or after its
    last (a page without prose has no frame to tell chrome from content). None if they
    would take more of the document's text than they leave."""
    if not prose:
        return []
    runs, run = [], []   # chrome and pair lines in a row (blank lines between them)
    for block in blocks:
        if block.kind == "blank":
            continue
        if verdicts.get(block.index) in (_CHROME, _PAIR):
            run.append(block.index)
        elif run:
            runs.append(run)
            run = []
    runs.append(run)
    going = {}   # block index -> length of its run
    for run in runs:
        if len(run) >= PAIR_RUN_LINES and (run[-1] < prose[0] or run[0] > prose[-1]):
            going.update((i, len(run)) for i in run if verdicts[i] is _PAIR and i != title_index
                         and weights[i] < config.long_block_chars)
    gone = sum(map(weights.__getitem__, going))
    if gone > sum(weights[i] for i, verdict in verdicts.items() if verdict is not _CHROME) - gone:
        # Most of what the two pages print is the same: a copy, or a listing both
        # show, not a frame around different content.
        return []
    return [Removal(blocks[i].start, blocks[i].end, "chrome",
                    rule=f"chrome line of two documents, in a run of {n}") for i, n in going.items()]
