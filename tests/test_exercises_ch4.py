"""Chapter 4's exercise checkers: right answers pass, typical mistakes are named."""

import pytest
import torch
from conftest import assert_checker
from torch import nn

from gnet_lib.exercises import check

# exercise -> (a correct answer, [(a wrong answer, words the diagnosis must contain)])
CASES = {
    "4.2": ((512 * 128 + 128) + (128 * 16 * 1024 + 1024) + (1024 * 1000 + 1000),
            [((512 * 128 + 128) + (1024 * 1000 + 1000), "fully connected"),
             (512 * 128 + 128 * 16 * 1024 + 1024 * 1000, "biases")]),
}


@pytest.mark.parametrize("exercise", sorted(CASES))
def test_right_answers_pass_and_mistakes_are_named(exercise):
    assert_checker(exercise, *CASES[exercise])


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
