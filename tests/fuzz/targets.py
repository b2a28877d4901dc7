"""Fuzz targets: one input of bytes in, every property of issue 7 checked, an
AssertionError (or any other exception) when one fails.

Used by the atheris driver (`bench/fuzz.py`) and by the regression tests
(`tests/fuzz/test_fuzz_regressions.py`), which replay the inputs it once failed on.
No atheris here, so the regression tests run without it.

The first byte of an input is a control byte that picks an encoding, a config and a
way to build the text; the rest is the payload. That lets a mutation of one byte reach
another code path, and gives the short payloads of a fuzzer a chance to hold copies.
"""
import gzip
import io
import json
import os
import tempfile

import regex

import dedup
from dedup import REASONS
from dedup.detect.rules import Rule
from dedup.io import InputError, decode, encode
from dedup.report import explanation
from dedup.config import MAX_RECORD_BYTES
from dedup.jsonl import Corpus, dumps

ENCODINGS = ("utf-8", "utf-8", "utf-8", "utf-8", "latin-1", "cp1252", "utf-16", "utf-16-le",
             "utf-32", "utf-8-sig", "shift_jis", "gb18030", "big5", "koi8-r", "iso2022_jp", "utf-7")
# Small thresholds, so that the few lines of a fuzz input are long enough to be copies.
SMALL = dedup.Config(min_copy_chars=4, long_block_chars=8, title_min_chars=3, max_affix_chars=6,
                     head_blocks=3, tail_blocks=2, max_link_words=6)
RULES = (Rule("fuzz:1", r"^\W*(?:advert|share)", regex.compile(r"^\W*(?:advert|share)", regex.V1 | regex.I)),)
SMALL_RECORD = 64
MARKERS = (" (file photo)", " - Site", "Read more: ", "NEXT ", "", "")


def check_clean(data: bytes) -> None:
    """`dedup.io.decode` then `dedup.clean_and_explain` on one input (see module doc).

    Control bits: 0-3 encoding, 4 rebuild the text with copies of its own lines,
    5 small config, 6 a user rule, 7 decode invalid bytes with surrogateescape
    (lone surrogates in the text) instead of U+FFFD.
    """
    if not data:
        data = b"\x00"
    control, payload = data[0], data[1:]
    encoding = ENCODINGS[control & 15]
    try:
        text = decode(payload, "<fuzz>", encoding)
        strict = True
    except InputError as error:
        message = str(error)
        assert message.startswith("<fuzz>: ") and "\n" not in message, message
        strict = False
        lenient = "surrogateescape" if control & 128 and encoding.startswith("utf-8") else "replace"
        text = payload.decode(encoding, errors=lenient)
    if control & 16:
        text = _with_copies(text, control)
    config = SMALL if control & 32 else None
    rules = RULES if control & 64 else ()
    check_text(text, config, rules)
    if strict and not control & 16:
        # What `dedup clean` writes: the kept text in the input's encoding, which reads
        # back as the same text.
        result = dedup.clean_and_explain(text, config, rules)
        assert decode(encode(result.text, encoding), "<fuzz output>", encoding) == result.text
        # --explain writes JSON as UTF-8 (as dedup.cli does), whatever the input's
        # encoding was; it reads back as the same removals.
        line = json.dumps(explanation("<fuzz>", text, result), ensure_ascii=False)
        written = line.encode("utf-8", "backslashreplace").decode("utf-8")
        assert json.loads(written)["removals"] == json.loads(line)["removals"]


def check_text(text: str, config=None, rules=()) -> None:
    """The properties of the cleaner on one text."""
    result = dedup.clean_and_explain(text, config, rules)
    removals = result.removals
    position = 0
    kept = []
    for removal in removals:
        assert removal.reason in REASONS, removal
        assert position <= removal.start < removal.end <= len(text), (removals, len(text))
        if removal.kept_ref is not None:
            assert 0 <= removal.kept_ref[0] < removal.kept_ref[1] <= len(text), removal
        kept.append(text[position:removal.start])
        position = removal.end
    kept.append(text[position:])
    # The kept text is the input minus the removed spans, and the explanation replays.
    assert "".join(kept) == result.text
    assert dedup.apply_removals(text, removals) == result.text
    # Each copy points at text that stays (all of it, or a title less its site
    # affix), or at a line removed for a reason of its own (a copy of a link line),
    # never at another copy.
    starts = {r.start: r for r in removals}
    for removal in removals:
        if removal.kept_ref is not None:
            start, end = removal.kept_ref
            if _covered(start, end, removals):
                assert start in starts and starts[start].kept_ref is None, (removal, starts.get(start))
            elif not any(r.start < end and start < r.end for r in removals):
                assert text[start:end] in result.text, removal
    # Anything the input could be encoded in, the output can too.
    for encoding in ("utf-8", "latin-1", "cp1252", "shift_jis"):
        if _encodes(text, encoding):
            assert _encodes(result.text, encoding), encoding
    # A fixed point: cleaning the output again removes nothing.
    again = dedup.clean_and_explain(result.text, config, rules)
    assert again.text == result.text, (text, result.text, again.text)
    assert again.removals == []


def _covered(start: int, end: int, removals) -> bool:
    """Whether the removals (sorted, apart) together cover text[start:end]."""
    for removal in removals:
        if removal.end <= start:
            continue
        if removal.start > start:
            return False
        start = removal.end
        if start >= end:
            return True
    return False


