"""Benchmark corpora with known near-duplicate clusters, built from the developer sets.

Two kinds, written as JSON lines `{"id", "text", "cluster", "ops"}` under bench/out/ and
reused when present (same arguments give the same bytes):

- **near-dup corpus** (`near_dup_corpus(mb)`): every source page of the developer sets
  (newspaper4k, trafilatura, dolma_cc, seedlike) is published once wrapped in a fake
  site's header and footer, plus 0-4 perturbed copies, as in neardup_dev: `exact`,
  `rewrap` (hard wrap, paragraphs run together, or one sentence a line), `boiler`
  (another fake site's header/footer), `boiler:none`, `edit` (5-15 % of words deleted,
  misspelt, swapped or given a filler word), `truncate` (cut to 70-90 %, sometimes with a
  "keep reading" line), `quotes` (curly quotes, dashes, ellipses, double spaces). To
  reach the size, the pool of sources is published again in further *rounds*, each round
  with its own word substitution (words swapped within bands of similar frequency), so
  that every round gives new, distinct texts of the same shape. All documents made from
  one source text in one round share a `cluster`.
- **short documents** (`short_docs(n)`): documents of a few hundred bytes (runs of lines
  of the same pages, again in substituted rounds); about 10 % are copies of an earlier
  document (half exact, half edited).

Source pages that share 15 % or more of their (sampled) word 5-grams with an earlier
source are left out first, so that different clusters are really different texts.
When ../shared is absent, the sources are samples/ plus generated Zipf-like text.

Usage: python bench/make_corpus.py near-dup --mb 100 | short --docs 100000
"""
import argparse
import hashlib
import itertools
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Iterator, List, Sequence, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

SEED = 20240601
WORD = re.compile(r"\w+")
# Characters of scripts written without spaces: Thai, Lao, Myanmar, Khmer, kana, Han.
UNSPACED = re.compile("[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf"
                      "\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
VERSION = 2  # in the cached file names: a corpus made by an older generator is not reused
BAND = 64                # words are swapped within bands of this many frequency ranks
WINDOW = 64              # the documents of this many sources are shuffled together
SHARED_GRAMS = 0.15      # a source sharing this much with an earlier one is left out
COPIES = (0, 0, 0, 0, 1, 1, 1, 2, 2, 3, 4)   # copies per source, drawn uniformly
OPS = ("exact", "rewrap", "boiler", "boiler:none", "edit", "truncate", "quotes")
FILLERS = ("really", "also", "just", "indeed", "actually", "very")

Source = Tuple[str, str]  # (group, text)


# ----------------------------------------------------------------------------------------
# sources


def source_pages() -> Tuple[List[Source], str]:
    """(group, text) of every developer page, distinct ones only, and where they came from."""
    names = harness.shared_sets(harness.DOC_SETS)
    if names:
        pages = [(f"{name}/{r.get('group', '')}", r["text"]) for name in names
                 for r in harness.load_set(name) if isinstance(r.get("text"), str)]
        origin = ", ".join(f"{n}_dev" for n in names)
    else:
        pages = [("samples", t) for t in harness.sample_texts()["samples"]]
        pages += [(f"zipf/{i % 40}", t) for i, t in enumerate(_zipf_pages(3000))]
        origin = f"samples/ and generated text ({harness.SHARED} is absent)"
    pages = [(g, t) for g, t in pages if len(WORD.findall(t)) >= 30]
    return _distinct(pages), origin


def _zipf_pages(count: int) -> List[str]:
    """Pages of Zipf-distributed pseudo-words in lines and paragraphs, fixed seed."""
    rng = random.Random(SEED)
    syllables = ["ka", "lo", "mi", "ne", "ru", "ta", "so", "vi", "de", "po", "an", "el"]
    vocabulary = ["".join(rng.choice(syllables) for _ in range(rng.randint(1, 4))) for _ in range(20000)]
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]
    pages = []
    for _ in range(count):
        paragraphs = []
        for _ in range(rng.randint(3, 15)):
            words = rng.choices(vocabulary, weights, k=rng.randint(8, 120))
            paragraphs.append(" ".join(words).capitalize() + ".")
        pages.append("\n\n".join(paragraphs))
    return pages


