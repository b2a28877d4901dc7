"""One frozen object holding every threshold of the cleaner, with its default."""
from dataclasses import dataclass, fields, replace


@dataclass(frozen=True)
class Config:
    """Thresholds and switches of the cleaner.

    Lengths are counted in *key characters*: the letters, digits and marks of a block
    after normalisation (see `dedup.shingle.key`). Wide (CJK) characters count as
    `wide_char_weight` each, so a line of Chinese weighs about as much as its English
    translation.

    Attributes:
        min_copy_chars: a block shorter than this is never removed as a copy of another
            block (20); refrains, dialogue lines and list items live below it.
        long_block_chars: a block at least this long is "long" (60): exact copies of long
            blocks are removed wherever they stand; shorter exact repeats are kept
            (refrains, headings, "A: Yes.") unless they copy the title.
        max_affix_ratio: the part of a copy that is not in the block it copies (a caption
            marker such as "(file photo)", a site suffix) may be at most this share of the
            copy (0.4) ...
        max_affix_chars: ... and at most this many key characters (30).
        max_marker_chars: a caption marker ("(file photo)", "Credit: Shutterstock") has
            at most this many key characters (20).
        max_noise_chars: unmatched key characters that still count as "the same text"
            (tokenisation noise such as a lost apostrophe) (2).
        title_min_chars: the first line is treated as the title if it has at least this
            many key characters (12).
        head_blocks: near (non-exact) title copies are looked for in the first this many
            non-blank blocks (6); exact copies anywhere.
        tail_blocks: teaser lines ("NEXT ...", "Up next: ...") are looked for in the last
            this many non-blank blocks (4).
        max_link_words: a teaser or link line has at most this many words (30).
        stop_shingle_blocks: a shingle found in more distinct blocks than this is ignored when
            looking for candidate pairs (keeps pathological input linear) (32).
        max_candidates: at most this many candidate blocks, those sharing the most shingles,
            are compared with each block (8).
        chrome_min_docs: corpus mode: a line (or title affix) is site chrome when found in
            at least this many documents ... (3)
        chrome_min_share: ... and in at least this share of the documents, standing at
            their top or bottom (0.5) ...
        chrome_body_share: ... or in at least this share wherever it stands (0.8).
        near_dup_jaccard: corpus mode: two documents are near-duplicates when their word
            3-gram sets (after chrome is removed) have at least this Jaccard
            similarity ... (0.2)
        near_dup_containment: ... and the smaller set lies at least this much inside the
            larger one (0.4) ...
        near_dup_own_share: ... and one of them has at most this share of prose lines
            the other lacks (0.1) ...
        near_dup_own_words: ... and at most this many words of such lines (60).
        num_perm: MinHash permutations (128).
        rule_timeout: seconds a user rule may spend on one line before the run stops
            with an error (1.0).
        wide_char_weight: weight of one CJK character in lengths (3).
        max_line_chars: a line longer than this many characters is kept as it is and
            never compared, so a huge line costs no more than its text (100000).
    """

    min_copy_chars: int = 20
    long_block_chars: int = 60
    max_affix_ratio: float = 0.4
    max_affix_chars: int = 30
    max_marker_chars: int = 20
    max_noise_chars: int = 2
    title_min_chars: int = 12
    head_blocks: int = 6
    tail_blocks: int = 4
    max_link_words: int = 30
    stop_shingle_blocks: int = 32
    max_candidates: int = 8
    chrome_min_docs: int = 3
    chrome_min_share: float = 0.5
    chrome_body_share: float = 0.8
    near_dup_jaccard: float = 0.2
    near_dup_containment: float = 0.4
    near_dup_own_share: float = 0.1
    near_dup_own_words: int = 60
    num_perm: int = 128
    rule_timeout: float = 1.0
    wide_char_weight: int = 3
    max_line_chars: int = 100_000

    def replace(self, **changes):
        """Return a copy with some options changed; unknown names raise TypeError."""
        return replace(self, **changes)


DEFAULT = Config()
# Corpus mode reads one JSON line at a time; a longer line is a bad line, so this bounds
# the memory one record can take (`dedup.jsonl.Corpus`, `--max-record-bytes`).
MAX_RECORD_BYTES = 64 << 20
OPTION_NAMES = tuple(f.name for f in fields(Config))
