"""Exercise checkers: right answers pass, typical mistakes are named, the answer never leaks."""

import json
import re
from pathlib import Path

import pytest

from gnet_lib.exercises import CHAPTERS, all_exercises, chapter_exercises, check, open_exercises

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
TESTS = Path(__file__).resolve().parent


def test_unanswered_and_unknown_exercises():
    with pytest.raises(NotImplementedError, match="not answered yet"):
        check("2.1", ...)
    with pytest.raises(ValueError, match="unknown exercise '9.9'"):
        check("9.9", 1)
    with pytest.raises(ValueError, match="chapter 2's exercises are 2.1, "):
        check("2.99", 1)
    with pytest.raises(ValueError, match="as a string"):
        check(2.1, 1)
    assert "expected a whole number" in check("2.3", "31").message
    assert "is not" in check("3.1", 112.5).message


def test_numpy_scalars_and_one_element_arrays_are_numbers():
    import numpy as np

    assert check("2.3", np.int64(31)).ok and check("2.3", np.array([31])).ok and check("2.3", np.float64(31.0)).ok
    assert "expected a whole number" in check("2.3", np.array([31, 32])).message
    assert "expected a whole number" in check("2.3", np.bool_(True)).message


def test_a_bug_inside_a_checker_is_not_reported_as_a_wrong_answer(monkeypatch):
    """Only a wrong form of answer becomes feedback; any other error in a checker is a library bug
    and keeps its traceback."""
    from gnet_lib.exercises.checks import Exercise

    def broken(answer):
        raise TypeError("unsupported operand type(s) for +: 'int' and 'str'")

    monkeypatch.setitem(chapter_exercises("1"), "1.1", Exercise("broken", broken))
    with pytest.raises(TypeError, match="unsupported operand"):
        check("1.1", 832)


def test_a_students_module_that_fails_gets_feedback_not_a_traceback():
    from torch import nn

    class Broken(nn.Module):
        def __init__(self, c_in, *widths):
            super().__init__()
            self.conv = nn.Conv2d(c_in, 64, 1)

        def forward(self, x):
            return self.conv(x) + self.conv(x)[:, :, :3]

    feedback = check("4.1", Broken)
    assert not feedback.ok and "raised RuntimeError" in feedback.message and "2x192x28x28" in feedback.message

    class Skeleton(nn.Module):
        def __init__(self, *widths):
            super().__init__()
            raise NotImplementedError("exercise 4.1: build the four branches")

    with pytest.raises(NotImplementedError, match="build the four branches"):
        check("4.1", Skeleton)  # the student edition's placeholder is "not answered yet", as for the others


def test_every_exercise_has_a_checker_and_every_chapter_at_least_three():
    used = {}
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            for ex in re.findall(r'check\("(\d\.\d)"', "".join(cell["source"])):
                used.setdefault(path.name, []).append(ex)
    assert sorted(ex for exs in used.values() for ex in exs) == sorted(all_exercises())
    assert len(used) == 6 and all(len(v) >= 3 for v in used.values()), {k: len(v) for k, v in used.items()}


def test_every_checker_is_tested_in_its_chapters_test_file():
    for exercise in all_exercises():
        chapter = exercise.split(".")[0]
        text = (TESTS / f"test_ch{chapter}.py").read_text()
        assert f'"{exercise}"' in text, f"exercise {exercise} has no test in test_ch{chapter}.py"


def test_every_exercise_of_a_notebook_is_checked_or_open_and_every_chapter_has_an_open_one():
    """The exercise blocks of the notebooks (``:label: ex-N-K``) are exactly the checked exercises
    and the open ones; each chapter has at least one open exercise."""
    labelled = set()
    for path in sorted(NOTEBOOKS.glob("0*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            labelled.update(f"{n}.{k}" for n, k in re.findall(r":label: ex-(\d)-(\d+)", "".join(cell["source"])))
    open_ones = {ex for chapter in CHAPTERS for ex in open_exercises(chapter)}
    assert labelled == set(all_exercises()) | open_ones
    assert not open_ones & set(all_exercises())
    assert all(open_exercises(chapter) for chapter in CHAPTERS), {c: open_exercises(c) for c in CHAPTERS}


def test_an_open_exercise_says_it_has_no_automatic_check():
    with pytest.raises(ValueError, match="open exercise: it has no automatic check"):
        check("1.3", "my argument")


def test_the_teachers_page_lists_exactly_the_open_exercises():
    text = (NOTEBOOKS.parent / "book" / "teaching.md").read_text()
    sentence = re.search(r"The open exercises are ([^.]*(?:\.\d[^.]*)*)\.", text.replace("\n", " "))
    assert sentence, "book/teaching.md no longer names the open exercises"
    named = re.findall(r"\d\.\d+", sentence.group(1))
    assert named == [ex for chapter in CHAPTERS for ex in open_exercises(chapter)]
