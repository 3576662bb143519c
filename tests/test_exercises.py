"""Exercise checkers: right answers pass, typical mistakes are named, the answer never leaks."""

import json
import math
import re
from dataclasses import replace
from pathlib import Path

import pytest
import torch
from torch import nn

from gnet_lib.exercises import EXERCISES, check
from gnet_lib.recipes import get_recipe

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

# exercise -> (a correct answer, [(a wrong answer, words the diagnosis must contain)])
CASES = {
    "1.1": (256 + 320 + 128 + 128, [(256 + 160 + 320 + 32 + 128 + 128, "reduction"), (256 + 320 + 128, "pool branch")]),
    "1.2": (64 + 128 + 32 + 192, [(64 + 128 + 32, "pooled input"), (64 + 128 + 32 + 32, "no pool projection")]),
    "1.3": (192 * 64 + 64, [(192 * 64, "bias"), (9 * 192 * 64 + 64, "3x3")]),
    "2.1": ((224 + 6 - 7) // 2 + 1, [((224 - 7) // 2 + 1, "padding"), ((224 + 6 - 7) // 2, "+1"), (113, "floor")]),
    "2.2": (math.ceil((56 - 3) / 2) + 1, [((56 - 3) // 2 + 1, "floor where this pool uses ceil")]),
    "2.3": ((36 + 1, 37 + 1), [((38, 37), "swapped"), ((37, 37), "padding")]),
    "2.4": (31, [(30, "too small"), (32, "smaller input")]),
    "3.1": (28 * 28 * 192 * 96 + 28 * 28 * 9 * 96 * 128,
            [(28 * 28 * 9 * 192 * 128, "without its 1x1"), (28 * 28 * 9 * 96 * 128, "not the 1x1 reduction"),
             (192 * 96 + 9 * 96 * 128, "weights"), (2 * (28 * 28 * 192 * 96 + 28 * 28 * 9 * 96 * 128), "FLOPs")]),
    "3.2": (25 * 528 * 128, [(25 * 528 * 128 + 128, "no bias"), (25 * 32 * 128, "reduction"), (528 * 128, "25 weights")]),
    "3.3": (1 / 3, [(100 / 3, "percentage"), (2 / 3, "remains")]),
    "4.2": ((512 * 128 + 128) + (128 * 16 * 1024 + 1024) + (1024 * 1000 + 1000),
            [((512 * 128 + 128) + (1024 * 1000 + 1000), "fully connected"),
             (512 * 128 + 128 * 16 * 1024 + 1024 * 1000, "biases")]),
    "5.1": (0.7**4, [(0.7**5, "one decay too many"), (1 - 1.2, "multiplied by 0.7")]),
    "5.2": (50_000 // 512, [(math.ceil(50_000 / 512), "drop_last")]),
    "6.1": ((65_736_148 - 65_291_098) // 90 - 1, [((65_736_148 - 65_291_098) // 90, "bias"), ((65_736_148 - 65_291_098) // 100, "90 classes")]),
    "6.2": ("3a 3b | 4a 4d 4e | 5a 5b", [("3a 3b | 4a 4b 4c 4d 4e | 5a 5b", "parameters against"), ("3a | 9z", "cannot be built")]),
}


def _leaks(feedback, answer) -> bool:
    values = answer if isinstance(answer, tuple) else (answer,)
    text = str(feedback).replace(",", "")
    return any(isinstance(v, int) and v > 9 and re.search(rf"\b{v}\b", text) for v in values)


@pytest.mark.parametrize("exercise", sorted(CASES))
def test_right_answers_pass_and_mistakes_are_named(exercise):
    correct, mistakes = CASES[exercise]
    assert check(exercise, correct).ok, check(exercise, correct)
    for wrong, words in mistakes:
        feedback = check(exercise, wrong)
        assert not feedback.ok
        assert words in feedback.message, (wrong, feedback)
        assert not _leaks(feedback, correct), feedback
        assert str(feedback).startswith("✗ Exercise")


class PaperInception(nn.Module):
    def __init__(self, c_in, n1, r3, n3, r5, n5, proj, bias=True, padding=True, bn=False):
        super().__init__()

        def conv(a, b, k):
            layers = [nn.Conv2d(a, b, k, padding=(k - 1) // 2 if padding else 0, bias=bias)]
            return nn.Sequential(*layers, *([nn.BatchNorm2d(b)] if bn else []), nn.ReLU())

        self.b = nn.ModuleList([conv(c_in, n1, 1), nn.Sequential(conv(c_in, r3, 1), conv(r3, n3, 3)),
                                nn.Sequential(conv(c_in, r5, 1), conv(r5, n5, 5)),
                                nn.Sequential(nn.MaxPool2d(3, 1, 1 if padding else 0), conv(c_in, proj, 1))])

    def forward(self, x):
        outs = [b(x) for b in self.b]
        if any(o.shape[2:] != outs[0].shape[2:] for o in outs):
            return torch.cat([o[..., :1, :1] for o in outs], dim=1)  # sizes differ: a broken module
        return torch.cat(outs, dim=1)


def test_inception_module_checker():
    assert check("4.1", PaperInception).ok
    no_bias = type("NoBias", (PaperInception,), {"__init__": lambda s, *a: PaperInception.__init__(s, *a, bias=False)})
    assert "no bias" in check("4.1", no_bias).message
    with_bn = type("WithBN", (PaperInception,), {"__init__": lambda s, *a: PaperInception.__init__(s, *a, bn=True)})
    assert "batch normalisation" in check("4.1", with_bn).message
    unpadded = type("Unpadded", (PaperInception,), {"__init__": lambda s, *a: PaperInception.__init__(s, *a, padding=False)})
    assert "keep the size" in check("4.1", unpadded).message
    assert "class" in check("4.1", PaperInception(192, 64, 96, 128, 16, 32, 32)).message


def test_recipe_change_checker():
    seed = get_recipe("seed")
    assert check("5.3", replace(seed, flip=False, batch_size=128)).ok
    assert "flips are still on" in check("5.3", replace(seed, batch_size=128)).message
    assert "also changed lr" in check("5.3", replace(seed, flip=False, batch_size=128, lr=0.1)).message


def test_unanswered_and_unknown_exercises():
    with pytest.raises(NotImplementedError, match="not answered yet"):
        check("2.1", ...)
    with pytest.raises(ValueError, match="unknown exercise '9.9'"):
        check("9.9", 1)
    assert "expected a whole number" in check("2.1", "112").message
    assert "is not" in check("2.1", 112.5).message


def test_every_exercise_has_a_checker_and_every_chapter_two_to_four():
    used = {}
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            for ex in re.findall(r'check\("(\d\.\d)"', "".join(cell["source"])):
                used.setdefault(path.name, []).append(ex)
    assert sorted(sum(used.values(), [])) == sorted(EXERCISES)
    assert len(used) == 6 and all(2 <= len(v) <= 4 for v in used.values())
    assert set(CASES) | {"4.1", "5.3"} == set(EXERCISES)
