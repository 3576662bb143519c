"""Chapter 4's exercises (building in PyTorch)."""

from __future__ import annotations

import math
from typing import Any, cast

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..core.anatomy import conv_bias_count, stage_table
from ..core.layers import layer_table
from ..core.published import SOURCE_003
from ..model.plain_googlenet import Inception
from .checks import AnswerTypeError, Exercise, integer

#: PASCAL VOC's object classes, the dataset of source 003's experiment.
VOC_CLASSES = 20
#: Exercise 4.2: the input size the auxiliary head is sized for (Inception v3's).
AUX_SIZE = 299
#: Exercise 4.5: values kept per parameter in training with SGD and momentum (weight, gradient, momentum).
COPIES_PER_PARAMETER = 3
#: Exercise 4.6: the input side at which googlenet's cost is predicted, then measured.
LARGER_SIDE = 64


#: Exercise 4.1: inception (3a)'s widths, in the order of the constructor's arguments.
MODULE_3A = (192, 64, 96, 128, 16, 32, 32)
#: Exercise 4.1: the branches in the order the paper concatenates them (Table 1's columns).
BRANCHES = ("1x1", "3x3", "5x5", "pool")


def _close(a: Tensor, b: Tensor) -> bool:
    """Equal up to rounding: the same weights through other kernels (``padding="same"``...) round differently."""
    return torch.allclose(a, b, rtol=1e-4, atol=1e-5)


