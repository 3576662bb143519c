"""Are two PyTorch modules the same network? The plain listing against the builder's model.

Here two modules are the same network when their tensors (parameters and buffers) come in the
same order with the same shapes and, once one's tensors are loaded into the other, both give the
same outputs for the same input: in evaluation mode, and in training mode with the same dropout
draws (batch statistics, the auxiliary heads and the running statistics they update included).
Besides the outputs, every convolution's and linear layer's input and output are compared, in the
order the layers run: with small initial weights (PyTorch's defaults, no batch norm) little of the
image reaches the logits, so a difference deep inside shows far more clearly there. The check is
exact (a largest difference of 0), since both run the same operations in the same order: any
tolerance would let a real difference whose effect is small pass. The names may differ: the listing says ``inception3a.branch1``, the builder
``blocks.inception_3a.b1x1``.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch import Tensor, nn

from ..core.errors import UsageError
from ..core.tables import Table


def _describe(name: str, tensor: Tensor) -> str:
    return f"{name} {tuple(tensor.shape)}"


def first_difference(plain: nn.Module, built: nn.Module) -> str | None:
    """Where the two state dicts stop matching, position by position (None when every tensor has
    the same shape as its partner)."""
    ours, theirs = list(plain.state_dict().items()), list(built.state_dict().items())
    for index, ((name_a, a), (name_b, b)) in enumerate(zip(ours, theirs)):
        if a.shape != b.shape:
            return (f"tensor {index}: the listing's {_describe(name_a, a)} against the builder's "
                    f"{_describe(name_b, b)}")
    if len(ours) != len(theirs):
        longer, name = (ours, "listing") if len(ours) > len(theirs) else (theirs, "builder")
        extra_name, extra = longer[min(len(ours), len(theirs))]
        return (f"the listing has {len(ours)} tensors, the builder {len(theirs)}; the first without a "
                f"partner is the {name}'s {_describe(extra_name, extra)}")
    return None


def copy_tensors_in_order(source: nn.Module, target: nn.Module) -> None:
    """Load ``source``'s tensors into ``target``, matched by position (their names may differ).
    A UsageError names the first tensor whose shape differs."""
    difference = first_difference(target, source)
    if difference is not None:
        raise UsageError(f"the two modules are not the same network: {difference}. A width, a kernel or a "
                         "layer differs; change the listing (or the spec) until both describe one network")
    target.load_state_dict(dict(zip(target.state_dict(), source.state_dict().values(), strict=True)))


def tensor_pairs(plain: nn.Module, built: nn.Module, first: int = 8) -> Table:
    """The first ``first`` tensors of both modules side by side: one network, two sets of names."""
    ours, theirs = list(plain.state_dict().items()), list(built.state_dict().items())
    rows = [{"plain listing": a, "builder": b, "shape": tuple(t.shape)}
            for (a, t), (b, _) in zip(ours[:first], theirs[:first])]
    notes = [f"... and {len(ours) - first:,} more pairs"] if len(ours) > first else []
    return Table(("plain listing", "builder", "shape"), rows, title="The same tensors under two names, in order",
                 notes=notes)


def _flat(output: Tensor | tuple | list) -> Iterator[Tensor]:
    """The tensors of a model's output, in order (logits first, then any auxiliary logits)."""
    if isinstance(output, Tensor):
        yield output
    else:
        for item in output:
            yield from _flat(item)


def _largest_difference(a: list[Tensor], b: list[Tensor]) -> float:
    if [t.shape for t in a] != [t.shape for t in b]:
        return float("inf")
    return max(float((x - y).abs().max()) for x, y in zip(a, b, strict=True))


def _run(model: nn.Module, x: Tensor, training: bool, seed: int) -> list[Tensor]:
    model.train(training)
    with torch.random.fork_rng(devices=[]), torch.no_grad():
        torch.manual_seed(seed)
        return list(_flat(model(x)))


