"""Corpus mode: chrome learned across documents, near-duplicate documents, profiles."""
import gzip
import json
import os
import random
import re
import subprocess
import sys

from click.testing import CliRunner

import dedup
from dedup.cli import main
from dedup.corpus import clean_corpus, learn_chrome
from dedup.corpus.profile import VERSION, ProfileError, dumps, loads
from conftest import ROOT

DATA = ROOT / "tests" / "data"


def load(name):
    with gzip.open(DATA / name, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def lines(text):
    return [re.sub(r"\s+", " ", line).strip() for line in text.split("\n") if line.strip()]


def run(args, stdin=b""):
    return CliRunner().invoke(main, args, input=stdin, catch_exceptions=False)


def jsonl(records):
    return "".join(json.dumps(r) + "\n" for r in records).encode("utf-8")


def test_site_chrome_and_title_suffixes_are_learned_from_the_site():
    site = load("seedlike_pinecrest.jsonl.gz")
    out = {d.record["id"]: d.record["text"] for d in clean_corpus(
        [{"id": r["id"], "text": r["text"]} for r in site])}
    exact = sum(lines(out[r["id"]]) == lines(r["gold"]) for r in site)
    assert exact >= 9
    for record in site:
        kept = set(lines(out[record["id"]]))
        for label, line in record["blocks"]:
            if label in ("hard_negative", "body", "caption_unique") and line.strip():
                if not line.upper().startswith(("READ MORE", "ALSO READ", "RELATED")):
                    assert lines(line)[0] in kept, (label, line)
            if label in ("site_boilerplate", "readmore", "title_repeat", "caption_copy"):
                assert lines(line)[0] not in kept, (label, line)


def test_a_line_two_articles_quote_is_not_chrome():
    quote = "The minister said the plan would cost less than expected this year."
    topics = ["roads", "rail", "schools", "parks", "water", "taxes"]
    words = ("river bridge council budget winter market school doctor garden train "
             "museum harbour festival library farmer storm election village").split()
    rng = random.Random(7)
    docs = []
    for i, topic in enumerate(topics):
        body = " ".join(" ".join(rng.choice(words) for _ in range(12)).capitalize() + "."
                        for _ in range(8))
        quoted = f"\n\n{quote}" if topic in ("rail", "parks") else ""
        docs.append({"id": i, "text": f"News about {topic} today\n\n{body}{quoted}\n\n"
                                      "All content copyright The Site\n"})
    out = [d.record["text"] for d in clean_corpus(docs)]
    assert len(out) == len(docs)
    assert all("All content copyright" not in text for text in out)
    assert out[1].count(quote) == 1 and out[3].count(quote) == 1


def _page(rng, title, menu, footer, middle=""):
    """A page of a small site: its menu, a headline, paragraphs of prose (with `middle`
    between two of them), its footer."""
    words = ("river bridge council budget winter market school doctor garden train "
             "museum harbour festival library farmer storm election village").split()
    paragraphs = [" ".join(rng.choice(words) for _ in range(14)).capitalize() + "." for _ in range(4)]
    if middle:
        paragraphs.insert(2, middle)
    return "\n".join(menu + ["", title, ""] + paragraphs + [""] + footer) + "\n"


MENU = ["Home", "World news", "Sport", "Culture and arts", "Contact us"]
FOOTER = ["About us", "Privacy policy", "Terms of use"]


def two_page_site():
    """Two pages of a site: the same menu and footer, and a heading between paragraphs."""
    rng = random.Random(3)
    return [{"id": i, "text": _page(rng, title, MENU, FOOTER, middle="Key facts")}
            for i, title in enumerate(["Storm closes the harbour road", "Council opens a new library"])]


def test_the_menu_and_footer_two_pages_of_a_site_share_go_and_a_shared_heading_stays():
    docs = two_page_site()
    menu, footer = MENU, FOOTER
    out = [d.record["text"] for d in clean_corpus(docs)]
    for doc, text in zip(docs, out):
        kept = text.split("\n")
        assert not set(menu + footer) & set(kept), text
        # The heading both pages print between paragraphs is not a frame: it stays,
        # and so does every line of prose.
        assert "Key facts" in kept
        assert [line for line in doc["text"].split("\n") if len(line) > 40] == \
            [line for line in kept if len(line) > 40]
    # Alone or in a run of two, a line two pages share is no proof of chrome.
    short = [{"id": d["id"], "text": d["text"].replace("Sport\nCulture and arts\nContact us\n", "")
              .replace("Privacy policy\nTerms of use\n", "")} for d in docs]
    assert [d.record["text"] for d in clean_corpus(short)] == [d["text"] for d in short]


def test_two_pages_that_mostly_print_the_same_listing_lose_none_of_it():
    rng = random.Random(5)
    listing = [line for word in "miller sailor signalman farmer weaver soldier drover tinker".split()
               for line in (f"Title: {rng.choice(['The', 'A'])} ballad of the {word}",
                            f"Performer: {rng.choice(['Jack', 'Nell', 'Tom'])} the {word}", "Themes: Work")]
    docs = [{"id": i, "text": _page(random.Random(i), f"Search results page {i}", listing, ["Contact us"])}
            for i in range(2)]
    out = [d.record["text"] for d in clean_corpus(docs)]
    assert out == [d["text"] for d in docs]


def test_a_profile_keeps_pair_lines_and_a_version_1_profile_still_reads():
    rng = random.Random(3)
    menu = ["Home", "World news", "Sport"]
    chrome = learn_chrome([{"text": _page(rng, title, menu, [])} for title in ("Storm news", "Budget news")])
    assert len(chrome.pair_lines) == 3 and not chrome.lines
    assert loads(dumps(chrome)).pair_lines == chrome.pair_lines
    document = json.loads(dumps(chrome))
    del document["pair_lines"]
    document["version"] = 1
    from dedup.corpus.profile import _checksum, _fields
    document["sha256"] = _checksum(_fields(document))
    old = loads(json.dumps(document))
    assert old.pair_lines == frozenset() and old.titles == chrome.titles


def test_near_duplicate_documents_keep_one_per_cluster():
    records = load("neardup_subset.jsonl.gz")
    kept = [d.record for d in clean_corpus([{"id": r["id"], "text": r["text"]} for r in records])]
    clusters = {}
    for record in records:
        clusters.setdefault(record["cluster"], []).append(record["id"])
    kept_ids = {r["id"] for r in kept}
    for cluster, ids in clusters.items():
        assert len(kept_ids & set(ids)) == 1, cluster
    # The first of each cluster stays (default --keep first).
    assert all(ids[0] in kept_ids for ids in clusters.values())


def test_keep_longest_and_keep_duplicates():
    body = " ".join(f"Sentence number {i} of the article says something new about item {i * 7}."
                    for i in range(40))
    docs = [{"id": "a", "text": body[:1500]}, {"id": "b", "text": body},
            {"id": "c", "text": "A different story entirely, about birds and their songs in spring."}]
    assert [d.record["id"] for d in clean_corpus(docs)] == ["a", "c"]
    assert [d.record["id"] for d in clean_corpus(docs, keep="longest")] == ["b", "c"]
    marked = list(clean_corpus(docs, keep_duplicates=True))
    assert [(d.record["id"], d.duplicate_of) for d in marked] == [("a", None), ("b", "a"), ("c", None)]


def test_cli_jsonl_keeps_other_fields_and_writes_output_file(tmp_path):
    records = load("neardup_subset.jsonl.gz")[:6]
    source = tmp_path / "in.jsonl.gz"
    with gzip.open(source, "wt", encoding="utf-8") as handle:
        handle.write(jsonl(records).decode("utf-8"))
    target = tmp_path / "out.jsonl"
    result = run(["clean", "--jsonl", str(source), "-o", str(target)])
    assert result.exit_code == 0, result.stderr
    out = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert out and all(set(r) == {"id", "text", "cluster", "ops"} for r in out)
    assert len({r["cluster"] for r in out}) == len(out)


def test_cli_jsonl_keep_duplicates_marks_them():
    records = [{"id": 1, "text": "Alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu."},
               {"id": 2, "text": "Alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu."}]
    result = run(["clean", "--jsonl", "--keep-duplicates"], jsonl(records))
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r.get("duplicate_of") for r in out] == [None, 1]


