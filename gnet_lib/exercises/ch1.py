"""Chapter 1's exercises (the Inception idea)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from ..core.architectures import get_spec, naive_network
from ..core.design import branch_macs, falls, module_rows
from ..core.layers import layer_table, network_depth
from ..core.normalisation import GOOGLENET_LRN, local_response_norm
from ..core.specs import LRN, inception_out_channels
from .checks import AnswerTypeError, Exercise, number, whole_number

#: Exercise 1.4: the module whose layers' input widths are asked for.
WIRING_MODULE = "4d"
#: Exercise 1.6: the pixel (its channels' values, in order) to normalise by hand.
LRN_PIXEL = (20.0, 40.0, 300.0, 40.0, 20.0, 0.0, 10.0, 150.0)
#: Exercise 1.6 accepts values rounded to two decimals: each is then within half a unit of the
#: second decimal of the exact value. Every mistake the checker names moves some channel by more
#: than 2 (tests/exercises/test_ch1.py), so this tolerance lets none of them pass.
LRN_TOLERANCE = 0.005


def _naive_shares(inputs: dict[str, tuple[int, ...]]) -> dict[str, float]:
    """Each naive module's share of output channels made by its own convolutions, on ``inputs``."""
    shares = {}
    for m in naive_network(get_spec("inception-v1", aux_logits=False)).inceptions:
        own = m.n1x1 + m.n3x3 + m.n5x5
        shares[m.name] = own / (own + inputs[m.name][0])
    return shares


def _module_shares(answer: Any, what: str) -> dict[str, float]:
    """A dict of the nine modules' shares (fractions), or an AnswerTypeError saying what is expected."""
    names = [m.name for m in get_spec("inception-v1").inceptions]
    if not isinstance(answer, dict) or set(answer) != set(names):
        raise AnswerTypeError(f"expected a dict with one {what} per module, keyed by the module names "
                              f"{', '.join(repr(n) for n in names)}")
    return {name: float(number(answer[name], "fraction")) for name in names}


def _close(values: dict[str, float], expected: dict[str, float]) -> bool:
    return all(math.isclose(values[k], expected[k], abs_tol=5e-4) for k in expected)


def _ex_1_1(answer: Any) -> tuple[bool, str]:
    value = _module_shares(answer, "share")
    naive_inputs = layer_table(naive_network(get_spec("inception-v1", aux_logits=False))).module_inputs()
    expected = _naive_shares(naive_inputs)
    if _close(value, expected):
        return True, "in the last modules most output channels are copies passed on from earlier modules."
    if _close(value, {k: 1 - v for k, v in expected.items()}):
        return False, "those are the shares passed through from the module's input; the question asks for the share its own convolutions make"
    if _close(value, dict.fromkeys(expected, 1.0)):
        return False, ("1 for every module: the pool branch computes nothing in the naive module, its channels are the "
                       "input passed through; and the module with reductions is not the one asked about")
    if _close(value, _naive_shares(_module_inputs())):
        return False, ("you used the input widths of the network with reductions; a naive module receives what the "
                       "naive module before it gives, which is wider")
    wrong = [k for k in expected if not math.isclose(value[k], expected[k], abs_tol=5e-4)]
    if any(value[k] > 1 for k in expected):
        return False, "a share is a fraction of the module's output channels: divide by the output width, not the input width"
    return False, (f"inception ({wrong[0]}) is not right yet: its own convolutions give n1x1 + n3x3 + n5x5 channels, "
                   "and its output adds every channel it receives")


def _module_inputs() -> dict[str, tuple[int, ...]]:
    """Each paper module's input shape at 224x224."""
    return layer_table("inception-v1", aux_logits=False).module_inputs()


def _large_mac_shares(with_reductions: bool = True) -> dict[str, float]:
    """Each paper module's share of MACs in its 3x3 and 5x5 branches."""
    inputs, shares = _module_inputs(), {}
    for m in get_spec("inception-v1").inceptions:
        macs = branch_macs(m, inputs[m.name])
        large = macs["b3x3"] + macs["b5x5"]
        if not with_reductions:
            large -= sum(r.macs for r in module_rows(m, inputs[m.name]) if r.module.endswith("reduce"))
        shares[m.name] = large / sum(macs.values())
    return shares