def _layers(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """The convolutions and linear layers, in the order they are defined (the order of their tensors)."""
    return [(name, m) for name, m in model.named_modules() if isinstance(m, (nn.Conv2d, nn.Linear))]


def _layer_activations(model: nn.Module, x: Tensor, seed: int) -> dict[nn.Module, tuple[Tensor, Tensor]]:
    """The input and the output of every convolution and linear layer that runs in evaluation mode."""
    seen: dict[nn.Module, tuple[Tensor, Tensor]] = {}

    def record(module: nn.Module, inputs: tuple[Tensor, ...], output: Tensor) -> None:
        seen[module] = (inputs[0].clone(), output.clone())

    hooks = [m.register_forward_hook(record) for _, m in _layers(model)]
    try:
        _run(model, x, training=False, seed=seed)
    finally:
        for hook in hooks:
            hook.remove()
    return seen


def _layer_check(plain: nn.Module, built: nn.Module, x: Tensor, seed: int) -> tuple[bool, str]:
    """Whether each convolution and linear layer of ``plain`` sees the same input and gives the same
    output as its partner in ``built`` (partners by position, like their tensors), and where they first
    differ, named by the listing's layer."""
    ours, theirs = _layers(plain), _layers(built)
    if len(ours) != len(theirs):
        return False, f"{len(ours)} convolution and linear layers in the listing, {len(theirs)} in the builder's model"
    seen = [_layer_activations(m, x, seed) for m in (plain, built)]
    compared = 0
    for (name, a), (_, b) in zip(ours, theirs, strict=True):
        if (a in seen[0]) != (b in seen[1]):
            return False, f"the listing's {name} runs in evaluation mode in one model only"
        if a not in seen[0]:
            continue  # a layer of the auxiliary heads: training mode only
        compared += 1
        for side, mine, partner in zip(("input", "output"), seen[0][a], seen[1][b], strict=True):
            if mine.shape != partner.shape or not torch.equal(mine, partner):
                difference = float((mine - partner).abs().max()) if mine.shape == partner.shape else float("inf")
                return False, f"first difference at the listing's {name} ({side}): largest difference {difference:.2g}"
    return True, f"{compared} layers (those that run in evaluation mode), largest difference 0"


def _batch_norm_eps(model: nn.Module) -> list[float]:
    return [m.eps for m in model.modules() if isinstance(m, nn.BatchNorm2d)]


def compare_networks(plain: nn.Module, built: nn.Module, input_size: tuple[int, int, int], batch: int = 2,
                     seed: int = 0) -> Table:
    """Load ``built``'s tensors into ``plain`` and compare the two networks (see the module's
    docstring); ``plain`` keeps the builder's tensors afterwards. A UsageError names the first
    tensor whose shape differs."""
    copy_tensors_in_order(built, plain)
    params = [sum(p.numel() for p in m.parameters()) for m in (plain, built)]
    eps = [_batch_norm_eps(m) for m in (plain, built)]
    x = torch.randn(batch, *input_size, generator=torch.Generator().manual_seed(seed))
    evaluation = [_run(m, x, training=False, seed=seed) for m in (plain, built)]
    layer_check = _layer_check(plain, built, x, seed)
    training = [_run(m, x, training=True, seed=seed) for m in (plain, built)]
    buffers = [[b for _, b in m.named_buffers()] for m in (plain, built)]
    plain.eval()
    built.eval()
    shapes = " + ".join("x".join(map(str, t.shape)) for t in training[1])
    rows = [
        {"check": "tensors, position by position", "equal": True,
         "detail": f"{len(plain.state_dict()):,} tensors, every shape the same"},
        {"check": "parameters", "equal": params[0] == params[1], "detail": f"{params[0]:,} against {params[1]:,}"},
        {"check": "batch norm eps, layer by layer", "equal": eps[0] == eps[1],
         "detail": f"{len(eps[0])} batch norm layers" if eps[1] else "no batch norm"},
        {"check": "outputs in evaluation mode", "equal": _largest_difference(*evaluation) == 0,
         "detail": f"largest difference {_largest_difference(*evaluation):.2g} ({'x'.join(map(str, evaluation[1][0].shape))})"},
        {"check": "every conv and linear layer's input and output", "equal": layer_check[0], "detail": layer_check[1]},
        {"check": "outputs in training mode, same dropout draws", "equal": _largest_difference(*training) == 0,
         "detail": f"largest difference {_largest_difference(*training):.2g} ({shapes})"},
        {"check": "running statistics after that pass", "equal": _largest_difference(*buffers) == 0 if buffers[1] else True,
         "detail": f"{len(buffers[1])} buffers" if buffers[1] else "no buffers"},
    ]
    spec = getattr(built, "spec", None)
    built_name = f"build_model({spec.name!r})" if spec is not None else type(built).__name__
    return Table(("check", "equal", "detail"), rows, title=f"{type(plain).__name__} against {built_name}")