def _reference_3a() -> Inception:
    """The paper's inception (3a) from the book's plain listing, with weights drawn from a fixed seed."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        return Inception(*MODULE_3A).eval()


def _load_reference_weights(reference: nn.Module, module: nn.Module) -> str | None:
    """Copy the reference's convolution weights and biases into ``module``, each weight into the
    parameter of its shape (in inception (3a) every convolution's weight has a shape of its own), each
    bias into the one-dimensional parameter that follows its weight. None when done, else what failed."""
    by_shape = {tuple(m.weight.shape): m for m in reference.modules() if isinstance(m, nn.Conv2d)}
    last = None
    with torch.no_grad():
        for name, p in module.named_parameters():
            if p.dim() == 4 and tuple(p.shape) in by_shape:
                last = by_shape.pop(tuple(p.shape))
                p.copy_(last.weight)
            elif p.dim() == 1 and last is not None and last.bias is not None and p.shape == last.bias.shape:
                p.copy_(last.bias)
                last = None
            else:
                return (f"the checker could not match your parameter {name} {tuple(p.shape)} to a layer of the paper's "
                        "module: keep each convolution's weight and its bias together, as nn.Conv2d does")
    return None


def _branch_outputs(reference: Inception, x: Tensor) -> dict[str, list[tuple[str | None, Tensor]]]:
    """Each branch's output with the reference's weights: first the right one (no message), then
    the mistakes the checker recognises, each with what to tell the student."""

    def conv(unit: nn.Module, t: Tensor, relu: bool = True) -> Tensor:
        out = cast(nn.Conv2d, unit.conv)(t)
        return torch.relu(out) if relu else out

    def two_layers(branch: nn.Sequential, label: str) -> list[tuple[str | None, Tensor]]:
        return [(None, conv(branch[1], conv(branch[0], x))),
                (f"the {label} branch: its 1x1 reduction is a convolution too, so a ReLU follows it",
                 conv(branch[1], conv(branch[0], x, relu=False)))]

    proj = reference.branch4[1]
    pool_message = "the pool branch: the paper's module max-pools 3x3 windows (stride 1, padding 1) before the 1x1 projection"
    return {
        "1x1": [(None, conv(reference.branch1, x))],
        "3x3": two_layers(reference.branch2, "3x3"),
        "5x5": two_layers(reference.branch3, "5x5"),
        "pool": [(None, conv(proj, F.max_pool2d(x, 3, 1, 1))),
                 ("the pool branch: the paper's module takes the maximum over each window, not the average",
                  conv(proj, F.avg_pool2d(x, 3, 1, 1))),
                 ("the pool branch: the paper's module takes the maximum over each window, not the average",
                  conv(proj, F.avg_pool2d(x, 3, 1, 1, count_include_pad=False))),
                 (pool_message, conv(proj, F.max_pool2d(x, 5, 1, 2))),
                 (pool_message, conv(proj, F.avg_pool2d(x, 5, 1, 2))),
                 (pool_message, conv(proj, F.avg_pool2d(x, 5, 1, 2, count_include_pad=False))),
                 ("the pool branch has no pool: the paper's module pools before the 1x1 projection", conv(proj, x)),
                 ("the pool branch pools after its 1x1 projection; the paper's pools first, then projects",
                  F.max_pool2d(conv(proj, x), 3, 1, 1))],
    }


def _diagnose_outputs(reference: Inception, x: Tensor, y: Tensor) -> str:
    """What differs between the student's output ``y`` and the paper's module, found by looking for
    each branch's output (right, or with a known mistake) among ``y``'s channels."""
    found: dict[str, tuple[int, str | None]] = {}
    for branch, candidates in _branch_outputs(reference, x).items():
        for message, out in candidates:
            width = out.shape[1]
            first = (y - out[:, :1]).abs().amax(dim=(0, 2, 3))  # where the branch's first channel could sit
            starts = [o for o in range(y.shape[1] - width + 1) if first[o] <= 1e-3]
            offset = next((o for o in starts if _close(y[:, o:o + width], out)), None)
            if offset is not None:
                found[branch] = (offset, message)
                break
    problems = list(dict.fromkeys(message for _, message in found.values() if message))
    problems += [f"the {b} branch's output matches the paper's in no form the checker knows: check its layers one by one"
                 for b in BRANCHES if b not in found]
    offsets = [found[b][0] for b in BRANCHES if b in found]
    if offsets != sorted(offsets):
        problems.append("the branches are concatenated in another order than the paper's: "
                        "the 1x1 branch, the 3x3 branch, the 5x5 branch, then the pool branch")
    if not problems:
        problems.append("every branch is right, but the concatenated output is not the paper's: check the forward method")
    return ("with the paper's weights loaded into yours, the outputs differ: " + "; ".join(problems))


def _ex_4_1(answer: Any) -> tuple[bool, str]:
    if not (isinstance(answer, type) and issubclass(answer, nn.Module)):
        raise AnswerTypeError("expected your nn.Module subclass itself (the class, not an instance)")
    x = torch.randn(2, MODULE_3A[0], 28, 28, generator=torch.Generator().manual_seed(1))
    try:
        module = answer(*MODULE_3A)
        module.eval()
        with torch.no_grad():
            y = module(x.clone())
    except NotImplementedError:
        raise  # the student edition's skeleton: not answered yet
    except Exception as exc:  # noqa: BLE001 - the student's own code failed; say how, as feedback
        return False, (f"building your module with inception (3a)'s widths and running it on a 2x192x28x28 input "
                       f"raised {type(exc).__name__}: {exc}")
    problem = _shape_or_count_problem(module, y)
    if problem:
        return False, problem
    return _against_reference(module, x)


def _shape_or_count_problem(module: nn.Module, y: Any) -> str | None:
    """What is wrong with the student's module before its activations are compared: the output's
    form and shape, batch norm, the biases, the parameter count, a negative output."""
    if not isinstance(y, torch.Tensor):
        return "forward should return one tensor: the four branch outputs concatenated"
    if y.shape[0] != 2:
        return "the batch dimension changed: concatenate along the channels (dim=1)"
    if y.shape[2:] != (28, 28):
        return (f"the output is {y.shape[2]}x{y.shape[3]}, not 28x28: every branch must keep the size "
                "(padding 1 for 3x3, 2 for 5x5, and stride 1 padding 1 for the pool)")
    if y.shape[1] != 256:
        if y.shape[1] == 256 + 96 + 16:
            return "the reductions were concatenated too; only each branch's last layer is"
        return f"the output has {y.shape[1]} channels; concatenate the four branches' last layers"
    table = layer_table("inception-v1", aux_logits=False)
    expected = sum(r.params for r in table.layer_rows if r.block == "3a")
    weights = sum(r.weights for r in table.layer_rows if r.block == "3a")
    params = sum(p.numel() for p in module.parameters())
    if any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in module.modules()):
        return "the paper's module has no batch normalisation (it came a few months later, with BN-Inception)"
    if params == weights:
        return "the shapes are right, but your convolutions have no bias; the paper's have one"
    if params != expected:
        return f"the shapes are right but the parameter count is off by {params - expected:+,}; check each branch's kernels"
    if (y < 0).any():
        return "every convolution is followed by a ReLU, so the output cannot be negative"
    return None


def _against_reference(module: nn.Module, x: torch.Tensor) -> tuple[bool, str]:
    """The student's module loaded with the paper's weights against the paper's module, in
    evaluation and in training mode."""
    reference = _reference_3a()
    failed = _load_reference_weights(reference, module)
    if failed:
        return False, failed
    with torch.no_grad():
        expected_y = reference(x.clone())
        y = module.eval()(x.clone())
        if not _close(y, expected_y):
            return False, _diagnose_outputs(reference, x, y)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            y_training = module.train()(x.clone())
    if not _close(y_training, expected_y):
        return False, ("in evaluation mode your module gives the paper's outputs, in training mode others: "
                       "the paper's module has nothing that behaves differently in training (no dropout)")
    return True, ("loaded with the paper's weights, your module gives the paper's outputs in evaluation and in "
                  "training mode: shape, parameters and activations all match.")


def _whole_number(answer: Any, diagnoses: dict[int, str], expected: int, what: str, doubled: str) -> tuple[bool, str]:
    """:func:`~gnet_lib.exercises.checks.integer`, with this exercise's own reading of an answer twice
    too large (``doubled``): the shared one speaks of MACs counted as FLOPs, which only exercise 4.6
    asks for. A diagnosis of the exercise's own for that value takes precedence."""
    return integer(answer, {2 * expected: doubled, **diagnoses}, expected, what)


def _aux1_rows(size: int) -> list:
    return [r for r in layer_table("inception-v1", input_size=(3, size, size)).layer_rows if r.block == "aux1"]


def _ex_4_2(answer: Any) -> tuple[bool, str]:
    rows = _aux1_rows(AUX_SIZE)
    expected = sum(r.params for r in rows)
    fc = next(r for r in rows if r.name.endswith("/ fc"))
    pool = next(r for r in rows if r.kind == "avg pool")
    channels, units = fc.in_shape[0], fc.out_shape[0]
    n = pool.in_shape[1]
    ceil_pooled = -(-(n - 5) // 3) + 1
    return _whole_number(answer, {
        sum(r.params for r in _aux1_rows(224)): ("that is the head at 224x224, printed above; at 299x299 inception "
                                                 "(4a)'s map is larger, and so is what the pool leaves"),
        expected - fc.params: "you left out the fully connected layer of 1024 units",
        sum(r.weights for r in rows): "count the biases too (every layer here has them)",
        expected - fc.params + channels * n * n * units + units: (
            "the 5x5/3 average pool shrinks inception (4a)'s map before the fc layer"),
        expected - fc.params + channels * ceil_pooled**2 * units + units: (
            "the average pool has no ceil mode: round the output size down"),
    }, expected, "the auxiliary classifier's parameter count",
        "twice too large: the question asks for the first auxiliary classifier alone; count each of its layers once")


def _ex_4_3(answer: Any) -> tuple[bool, str]:
    voc = layer_table("inception-v1", aux_logits=False, num_classes=VOC_CLASSES)
    voc_aux = layer_table("inception-v1", num_classes=VOC_CLASSES)
    imagenet = layer_table("inception-v1", aux_logits=False)
    expected = voc.total_params - conv_bias_count(voc)
    aux_conv_biases = conv_bias_count(voc_aux) - conv_bias_count(voc)
    return _whole_number(answer, {
        voc.total_params: "source 003's convolutions have no bias: leave out one bias per output channel of every convolution",
        expected + imagenet.total_params - voc.total_params: (
            "the last linear layer maps to PASCAL VOC's classes, not ImageNet's 1000"),
        voc_aux.total_params - conv_bias_count(voc_aux): (
            "the auxiliary heads are dropped at inference: count the main network only"),
        expected - aux_conv_biases: ("you also took away the biases of the auxiliary heads' 1x1 convolutions, "
                                     "but those heads are not part of the inference network"),
        expected - VOC_CLASSES: "only the convolutions lose their bias; the linear layer keeps its own",
        int(SOURCE_003["googlenet_params"]): ("that is source 003's ImageNet model with its auxiliary heads; "
                                         "this network has fewer classes and no auxiliary heads"),
    }, expected, "the inference network's parameter count",
        "twice too large: count each layer of the inference network once")


def _ex_4_4(answer: Any) -> tuple[bool, str]:
    table = layer_table("inception-v1", aux_logits=False)
    training = layer_table("inception-v1")
    feature_map = table.last_feature_map
    linear = next(r for r in table.layer_rows if r.block == "head" and r.kind == "linear")
    units = linear.in_shape[0]
    fc = math.prod(feature_map) * units + units
    expected = table.total_params + fc
    return _whole_number(answer, {
        fc: "that is the new fully connected layer alone; the question asks for the whole network with it",
        expected - units: "the new fully connected layer has a bias for each of its units too",
        expected - linear.params: "the linear layer to the classes stays: the new layer comes before it",
        table.total_params + units * units + units: ("without the average pool the new layer reads every value of "
                                                     "the last feature map, not one average per channel"),
        expected + training.total_params - table.total_params: "count the inference network, without the auxiliary heads",
        table.total_params + math.prod(feature_map) * linear.out_shape[0] - units * linear.out_shape[0]: (
            "that is one linear layer on the flattened map; here a fully connected layer of 1024 units "
            "comes first, then the linear layer to the classes"),
    }, expected, "the parameter count of the network with a fully connected head",
        "twice too large: count each layer once, the new fully connected layer included")


def _memory_crossover(copies: int = COPIES_PER_PARAMETER, training: bool = True, bytes_mismatch: bool = False) -> int:
    """The smallest batch size at which the layer outputs training keeps outweigh the parameter state."""
    params = layer_table("inception-v1", aux_logits=training).total_params
    values = sum(stage_table(layer_table("inception-v1", aux_logits=False)).column("values written"))
    state = copies * params * (1 if bytes_mismatch else 4)
    per_image = 4 * values
    return state // per_image + 1  # the first batch size whose outputs take strictly more


def _ex_4_5(answer: Any) -> tuple[bool, str]:
    expected = _memory_crossover()
    return _whole_number(answer, {
        expected - 1: ("at that batch size the kept outputs do not yet take more memory than the parameter state; "
                       "count only the values of the stage table, and find the first batch size at which they take more"),
        _memory_crossover(copies=2): "SGD with momentum keeps three values per parameter: the weight, its gradient and its momentum",
        _memory_crossover(copies=1): "training keeps more than the weights: a gradient and a momentum value for each too",
        _memory_crossover(training=False): "the auxiliary heads are trained too: count the training-time model's parameters",
        _memory_crossover(bytes_mismatch=True): "count both sides in bytes (4 per fp32 value), or both in values",
    }, expected, "the batch size",
        "twice too large: at half that batch size the kept outputs already take more memory than the parameter state; "
        "count each image's kept outputs once, and the parameter state once")


def _ex_4_6(answer: Any) -> tuple[bool, str]:
    at_32 = layer_table("googlenet")
    expected = layer_table("googlenet", input_size=(3, LARGER_SIDE, LARGER_SIDE)).total_macs
    area = (LARGER_SIDE // at_32.input_size[1]) ** 2
    linear = next(r for r in at_32.layer_rows if r.kind == "linear").macs
    return _whole_number(answer, {
        area * at_32.total_macs: (f"almost: every convolution costs {area} times as much on maps twice as wide and twice "
                                  "as high, but one layer reads the same number of values at any input size; find it "
                                  "and count its cost unscaled"),
        area * (at_32.total_macs - linear): ("you scaled every layer but the last linear layer, then left that layer out; "
                                             "its cost does not change with the image, so add it back once"),
        2 * at_32.total_macs: "doubling the side doubles each map's width and its height: the area grows 4 times, not 2",
        area * area * at_32.total_macs: "the area grows 4 times when the side doubles, not 16 times",
        at_32.total_macs: "that is googlenet at 32x32; the question asks for 64x64 images",
    }, expected, "googlenet's MACs per 64x64 image",
        "twice too large: count a multiply-add once (MACs), not as two operations (FLOPs)")


#: Exercises answered in words, with a worked model answer in the hidden solution (no checker).
OPEN_EXERCISES = ("4.7",)

EXERCISES: dict[str, Exercise] = {
    "4.1": Exercise("An Inception module by hand", _ex_4_1),
    "4.2": Exercise("An auxiliary classifier sized for 299x299", _ex_4_2),
    "4.3": Exercise("Source 003's network on PASCAL VOC", _ex_4_3),
    "4.4": Exercise("A fully connected head instead of average pooling", _ex_4_4),
    "4.5": Exercise("Where the memory of training goes", _ex_4_5),
    "4.6": Exercise("Predict, then measure: googlenet on 64x64 images", _ex_4_6),
}
