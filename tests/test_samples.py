"""Data-driven cases: every `samples/**/NAME.EXT` with a `NAME.expected.EXT` beside it."""
import pytest

import dedup
from conftest import SAMPLES


def _cases():
    for expected in sorted(SAMPLES.rglob("*.expected.*")):
        original = expected.with_name(expected.name.replace(".expected", ""))
        yield pytest.param(original, expected, id=str(original.relative_to(SAMPLES)))


@pytest.mark.parametrize("original, expected", list(_cases()))
def test_sample_cleans_to_its_expected_output(original, expected):
    text = original.read_bytes().decode("utf-8")
    assert dedup.clean(text) == expected.read_bytes().decode("utf-8")


@pytest.mark.parametrize("original, expected", list(_cases()))
def test_expected_output_is_a_fixed_point(original, expected):
    text = expected.read_bytes().decode("utf-8")
    assert dedup.clean(text) == text


def test_seed_keeps_every_content_line_byte_identical():
    original = (SAMPLES / "coronation.txt").read_text(encoding="utf-8")
    cleaned = dedup.clean(original)
    headline = original.splitlines()[0]
    assert cleaned.count(headline) == 1
    assert "(file photo)" not in cleaned
    assert "read more from" not in cleaned
    assert "NEXT " not in cleaned
    assert "The cameras at the Buckingham Gate entrance to St James's Park\n" in cleaned
    assert cleaned.endswith("'There are many")
    # The paragraph the caption copies stays, with its own spelling.
    assert "worked closely with China's military" in cleaned
    kept_lines = [line for line in cleaned.splitlines() if line]
    original_lines = set(original.splitlines())
    assert all(line in original_lines for line in kept_lines)
