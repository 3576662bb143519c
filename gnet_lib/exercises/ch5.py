"""Chapter 5's exercises (training)."""

from __future__ import annotations

import math
from dataclasses import fields
from typing import Any

from ..recipes import Recipe, get_recipe
from .checks import Exercise, integer, number


def _ex_5_1(answer: Any) -> tuple[bool, str]:
    r = get_recipe("seed")
    expected = r.lr * r.gamma**4
    value = number(answer, "number")
    if math.isclose(value, expected, rel_tol=1e-6):
        return True, ""
    if math.isclose(value, r.lr * r.gamma**5, rel_tol=1e-6):
        return False, "one decay too many: epoch 1 trains at the initial rate"
    if math.isclose(value, r.lr * (1 - 0.3 * 4), rel_tol=1e-6):
        return False, "the rate is multiplied by 0.7 after each epoch, not reduced by 0.3 each time"
    return False, "the rate starts at 1.0 and is multiplied by gamma after every finished epoch"


def _ex_5_2(answer: Any) -> tuple[bool, str]:
    return integer(answer, {
        -(-50_000 // 512): "drop_last discards the final, incomplete batch",
        50_000 // 64: "the fast recipe's batch is 512, not 64",
    }, 50_000 // 512, "the number of steps per epoch")


def _ex_5_3(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, Recipe):
        raise TypeError("expected a Recipe (hint: dataclasses.replace(get_recipe('seed'), ...))")
    seed = get_recipe("seed")
    problems = []
    if answer.flip:
        problems.append("flips are still on")
    if answer.batch_size != 128:
        problems.append(f"the batch size is {answer.batch_size}, not 128")
    changed = [f.name for f in fields(Recipe) if f.name not in ("flip", "batch_size", "name") and getattr(answer, f.name) != getattr(seed, f.name)]
    if changed:
        problems.append(f"you also changed {', '.join(changed)}; keep everything else as in the seed recipe")
    return (not problems), "; ".join(problems)


EXERCISES: dict[str, Exercise] = {
    "5.1": Exercise("The seed recipe's learning rate", _ex_5_1),
    "5.2": Exercise("Steps per epoch", _ex_5_2),
    "5.3": Exercise("A recipe change", _ex_5_3),
}
