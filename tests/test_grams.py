"""Shard sketches from token hashes (`dedup.corpus.grams`) equal those made from the strings."""
import random
import zlib

import numpy as np

from dedup.corpus.chrome import line_hash, token_lines
from dedup.corpus.grams import TokenWriter, Tokens, joined, read_tokens, shift, sketches, token_crcs
from dedup.corpus.neardup import stored_sketch
from dedup.corpus.store import encode_id


def test_crc_of_a_join_comes_from_the_parts():
    rng = random.Random(3)
    for _ in range(300):
        left, right = (rng.randbytes(rng.choice([0, 1, 5, 40, 255, 256, 700])) for _ in range(2))
        assert int(shift(np.array([zlib.crc32(left)]), np.array([len(right)]))[0]) ^ zlib.crc32(right) == \
            zlib.crc32(left + right)
        assert int(joined(np.array([zlib.crc32(left)]), np.array([zlib.crc32(right)]),
                          np.array([len(right)]))[0]) == zlib.crc32(left + b" " + right)


def test_token_crcs_are_zlibs_for_short_long_and_non_ascii_tokens():
    rng = random.Random(5)
    words = ["a", "ab", "über", "漢字", "naïve", "x" * 64, "y" * 65, "z" * 3000, "0" * 7]
    tokens = [rng.choice(words) + rng.choice(["", "s", "ß", "字"]) for _ in range(2000)]
    crc, size = token_crcs(" ".join(tokens).encode("utf-8") + b" ")
    assert crc.tolist() == [zlib.crc32(t.encode("utf-8")) for t in tokens]
    assert size.tolist() == [len(t.encode("utf-8")) for t in tokens]
    crc, size = token_crcs(b"")
    assert len(crc) == len(size) == 0


def _document(rng: random.Random) -> str:
    words = ["alpha", "beta", "Gamma", "2019", "it's", "x" * 300, "über", "漢字", "naïve", "a"]
    lines = []
    for _ in range(rng.randint(0, 14)):
        if rng.random() < 0.2:
            lines.append(rng.choice(["Home | News | Sport", "(c) 2021 Site", "", "..."]))
        else:
            lines.append(" ".join(rng.choice(words) for _ in range(rng.randint(0, 16))))
    return "\n".join(lines)


def test_shard_sketches_equal_the_sketches_of_the_strings(tmp_path):
    rng = random.Random(7)
    texts = [_document(rng) for _ in range(200)]
    chrome_lines = {line_hash("".join(t)) for t in (token_lines("Home | News | Sport") + token_lines("(c) 2021"))}
    writer = TokenWriter(str(tmp_path / "tokens"))
    for number, text in enumerate(texts):
        lines = token_lines(text)
        writer.add(lines, [line_hash("".join(t)) for t in lines], len(text), encode_id(number))
    writer.close()
    folder = str(tmp_path / "tokens")
    got = sketches(Tokens(*(read_tokens(folder, k) for k in ("doc_lines", "line_tokens", "line_hashes", "crc", "size"))),
                   np.array(sorted(chrome_lines), dtype=np.uint64))
    offsets = {k: np.r_[0, np.cumsum(got[k + "_counts"])] for k in ("shingle", "pair", "prose", "prose_line")}
    prose_line = 0
    for number, text in enumerate(texts):
        lines = [(t, line_hash("".join(t))) for t in token_lines(text)]
        expected = stored_sketch((t, h) for t, h in lines if h not in chrome_lines)
        a, b = offsets["shingle"][number:number + 2]
        assert got["shingles"][a:b].tolist() == expected.shingles.tolist()
        a, b = offsets["pair"][number:number + 2]
        pairs = got["pairs"][a:b]
        assert pairs.tolist() == expected.pairs.tolist()
        a, b = offsets["prose"][number:number + 2]
        assert got["prose_keys"][a:b].tolist() == expected.prose_keys.tolist()
        for start, end in zip(np.r_[0, expected.line_ends[:-1]], expected.line_ends):
            p0, p1 = offsets["prose_line"][prose_line:prose_line + 2]
            assert pairs[got["prose"][p0:p1]].tolist() == expected.line_pairs[start:end].tolist()
            prose_line += 1
    assert prose_line == len(got["prose_line_counts"])
    assert read_tokens(folder, "lengths").tolist() == [len(t) for t in texts]
    assert read_tokens(folder, "crc", 3, 5).tolist() == read_tokens(folder, "crc")[3:5].tolist()
