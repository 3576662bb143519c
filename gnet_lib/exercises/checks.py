"""What every exercise checker shares: the verdict, the registry entry, and number parsing."""

from __future__ import annotations

import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class AnswerTypeError(TypeError):
    """The answer has the wrong form (a list where a number is expected, an unknown name): the
    student is told what form is expected. Any other error inside a checker is a bug."""


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer."""

    exercise: str
    ok: bool
    message: str

    def __repr__(self) -> str:
        mark = "✓" if self.ok else "✗"
        verdict = "correct" if self.ok else "not yet"
        message = self.message[:1].upper() + self.message[1:]
        return f"{mark} Exercise {self.exercise}: {verdict}. {message}".rstrip()

    __str__ = __repr__


@dataclass(frozen=True)
class Exercise:
    title: str
    checker: Callable[[Any], tuple[bool, str]]


def number(answer: Any, kind: str = "whole number") -> float:
    """``answer`` as a Python int or float: a plain number, a NumPy scalar (``np.int64(3)``, what
    ``tuple(np.array(...))`` holds) or a one-element tensor or array; anything else (a bool, a
    string, a list) is refused as the wrong form of answer."""
    value = answer
    if not isinstance(value, numbers.Real):  # a tensor or an array: one element is a number
        count, item = getattr(value, "numel", getattr(value, "size", None)), getattr(value, "item", None)
        if callable(item) and (count() if callable(count) else count) == 1:
            value = item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise AnswerTypeError(f"expected a {kind}, got {type(answer).__name__} {answer!r}")
    return int(value) if isinstance(value, numbers.Integral) else float(value)


def whole_number(answer: Any) -> int:
    """``answer`` as a whole number; a fraction, NaN or infinity is refused as the wrong form of
    answer (not rounded, not an error inside the checker)."""
    value = number(answer)
    if isinstance(value, float) and not value.is_integer():
        raise AnswerTypeError(f"expected a whole number, got {value!r}")
    return int(value)


def integer(answer: Any, diagnoses: dict[int, str], expected: int, what: str) -> tuple[bool, str]:
    value = number(answer)
    if isinstance(value, float) and not value.is_integer():
        return False, f"{what} is a whole number; yours, {value}, is not (did you forget to round?)"
    value = whole_number(value)
    if value == expected:
        return True, ""
    if value in diagnoses:
        return False, diagnoses[value]
    if expected and value == 2 * expected:
        return False, ("twice too large: did you count each multiply-add as two operations? Some tools report "
                       "FLOPs as twice the MACs, others call the MAC count itself FLOPs; here count one per multiply-add")
    return False, f"that is not {what}; check your formula step by step"