def test_duplicates_only_drops_the_same_documents_and_rewrites_no_text():
    # Near-duplicate clusters beside a site whose pages carry chrome, title suffixes
    # and copies: the kept documents are those of a full run, each text as it came.
    records = [{"id": r["id"], "text": r["text"]} for r in
               load("neardup_subset.jsonl.gz") + load("seedlike_pinecrest.jsonl.gz")]
    full = [d.record for d in clean_corpus(records)]
    only = [d.record for d in clean_corpus(records, duplicates_only=True)]
    assert [r["id"] for r in only] == [r["id"] for r in full] and len(only) < len(records)
    given = {r["id"]: r for r in records}
    assert all(r == given[r["id"]] for r in only)
    assert any(r["text"] != given[r["id"]]["text"] for r in full)
    marked = [d for d in clean_corpus(records, keep_duplicates=True)]
    marked_only = [d for d in clean_corpus(records, keep_duplicates=True, duplicates_only=True)]
    assert [(d.record["id"], d.duplicate_of) for d in marked_only] == \
        [(d.record["id"], d.duplicate_of) for d in marked]
    assert all(d.record == given[d.record["id"]] and not d.removals for d in marked_only)


def test_duplicates_only_still_compares_articles_without_their_chrome():
    # Ten articles of one site share a long header and footer (learned as chrome):
    # without it they are all different, so all ten stay.
    header = ("Home | News | Sport | Business | Culture | Opinion | Contact us\n"
              "The Valley Courier: news for the valley since 1880, every day of the week\n")
    footer = ("\nShare this story on Facebook or by email with a friend today\n"
              "Support local journalism at The Valley Courier from two pounds a week\n"
              "Copyright The Valley Courier. All rights reserved. Terms and privacy policy.\n")
    rng = random.Random(5)
    records = [{"id": i, "text": header + rng.choice(_VOCABULARY).title() + " news\n\n"
                + " ".join(rng.sample(_VOCABULARY, 6)) + footer} for i in range(10)]
    assert len(list(clean_corpus(records, duplicates_only=True))) == 10
    assert len(list(clean_corpus(records, duplicates_only=True, chrome=learn_chrome([])))) < 10


