"""The HTML report as a person sees it: opened in a real headless chromium.

Skipped when no chromium is installed (`.ci/run` installs Debian's when it can).
"""
import json
import shutil

import pytest
from click.testing import CliRunner

import dedup
from conftest import SAMPLES
from dedup.cli import main
from dedup.report import COLOURS
from headless_chromium import Chromium, decode_png, find_chromium, png_size

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no headless browser: none of chromium, chromium-browser, google-chrome is on "
           "PATH; install one (apt-get install chromium) to run the HTML report browser test")

SEED = SAMPLES / "coronation.txt"
# A second document, unchanged, whose name and text would run script if not escaped.
HOSTILE_NAME = "notes <i>&amp;.txt"
HOSTILE_TEXT = "<script>window.injected = 1</script> Tom & Jerry's \"notes\"\n"

# Everything the checks need, read from the rendered page in one go.
FACTS = """(() => {
  const doc = document.querySelector("section.document");
  const box = doc.querySelector(".text");
  const style = (el) => getComputedStyle(el);
  const rect = (r) => ({x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height});
  const dels = Array.from(box.querySelectorAll("del")).map((d) => ({
    reason: d.dataset.reason, text: d.textContent, title: d.title,
    decoration: style(d).textDecorationLine, color: style(d).color,
    rect: rect(d.getBoundingClientRect())}));
  const kept = box.cloneNode(true);
  kept.querySelectorAll("del").forEach((d) => d.remove());
  const struckKept = [];
  const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement.closest("del")) continue;
    for (let el = node.parentElement; el !== box.parentElement; el = el.parentElement)
      if (style(el).textDecorationLine.includes("line-through")) struckKept.push(node.data);
  }
  const paragraph = Array.from(box.childNodes).find((n) => n.nodeType === 3 &&
    n.data.includes("MPs warned"));
  const range = document.createRange();
  range.selectNodeContents(paragraph);
  const cells = (selector) => Array.from(document.querySelectorAll(selector)).map(
    (row) => Array.from(row.cells).map((cell) => cell.innerText.trim()));
  const caption = box.querySelector('del[data-reason="caption_copy"]');
  caption.dispatchEvent(new MouseEvent("mouseover", {bubbles: true}));
  const lit = Array.from(document.querySelectorAll("span.kept.hl")).map((s) => s.textContent);
  return {
    scripts: document.scripts.length, injected: typeof window.injected,
    title: document.title, dels: dels, kept: kept.textContent, struckKept: struckKept,
    paragraph: rect(range.getBoundingClientRect()),
    summary: cells("table.summary tbody tr"), total: cells("table.summary tfoot tr"),
    documents: cells("table.documents tbody tr"),
    legend: Array.from(document.querySelectorAll(".legend del")).map((d) => d.dataset.reason),
    lit: lit,
  };
})()"""


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Write the report with the CLI, open it in chromium, read the page, screenshot it."""
    folder = tmp_path_factory.mktemp("report")
    hostile = folder / HOSTILE_NAME
    hostile.write_text(HOSTILE_TEXT, encoding="utf-8")
    report = folder / "report.html"
    result = CliRunner().invoke(main, ["clean", "--report", str(report), str(SEED), str(hostile)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    with Chromium(CHROMIUM, width=1200, height=2000) as page:
        page.open(report.as_uri())
        facts = page.evaluate(FACTS)
        screenshot = folder / "report.png"
        screenshot.write_bytes(page.screenshot())
        first_title_copy = next(d for d in facts["dels"] if d["reason"] == "title_repeat")
        clips = {"struck": page.screenshot(first_title_copy["rect"]),
                 "kept": page.screenshot(facts["paragraph"])}
    return {"cli": result, "facts": facts, "screenshot": screenshot, "clips": clips,
            "hostile": str(hostile)}


def _explained():
    text = SEED.read_text(encoding="utf-8")
    return text, dedup.clean_and_explain(text)


def test_report_does_not_change_the_normal_output(rendered):
    text, result = _explained()
    assert rendered["cli"].stdout == result.text + HOSTILE_TEXT


def test_removed_spans_are_struck_through_with_their_reasons(rendered):
    text, result = _explained()
    dels = rendered["facts"]["dels"]
    assert [d["reason"] for d in dels] == [r.reason for r in result.removals]
    assert [d["text"] for d in dels] == [text[r.start:r.end] for r in result.removals]
    assert {"title_repeat", "caption_copy", "link_line", "teaser"} <= {d["reason"] for d in dels}
    for shown in dels:
        assert "line-through" in shown["decoration"]
        assert shown["rect"]["width"] > 0 and shown["rect"]["height"] > 0
        assert shown["title"].startswith(shown["reason"] + ": ")
    caption = next(d for d in dels if d["reason"] == "caption_copy")
    assert "(file photo)" in caption["text"]
    assert "duplicates: 'Thirty-eight of the devices" in caption["title"]
    assert "(similarity 0.95)" in caption["title"]


def test_kept_text_is_all_there_and_not_struck(rendered):
    text, result = _explained()
    facts = rendered["facts"]
    assert facts["kept"] == result.text
    assert facts["struckKept"] == []
    assert "The cameras at the Buckingham Gate entrance to St James's Park" in facts["kept"]


def test_hovering_a_copy_lights_up_the_block_it_duplicates(rendered):
    text, result = _explained()
    caption = next(r for r in result.removals if r.reason == "caption_copy")
    assert rendered["facts"]["lit"] == [text[caption.kept_ref[0]:caption.kept_ref[1]]]


def test_summary_table_counts_match_clean_and_explain(rendered):
    text, result = _explained()
    expected = {}
    for removal in result.removals:
        count, chars = expected.get(removal.reason, (0, 0))
        expected[removal.reason] = (count + 1, chars + removal.end - removal.start)
    shown = {row[0]: (int(row[1]), int(row[2])) for row in rendered["facts"]["summary"]}
    assert shown == expected
    assert rendered["facts"]["total"] == [["total", str(len(result.removals)),
                                           str(len(text) - len(result.text)), ""]]
    assert set(rendered["facts"]["legend"]) == set(expected)


def test_document_list_names_both_files_and_the_unchanged_one_is_marked(rendered):
    rows = rendered["facts"]["documents"]
    assert [row[0] for row in rows] == [str(SEED), rendered["hostile"]]
    assert rows[1][1:] == ["0", "0", str(len(HOSTILE_TEXT)), "unchanged"]


def test_markup_in_names_and_text_is_shown_not_run(rendered):
    facts = rendered["facts"]
    assert facts["scripts"] == 1
    assert facts["injected"] == "undefined"
    assert facts["title"] == "dedup report: 2 documents"


def test_screenshot_is_a_png_with_struck_colour_on_removals_only(rendered):
    data = rendered["screenshot"].read_bytes()
    assert png_size(data) == (1200, 2000)
    assert len(data) > 10_000
    strike, background = (_rgb(colour) for colour in COLOURS["title_repeat"])
    width, height, rows = decode_png(rendered["clips"]["struck"])
    pixels = [pixel for row in rows for pixel in row]
    assert pixels.count(background) > len(pixels) // 3
    assert sum(_near(pixel, strike) for pixel in pixels) >= width  # the line through it
    width, height, rows = decode_png(rendered["clips"]["kept"])
    pixels = [pixel for row in rows for pixel in row]
    assert width > 500 and height > 10
    assert not any(_near(pixel, strike) for pixel in pixels)
    assert pixels.count((255, 255, 255)) > len(pixels) // 2


def _rgb(colour):
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def _near(pixel, colour, tolerance=12):
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour))