def _encodes(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
        return True
    except UnicodeEncodeError:
        return False


def _with_copies(text: str, control: int) -> str:
    """The lines of `text`, some of them again later (with a marker, another line
    ending), so that repeats, captions, titles and teasers show up."""
    lines = text.splitlines(keepends=True) or [text]
    endings = ("\n", "\r\n", "\r", "\n\n")
    out = []
    for number, line in enumerate(lines):
        out.append(line)
        pick = (number * 7 + control) % 11
        if pick < 4:
            copy = lines[(number * 5 + control) % len(lines)].rstrip("\r\n")
            marker = MARKERS[(number + control) % len(MARKERS)]
            copy = marker + copy if marker.endswith(" ") else copy + marker
            out.append(copy + endings[pick])
    return "".join(out)


# --- JSON lines ----------------------------------------------------------------------

_FOLDER = None


def _temp_path(name: str) -> str:
    global _FOLDER
    if _FOLDER is None:
        _FOLDER = tempfile.mkdtemp(prefix="dedup-fuzz-")
    return os.path.join(_FOLDER, name)


def check_jsonl(data: bytes) -> None:
    """`dedup.jsonl.Corpus` over a file of the payload's bytes (see module doc).

    Control bits: 0 skip_bad, 1 gzip the payload first, 2 clean the records as a corpus
    too, 3 a small record limit (SMALL_RECORD bytes). The records read must be those of
    a plain reference reader (below), in both passes; a bad line is an `InputError`
    naming its line, or with skip_bad is counted.
    """
    if not data:
        data = b"\x00"
    control, payload = data[0], data[1:]
    skip_bad = bool(control & 1)
    limit = SMALL_RECORD if control & 8 else MAX_RECORD_BYTES
    path = _temp_path("input.jsonl")
    with open(path, "wb") as handle:
        handle.write(gzip.compress(payload, mtime=0) if control & 2 else payload)
    expected = reference_records(payload if control & 2 else _decompressed(payload), limit)
    try:
        with Corpus([path], skip_bad=skip_bad, max_record_bytes=limit) as corpus:
            first = [(r.line, dict(r)) for r in corpus]
            second = [(r.line, dict(r)) for r in corpus]
            skipped = [(number, problem) for _, number, problem in corpus.skipped]
            if control & 4 and first:
                check_corpus(corpus)
    except InputError as error:
        message = str(error)
        assert message.startswith(path) and "\n" not in message, message
        if expected is None:
            return  # not a valid compressed file: refused as a whole
        bad = [number for number, record in expected if record is None]
        assert not skip_bad, message
        assert bad, f"refused a good file: {message}"
        assert message.startswith(f"{path}:{bad[0]}: "), (message, bad[0])
        return
    assert expected is not None, "a damaged compressed file was read without an error"
    good = [(number, record) for number, record in expected if record is not None]
    assert not (len(good) < len(expected) and not skip_bad), "a bad line went unnoticed"
    assert _same(first, good), (first, good)
    assert _same(second, good)
    assert [number for number, _ in skipped] == [n for n, r in expected if r is None]
    for _, record in first:
        line = dumps(record).encode("utf-8")
        assert line.endswith(b"\n") and line.count(b"\n") == 1
        assert _same([(0, json.loads(line))], [(0, record)])


def _same(got, want) -> bool:
    # NaN != NaN, so compare the JSON text of the records.
    def text(rows):
        return [(number, json.dumps(record, sort_keys=True)) for number, record in rows]
    return text(got) == text(want)


def check_corpus(corpus) -> None:
    """Clean the records as a corpus (duplicates kept, so every record comes out, in
    order): each keeps its other fields, and its text is the input's minus the removed
    spans."""
    from dedup.corpus import clean_corpus

    records = list(corpus)
    documents = list(clean_corpus(corpus, SMALL, keep_duplicates=True))
    assert len(documents) == len(records)
    for source, document in zip(records, documents):
        assert document.original == source["text"]
        assert dedup.apply_removals(source["text"], document.removals) == document.record["text"]
        assert {**document.record, "text": None} == {**source, "text": None}
        dumps(document.record).encode("utf-8")


def _decompressed(payload: bytes):
    """The bytes a reader should see in the payload, or None if it is a damaged
    gzip or zstd file (which must be refused with an InputError)."""
    if payload.startswith(b"\x1f\x8b"):
        try:
            return gzip.decompress(payload)
        except (OSError, EOFError, ValueError, Exception):
            return None
    if payload.startswith(b"\x28\xb5\x2f\xfd"):
        try:
            import zstandard
            return zstandard.ZstdDecompressor().stream_reader(io.BytesIO(payload)).read()
        except Exception:
            return None
    return payload


def reference_records(payload, limit=MAX_RECORD_BYTES):
    """(line number, record or None for a bad line) for every non-blank line, as the
    JSON lines format defines them: lines end at "\\n", each is UTF-8 JSON holding an
    object with a string "text"; a byte-order mark at the start is ignored, and a line
    longer than `limit` bytes is bad."""
    if payload is None:
        return None
    rows = []
    lines = payload.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    if lines and lines[0].startswith(b"\xef\xbb\xbf"):
        lines[0] = lines[0][3:]
    for number, raw in enumerate(lines, 1):
        if len(raw) > limit:
            rows.append((number, None))
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            rows.append((number, None))
            continue
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except (ValueError, RecursionError):
            rows.append((number, None))
            continue
        ok = isinstance(value, dict) and isinstance(value.get("text"), str)
        rows.append((number, value if ok else None))
    return rows
