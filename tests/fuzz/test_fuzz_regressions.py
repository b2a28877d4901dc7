"""Replay every input the fuzzers (`bench/fuzz.py`) ever failed on, and a few seeds,
through the same property checks (`targets.py`). Fast: no atheris needed."""
import pathlib

import pytest

import targets

HERE = pathlib.Path(__file__).resolve().parent
CHECKS = {"clean": targets.check_clean, "jsonl": targets.check_jsonl}
# Inputs that still fail, and why: strict, so the fix turns them into a failure
# (XPASS) until their line here goes.
OPEN: dict = {}
CASES = [pytest.param(p, id=f"{p.parent.name}/{p.name}",
                      marks=[pytest.mark.xfail(strict=True, reason=OPEN[f"{p.parent.name}/{p.name}"])]
                      if f"{p.parent.name}/{p.name}" in OPEN else [])
         for p in sorted((HERE / "regressions").glob("*/*"))]


@pytest.mark.parametrize("path", CASES)
def test_input_the_fuzzer_once_failed_on_now_passes(path):
    CHECKS[path.parent.name](path.read_bytes())


SEED = "Harbour wall repairs begin after the winter storms broke it open\n" \
       "Harbour wall repairs begin after the winter storms broke it open - The Courier\n\n" \
       "Crews arrived on Monday. 河水上涨了两米。 עברית.\r\nRead more from The Courier\n"


@pytest.mark.parametrize("control", range(256))
def test_every_control_byte_of_the_clean_target_on_a_small_story(control):
    targets.check_clean(bytes([control]) + SEED.encode("utf-8"))


@pytest.mark.parametrize("control", range(8))
def test_every_mode_of_the_jsonl_target_on_good_and_bad_lines(control):
    data = (b'{"id": 1, "text": "First story\\nFirst story\\n"}\n'
            b'{"id": 2}\n{broken\n\xff\xfe\n'
            b'{"id": 3, "text": "Third story here", "extra": [1, {"a": null}]}\n  \n')
    targets.check_jsonl(bytes([control]) + data)
