"""Checkers for the book's exercises: right or wrong at once, and if wrong, what kind of mistake.

A checker never shows the expected answer. Call ``check("2.1", answer)``; an unanswered
exercise (``...`` or ``None``) raises ``NotImplementedError``, the one error a student edition
of the notebooks is expected to show. Each chapter's checkers live in their own module
(``ch1`` ... ``ch6``); this module gathers them.
"""

from __future__ import annotations

from typing import Any

from . import ch1, ch2, ch3, ch4, ch5, ch6
from .checks import AnswerTypeError, Exercise, Feedback

EXERCISES: dict[str, Exercise] = {
    **ch1.EXERCISES, **ch2.EXERCISES, **ch3.EXERCISES, **ch4.EXERCISES, **ch5.EXERCISES, **ch6.EXERCISES,
}


def check(exercise: str, answer: Any) -> Feedback:
    """Check ``answer`` to ``exercise`` (e.g. ``"2.1"``) and say what is wrong, if anything."""
    if exercise not in EXERCISES:
        raise ValueError(f"unknown exercise {exercise!r}; the exercises are {', '.join(EXERCISES)}")
    if answer is ... or answer is None:
        raise NotImplementedError(f"exercise {exercise} is not answered yet: replace the ... in the cell above with your answer")
    try:
        ok, message = EXERCISES[exercise].checker(answer)
    except AnswerTypeError as exc:
        return Feedback(exercise, False, str(exc))
    return Feedback(exercise, ok, message)
