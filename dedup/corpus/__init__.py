"""What crosses documents: site chrome learned from repetition, near-duplicate
documents, saved site profiles.

The corpus is read in passes over a re-iterable source of records: (1) chrome
statistics, (2) content signatures and near-duplicate clusters, (3) rewriting each
document with what was learned. Memory holds the statistics and one shingle set per
document, never the texts.
"""
import sys
from collections import Counter
from typing import Callable, Dict, Iterable, Iterator, List, NamedTuple, Optional, Sequence

from ..config import DEFAULT, Config
from ..model import Removal
from ..shingle import tokens
from .chrome import Chrome, ChromeCounter, line_hash

KEEP_POLICIES = ("first", "longest")


class CleanedDocument(NamedTuple):
    """One document of a corpus after cleaning.

    Attributes:
        record: the input record with its text replaced by the cleaned text (a new dict;
            other fields untouched).
        removals: the removals inside the document (spans in the original text).
        duplicate_of: id of the kept document this one near-duplicates, if any.
        similarity: Jaccard similarity to that document.
        original: the text before cleaning.
    """

    record: dict
    removals: List[Removal]
    duplicate_of: Optional[object] = None
    similarity: Optional[float] = None
    original: str = ""


def learn_chrome(records: Iterable[dict], config: Config = DEFAULT, text_key: str = "text") -> Chrome:
    """Pass one: learn chrome lines, title affixes and headlines from records."""
    counter = ChromeCounter(config)
    for record in records:
        counter.add(record[text_key])
    return counter.learn()


def content_sketch(text: str, chrome: Chrome, common: frozenset = frozenset()):
    """What a document is compared on (`neardup.Sketch`): its lines minus chrome. Lines
    found in other documents too (`common`) never count as its own prose."""
    from .neardup import sketch

    def content():
        for line in text.splitlines():
            toks = tokens(line)
            if toks:
                hashed = line_hash("".join(toks))
                if hashed not in chrome.lines:
                    yield toks, hashed not in common

    return sketch(content())


def clean_corpus(records: Iterable[dict], config: Config = DEFAULT, rules: Sequence = (),
                 chrome: Optional[Chrome] = None, text_key: str = "text", id_key: str = "id",
                 keep: str = "first", keep_duplicates: bool = False,
                 progress: Optional[Callable[[str, int], None]] = None) -> Iterator[CleanedDocument]:
    """Clean a corpus: chrome, near-duplicate documents, then each document.

    Args:
        records: a re-iterable of dicts with a string `text_key` field (a list, or a
            `dedup.jsonl.Corpus`); a one-shot iterator is read into a list first.
        config: thresholds (`chrome_min_docs`, `chrome_min_share`, `near_dup_*`, ...).
        rules: compiled user rules.
        chrome: a learned profile to use instead of learning from these records.
        keep: which document of a near-duplicate cluster stays: "first" or "longest".
        keep_duplicates: yield dropped duplicates too (with `duplicate_of` set).
        progress: called as progress(pass_name, documents_done) now and then.

    Yields:
        `CleanedDocument` per kept document (and per duplicate with keep_duplicates),
        in input order.
    """
    from .. import clean_and_explain
    from .neardup import clusters

    if keep not in KEEP_POLICIES:
        raise ValueError(f"keep must be one of {KEEP_POLICIES}, not {keep!r}")
    if iter(records) is records:
        records = list(records)
    tick = progress or (lambda name, done: None)

    counter = ChromeCounter(config)
    for done, record in enumerate(records, 1):
        counter.add(record[text_key])
        if done % 1000 == 0:
            tick("learning chrome", done)
    common = counter.common_lines(0.0)
    if chrome is None:
        chrome = counter.learn()
    del counter

    sketches, lengths, ids = [], [], []
    for done, record in enumerate(records, 1):
        sketches.append(content_sketch(record[text_key], chrome, common))
        lengths.append(len(record[text_key]))
        ids.append(record.get(id_key))
        if done % 1000 == 0:
            tick("signing", done)
    groups, nearest = clusters(sketches, config)
    dropped: Dict[int, int] = {}
    for members in groups:
        kept = members[0] if keep == "first" else max(members, key=lambda m: (lengths[m], -m))
        for member in members:
            if member != kept:
                dropped[member] = kept
    del sketches

    for index, record in enumerate(records):
        if index % 1000 == 999:
            tick("rewriting", index + 1)
        duplicate_of = dropped.get(index)
        if duplicate_of is not None and not keep_duplicates:
            continue
        result = clean_and_explain(record[text_key], config, rules, chrome)
        out = dict(record)
        out[text_key] = result.text
        similarity = nearest[index][1] if duplicate_of is not None else None
        yield CleanedDocument(out, result.removals,
                              None if duplicate_of is None else ids[duplicate_of], similarity,
                              record[text_key])


def summary(documents: Iterable[CleanedDocument]) -> Counter:
    """Removals per reason (and dropped duplicate documents) over cleaned documents."""
    counts: Counter = Counter()
    for document in documents:
        if document.duplicate_of is not None:
            counts["duplicate_document"] += 1
        counts.update(r.reason for r in document.removals)
    return counts
