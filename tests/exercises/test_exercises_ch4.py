"""Chapter 4's exercise checkers: right answers pass, typical mistakes are named."""

import pytest
import torch
from conftest import assert_checker
from torch import nn

from gnet_lib.exercises import check

# The paper network: 13,378,280 parameters with its auxiliary heads, 6,379,728 of them in the
# heads (reference facts); 7,536 convolution biases, 2 x 128 of them in the heads' 1x1 convolutions.
INFERENCE = 13_378_280 - 6_379_728
MAIN_CONV_BIASES = 7_536 - 2 * 128
IMAGENET_LINEAR, VOC_LINEAR = 1024 * 1000 + 1000, 1024 * 20 + 20
VOC = INFERENCE - MAIN_CONV_BIASES - IMAGENET_LINEAR + VOC_LINEAR
FC = 7 * 7 * 1024 * 1024 + 1024
# The first auxiliary head built for 299x299: inception (4a)'s map is 18x18 there (chapter 2), the
# 5x5/3 average pool leaves floor((18 - 5) / 3) + 1 = 5 positions a side.
AUX_CONV, AUX_LINEAR = 512 * 128 + 128, 1024 * 1000 + 1000
AUX_299 = AUX_CONV + (128 * 5 * 5 * 1024 + 1024) + AUX_LINEAR
AUX_224 = AUX_CONV + (128 * 4 * 4 * 1024 + 1024) + AUX_LINEAR
# Exercise 4.5: the values the inference network's layers write per image at 224x224 (chapter 4's
# stage table: stem, stages 3, 4, 5, head), against three fp32 copies of the training-time parameters.
VALUES = 2_759_680 + 1_718_528 + 1_878_464 + 325_360 + 3_048
TRAINING = 13_378_280

# Exercise 4.6: googlenet at 64x64. Its convolutions are all "same"-padded and its pools (3x3,
# stride 2, padding 1) halve 64 -> 32 -> 16 exactly, so every layer before the global average pool
# works on maps twice as wide and high as at 32x32 and costs 4 times as much; the last linear layer
# (1024 -> 10) reads the same 1024 averages at any size.
# googlenet at 32x32 by hand: Table 1's widths (c_in, 1x1, 3x3 reduce, 3x3, 5x5 reduce, "5x5", pool proj),
# the "5x5" branch as two 3x3 convolutions, modules on 32x32, 16x16 and 8x8 maps.
MODULES = {32: [(192, 64, 96, 128, 16, 32, 32), (256, 128, 128, 192, 32, 96, 64)],
           16: [(480, 192, 96, 208, 16, 48, 64), (512, 160, 112, 224, 24, 64, 64), (512, 128, 128, 256, 24, 64, 64),
                (512, 112, 144, 288, 32, 64, 64), (528, 256, 160, 320, 32, 128, 128)],
           8: [(832, 256, 160, 320, 32, 128, 128), (832, 384, 192, 384, 48, 128, 128)]}
LINEAR = 1024 * 10
MACS_32 = 32 * 32 * 3 * 3 * 3 * 192 + LINEAR + sum(
    side * side * (c * n1 + c * r3 + 9 * r3 * n3 + c * r5 + 9 * r5 * n5 + 9 * n5 * n5 + c * pp)
    for side, modules in MODULES.items() for c, n1, r3, n3, r5, n5, pp in modules)
MACS_64 = 4 * (MACS_32 - LINEAR) + LINEAR

# exercise -> (a correct answer, [(a wrong answer, words the diagnosis must contain)])
CASES = {
    "4.2": (AUX_299,
            [(AUX_224, "224x224"),
             (AUX_CONV + AUX_LINEAR, "fully connected"),
             (512 * 128 + 128 * 25 * 1024 + 1024 * 1000, "biases"),
             (AUX_CONV + (128 * 18 * 18 * 1024 + 1024) + AUX_LINEAR, "shrinks"),
             (AUX_CONV + (128 * 6 * 6 * 1024 + 1024) + AUX_LINEAR, "round the output size down")]),
    "4.3": (VOC,
            [(VOC + MAIN_CONV_BIASES, "no bias"),
             (VOC - VOC_LINEAR + IMAGENET_LINEAR, "classes"),
             (VOC + 2 * (2048 * 1024 + 1024 + VOC_LINEAR) + (512 + 528) * 128, "auxiliary heads are dropped"),
             (VOC - 2 * 128, "auxiliary heads' 1x1"),
             (VOC - 20, "linear layer keeps"),
             (13_370_744, "source 003's ImageNet model")]),
    "4.4": (INFERENCE + FC,
            [(FC, "alone"),
             (INFERENCE + FC - 1024, "bias"),
             (INFERENCE + FC - IMAGENET_LINEAR, "stays"),
             (INFERENCE + 1024 * 1024 + 1024, "every value"),
             (13_378_280 + FC, "without the auxiliary heads"),
             (INFERENCE - IMAGENET_LINEAR + 7 * 7 * 1024 * 1000 + 1000, "one linear layer")]),
    "4.6": (MACS_64,
            [(4 * MACS_32, "unscaled"),
             (4 * (MACS_32 - LINEAR), "add it back"),
             (2 * MACS_32, "area grows 4 times"),
             (16 * MACS_32, "not 16"),
             (MACS_32, "32x32"),
             (2 * MACS_64, "FLOPs")]),
    # 6 * VALUES < 3 * TRAINING < 7 * VALUES (both sides in fp32 bytes)
    "4.5": (7,
            [(6, "not yet"),
             (5, "three values per parameter"),      # weight and gradient only
             (3, "more than the weights"),
             (4, "training-time model"),             # 3 x the inference network's parameters
             (2, "in bytes")]),                      # parameters in values against outputs in bytes
}


def test_the_memory_crossover_is_where_the_comment_says():
    assert 6 * VALUES < 3 * TRAINING < 7 * VALUES
    assert 4 * VALUES < 2 * TRAINING < 5 * VALUES and 3 * VALUES < 3 * INFERENCE < 4 * VALUES


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
