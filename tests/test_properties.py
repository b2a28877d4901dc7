"""Properties that hold for every input: fixed point, replayable explanation, exact spans."""
from hypothesis import HealthCheck, given, settings, strategies as st

import dedup
from dedup.segment import segment

SENTENCES = [
    "The river rose by two metres overnight and flooded the lower town.",
    "Shops stayed closed all day and the mayor asked people to stay at home.",
    "Rescue teams worked through the night to reach the villages upstream.",
    "今年夏天，河水上涨了两米，淹没了下城区，商店全天关闭。",
    "Der Fluss stieg über Nacht um zwei Meter und überflutete die Unterstadt.",
]
PIECES = SENTENCES + [
    " ".join(SENTENCES[:2]), " ".join(SENTENCES[1:3]),
    SENTENCES[0] + " (file photo)", SENTENCES[1].replace("'", " '") + " Credit: AFP",
    "Flood closes the lower town - Valley Courier", "Flood closes the lower town hot right now",
    "No justice, no peace", "A: Yes.", "Read more from Valley Courier...",
    "NEXT Ten ways to keep your basement dry", "Related: the storm season",
    "## Example", "```", "| a | b |", "|---|---|", "---", "", "", "  ",
]
line_endings = st.sampled_from(["\n", "\r\n", "\r"])


@st.composite
def documents(draw):
    lines = draw(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=40)), max_size=25))
    ending = draw(line_endings)
    text = ending.join(line.replace("\r", "").replace("\n", "") for line in lines)
    if draw(st.booleans()):
        text += ending
    if draw(st.booleans()):
        text = "\ufeff" + text
    return text


settings.register_profile("dedup", max_examples=300, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("dedup")


@given(documents())
def test_cleaning_twice_changes_nothing(text):
    once = dedup.clean(text)
    assert dedup.clean(once) == once


@given(documents())
def test_explanation_replays_to_the_cleaned_text(text):
    result = dedup.clean_and_explain(text)
    assert dedup.apply_removals(text, result.removals) == result.text
    spans = sorted((r.start, r.end) for r in result.removals)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), "removals overlap"


@given(documents())
def test_block_spans_rebuild_the_input(text):
    blocks = segment(text)
    assert "".join(text[b.start:b.end] for b in blocks) == text
    assert all(text[b.start:b.content_end] == b.text for b in blocks)


@given(documents())
def test_kept_text_is_the_input_minus_whole_spans(text):
    result = dedup.clean_and_explain(text)
    kept = []
    position = 0
    for removal in result.removals:
        kept.append(text[position:removal.start])
        position = removal.end
    kept.append(text[position:])
    assert "".join(kept) == result.text
    # Every copy points at text that is still there.
    for removal in result.removals:
        if removal.kept_ref is not None and removal.reason != "title_repeat":
            start, end = removal.kept_ref
            assert text[start:end] in result.text


@given(st.text(max_size=300))
def test_any_text_is_cleaned_without_error_and_idempotently(text):
    once = dedup.clean(text)
    assert dedup.clean(once) == once
