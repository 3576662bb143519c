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


# Only exercise 4.6 asks for MACs: an answer twice too large elsewhere is not told about FLOPs.
DOUBLED = {"4.2": "first auxiliary classifier alone", "4.3": "each layer", "4.4": "each layer once",
           "4.5": "half that batch size", "4.6": "FLOPs"}


@pytest.mark.parametrize("exercise", sorted(DOUBLED))
def test_an_answer_twice_too_large_gets_this_exercises_own_reading(exercise):
    feedback = check(exercise, 2 * CASES[exercise][0])
    assert not feedback.ok and "twice too large" in feedback.message and DOUBLED[exercise] in feedback.message
    assert ("FLOPs" in feedback.message) == (exercise == "4.6")


def test_the_memory_crossover_is_where_the_comment_says():
    assert 6 * VALUES < 3 * TRAINING < 7 * VALUES
    assert 4 * VALUES < 2 * TRAINING < 5 * VALUES and 3 * VALUES < 3 * INFERENCE < 4 * VALUES


@pytest.mark.parametrize("exercise", sorted(CASES))
def test_right_answers_pass_and_mistakes_are_named(exercise):
    assert_checker(exercise, *CASES[exercise])


class PaperInception(nn.Module):
    """The paper's module written independently of the checker, with switches for the mistakes a
    student is likely to make."""

    def __init__(self, c_in, n1, r3, n3, r5, n5, proj, bias=True, padding=True, bn=False, relu_after_reduction=True,
                 pool=("max", 3), order=(0, 1, 2, 3), dropout=0.0, pool_first=True, declare_pool_first=False):
        super().__init__()

        def conv(a, b, k, relu=True):
            layers = [nn.Conv2d(a, b, k, padding=(k - 1) // 2 if padding else 0, bias=bias)]
            return nn.Sequential(*layers, *([nn.BatchNorm2d(b)] if bn else []), *([nn.ReLU()] if relu else []))

        kind, size = pool
        pool_layer = (nn.MaxPool2d if kind == "max" else nn.AvgPool2d)(size, 1, (size - 1) // 2 if padding else 0)
        pool_branch = nn.Sequential(pool_layer, conv(c_in, proj, 1)) if pool_first else nn.Sequential(conv(c_in, proj, 1), pool_layer)
        branches = [conv(c_in, n1, 1), nn.Sequential(conv(c_in, r3, 1, relu_after_reduction), conv(r3, n3, 3)),
                    nn.Sequential(conv(c_in, r5, 1), conv(r5, n5, 5)), pool_branch]
        if declare_pool_first:  # the same module, its tensors in another order
            self.pool_branch = branches[3]
            self.b = nn.ModuleList(branches[:3])
        else:
            self.b = nn.ModuleList(branches)
            self.pool_branch = branches[3]
        self.order = order
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        outs = [b(x) for b in self.b] + [self.pool_branch(x)]
        if any(o.shape[2:] != outs[0].shape[2:] for o in outs):
            return torch.cat([o[..., :1, :1] for o in outs], dim=1)  # sizes differ: a broken module
        return self.dropout(torch.cat([outs[i] for i in self.order], dim=1))


def _variant(**options):
    return type("Variant", (PaperInception,), {"__init__": lambda s, *a: PaperInception.__init__(s, *a, **options)})


def test_inception_module_checker():
    assert check("4.1", PaperInception).ok
    assert check("4.1", _variant(declare_pool_first=True)).ok  # tensors in another order: still the same module
    assert "no bias" in check("4.1", _variant(bias=False)).message
    assert "batch normalisation" in check("4.1", _variant(bn=True)).message
    assert "keep the size" in check("4.1", _variant(padding=False)).message
    assert "class" in check("4.1", PaperInception(192, 64, 96, 128, 16, 32, 32)).message


@pytest.mark.parametrize("options, words", [
    ({"relu_after_reduction": False}, "the 3x3 branch: its 1x1 reduction is a convolution too, so a ReLU follows it"),
    ({"pool": ("avg", 3)}, "maximum over each window, not the average"),
    ({"pool": ("max", 5)}, "max-pools 3x3 windows"),
    ({"pool": ("avg", 5)}, "max-pools 3x3 windows"),
    ({"pool_first": False}, "pools first, then projects"),
    ({"order": (0, 2, 1, 3)}, "concatenated in another order"),
    ({"order": (0, 1, 3, 2)}, "concatenated in another order"),  # the two 32-channel branches swapped
    ({"dropout": 0.2}, "in training mode"),
])
def test_modules_with_the_right_shapes_and_counts_but_other_activations_are_refused(options, words):
    feedback = check("4.1", _variant(**options))
    assert not feedback.ok and words in feedback.message, feedback


def test_several_mistakes_at_once_are_each_named():
    # the reviewer's module: a 5x5 average pool, no ReLU after the 3x3 reduction, branches in another order
    feedback = check("4.1", _variant(pool=("avg", 5), relu_after_reduction=False, order=(3, 0, 2, 1)))
    assert not feedback.ok
    for words in ("max-pools 3x3 windows", "the 3x3 branch: its 1x1 reduction", "another order"):
        assert words in feedback.message, feedback
