"""The whole training step as one CUDA graph, and the backend settings of the fast CUDA path.

Measured on an H100 with a 16-core host (``results/bench/h100-first-contact``): at batch 64
the eager step of the CIFAR GoogLeNet launches about 1,200 kernels, and the host needs 73 ms
to launch them against 13.6 ms of GPU work, so the GPU waits. A CUDA graph records the
step's kernels once (forward, backward and the optimiser update) and replays them with one
launch: 4.0x the eager step there, 6.0x with compiled kernels inside the graph.

A graph replays fixed memory: the batch is copied into static input tensors, the optimiser
must keep its state and learning rate on the GPU (``capturable=True``, a tensor ``lr`` that
the scheduler updates in place), and every batch must have the captured shape (an epoch's
last, smaller batch runs eagerly). The graph holds the whole step: zeroing the gradients (a
fill of the flat gradient buffer with :class:`~gnet_lib.training.engine.flat_adadelta.FlatAdadelta`,
nothing with an optimiser whose gradients backward allocates), forward, backward, the update,
and the epoch's running sums of loss and top-k hits, so a replay leaves the host nothing to
do but copy the next batch in. Capturing needs a few warm-up steps first; they would change
the model, so :func:`without_side_effects` restores the model, the optimiser and the running
sums afterwards, bit for bit, and training goes on exactly as without them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import torch
from torch import Tensor, nn

StepFn = Callable[[Tensor, Tensor], tuple[Tensor, Tensor]]


@contextmanager
def without_side_effects(model: nn.Module, optimizer: torch.optim.Optimizer, extra: Sequence[Tensor] = ()) -> Iterator[None]:
    """Run the block, then put every parameter, buffer, optimiser state tensor and ``extra`` tensor
    back to its value before the block (in place, so captured addresses stay valid). State created
    inside the block (an optimiser's lazily made buffers) is zeroed: its value before the first step.
    The CPU's random generator is restored too; CUDA's is not, since a captured graph draws
    from it by offsets of its own, so on CUDA the dropout draws after a capture differ."""
    saved_model = {k: v.detach().clone() for k, v in model.state_dict(keep_vars=True).items()}
    saved_state = {id(p): {k: v.clone() for k, v in s.items() if isinstance(v, Tensor)}
                   for p, s in optimizer.state.items()}
    saved_extra = [t.clone() for t in extra]
    cpu_rng = torch.random.get_rng_state()  # CPU dropout draws; CUDA's generator is left to the graph
    try:
        yield
    finally:
        torch.random.set_rng_state(cpu_rng)
        with torch.no_grad():
            for k, v in model.state_dict(keep_vars=True).items():
                v.copy_(saved_model[k])
            for t, value in zip(extra, saved_extra):
                t.copy_(value)
            for p, state in optimizer.state.items():
                before = saved_state.get(id(p), {})
                for k, v in state.items():
                    if isinstance(v, Tensor):
                        v.copy_(before[k]) if k in before else v.zero_()
        for p in model.parameters():
            p.grad = None


class GraphedStep:
    """``step(x, y)`` replayed from a CUDA graph; see the module docstring.

    ``forward_backward_update(x, y)`` is the step without ``zero_grad`` and without the
    scheduler (which stays outside the graph); it returns the detached loss and logits. The
    graph captures ``optimizer.zero_grad`` before it. ``extra``: tensors the step changes besides
    the model and the optimiser (the running sums), restored after the warm-up.
    """

    def __init__(self, forward_backward_update: StepFn, model: nn.Module, optimizer: torch.optim.Optimizer,
                 x: Tensor, y: Tensor, warmup: int = 3, extra: Sequence[Tensor] = ()):
        self.x, self.y = x.clone(), y.clone()
        with without_side_effects(model, optimizer, extra):
            side = torch.cuda.Stream()
            side.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(side):
                for _ in range(warmup):
                    optimizer.zero_grad(set_to_none=True)
                    forward_backward_update(self.x, self.y)
            torch.cuda.current_stream().wait_stream(side)
            optimizer.zero_grad(set_to_none=True)
            self.graph = torch.cuda.CUDAGraph()
            with torch.cuda.graph(self.graph):
                optimizer.zero_grad(set_to_none=True)  # a captured fill for a flat buffer; nothing otherwise
                self.loss, self.logits = forward_backward_update(self.x, self.y)

    def fits(self, x: Tensor) -> bool:
        return x.shape == self.x.shape

    def __call__(self, x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
        self.x.copy_(x)
        self.y.copy_(y)
        self.graph.replay()
        return self.loss, self.logits


@contextmanager
def cuda_backend(tf32_matmul: bool, autotune: bool, deterministic: bool = False) -> Iterator[None]:
    """CUDA backend settings inside the block, the process's own settings after it: TF32 matrix
    products or not, cuDNN autotuning or not, and with ``deterministic`` deterministic kernels only
    (``torch.use_deterministic_algorithms``, warning where an operation has none). Convolutions
    may use TF32 in every case, as PyTorch's default allows. Uses the ``fp32_precision`` settings
    of torch 2.9 and later (mixing them with the deprecated ``allow_tf32`` flags can fail inside
    Inductor), the old flags before. The one place that sets these flags."""
    cudnn, matmul = torch.backends.cudnn, torch.backends.cuda.matmul
    conv: Any = getattr(cudnn, "conv", None)
    new_api = hasattr(matmul, "fp32_precision") and hasattr(conv, "fp32_precision")
    saved = (cudnn.benchmark, cudnn.deterministic, torch.are_deterministic_algorithms_enabled(),
             torch.is_deterministic_algorithms_warn_only_enabled(), os.environ.get("CUBLAS_WORKSPACE_CONFIG"))
    saved_tf32 = (matmul.fp32_precision, conv.fp32_precision) if new_api else (matmul.allow_tf32, cudnn.allow_tf32)
    if new_api:
        matmul.fp32_precision, conv.fp32_precision = ("tf32" if tf32_matmul else "ieee"), "tf32"
    else:
        matmul.allow_tf32, cudnn.allow_tf32 = tf32_matmul, True
    cudnn.benchmark, cudnn.deterministic = autotune and not deterministic, deterministic
    if deterministic:
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")  # cuBLAS's condition for determinism
        torch.use_deterministic_algorithms(True, warn_only=True)
    try:
        yield
    finally:
        if new_api:
            matmul.fp32_precision, conv.fp32_precision = saved_tf32
        else:
            matmul.allow_tf32, cudnn.allow_tf32 = saved_tf32
        cudnn.benchmark, cudnn.deterministic = saved[0], saved[1]
        torch.use_deterministic_algorithms(saved[2], warn_only=saved[3])
        if saved[4] is None:
            os.environ.pop("CUBLAS_WORKSPACE_CONFIG", None)


@contextmanager
def no_autotuning() -> Iterator[None]:
    """cuDNN autotuning off inside the block (as it was after): for shapes met once or rarely (an
    epoch's last, smaller batch, evaluation), where trying every algorithm costs more than it saves."""
    saved = torch.backends.cudnn.benchmark
    torch.backends.cudnn.benchmark = False
    try:
        yield
    finally:
        torch.backends.cudnn.benchmark = saved


def fast_cuda_backend(deterministic: bool = False) -> AbstractContextManager[None]:
    """A training run's settings: TF32 matrix products and cuDNN autotuning (none with ``deterministic``)."""
    return cuda_backend(tf32_matmul=True, autotune=True, deterministic=deterministic)


def pytorch_default_backend() -> AbstractContextManager[None]:
    """PyTorch's default settings (no TF32 matrix products, no autotuning), whatever they were outside."""
    return cuda_backend(tf32_matmul=False, autotune=False)
