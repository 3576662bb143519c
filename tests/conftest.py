"""Shared fixtures: small synthetic data, so that training tests stay hermetic and quick, a GPU
probe report with round numbers and a hand-moved clock for the campaign's tests, and the common
test of an exercise checker. The one conftest of the suite: test modules import its helpers as
``conftest``, which a second conftest.py would shadow."""

import copy
import os
import re
import sys

import pytest

from gnet_lib.exercises import check
from gnet_lib.training.data.data import make_synthetic
from gnet_lib.training.gpu.probe import GROUP_MODELS

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


def _probe_report(**changes):
    """A probe report with round numbers: every variant 7,000 images/s alone, 3,500 each in the
    group, naive 1,400, bf16 evaluation at batch 2,000 four times googlenet's training rate, no
    first-epoch extra; ``changes`` replace whole sections."""
    alone = {m: {"images_per_s": 7000.0, "first_epoch_extra_s": 0.0} for m in GROUP_MODELS}
    report = {
        "format": "gnet-gpu-probe-1", "date": "2026-12-07T10:00:00+00:00",
        "environment": {"device_name": "NVIDIA H100 80GB HBM3"},
        "settings": {"reference": "googlenet", "naive": "naive", "epoch_steps": 50, "batch_size": 64},
        "switches": {"before": {"images_per_s": 5000.0}, "epoch_data": {"images_per_s": 5500.0},
                     "flat_optimizer": {"images_per_s": 5400.0}, "no_conv_bias_grad": {"images_per_s": 5600.0},
                     "all": {"images_per_s": 7000.0, "first_epoch_extra_s": 0.0}},
        "evaluation": {"fp32-b1000": {"images_per_s": 14000.0}, "bf16-b1000": {"images_per_s": 21000.0},
                       "bf16-b2000": {"images_per_s": 28000.0}},
        "checks": {"batches_bitwise": True, "flat_adadelta": {"bitwise_equal": True, "max_abs_difference": 0.0},
                   "graph": {"ok": True}},
        "naive": {"images_per_s": 1400.0, "first_epoch_extra_s": 0.0},
        "variants": {"alone": alone, "group": {"images_per_s_each": 3500.0, "models": list(GROUP_MODELS),
                                               "first_epoch_s": 50 * 64 / 3500}},
    }
    report.update(copy.deepcopy(changes))
    return report


@pytest.fixture
def probe_report():
    """A function that makes :func:`_probe_report`'s report, with whole sections replaced."""
    return _probe_report


class Clock:
    """A clock a test moves by hand (``clock.now += seconds``)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()