def test_cli_duplicates_only_and_what_it_refuses(tmp_path):
    records = [{"id": 1, "text": "Alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu.\n"
                                 "Alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu."},
               {"id": 2, "text": "Alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu.\n"
                                 "Alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu."}]
    result = run(["clean", "--jsonl", "--duplicates-only"], jsonl(records))
    assert result.exit_code == 0
    assert [json.loads(line) for line in result.stdout.splitlines()] == records[:1]
    for extra in (["--explain"], ["--report", str(tmp_path / "r.html")], ["--rules", str(tmp_path / "x")]):
        refused = run(["clean", "--jsonl", "--duplicates-only", *extra], jsonl(records))
        assert refused.exit_code == 2 and extra[0] in refused.stderr and not refused.stdout
    refused = run(["clean", "--duplicates-only"], b"text\n")
    assert refused.exit_code == 2 and "--jsonl" in refused.stderr


def test_two_list_pages_of_a_site_are_not_duplicates_for_their_header_and_footer():
    # Two pages of a small site (too few to learn chrome from) share header and footer,
    # which are most of their 3-grams; their lists of short lines (no prose) differ.
    # Both stay; a copy of one with an item changed still goes.
    rng = random.Random(1)
    words = ["".join(rng.choice("bcdfglmnprstv") + rng.choice("aeiou") for _ in range(3)) for _ in range(200)]
    header = "Home | News | Sport | Shop | Contact\nThe Hill Gazette\nLocal - Food - Style - Video - Weather - Money\n"
    footer = ("\nShare this page on Facebook or by email with a friend today\n"
              "Back local journalism at The Hill Gazette from two pounds a month\n"
              "Privacy policy | Contact us | Accessibility | Corrections\n")
    pages = [header + f"Category {i}\n\n" + "\n".join(
        f"{a.title()} {b}" for a, b in zip(rng.sample(words, 20), rng.sample(words, 20))) + footer
        for i in range(2)]
    records = [{"id": i, "text": text} for i, text in enumerate(pages)]
    assert [d.record["id"] for d in clean_corpus(records)] == [0, 1]
    edited = pages[1].replace("\n" + pages[1].split("\n")[6] + "\n", "\nMarket Hall\n")
    records.append({"id": 2, "text": edited})
    assert [(d.record["id"], d.duplicate_of) for d in clean_corpus(records, keep_duplicates=True)] == \
        [(0, None), (1, None), (2, 1)]


def test_bad_json_line_names_the_line_and_exits_2():
    data = jsonl([{"id": 1, "text": "fine"}]) + b"{broken\n" + jsonl([{"id": 3, "text": "x"}])
    result = run(["clean", "--jsonl"], data)
    assert result.exit_code == 2
    assert result.stdout_bytes == b""
    assert "<stdin>:2" in result.stderr and "--skip-bad" in result.stderr


