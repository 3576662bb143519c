"""Chapter 1's exercises (the Inception idea)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from ..core.architectures import get_spec
from ..core.design import branch_macs, falls, module_rows
from ..core.layers import layer_table, network_depth
from ..core.specs import inception_out_channels
from .checks import AnswerTypeError, Exercise, integer, number

#: Exercise 1.6: the module whose layers' input widths are asked for.
WIRING_MODULE = "4d"


def _ex_1_1(answer: Any) -> tuple[bool, str]:
    m = get_spec("inception-v1").inceptions[6]  # 4e
    assert m.n3x3_reduce and m.n5x5_reduce and m.pool_proj and m.in_channels, "4e is a module with reductions"
    expected = m.n1x1 + m.n3x3 + m.n5x5 + m.pool_proj
    return integer(answer, {
        expected + m.n3x3_reduce + m.n5x5_reduce: "you added the reduction widths too: those 1x1 layers feed the 3x3 "
                                                  "and 5x5 convolutions, their outputs are not concatenated",
        expected - m.pool_proj: "you left out the pool branch: its 1x1 projection is concatenated too",
        m.in_channels: "that is the module's input width, not its output",
    }, expected, "the output width of inception (4e)")


def _ex_1_2(answer: Any) -> tuple[bool, str]:
    m = get_spec("inception-v1").inceptions[0]  # 3a
    assert m.pool_proj and m.in_channels, "3a is a module with a pool projection"
    expected = m.n1x1 + m.n3x3 + m.n5x5 + m.in_channels
    return integer(answer, {
        m.n1x1 + m.n3x3 + m.n5x5: "the naive module's pool branch has no projection: the pooled input, with all its "
                                  "channels, is concatenated too",
        m.n1x1 + m.n3x3 + m.n5x5 + m.pool_proj: "the naive module has no pool projection; what width does the "
                                                "pooled input keep?",
    }, expected, "the naive module's output width")


def _ex_1_3(answer: Any) -> tuple[bool, str]:
    weights = 192 * 64
    return integer(answer, {
        weights: "the weights are right, but every output channel also has a bias",
        9 * weights + 64: "that is a 3x3 convolution; a 1x1 kernel has one weight per input channel",
        28 * 28 * weights: "those are MACs on a 28x28 map; parameters do not depend on the map size",
    }, weights + 64, "the parameter count of that 1x1 convolution")


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


def _ex_1_4(answer: Any) -> tuple[bool, str]:
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
    value = tuple(int(number(v)) for v in answer)
    modules = len(spec.inceptions)
    if value == two_threes:
        return True, ""
    if value == paper:
        return False, "those are the paper's figures: the longest path through each module now has one more convolution"
    if value[::-1] == two_threes:
        return False, "your two numbers are swapped: the count with pooling layers is the larger"
    if value[0] == two_threes[0]:
        return False, "the first is right; the count with pooling layers includes every layer with parameters too"
    if value[0] == paper[0] + 2 * modules:
        return False, "two 3x3 convolutions replace the 5x5, so each module gains one layer on that path, not two"
    if value[0] == paper[0] + modules - 2:
        return False, "every one of the nine modules gains a layer, the ones of stage 3 and 5 too"
    return False, "find the longest path through one module (from its input to the concatenation) and count along it"


def _ex_1_6(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, (tuple, list)) or len(answer) != 6:
        raise AnswerTypeError("expected six numbers, in Table 1's column order: #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj")
    value = tuple(int(number(v)) for v in answer)
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


EXERCISES: dict[str, Exercise] = {
    "1.1": Exercise("Output width of inception (4e)", _ex_1_1),
    "1.2": Exercise("Output width of a naive module", _ex_1_2),
    "1.3": Exercise("Parameters of a 1x1 convolution", _ex_1_3),
    "1.4": Exercise("Does the large branches' share of work rise with depth?", _ex_1_4),
    "1.5": Exercise("How deep with two 3x3 instead of a 5x5?", _ex_1_5),
    "1.6": Exercise(f"What each layer of inception ({WIRING_MODULE}) reads", _ex_1_6),
}