def _distinct(pages: Sequence[Source]) -> List[Source]:
    """Drop pages sharing >= SHARED_GRAMS of their sampled word 5-grams with an earlier one."""
    owner = {}
    kept = []
    for index, (group, text) in enumerate(pages):
        grams = _sampled_grams(text)
        if grams:
            seen = Counter(owner[g] for g in grams if g in owner)
            if seen and seen.most_common(1)[0][1] >= SHARED_GRAMS * len(grams):
                continue
        for g in grams:
            owner.setdefault(g, index)
        kept.append((group, text))
    return kept


def _sampled_grams(text: str) -> set:
    words = WORD.findall(text.lower())
    grams = set()
    for i in range(max(1, len(words) - 4)):
        digest = hashlib.blake2b(" ".join(words[i:i + 5]).encode("utf-8"), digest_size=8).digest()
        if digest[0] < 64:  # a quarter of them is plenty to see overlap
            grams.add(digest)
    return grams


class WordSwap:
    """Round r of the sources: each word replaced by another of similar frequency.

    Scripts written without spaces (Han, kana, Thai, ...) are swapped character by
    character, since one `\\w+` run of them is a whole phrase: swapping whole runs would
    keep every phrase intact and make round r a reshuffle of round 0, which a cleaner
    rightly calls a near-duplicate. Ties in frequency are broken at random for each
    round, so rare words are not swapped with their neighbours on the same page.
    """

    def __init__(self, texts: Sequence[str]):
        words, chars = Counter(), Counter()
        for text in texts:
            for word in WORD.findall(text):
                if UNSPACED.search(word):
                    chars.update(word)
                else:
                    words[word] += 1
        self.vocabularies = (words, chars)  # words become words, characters characters

    def mapping(self, round_number: int) -> dict:
        if round_number == 0:
            return {}
        rng = random.Random(SEED + round_number)
        mapping = {}
        for counts in self.vocabularies:
            ranked = sorted(counts, key=lambda w: (-counts[w], rng.random()))
            for start in range(0, len(ranked), BAND):
                band = ranked[start:start + BAND]
                shuffled = band[:]
                rng.shuffle(shuffled)
                mapping.update(zip(band, shuffled))
        return mapping

    @staticmethod
    def apply(text: str, mapping: dict) -> str:
        if not mapping:
            return text

        def swap(match):
            word = match.group()
            if UNSPACED.search(word):
                return "".join(mapping.get(c, c) for c in word)
            return mapping.get(word, word)

        return WORD.sub(swap, text)


# ----------------------------------------------------------------------------------------
# fake sites and perturbations


class Site:
    """A fake site's header and footer lines."""

    SECTIONS = ["News", "Sport", "Business", "Opinion", "Culture", "Weather", "Video", "Travel",
                "Science", "Health", "Tech", "Money", "Style", "Food", "Books", "Local"]
    TOP = ["Home", "Subscribe", "Sign in", "Newsletters", "Podcasts", "Contact", "Donate",
           "My account", "Search", "Jobs", "Events", "Shop"]
    ADJECTIVES = ["Daily", "Evening", "Northern", "Coastal", "Valley", "Metro", "Weekly",
                  "Highland", "Capital", "Harbour", "County", "Union", "Central", "Western"]
    NOUNS = ["Courier", "Herald", "Standard", "Gazette", "Observer", "Tribune", "Ledger",
             "Chronicle", "Post", "Record", "Dispatch", "Sentinel", "Beacon", "Review"]

    def __init__(self, rng: random.Random, number: int):
        self.name = f"The {rng.choice(self.ADJECTIVES)} {rng.choice(self.NOUNS)}"
        self.top = " | ".join(rng.sample(self.TOP, rng.randint(3, 6)))
        self.menu = " • ".join(rng.sample(self.SECTIONS, rng.randint(5, 9)))
        self.share = rng.choice(["Share on Facebook | Share on X | Email this story",
                                 "Share this: Facebook, WhatsApp, Email, Copy link",
                                 "Tweet · Share · Email · Print"])
        self.pitch = (f"{rng.choice(['Support', 'Fund', 'Back'])} local journalism at {self.name}: "
                      f"{rng.choice(['subscribe', 'join us', 'become a member'])} from "
                      f"${rng.randint(1, 9)} a {rng.choice(['week', 'month'])}.")
        self.legal = " · ".join(rng.sample(["Privacy policy", "Terms of use", "Cookie settings",
                                            "Accessibility", "Contact us", "Advertise",
                                            "Corrections"], 4))
        self.year = 2015 + number % 10

    def wrap(self, body: str, rng: random.Random) -> str:
        date = f"Posted {self.year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        header = [self.top, self.name, self.menu, date, ""]
        footer = ["", self.share, self.pitch, f"© {self.year} {self.name}. All rights reserved.",
                  self.legal]
        return "\n".join(header) + "\n" + body.strip("\n") + "\n" + "\n".join(footer)


