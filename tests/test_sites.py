"""--site-key: chrome learned per site in a corpus that mixes sites."""
import io
import json
import random

import pytest
from click.testing import CliRunner

import dedup
from dedup.cli import main
from dedup.corpus import clean_corpus, write_corpus
from dedup.corpus.profile import dumps, loads
from dedup.corpus.sites import site_name
from dedup.jsonl import Corpus

WORDS = ("river bridge council budget winter market school doctor garden train museum harbour "
         "festival library farmer storm election village mayor ferry orchard quarry").split()

# Three small sites, each with its own menu, footer and title suffix, and its URLs
# spelled in several ways (scheme or not, "www.", capitals, a port).
SITES = {
    "alpha.example": (["Alpha Gazette front page", "Alpha local weather desk", "Alpha letters to the editor"],
                      ["Alpha Gazette printed by Alpha Press Ltd", "Alpha Gazette reader helpline"],
                      "| The Alpha Gazette",
                      ["https://www.alpha.example/news/{i}", "http://Alpha.example/story?id={i}",
                       "alpha.example/archive/{i}", "https://alpha.example:8443/m/{i}"]),
    "beta.example": (["Beta Courier today", "Beta Courier regional roundup", "Beta Courier classifieds"],
                     ["Beta Courier is a member of the press council", "Beta Courier subscriptions office"],
                     "- Beta Courier Online",
                     ["beta.example/{i}", "https://beta.example/p/{i}", "https://www.beta.example/{i}",
                      "beta.example/x/{i}"]),
    "gamma.example": (["Gamma Herald homepage", "Gamma Herald farming pages", "Gamma Herald puzzles"],
                      ["Gamma Herald editorial standards", "Gamma Herald advertising rates"],
                      ": Gamma Herald",
                      ["https://gamma.example/{i}", "gamma.example/{i}", "https://www.GAMMA.example/{i}",
                       "http://gamma.example/{i}/"]),
}


def prose(rng):
    return " ".join(rng.choice(WORDS) for _ in range(18)).capitalize() + "."


def page(rng, site, number):
    """A page of `site`: menu, title with the site suffix, three paragraphs of prose
    (the article, different on every page), footer."""
    menu, footer, suffix, urls = SITES[site]
    title = f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(WORDS)} {suffix}"
    article = [prose(rng) for _ in range(3)]
    text = "\n".join(menu + ["", title, ""] + article + [""] + footer) + "\n"
    return {"id": f"{site}-{number}", "url": urls[number % len(urls)].format(i=number), "text": text}, article


def mixed_corpus(seed=5, pages=None):
    """Four pages of each site (or `pages[site]`), mixed; (records, {id: article paragraphs})."""
    rng = random.Random(seed)
    rows, articles = [], {}
    for site in SITES:
        for number in range((pages or {}).get(site, 4)):
            record, article = page(rng, site, number)
            rows.append(record)
            articles[record["id"]] = article
    rng.shuffle(rows)
    return rows, articles


def chrome_lines(site):
    menu, footer, _, _ = SITES[site]
    return menu + footer


def by_id(documents):
    return {d.record["id"]: d.record["text"] for d in documents}


def test_a_sites_menu_footer_and_title_suffix_go_with_a_site_key_and_stay_without():
    rows, articles = mixed_corpus()
    # Each site has 4 of 12 pages: below half of the corpus, above half of the site.
    without = by_id(clean_corpus(rows))
    with_key = by_id(clean_corpus(rows, site_key="url"))
    assert len(without) == len(with_key) == len(rows)
    assert [r["text"] for r in dedup.clean_documents(rows, site_key="url")] == [with_key[r["id"]] for r in rows]
    for record in rows:
        site = record["id"].rsplit("-", 1)[0]
        suffix = SITES[site][2]
        for line in chrome_lines(site):
            assert line in without[record["id"]]
            assert line not in with_key[record["id"]], (record["id"], line)
        assert suffix in without[record["id"]]
        assert suffix not in with_key[record["id"]]
        title = record["text"].split("\n")[4].replace(suffix, "").strip()
        assert with_key[record["id"]].lstrip("\n").startswith(title)
        for paragraph in articles[record["id"]]:
            assert paragraph in with_key[record["id"]] and paragraph in without[record["id"]]


def test_records_without_the_site_field_form_a_site_of_their_own():
    rows, articles = mixed_corpus()
    # Beta's pages lose their field (or have an empty one): they are one more site, the
    # unnamed one, whose chrome is learned from them alone.
    for record in rows:
        if record["id"].startswith("beta"):
            if record["id"].endswith(("0", "1")):
                del record["url"]
            else:
                record["url"] = ""
    out = by_id(clean_corpus(rows, site_key="url"))
    for record in rows:
        site = record["id"].rsplit("-", 1)[0]
        for line in chrome_lines(site):
            assert line not in out[record["id"]], (record["id"], line)
        for paragraph in articles[record["id"]]:
            assert paragraph in out[record["id"]]