def test_missing_text_field_and_skip_bad():
    data = jsonl([{"id": 1, "text": "fine text here"}, {"id": 2, "body": "no text"},
                  {"id": 3, "text": 5}])
    result = run(["clean", "--jsonl"], data)
    assert result.exit_code == 2 and "'text'" in result.stderr
    result = run(["clean", "--jsonl", "--skip-bad", "--progress"], data)
    assert result.exit_code == 0
    assert [json.loads(l)["id"] for l in result.stdout.splitlines()] == [1]
    assert "skipped 2 bad lines" in result.stderr


def test_text_and_id_keys_can_be_renamed():
    data = jsonl([{"doc": "x", "body": "Title line of the page here\nTitle line of the page here\n"}])
    result = run(["clean", "--jsonl", "--text-key", "body", "--id-key", "doc"], data)
    assert json.loads(result.stdout) == {"doc": "x", "body": "Title line of the page here\n"}


def test_output_is_the_same_for_any_hash_seed_and_any_chunking(tmp_path):
    records = load("seedlike_pinecrest.jsonl.gz") + load("neardup_subset.jsonl.gz")[:20]
    records = [{"id": r["id"], "text": r["text"]} for r in records]
    whole = tmp_path / "all.jsonl"
    whole.write_bytes(jsonl(records))
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_bytes(jsonl(records[:7]))
    second.write_bytes(jsonl(records[7:]))
    outputs = []
    for seed, files in (("0", [whole]), ("12345", [whole]), ("0", [first, second])):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        result = subprocess.run([sys.executable, "-m", "dedup", "clean", "--jsonl", *map(str, files)],
                                capture_output=True, env=env, cwd=ROOT)
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1] == outputs[2]


def test_profile_round_trip_and_single_document_use(tmp_path):
    site = load("seedlike_pinecrest.jsonl.gz")
    source = tmp_path / "site.jsonl"
    source.write_bytes(jsonl([{"id": r["id"], "text": r["text"]} for r in site]))
    profile = tmp_path / "profile.json"
    result = run(["learn", str(source), "-o", str(profile)])
    assert result.exit_code == 0, result.stderr
    chrome = loads(profile.read_text(encoding="utf-8"))
    assert chrome == learn_chrome([{"text": r["text"]} for r in site])
    # One document in a pipe, with the profile: the site's chrome and suffix go.
    document = site[3]
    result = run(["clean", "--profile", str(profile)], document["text"].encode("utf-8"))
    assert result.exit_code == 0
    assert lines(result.stdout) == lines(document["gold"])


def test_tampered_or_foreign_profile_is_refused(tmp_path):
    chrome = learn_chrome([{"text": "Nav line of the site\nBody one\n"}] * 4)
    text = dumps(chrome)
    tampered = tmp_path / "tampered.json"
    tampered.write_text(text.replace('"documents": 4', '"documents": 5'), encoding="utf-8")
    result = run(["clean", "--profile", str(tampered)], b"some text\n")
    assert result.exit_code == 2 and "checksum" in result.stderr
    foreign = tmp_path / "foreign.json"
    foreign.write_text('{"hello": "world"}', encoding="utf-8")
    result = run(["clean", "--profile", str(foreign)], b"some text\n")
    assert result.exit_code == 2 and "not a dedup profile" in result.stderr
    try:
        loads(text.replace(f'"version": {VERSION}', '"version": 99'))
    except ProfileError as error:
        assert "version" in str(error)
    else:
        raise AssertionError("a profile of an unknown version was accepted")


