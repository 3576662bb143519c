"""Are two PyTorch modules the same network? The plain listing against the builder's model.

Here two modules are the same network when their tensors (parameters and buffers) come in the
same order with the same shapes and, once one's tensors are loaded into the other, both give the
same outputs for the same input: in evaluation mode, and in training mode with the same dropout
draws (batch statistics, the auxiliary heads and the running statistics they update included).
The names may differ: the listing says ``inception3a.branch1``, the builder
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
         "detail": f"largest difference {_largest_difference(*evaluation):g} ({'x'.join(map(str, evaluation[1][0].shape))})"},
        {"check": "outputs in training mode, same dropout draws", "equal": _largest_difference(*training) == 0,
         "detail": f"largest difference {_largest_difference(*training):g} ({shapes})"},
        {"check": "running statistics after that pass", "equal": _largest_difference(*buffers) == 0 if buffers[1] else True,
         "detail": f"{len(buffers[1])} buffers" if buffers[1] else "no buffers"},
    ]
    spec = getattr(built, "spec", None)
    built_name = f"build_model({spec.name!r})" if spec is not None else type(built).__name__
    return Table(("check", "equal", "detail"), rows, title=f"{type(plain).__name__} against {built_name}")
