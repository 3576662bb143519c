"""Shared fixtures: small synthetic data, so that training tests stay hermetic and quick, and the
common test of an exercise checker."""

import os
import re
import sys

import pytest

from gnet_lib.exercises import check
from gnet_lib.training.data.data import make_synthetic

pytest_plugins = ["pytester"]

#: Tests that skip where a machine lacks something (a browser, the CIFAR-10 copy). On CI
#: (``CI=true``, set by .ci/run) that something must be there, so such a skip is a failure.
MUST_RUN_ON_CI = ("browser", "realdata")


#: An appendix notebook (``a1_engineering_notes.ipynb``): engineering notes, no exercises.
APPENDIX = re.compile(r"^a\d+_")


def is_appendix(notebook: str | os.PathLike) -> bool:
    """Whether a notebook (a name or a path) is an appendix rather than a chapter (``05_training``)."""
    return APPENDIX.match(os.path.basename(notebook)) is not None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("CI") == "true" and any(item.get_closest_marker(m) for m in MUST_RUN_ON_CI):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped on CI, where it must run: {reason}"


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every figure a test opened, so that later tests start with none open."""
    yield
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


@pytest.fixture(scope="session")
def tiny_data():
    """320 training and 100 test images, CIFAR-shaped, 10 classes."""
    return make_synthetic(train_size=320, test_size=100, seed=0)


def _leaks(feedback, answer) -> bool:
    values = answer if isinstance(answer, tuple) else (answer,)
    text = str(feedback).replace(",", "")
    return any(isinstance(v, int) and v > 9 and re.search(rf"\b{v}\b", text) for v in values)


def assert_checker(exercise, correct, mistakes):
    """A correct answer passes; each (wrong answer, words) is refused with a diagnosis containing
    ``words``, and no diagnosis shows the correct answer."""
    assert check(exercise, correct).ok, check(exercise, correct)
    for wrong, words in mistakes:
        feedback = check(exercise, wrong)
        assert not feedback.ok, (wrong, feedback)
        assert words in feedback.message, (wrong, feedback)
        assert not _leaks(feedback, correct), feedback
        assert str(feedback).startswith("✗ Exercise")