def rewrap(text: str, rng: random.Random) -> str:
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    style = rng.randrange(3)
    if style == 0:  # hard wrap at a fixed width
        width = rng.randint(50, 90)
        out = []
        for paragraph in paragraphs:
            line, lines = "", []
            for word in paragraph.split():
                if line and len(line) + 1 + len(word) > width:
                    lines.append(line)
                    line = word
                else:
                    line = f"{line} {word}" if line else word
            lines.append(line)
            out.append("\n".join(lines))
        return "\n\n".join(out)
    if style == 1:  # paragraphs run together
        return "\n".join(" ".join(p.split()) for p in paragraphs)
    sentences = re.split(r"(?<=[.!?])\s+", " ".join(text.split()))  # one sentence a line
    return "\n".join(s for s in sentences if s)


def edit(text: str, rng: random.Random) -> str:
    rate = rng.uniform(0.05, 0.15)
    lines = []
    pool = text.split() or ["word"]
    for line in text.split("\n"):
        words = []
        for word in line.split(" "):
            if word and rng.random() < rate:
                action = rng.randrange(4)
                if action == 0:
                    continue
                if action == 1 and len(word) > 3:
                    i = rng.randrange(len(word) - 1)
                    word = word[:i] + word[i + 1] + word[i] + word[i + 2:]
                elif action == 2:
                    word = rng.choice(pool)
                else:
                    words.append(rng.choice(FILLERS))
            words.append(word)
        lines.append(" ".join(words))
    return "\n".join(lines)


def truncate(text: str, rng: random.Random) -> str:
    cut = int(len(text) * rng.uniform(0.7, 0.9))
    space = text.rfind(" ", 0, cut)
    text = text[:space if space > 0 else cut]
    if rng.random() < 0.3:
        text += "\n\n" + rng.choice(["Keep reading", "Continue reading ...", "Read the full story"])
    return text


def quotes(text: str, rng: random.Random) -> str:
    text = re.sub(r'"([^"\n]*)"', "\u201c\\1\u201d", text)
    text = text.replace("'", "\u2019").replace(" - ", " \u2014 ").replace("...", "\u2026")
    return re.sub(r"([.!?]) (?=[A-Z])", "\\1  ", text)


def publish(body: str, site: Site, sites: Sequence[Site], rng: random.Random
            ) -> Iterator[Tuple[str, str]]:
    """(text, ops) of the original and of its 0-4 copies."""
    original = site.wrap(body, rng)
    yield original, "orig"
    for _ in range(rng.choice(COPIES)):
        if rng.random() < 0.1:
            yield original, "exact"
            continue
        ops = rng.sample(OPS[1:], rng.randint(1, 3))
        if "boiler" in ops and "boiler:none" in ops:
            ops.remove("boiler:none")
        text = body
        if "edit" in ops:
            text = edit(text, rng)
        if "rewrap" in ops:
            text = rewrap(text, rng)
        if "quotes" in ops:
            text = quotes(text, rng)
        if "truncate" in ops:
            text = truncate(text, rng)
        if "boiler:none" not in ops:
            text = (rng.choice(sites) if "boiler" in ops else site).wrap(text, rng)
        yield text, "+".join(ops)


# ----------------------------------------------------------------------------------------
# the corpora


def near_dup_corpus(mb: float, out_dir: Path = harness.OUT) -> Path:
    """Path of the near-dup corpus of at least `mb` MB (built when missing)."""
    path = out_dir / f"neardup_corpus_v{VERSION}{_origin_tag()}_{_size_name(mb)}.jsonl"
    if path.is_file():
        return path
    out_dir.mkdir(parents=True, exist_ok=True)
    pages, origin = source_pages()
    swap = WordSwap([t for _, t in pages])
    rng = random.Random(SEED)
    sites = [Site(rng, n) for n in range(40)]
    site_of_group = {}
    target = mb * 1e6
    written = number = 0
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as out:
        round_number = 0
        while written < target:
            mapping = swap.mapping(round_number)
            for start in range(0, len(pages), WINDOW):
                window = []
                for index in range(start, min(start + WINDOW, len(pages))):
                    group, text = pages[index]
                    site = site_of_group.setdefault((round_number, group), rng.choice(sites))
                    body = swap.apply(text, mapping)
                    cluster = f"r{round_number}-{index}"
                    window += [(t, cluster, ops) for t, ops in publish(body, site, sites, rng)]
                rng.shuffle(window)
                for text, cluster, ops in window:
                    line = json.dumps({"id": f"d{number:07d}", "text": text, "cluster": cluster,
                                       "ops": ops}, ensure_ascii=False) + "\n"
                    out.write(line)
                    number += 1
                    written += len(text.encode("utf-8"))
                if written >= target:
                    break
            round_number += 1
    tmp.replace(path)
    path.with_suffix(".txt").write_text(
        f"{number} documents, {written / 1e6:.1f} MB of text, {round_number} round(s) of "
        f"{len(pages)} distinct source pages from {origin}\n", encoding="utf-8")
    return path


