"""Checkers for the book's exercises: right or wrong at once, and if wrong, what kind of mistake.

A checker never shows the expected answer. Call ``check("2.1", answer)``; an unanswered
exercise (``...`` or ``None``) raises ``NotImplementedError``, the one error a student edition
of the notebooks is expected to show. Each chapter's checkers live in their own module
(``ch1`` ... ``ch6``), loaded when one of its exercises is first checked: chapters 1-3 need only
:mod:`gnet_lib.core`, so their exercises are checked where PyTorch is not installed.
"""

from __future__ import annotations

import importlib
from typing import Any

from .checks import AnswerTypeError, Exercise, Feedback

#: The chapters with exercises; chapter N's checkers are in the module ``chN``.
CHAPTERS = ("1", "2", "3", "4", "5", "6")


def chapter_exercises(chapter: str) -> dict[str, Exercise]:
    """The exercises of one chapter (``"2"``), by id."""
    if chapter not in CHAPTERS:
        raise ValueError(f"no exercises in chapter {chapter!r}; the chapters with exercises are {', '.join(CHAPTERS)}")
    return importlib.import_module(f"{__name__}.ch{chapter}").EXERCISES


def open_exercises(chapter: str) -> tuple[str, ...]:
    """The open exercises of one chapter: answered in words, with a worked model answer in the
    hidden solution, and no automatic check (a chapter module lists them as ``OPEN_EXERCISES``)."""
    chapter_exercises(chapter)  # a chapter without exercises is refused there
    return tuple(getattr(importlib.import_module(f"{__name__}.ch{chapter}"), "OPEN_EXERCISES", ()))


def all_exercises() -> dict[str, Exercise]:
    """Every exercise of the book, by id, in chapter order."""
    return {ex: entry for chapter in CHAPTERS for ex, entry in chapter_exercises(chapter).items()}


def check(exercise: str, answer: Any) -> Feedback:
    """Check ``answer`` to ``exercise`` (e.g. ``"2.1"``) and say what is wrong, if anything."""
    chapter = exercise.partition(".")[0] if isinstance(exercise, str) else None
    if chapter not in CHAPTERS:
        raise ValueError(f"unknown exercise {exercise!r}: name it as a string, chapter then number, e.g. \"2.1\"")
    exercises = chapter_exercises(chapter)
    if exercise in open_exercises(chapter):
        raise ValueError(f"exercise {exercise} is an open exercise: it has no automatic check; compare your answer "
                         "with the model answer in its solution (the instructor's edition) or discuss it in class")
    if exercise not in exercises:
        raise ValueError(f"unknown exercise {exercise!r}; chapter {chapter}'s exercises are {', '.join(exercises)}")
    if answer is ... or answer is None:
        raise NotImplementedError(f"exercise {exercise} is not answered yet: replace the ... in the cell above with your answer")
    try:
        ok, message = exercises[exercise].checker(answer)
    except AnswerTypeError as exc:
        return Feedback(exercise, False, str(exc))
    return Feedback(exercise, ok, message)
