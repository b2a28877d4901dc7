"""dedup: remove repeated titles, copied captions, teasers, site chrome and duplicate
documents from scraped text, keeping every byte of real content.

    >>> import dedup
    >>> dedup.clean("Big news\\nBig news\\n\\nThe story.\\n")
    'Big news\\n\\nThe story.\\n'
"""
from typing import List, NamedTuple, Optional, Sequence

from .config import DEFAULT, Config
from .model import REASONS, Block, Removal

__version__ = "0.1.0"
__all__ = ["clean", "clean_and_explain", "clean_documents", "Config", "Removal", "Block",
           "REASONS", "Explained", "apply_removals", "__version__"]

_BOM = "\ufeff"


class Explained(NamedTuple):
    """The cleaned text and the removals that turn the original into it."""

    text: str
    removals: List[Removal]


def clean_and_explain(text: str, config: Optional[Config] = None, rules: Sequence = (),
                      chrome=None, **options) -> Explained:
    """Clean one document and say why each span went.

    Args:
        text: the document.
        config: a `Config`; keyword `options` override its fields
            (`clean_and_explain(text, min_copy_chars=30)`).
        rules: compiled user rules (`dedup.detect.rules.load_rules`).
        chrome: what a corpus or a site profile taught (`dedup.corpus.chrome.Chrome`).

    Returns:
        `Explained(text, removals)`; `apply_removals(original, removals)` gives `text`.
    """
    from .detect import Memo, detect
    from .rewrite import OffsetMap, apply, tidy
    from .segment import segment

    config = (config or DEFAULT).replace(**options) if options else (config or DEFAULT)
    # A byte-order mark is not part of the first line; it stays where it is.
    offset = 1 if text.startswith(_BOM) else 0
    current = text[offset:]
    offsets = OffsetMap(len(current))
    removals: List[Removal] = []
    memo = Memo()
    # Like ftfy, repeat until a whole pass finds nothing, so that the output is a fixed
    # point: a removal can move a line into the tail or next to the title, change which
    # line is the title, or free a line another detector had claimed. (A shortcut that
    # skipped the copy search or the confirming pass when a removal "could not matter"
    # was wrong on 2 of 2,187 developer pages and on many fuzz inputs.) Each pass that
    # finds something removes text, so the loop ends; real pages need two or three
    # passes, and a chain of title copies each freed by the last may need one a line
    # (a fixed cap of 8 passes was not a fixed point on such input).
    while True:
        blocks = segment(current, config.max_line_chars)
        found = tidy(current, blocks, detect(blocks, config, rules, memo, chrome=chrome))
        if not any(r.end > r.start for r in found):
            break
        removals += [piece for r in found for piece in offsets.original(r)]
        offsets.cut(found)
        current = apply(current, found)
    removals = _retarget(sorted(removals, key=lambda r: r.start))
    if offset:
        removals = [r._replace(start=r.start + 1, end=r.end + 1,
                               kept_ref=r.kept_ref and (r.kept_ref[0] + 1, r.kept_ref[1] + 1))
                    for r in removals]
    return Explained(text[:offset] + current, removals)


def _retarget(removals: List[Removal]) -> List[Removal]:
    """Point each copy at a block that stays: a later pass may remove the block an
    earlier pass kept as the original (it turned out to copy the title)."""
    position = {r.start: i for i, r in enumerate(removals)}

    def gone(ref) -> bool:  # is all of ref[0]:ref[1] removed (maybe in several pieces)?
        i, end = position[ref[0]], ref[0]
        while i < len(removals) and removals[i].start <= end:
            end = max(end, removals[i].end)
            if end >= ref[1]:
                return True
            i += 1
        return False

    out = []
    for removal in removals:
        ref, seen = removal.kept_ref, set()
        while ref is not None and ref[0] in position and ref[0] not in seen and gone(ref):
            seen.add(ref[0])
            target = removals[position[ref[0]]].kept_ref
            if target is None:
                break
            ref = target
        out.append(removal if ref == removal.kept_ref else removal._replace(kept_ref=ref))
    return out


def clean(text: str, config: Optional[Config] = None, rules: Sequence = (), chrome=None,
          **options) -> str:
    """Return `text` without its repeated and boilerplate parts (see `clean_and_explain`)."""
    return clean_and_explain(text, config, rules, chrome, **options).text


def apply_removals(text: str, removals: Sequence[Removal]) -> str:
    """Replay removals (from `clean_and_explain` or the `--explain` JSON) on the original."""
    from .rewrite import apply

    return apply(text, sorted(removals, key=lambda r: r.start))


def clean_documents(documents, config: Optional[Config] = None, text_key: str = "text",
                    id_key: str = "id", **options):
    """Clean a corpus: an iterable of dicts (or of strings) in, an iterator of dicts out.

    The documents form one corpus: chrome lines and title affixes are learned across
    them and near-duplicate documents are dropped (see `dedup.corpus.clean_corpus` for
    `keep`, `keep_duplicates`, `rules`, `chrome`, `site_key` (learn chrome per site),
    `duplicates_only` (drop near-duplicate documents, rewrite no text), and
    `engine`, `jobs`, `ray_address`, `index`, `work_dir` for where it runs). Strings come back as
    `{"id": position, "text": cleaned}`. A one-shot iterator is read into memory first;
    for corpora larger than memory, pass a `dedup.jsonl.Corpus` over files.
    """
    from .corpus import clean_corpus

    fields = {k: options.pop(k) for k in ("rules", "chrome", "keep", "keep_duplicates", "progress",
                                          "engine", "jobs", "ray_address", "index", "work_dir", "site_key",
                                          "duplicates_only")
              if k in options}
    config = (config or DEFAULT).replace(**options) if options else (config or DEFAULT)
    if iter(documents) is documents:
        documents = list(documents)
    records = _Records(documents, text_key, id_key)
    return (d.record for d in clean_corpus(records, config, text_key=text_key, id_key=id_key,
                                           **fields))


class _Records:
    """A re-iterable view of documents as dicts (strings become {id, text})."""

    def __init__(self, documents, text_key: str, id_key: str):
        self.documents, self.text_key, self.id_key = documents, text_key, id_key

    def __iter__(self):
        for position, document in enumerate(self.documents):
            yield document if isinstance(document, dict) else {self.id_key: position,
                                                                self.text_key: document}
