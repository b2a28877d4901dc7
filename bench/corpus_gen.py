"""A synthetic corpus of short scraped pages for the scaling benchmarks.

Body lines are real ASCII lines (8 to 40 words, cut to 8 to 16) from the text fields of
``shared/data/*.jsonl.gz`` when present, each with about a third of its words swapped
for other words of the pool so that no two documents share a body line by chance;
synthetic sentences otherwise. Every page belongs to one of a thousand sites that
wrap it in the same navigation line, title suffix and footer; most pages also carry a
cookie line shared across the corpus (learned as chrome). About one page in ten is a
near-duplicate of an earlier page: its body with one line dropped or a few words
edited, under another site's wrapper.

Usage: python bench/corpus_gen.py OUT.jsonl[.gz] [--documents 200000] [--seed 1]
"""
import argparse
import gzip
import json
import random
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
COOKIE = "We use cookies to improve your experience on our site and to show you relevant advertising."


def real_lines(data_dir: Path):
    """Lines of 8 to 40 words from the developer sets, or None when there are none."""
    found = []
    for path in sorted(data_dir.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as rows:
            for row in rows:
                text = json.loads(row).get("text")
                if isinstance(text, str):
                    found.extend(line.strip() for line in text.split("\n")
                                 if line.isascii() and 8 <= len(line.split()) <= 40)
    return sorted(set(found)) or None


def synthetic_lines(rng: random.Random, count: int = 20000):
    syllables = "ka lo mi ne su ra te po vi da ze ru ho ma li".split()
    vocabulary = ["".join(rng.choice(syllables) for _ in range(rng.randint(1, 3))) for _ in range(5000)]
    return [" ".join(rng.choice(vocabulary) for _ in range(rng.randint(8, 30))).capitalize() + "."
            for _ in range(count)]


def documents(count: int, seed: int = 1, data_dir: Path = DEFAULT_DATA):
    """Yield `count` records {"id", "site", "text"}, the same for the same seed."""
    rng = random.Random(seed)
    pool = real_lines(data_dir) if data_dir.is_dir() else None
    pool = pool or synthetic_lines(rng)
    words = sorted({w for line in pool[:5000] for w in line.split()})

    def fresh(line):
        out = [rng.choice(words) if rng.random() < 0.35 else w for w in line.split()]
        return " ".join(out[:rng.randint(8, 16)])

    sites = []
    for number in range(1000):
        name = f"The {rng.choice(words).strip('.,').title()} {rng.choice(['Herald', 'Post', 'Daily', 'Times', 'Gazette'])} {number}"
        sections = " • ".join(rng.sample(["News", "World", "Sport", "Business", "Arts", "Opinion",
                                          "Weather", "Travel", "Science", "Video"], 6))
        sites.append((name, f"Home • {sections}", f"© 2024 {name}. All rights reserved."))
    bodies = []
    for number in range(count):
        site = sites[rng.randrange(len(sites))]
        if bodies and rng.random() < 0.1:
            title, body = bodies[rng.randrange(len(bodies))]
            body = list(body)
            if len(body) > 3 and rng.random() < 0.5:
                del body[rng.randrange(len(body))]
            else:
                line = body[-1].split()
                line[rng.randrange(len(line))] = rng.choice(words)
                body[-1] = " ".join(line)
        else:
            title = fresh(rng.choice(pool))
            body = [fresh(rng.choice(pool)) for _ in range(rng.randint(2, 4))]
            bodies.append((title, body))
            if len(bodies) > 20000:
                bodies.pop(0)
        lines = [f"{title} | {site[0]}", site[1], "", *body, ""]
        if rng.random() < 0.6:
            lines.append(COOKIE)
        lines.append(site[2])
        yield {"id": f"doc{number:07d}", "site": site[0], "text": "\n".join(lines) + "\n"}


def write(path: Path, count: int, seed: int = 1) -> Path:
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wt", encoding="utf-8") as out:
        for record in documents(count, seed):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--documents", type=int, default=200000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    write(args.out, args.documents, args.seed)