def test_single_document_path_never_imports_numpy_or_datasketch(tmp_path):
    profile = tmp_path / "p.json"
    profile.write_text(dumps(learn_chrome([{"text": "a b c\n"}])), encoding="utf-8")
    code = ("import sys, io\nfrom dedup.cli import main\n"
            "sys.stdin = io.TextIOWrapper(io.BytesIO(b'Title here\\nTitle here\\n'))\n"
            f"try:\n    main(['clean', '--profile', {str(profile)!r}])\nexcept SystemExit:\n    pass\n"
            "assert 'numpy' not in sys.modules and 'datasketch' not in sys.modules, "
            "sorted(m for m in sys.modules if m in ('numpy', 'datasketch'))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr


def test_python_api_streams_an_iterator():
    documents = iter([{"id": i, "text": f"Story {i} headline here\n\nBody {i} text here.\n"} for i in range(3)])
    out = dedup.clean_documents(documents)
    assert iter(out) is out
    assert [d["id"] for d in out] == [0, 1, 2]


def _sentence(rng, words, n=12):
    return " ".join(rng.choice(words) for _ in range(n)).capitalize() + "."


def test_two_articles_of_one_site_printed_several_times_stay_two():
    # A site's header and footer are on too few of the corpus's pages to be learned as
    # chrome; its two articles come in three copies each, and a short page of the site
    # shares its header and footer with both. The copies go; the two articles stay.
    rng = random.Random(3)
    words = ("river bridge council budget winter market school doctor garden train museum "
             "harbour festival library farmer storm election village").split()
    header = "Home | News | Sport | Contact\nThe Valley Courier\nLocal / Weather / Opinion\n"
    footer = ("\nShare this story on Facebook or by email with a friend today\n"
              "Support local journalism at The Valley Courier from two pounds a week\n"
              "Copyright The Valley Courier. All rights reserved.\n")
    article_a = "\n\n".join(_sentence(rng, words) for _ in range(4))
    article_b = "\n\n".join(_sentence(rng, words) for _ in range(4))
    docs = []
    for copy in range(3):
        docs.append(header + f"Posted {copy + 1} May\n\n" + article_a + footer)
        docs.append(header + f"Posted {copy + 4} June\n\n" + article_b + footer)
    docs.append(header + "Page not found\n\nTry the search box\n" + footer)
    other = ("fox cloud apple stone violin paper candle mirror ladder pocket tiger "
             "window blanket rocket button").split()
    docs += ["\n\n".join(_sentence(rng, other) for _ in range(5)) for _ in range(8)]
    kept = [d.record["text"] for d in clean_corpus([{"id": i, "text": t} for i, t in enumerate(docs)])]
    first_a, first_b = article_a.split("\n")[0], article_b.split("\n")[0]
    assert sum(first_a in text for text in kept) == 1
    assert sum(first_b in text for text in kept) == 1


_VOCABULARY = ("river bridge council budget winter market school doctor garden train museum harbour "
               "festival library farmer storm election village meadow orchard ferry canal tower "
               "choir bakery tunnel clinic stadium").split()


def _site(titles, body):
    """A site of pages with these titles; each body is `body(topic)` and two paragraphs
    of words of its own (no line shared by the pages, no two pages alike)."""
    rng = random.Random(3)
    pages = []
    for i, title in enumerate(titles):
        words = rng.sample(_VOCABULARY, 16)
        pages.append({"id": i, "text": f"{title}\n\n{body(words[0])}\n"
                                       f"Then {' and '.join(words[1:8])} were discussed.\n"
                                       f"Afterwards {', '.join(words[8:])} came up.\n"})
    return pages


def _titles(records):
    return [d.record["text"].split("\n")[0] for d in clean_corpus(records)]


def test_words_many_headlines_share_are_not_a_site_affix():
    heads = ["The river rises again", "The mayor opens a bridge", "The board votes on the budget",
             "Farmers market returns", "Local team wins the final", "Library hours change"]
    # Half the headlines start with "The": not a site name before them.
    assert _titles(_site(heads, lambda topic: f"A story about {topic}, told at length with details.")) == heads
    # A site name after the headline goes even without a separator.
    site = _site([h + " hot right now" for h in heads],
                 lambda topic: f"A story about {topic}, told at length with details.")
    assert _titles(site) == heads
    # Words that end most headlines and that the pages use elsewhere are not a site name.
    seasonal = [h + " this winter" for h in heads[:4]] + heads[4:]
    site = _site(seasonal, lambda topic: f"What the town plans for its {topic} this winter, told at length.")
    assert _titles(site) == seasonal


def test_a_site_prefix_is_learned_beside_a_line_that_ends_with_the_site_name():
    heads = ["River rises again", "Mayor opens a bridge", "Board votes on the budget",
             "Farmers market returns", "Local team wins the final", "Library hours change"]
    # Every page also prints "More from Sitename today": its leading words end with the
    # site name, which must not hide the prefix "Sitename |".
    site = _site([f"Sitename | {h}" for h in heads],
                 lambda topic: f"More from Sitename today\nA story about {topic}, told at length with details.")
    assert _titles(site) == heads


def test_a_sentence_the_articles_of_a_small_site_quote_is_not_chrome_in_a_big_one_it_is():
    quote = '"We will not rest until every family in this city has a safe home," the mayor said.'
    promo = "Sign up for our morning newsletter to get the day's most important stories first."

    def pages(count, shared):
        return _site([f"Headline {i} about the {_VOCABULARY[i]}" for i in range(count)],
                     lambda topic: f"The {topic} was discussed at length by the planning committee "
                                   f"of the council this week.\n{shared}")

    small = [d.record["text"] for d in clean_corpus(pages(3, quote))]
    assert all(quote in text for text in small)
    big = [d.record["text"] for d in clean_corpus(pages(8, promo))]
    assert not any(promo in text for text in big)
