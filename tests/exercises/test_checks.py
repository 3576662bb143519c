"""What every checker shares: the verdict's wording and the reading of numbers."""

import math

import pytest
import torch

from gnet_lib.exercises.checks import AnswerTypeError, Feedback, integer, number, whole_number


def test_the_verdict_reads_as_a_sentence():
    assert str(Feedback("2.1", True, "")) == "✓ Exercise 2.1: correct."
    assert str(Feedback("2.1", False, "the first list is off")) == "✗ Exercise 2.1: not yet. The first list is off"


def test_numbers_come_as_python_numbers_or_one_element_tensors():
    assert number(3) == 3 and number(2.5) == 2.5
    assert number(torch.tensor(7)) == 7
    for wrong in (True, "3", [3], torch.tensor([1, 2])):
        with pytest.raises(AnswerTypeError, match="expected a whole number"):
            number(wrong)


def test_a_whole_number_is_never_rounded_into_one():
    assert whole_number(4.0) == 4 and whole_number(torch.tensor(5)) == 5
    for wrong in (2.5, math.nan, math.inf, -math.inf):
        with pytest.raises(AnswerTypeError, match="expected a whole number"):
            whole_number(wrong)


def test_integer_answers_get_their_diagnosis_or_a_general_hint():
    assert integer(10, {}, 10, "the count") == (True, "")
    assert integer(12, {12: "you counted the biases twice"}, 10, "the count") == (False, "you counted the biases twice")
    ok, message = integer(11, {}, 10, "the count")
    assert not ok and "not the count" in message
    ok, message = integer(10.5, {}, 10, "the count")
    assert not ok and "whole number" in message