def short_docs(count: int, out_dir: Path = harness.OUT) -> Path:
    """Path of the corpus of `count` short documents (built when missing)."""
    prefix = f"short_docs_v{VERSION}{_origin_tag()}_"
    path = out_dir / f"{prefix}{count}.jsonl"
    if path.is_file():
        return path
    out_dir.mkdir(parents=True, exist_ok=True)
    # The documents come one by one from one random stream, so the first `count`
    # documents of a bigger corpus are this one.
    bigger = sorted((int(p.stem.rsplit("_", 1)[1]), p) for p in out_dir.glob(f"{prefix}*.jsonl")
                    if p.stem.rsplit("_", 1)[1].isdigit() and int(p.stem.rsplit("_", 1)[1]) > count)
    if bigger:
        tmp = path.with_suffix(".tmp")
        with open(bigger[0][1], "rb") as source, open(tmp, "wb") as out:
            out.writelines(itertools.islice(source, count))
        tmp.replace(path)
        path.with_suffix(".txt").write_text(f"{count} short documents: the first of {bigger[0][1].name}\n",
                                            encoding="utf-8")
        return path
    pages, origin = source_pages()
    snippets = []
    for _, text in pages:
        lines = [line for line in text.split("\n") if len(line.split()) >= 4]
        current: List[str] = []
        for line in lines:
            current.append(line[:400])
            if sum(len(x) for x in current) >= 200:
                snippets.append("\n".join(current))
                current = []
    swap = WordSwap(snippets)
    rng = random.Random(SEED)
    tmp = path.with_suffix(".tmp")
    made: List[Tuple[str, str]] = []  # recent (text, cluster) to copy from
    number = round_number = 0
    with open(tmp, "w", encoding="utf-8") as out:
        while number < count:
            mapping = swap.mapping(round_number)
            for index, snippet in enumerate(snippets):
                if number >= count:
                    break
                if made and rng.random() < 0.1:
                    text, cluster = rng.choice(made)
                    ops = "exact"
                    if rng.random() < 0.5:
                        text, ops = edit(text, rng), "edit"
                else:
                    text, cluster, ops = swap.apply(snippet, mapping), f"r{round_number}-{index}", "orig"
                    made.append((text, cluster))
                    if len(made) > 5000:
                        made = made[-2500:]
                out.write(json.dumps({"id": f"s{number:07d}", "text": text, "cluster": cluster,
                                      "ops": ops}, ensure_ascii=False) + "\n")
                number += 1
            round_number += 1
    tmp.replace(path)
    path.with_suffix(".txt").write_text(
        f"{count} short documents from {len(snippets)} snippets x {round_number} round(s), "
        f"from {origin}\n", encoding="utf-8")
    return path


def _origin_tag() -> str:
    """"" for corpora made from the developer sets, "_generated" without them."""
    return "" if harness.shared_sets(harness.DOC_SETS) else "_generated"


def _size_name(mb: float) -> str:
    return f"{mb:g}mb".replace(".", "_")


def describe(path: Path) -> str:
    info = path.with_suffix(".txt")
    return info.read_text(encoding="utf-8").strip() if info.is_file() else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="kind", required=True)
    near = sub.add_parser("near-dup", help="the near-duplicate corpus")
    near.add_argument("--mb", type=float, default=100.0)
    short = sub.add_parser("short", help="short documents")
    short.add_argument("--docs", type=int, default=100_000)
    args = parser.parse_args()
    path = near_dup_corpus(args.mb) if args.kind == "near-dup" else short_docs(args.docs)
    print(f"{path}: {describe(path)}")


if __name__ == "__main__":
    main()
