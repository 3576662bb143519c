"""Weight initialisation: PyTorch's defaults and the rules other GoogLeNet implementations use.

The paper does not say how its weights were initialised. The schemes here:

* ``"pytorch"`` (the library's default): what each layer does when it is created. Convolution
  and linear weights are Kaiming-uniform with ``a = sqrt(5)``, that is uniform in
  ``±1/sqrt(fan_in)``, and so are their biases; batch norm starts at scale 1, shift 0.
* ``"torchvision"``: torchvision's ``googlenet``. Convolution and linear weights from a normal
  with standard deviation 0.01 truncated to ``[-2, 2]``; those bounds are absolute (200 standard
  deviations), so nothing is cut in practice. Batch norm scale 1, shift 0; biases untouched.
* ``"tf-slim"``: TF-slim's ``inception_v1``, and torchvision's rule before it moved from scipy
  to torch: standard deviation 0.01 truncated at two standard deviations (``±0.02``); biases 0.
* ``"kaiming"``: He et al.'s rule for ReLU networks: a normal with standard deviation
  ``sqrt(2 / fan_in)``, biases 0, which keeps the size of the signal from layer to layer.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

import torch
from torch import Tensor, nn

from ..core.errors import UsageError
from ..core.tables import Table

M = TypeVar("M", bound=nn.Module)

SCHEMES: dict[str, str] = {
    "pytorch": "PyTorch's defaults: Kaiming-uniform (a = sqrt(5)), weights and biases in ±1/sqrt(fan_in)",
    "torchvision": "torchvision's googlenet: normal, std 0.01, truncated to [-2, 2]; biases untouched",
    "tf-slim": "TF-slim's inception_v1: normal, std 0.01, truncated at ±2 std; biases 0",
    "kaiming": "He et al.: normal, std sqrt(2 / fan_in); biases 0",
}

#: The standard deviation torchvision and TF-slim draw GoogLeNet's weights with.
SMALL_STD = 0.01

_WEIGHTED = (nn.Conv2d, nn.Linear)


def _reset(module: nn.Module) -> None:
    if isinstance(module, (*_WEIGHTED, nn.BatchNorm2d)):
        module.reset_parameters()


def _batch_norm_identity(module: nn.Module) -> None:
    if isinstance(module, nn.BatchNorm2d):
        nn.init.ones_(module.weight)
        nn.init.zeros_(module.bias)


def _zero_bias(module: nn.Module) -> None:
    if isinstance(module, _WEIGHTED) and module.bias is not None:
        nn.init.zeros_(module.bias)


def _torchvision(module: nn.Module) -> None:
    if isinstance(module, _WEIGHTED):
        nn.init.trunc_normal_(module.weight, mean=0.0, std=SMALL_STD, a=-2.0, b=2.0)
    _batch_norm_identity(module)


def _tf_slim(module: nn.Module) -> None:
    if isinstance(module, _WEIGHTED):
        nn.init.trunc_normal_(module.weight, mean=0.0, std=SMALL_STD, a=-2 * SMALL_STD, b=2 * SMALL_STD)
    _zero_bias(module)
    _batch_norm_identity(module)


def _kaiming(module: nn.Module) -> None:
    if isinstance(module, _WEIGHTED):
        nn.init.kaiming_normal_(module.weight, mode="fan_in", nonlinearity="relu")
    _zero_bias(module)
    _batch_norm_identity(module)


_RULES: dict[str, Callable[[nn.Module], None]] = {
    "pytorch": _reset,
    "torchvision": _torchvision,
    "tf-slim": _tf_slim,
    "kaiming": _kaiming,
}


def check_scheme(scheme: str) -> str:
    """``scheme`` itself if it is known; otherwise a :class:`UsageError` naming the valid ones."""
    if scheme not in _RULES:
        raise UsageError(f"unknown initialisation {scheme!r}; valid schemes are: {', '.join(SCHEMES)}")
    return scheme


def initialize(model: M, scheme: str = "pytorch") -> M:
    """Re-draw every weight of ``model`` with ``scheme`` (in place) and return the model."""
    rule = _RULES[check_scheme(scheme)]
    with torch.no_grad():
        for module in model.modules():
            rule(module)
    return model


def _truncated_std(bound: float) -> float:
    """The standard deviation of a standard normal cut to ``[-bound, bound]``."""
    density = math.exp(-bound * bound / 2) / math.sqrt(2 * math.pi)
    return math.sqrt(1 - 2 * bound * density / math.erf(bound / math.sqrt(2)))


def expected_std(scheme: str, fan_in: int) -> float:
    """The standard deviation ``scheme`` draws a layer's weights with, given the layer's fan-in."""
    stds = {
        "pytorch": 1 / math.sqrt(3 * fan_in),
        "torchvision": SMALL_STD * _truncated_std(2 / SMALL_STD),
        "tf-slim": SMALL_STD * _truncated_std(2.0),
        "kaiming": math.sqrt(2 / fan_in),
    }
    return stds[check_scheme(scheme)]


def weight_table(models: Mapping[str, nn.Module], layers: Iterable[str]) -> Table:
    """For each model (labelled with its scheme) and layer (by module path): its fan-in, the
    standard deviation of its weights beside the scheme's formula, the largest weight and bias."""
    rows = []
    for label, model in models.items():
        for path in layers:
            weight: Tensor = model.get_parameter(f"{path}.weight")
            bias: Tensor | None = getattr(model.get_submodule(path), "bias", None)
            rows.append({
                "scheme": label,
                "layer": path,
                "fan-in": weight[0].numel(),
                "weight std": weight.std().item(),
                "formula std": expected_std(label, weight[0].numel()),
                "max |weight|": weight.abs().max().item(),
                "max |bias|": None if bias is None else bias.abs().max().item(),
            })
    return Table(("scheme", "layer", "fan-in", "weight std", "formula std", "max |weight|", "max |bias|"), rows,
                 title="Weights at initialisation")


def block_outputs(model: nn.Module, x: Tensor, blocks: Iterable[str], training: bool = False) -> dict[str, Tensor]:
    """The outputs of the named sub-modules of ``model`` for input ``x``, without gradients; in
    evaluation mode unless ``training`` (batch norm then normalises with the batch's statistics)."""
    outputs: dict[str, Tensor] = {}

    def keep(name: str) -> Callable[[nn.Module, tuple, Tensor], None]:
        def hook(_module: nn.Module, _inputs: tuple, output: Tensor) -> None:
            outputs[name] = output.detach().clone()  # clone: a later in-place ReLU would change it
        return hook

    handles = [model.get_submodule(name).register_forward_hook(keep(name)) for name in blocks]
    try:
        with torch.no_grad():
            model.train(training)(x)
    finally:
        for handle in handles:
            handle.remove()
    return outputs


def image_signal(t: Tensor) -> float:
    """How much ``t`` varies from image to image: the root mean square, over all features, of
    the standard deviation across the batch. A constant offset (a bias) does not count."""
    return t.flatten(1).var(dim=0).mean().sqrt().item()


def signal_table(models: Mapping[str, nn.Module], x: Tensor, blocks: Iterable[str], training: bool = False) -> Table:
    """How much of the input survives to each named block at initialisation: the block output's
    :func:`image_signal` divided by the input's, one row per model (by label)."""
    names = list(blocks)
    rows = []
    for label, model in models.items():
        outputs = block_outputs(model, x, names, training)
        rows.append({"model": label, **{name: image_signal(outputs[name]) / image_signal(x) for name in names}})
    return Table(("model", *names), rows, title="Signal at initialisation, relative to the input")