def _module_names(answer: Any) -> set[str]:
    if isinstance(answer, str) or not isinstance(answer, Iterable):
        raise AnswerTypeError("expected a list of module names, such as ['3b', '5a']")
    names = set(answer)
    valid = [m.name for m in get_spec("inception-v1").inceptions]
    unknown = sorted(str(n) for n in names - set(valid))
    if unknown:
        raise AnswerTypeError(f"unknown module name(s) {', '.join(unknown)}; the modules are {', '.join(valid)}")
    return names


def _ex_1_2(answer: Any) -> tuple[bool, str]:
    names = _module_names(answer)
    expected = set(falls(_large_mac_shares()))
    if names == expected:
        return True, "the share of work in the large branches does not rise steadily with depth either."
    channel_share = {m.name: (m.n3x3 + m.n5x5) / (m.n1x1 + m.n3x3 + m.n5x5 + (m.pool_proj or 0))
                     for m in get_spec("inception-v1").inceptions}
    if names == set(falls(channel_share)):
        return False, "those are the falls of the share of output channels; this exercise asks about MACs"
    if names == set(falls(_large_mac_shares(with_reductions=False))):
        return False, "you left out the 1x1 reductions: their MACs belong to the 3x3 and 5x5 branches too"
    if "3a" in names:
        return False, "3a is the first module: it has no module before it to fall below"
    if names < expected:
        return False, "every module in your list falls, but some falls are missing"
    if names > expected:
        return False, "your list has every fall, but also modules whose share rises"
    return False, "compare each module's share with the share of the module just before it, not with the first or the best"


