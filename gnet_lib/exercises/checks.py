"""What every exercise checker shares: the verdict, the registry entry, and number parsing."""

from __future__ import annotations

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
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        numel, item = getattr(answer, "numel", None), getattr(answer, "item", None)
        if callable(numel) and callable(item) and numel() == 1:  # a one-element tensor or array
            return item()
        raise AnswerTypeError(f"expected a {kind}, got {type(answer).__name__} {answer!r}")
    return answer


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
        return False, "twice too large: count a multiply-add once (MACs), not as two operations (FLOPs)"
    return False, f"that is not {what}; check your formula step by step"
