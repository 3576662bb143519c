"""Shared fixtures: small synthetic data, so that training tests stay hermetic and quick, and the
common test of an exercise checker."""

import re

import pytest

from gnet_lib.data import make_synthetic
from gnet_lib.exercises import check


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