def test_site_thresholds_are_relative_to_the_site():
    rows, _ = mixed_corpus(pages={"alpha.example": 7})
    # A menu line on 3 pages of each site: 3 of alpha's 7 pages (under half) stays,
    # 3 of beta's 4 goes.
    for prefix, line in (("alpha", "Alpha letters to the editor\n"), ("beta", "Beta Courier classifieds\n")):
        pages = [r for r in rows if r["id"].startswith(prefix)]
        for record in pages[3:]:
            record["text"] = record["text"].replace(line, "")
    out = by_id(clean_corpus(rows, site_key="url"))
    for record in rows:
        text = out[record["id"]]
        if record["id"].startswith("alpha"):
            assert ("Alpha letters to the editor" in text) == ("Alpha letters to the editor" in record["text"])
            assert "Alpha Gazette front page" not in text
        if record["id"].startswith("beta"):
            assert "Beta Courier classifieds" not in text


@pytest.mark.parametrize("value, site", [
    ("https://www.Example.org/a/b?c=1", "example.org"),
    ("http://user@news.example.co.uk:8080/x", "news.example.co.uk"),
    ("16thfleet.wikidot.com/chatter:anewhome", "16thfleet.wikidot.com"),
    ("WWW.Example.org/", "example.org"),
    ("example.org", "example.org"),          # no path: not a URL, the name itself
    ("Daily News", "Daily News"),
    ("news/2020", "news/2020"),              # no host before the "/"
    (42, "42"),
    ("", ""),
    ("   ", ""),
    (None, ""),
])
def test_a_url_stands_for_its_host(value, site):
    assert site_name(value) == site


def cli(args, stdin=b""):
    return CliRunner().invoke(main, [str(a) for a in args], input=stdin, catch_exceptions=False)


def write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def cleaned(paths, **options):
    out = io.BytesIO()
    with Corpus([str(p) for p in paths]) as corpus:
        write_corpus(corpus, out, **options)
    return out.getvalue()


def test_one_process_two_jobs_and_shards_give_the_same_bytes(tmp_path):
    rows, _ = mixed_corpus()
    whole = write(tmp_path / "all.jsonl", rows)
    result = cli(["clean", "--jsonl", "--site-key", "url", whole])
    assert result.exit_code == 0, result.stderr
    expected = result.stdout_bytes
    assert b"Alpha Gazette front page" not in expected
    assert expected != cli(["clean", "--jsonl", whole]).stdout_bytes
    parts = [write(tmp_path / f"part-{n}.jsonl", rows[n::3]) for n in range(3)]
    by_part = cleaned(parts, site_key="url")
    assert sorted(by_part.splitlines()) == sorted(expected.splitlines())
    assert cleaned([whole], site_key="url", jobs=2, shard_lines=5) == expected
    assert cleaned([whole], site_key="url", shard_lines=3) == expected
    assert cleaned(parts, site_key="url", jobs=2, shard_lines=2) == by_part


def test_a_site_field_that_names_no_site_is_refused_in_one_line(tmp_path):
    rows, _ = mixed_corpus()
    rows[3]["url"] = {"host": "alpha.example"}
    rows[5]["url"] = 7   # a number names a site
    path = write(tmp_path / "bad.jsonl", rows)
    out = tmp_path / "out.jsonl"
    result = cli(["clean", "--jsonl", "--site-key", "url", path, "-o", out])
    assert result.exit_code == 2
    assert result.stdout == "" and not out.exists()
    assert result.stderr.count("\n") == 1
    assert f"{path}:4: field 'url' holds dict, not a site name" in result.stderr
    rows[3]["url"] = ["a", "b"]
    result = cli(["learn", "--site-key", "url", write(path, rows), "-o", tmp_path / "p.json"])
    assert result.exit_code == 2 and f"{path}:4: field 'url' holds list" in result.stderr
    assert not (tmp_path / "p.json").exists()
    # --skip-bad skips that record like any other bad line.
    result = cli(["clean", "--jsonl", "--site-key", "url", "--skip-bad", path])
    assert result.exit_code == 0 and result.stdout.count("\n") == len(rows) - 1
    # Records in memory: the same message, with the record's number.
    with pytest.raises(ValueError, match="<records>:4: field 'url' holds list"):
        list(clean_corpus(rows, site_key="url"))