def _ex_1_5(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise AnswerTypeError("expected two numbers: (layers with parameters, layers counting pooling too)")
    spec = get_spec("inception-v1")
    paper, two_threes = network_depth(spec), network_depth(replace(spec, five_by_five="3x3-3x3"))
    value = tuple(whole_number(v) for v in answer)
    modules = len(spec.inceptions)
    if value == two_threes:
        return True, ""
    if value == paper:
        return False, "those are the paper's figures: the longest path through each module now has one more convolution"
    if value[::-1] == two_threes:
        return False, "your two numbers are swapped: the count with pooling layers is the larger"
    if value[0] == two_threes[0] and value[1] <= value[0]:
        return False, "the first is right; the count with pooling layers includes every layer with parameters too"
    if value[0] == two_threes[0]:
        return False, ("the first is right; the second adds to it every pooling layer on the longest path: the stride-2 "
                       "max pools of the stem and between the stages, and the head's average pool")
    if value[0] == paper[0] + 2 * modules:
        return False, "two 3x3 convolutions replace the 5x5, so each module gains one layer on that path, not two"
    if value[0] == paper[0] + modules - 2:
        return False, "every one of the nine modules gains a layer, the ones of stage 3 and 5 too"
    return False, "find the longest path through one module (from its input to the concatenation) and count along it"


def _ex_1_4(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, (tuple, list)) or len(answer) != 6:
        raise AnswerTypeError("expected six numbers, in Table 1's column order: #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj")
    value = tuple(whole_number(v) for v in answer)
    spec = get_spec("inception-v1")
    module = next(m for m in spec.inceptions if m.name == WIRING_MODULE)
    rows = [r for r in module_rows(module, _module_inputs()[WIRING_MODULE]) if r.kind == "conv"]
    expected = tuple(r.in_shape[0] for r in rows)
    c_in = expected[0]
    if value == expected:
        return True, ""
    if c_in in (value[2], value[4]):
        return False, "the 3x3 and 5x5 convolutions read the output of their 1x1 reduction, not the module input"
    if value[5] in (module.pool_proj, module.n5x5):
        return False, "the pool projection reads the pooled map, and a 3x3 max pool keeps every channel of its input"
    if value[0] == inception_out_channels(module, c_in):
        return False, f"that is inception ({WIRING_MODULE})'s own output width; it reads what the module before it gives"
    if value[0] != c_in:
        return False, (f"what does inception ({WIRING_MODULE}) receive? Its record's in_channels says: "
                       "the output width of the module before it")
    return False, "follow each branch from the module input: which layer's output does each convolution read?"


def _lrn_variant(pixel: Sequence[float], layer: LRN, window: str = "centred", per_term: bool = False,
                 squares: bool = True, divide: bool = True) -> list[float]:
    """LRN of one pixel computed right (the defaults) or with one typical slip."""
    n, size = len(pixel), layer.size
    out = []
    for c, value in enumerate(pixel):
        js: Sequence[int]
        if window == "centred":
            js = range(max(0, c - size // 2), min(n, c + (size - 1) // 2 + 1))
        elif window == "ahead":
            js = range(c, min(n, c + size))
        else:  # "wrapped": the window runs on past the last channel to the first
            js = [(c + d) % n for d in range(-(size // 2), (size - 1) // 2 + 1)]
        total = sum(pixel[j] ** 2 if squares else pixel[j] for j in js)
        scale = layer.k + (layer.alpha if per_term else layer.alpha / size) * total
        out.append(value / scale ** layer.beta if divide else value * scale ** layer.beta)
    return out


def _ex_1_6(answer: Any) -> tuple[bool, str]:
    if isinstance(answer, (str, bytes, dict)) or not isinstance(answer, Iterable) or len(list(answer)) != len(LRN_PIXEL):
        raise AnswerTypeError(f"expected a list of {len(LRN_PIXEL)} numbers, one normalised value per channel of the pixel")
    value = [float(number(v, "number")) for v in answer]
    layer = GOOGLENET_LRN

    def same(other: Sequence[float], tolerance: float = LRN_TOLERANCE) -> bool:
        return all(abs(a - b) <= tolerance + 1e-9 for a, b in zip(value, other))

    if same(local_response_norm(LRN_PIXEL, layer)):
        return True, ""
    if same(LRN_PIXEL):
        return False, "those are the input values: every channel is divided by its scale to the power beta"
    diagnoses = (
        (_lrn_variant(LRN_PIXEL, layer, per_term=True),
         "the formula divides alpha by the window size n (Caffe's and PyTorch's convention): use alpha / n"),
        (_lrn_variant(LRN_PIXEL, layer, window="ahead"),
         "the window is centred on the channel: from c - 2 to c + 2 for n = 5, not from c onwards"),
        (_lrn_variant(LRN_PIXEL, layer, window="wrapped"),
         "the window stops at the first and the last channel; it does not wrap around to the other end"),
        (_lrn_variant(LRN_PIXEL, layer, squares=False),
         "the sum is over the squares of the neighbouring values"),
        (_lrn_variant(LRN_PIXEL, layer, divide=False),
         "each value is divided by the scale to the power beta, not multiplied by it"),
    )
    for variant, message in diagnoses:
        if same(variant):
            return False, message
    if same(local_response_norm(LRN_PIXEL, layer), 10 * LRN_TOLERANCE):
        return False, "close, but your values are rounded too coarsely: give them to two decimals at least"
    return False, "compute, channel by channel: the sum of squares over its window, then k + alpha / n * sum, then value / that ** beta"


#: Exercises answered in words, with a worked model answer in the hidden solution (no checker).
OPEN_EXERCISES = ("1.3",)

EXERCISES: dict[str, Exercise] = {
    "1.1": Exercise("Where the naive network's channels come from", _ex_1_1),
    "1.2": Exercise("Does the large branches' share of work rise with depth?", _ex_1_2),
    "1.4": Exercise(f"What each layer of inception ({WIRING_MODULE}) reads", _ex_1_4),
    "1.5": Exercise("How deep with two 3x3 instead of a 5x5?", _ex_1_5),
    "1.6": Exercise("Local response normalisation by hand", _ex_1_6),
}
