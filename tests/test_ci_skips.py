"""On CI, a browser or real-data test that skips fails instead of hiding (tests/conftest.py)."""

import shutil
from pathlib import Path

import pytest

CONFTEST = Path(__file__).resolve().parent / "conftest.py"
SKIPPING = """
import pytest

@pytest.mark.realdata
def test_needs_data():
    pytest.skip("no data here")

@pytest.mark.browser
def test_needs_browser():
    pytest.skip("no chromium here")

def test_may_skip():
    pytest.skip("nothing to see")
"""


@pytest.fixture
def suite(pytester):
    shutil.copy(CONFTEST, pytester.path / "conftest.py")
    pytester.makeini("[pytest]\nmarkers =\n    browser: b\n    realdata: r\n")
    pytester.makepyfile(test_skipping=SKIPPING)
    return pytester


@pytest.mark.parametrize("ci, failed, skipped", [("true", 2, 1), ("", 0, 3)])
def test_marked_skips_fail_only_on_ci(suite, monkeypatch, ci, failed, skipped):
    monkeypatch.setenv("CI", ci)
    result = suite.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=failed, skipped=skipped)
    if failed:
        result.stdout.fnmatch_lines(["*skipped on CI, where it must run*no data here*"])