def test_site_key_and_site_go_where_they_mean_something(tmp_path):
    rows, _ = mixed_corpus()
    path = write(tmp_path / "c.jsonl", rows)
    result = cli(["clean", "--site-key", "url", path])
    assert result.exit_code == 2 and "--site-key goes with --jsonl" in result.stderr
    result = cli(["clean", "--site", "alpha.example"], b"text\n")
    assert result.exit_code == 2 and "--site goes with --profile" in result.stderr


def test_an_index_built_per_site_counts_with_a_new_corpus_as_cleaning_both_together(tmp_path):
    rows, articles = mixed_corpus(pages={"alpha.example": 6, "beta.example": 6, "gamma.example": 6})
    # Four pages of each site indexed, two new ones.
    first = [r for r in rows if int(r["id"].rsplit("-", 1)[1]) < 4]
    second = [r for r in rows if r not in first]
    a, b = write(tmp_path / "a.jsonl", first), write(tmp_path / "b.jsonl", second)
    index = tmp_path / "index"
    result = cli(["index", "build", "--site-key", "url", a, "-o", index])
    assert result.exit_code == 0, result.stderr
    against = cli(["clean", "--jsonl", "--site-key", "url", "--index", index, b])
    assert against.exit_code == 0, against.stderr
    alone = cli(["clean", "--jsonl", "--site-key", "url", b]).stdout
    # Two pages of a site alone teach no title suffix; with the index's four, the new
    # pages lose it, and their site's menu and footer, as when all six are cleaned
    # together (an index is approximate: see dedup.corpus.index), and keep their articles.
    together = by_id(clean_corpus(first + second, site_key="url"))
    cleaned_new = {json.loads(line)["id"]: json.loads(line)["text"] for line in against.stdout.splitlines()}
    assert cleaned_new.keys() == {r["id"] for r in second}
    for record in second:
        site = record["id"].rsplit("-", 1)[0]
        assert SITES[site][2] in alone
        for line in chrome_lines(site) + [SITES[site][2]]:
            assert line not in cleaned_new[record["id"]] and line not in together[record["id"]]
        assert all(paragraph in cleaned_new[record["id"]] for paragraph in articles[record["id"]])
    # An index per site goes with --site-key only, and one of the whole corpus without it.
    result = cli(["clean", "--jsonl", "--index", index, b])
    assert result.exit_code == 2 and "the index was built with --site-key" in result.stderr
    assert cli(["index", "build", a, "-o", tmp_path / "plain"]).exit_code == 0
    result = cli(["clean", "--jsonl", "--site-key", "url", "--index", tmp_path / "plain", b])
    assert result.exit_code == 2 and "the index was built without --site-key" in result.stderr


def test_a_profile_learned_per_site_cleans_one_page_of_a_site_and_a_mixed_corpus(tmp_path):
    rows, articles = mixed_corpus()
    path = write(tmp_path / "c.jsonl", rows)
    profile = tmp_path / "p.json"
    result = cli(["learn", "--site-key", "url", path, "-o", profile])
    assert result.exit_code == 0, result.stderr
    assert "of 3 named sites" in result.stderr
    chrome = loads(profile.read_text(encoding="utf-8"))
    assert loads(dumps(chrome)) == chrome and len(chrome.sites) == 3
    # One new page of beta in a pipe: beta's part of the profile applies.
    record, article = page(random.Random(99), "beta.example", 7)
    result = cli(["clean", "--profile", profile, "--site", "https://www.beta.example/new"],
                 record["text"].encode())
    assert result.exit_code == 0, result.stderr
    for line in chrome_lines("beta.example") + [SITES["beta.example"][2]]:
        assert line not in result.stdout
    assert all(paragraph in result.stdout for paragraph in article)
    # Another site's part leaves beta's chrome alone, and says it knows nothing of it.
    result = cli(["clean", "--profile", profile, "--site", "delta.example"], record["text"].encode())
    assert result.exit_code == 0
    assert "Beta Courier today" in result.stdout and "learned nothing of site 'delta.example'" in result.stderr
    # The whole corpus with the profile, each record's site by its field: as learned here.
    with_profile = cli(["clean", "--jsonl", "--profile", profile, "--site-key", "url", path])
    learned_here = cli(["clean", "--jsonl", "--site-key", "url", path])
    assert with_profile.exit_code == 0 and with_profile.stdout == learned_here.stdout


def test_a_version_2_profile_still_reads_without_sites():
    from dedup.corpus import learn_chrome
    from dedup.corpus.profile import _checksum, _fields

    rows, _ = mixed_corpus()
    document = json.loads(dumps(learn_chrome(rows)))
    del document["sites"]
    document["version"] = 2
    document["sha256"] = _checksum(_fields(document))
    old = loads(json.dumps(document))
    assert old.sites == () and old.lines == learn_chrome(rows).lines
