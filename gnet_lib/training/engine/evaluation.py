"""Sums of loss and top-k hits kept on the device, and a run's evaluation in fp32 or bf16.

:class:`RunningSums` holds an epoch's loss sum and top-1/top-5 hit counts as device tensors,
added to inside the training step (so inside a captured CUDA graph) and read once per epoch.

Evaluation in bf16 (:func:`pick_eval_precision`): the network up to its last feature map runs
under bf16 autocast, as training does; the classifier (global average pool and linear layer),
the loss and the top-k run in fp32 on the bf16 feature map made fp32, because 16-bit logits can
tie and blur the top-k. On the CPU, and wherever training is not bf16 on a CUDA GPU, ``auto``
keeps fp32, so CPU results stay what they were. The evaluation precision is part of a run's
identity. How close the two are is tested on the CPU (``tests/training/engine/test_evaluation.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ...core.errors import UsageError
from ...model.builder import GoogLeNet
from ..settings.choices import EVAL_PRECISIONS


def pick_eval_precision(requested: str, device: torch.device, precision: str) -> str:
    """The evaluation precision: ``auto`` is bf16 where training is bf16 on a CUDA GPU, fp32 elsewhere."""
    if requested not in EVAL_PRECISIONS:
        raise UsageError(f"unknown evaluation precision {requested!r}; choose one of: {', '.join(EVAL_PRECISIONS)}")
    if requested != "auto":
        return requested
    return "bf16" if device.type == "cuda" and precision == "bf16" else "fp32"


def topk_correct(logits: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    """How many rows of ``logits`` have their label first, and among their first five classes."""
    k = min(5, logits.shape[1])
    top = logits.topk(k, dim=1).indices
    hits = top.eq(y[:, None])
    return hits[:, 0].sum(), hits.any(dim=1).sum()


class RunningSums:
    """Loss sum and top-1/top-5 hit counts on ``device``, added to in place (captured graphs keep
    their addresses) and read with :meth:`read` (one synchronisation)."""

    def __init__(self, device: torch.device) -> None:
        self.loss = torch.zeros((), device=device)
        self.top1 = torch.zeros((), device=device, dtype=torch.long)
        self.top5 = torch.zeros((), device=device, dtype=torch.long)

    @property
    def tensors(self) -> tuple[Tensor, Tensor, Tensor]:
        return self.loss, self.top1, self.top5

    def reset(self) -> None:
        for t in self.tensors:
            t.zero_()

    def add(self, loss_sum: Tensor, logits: Tensor, y: Tensor) -> None:
        """Add a batch: ``loss_sum`` (the batch's summed loss) and the hits of ``logits``."""
        c1, c5 = topk_correct(logits, y)
        self.loss += loss_sum
        self.top1 += c1
        self.top5 += c5

    def read(self) -> tuple[float, int, int]:
        return self.loss.item(), int(self.top1.item()), int(self.top5.item())


def eval_logits(model: GoogLeNet, step_model: Callable[[Tensor], Tensor], x: Tensor, precision: str) -> Tensor:
    """The model's fp32 logits for ``x`` in evaluation mode: ``step_model`` (the model, compiled if
    it is) in fp32, or the feature map under bf16 autocast and the classifier in fp32."""
    if precision == "fp32":
        return step_model(x)
    with torch.autocast(x.device.type, dtype=torch.bfloat16, cache_enabled=False):
        features, _ = model.features(x)
    return model.classifier(features.float())


@torch.no_grad()
def evaluate_batches(model: nn.Module, logits_of: Callable[[Tensor], Tensor], batches: Iterable[tuple[Tensor, Tensor]],
                     keep_predictions: bool = False) -> tuple[tuple[float, int, int, int], Tensor | None]:
    """((loss sum, top-1 hits, top-5 hits, images), each image's top-1 class if asked) of the
    model in evaluation mode over ``batches``."""
    model.eval()
    sums: RunningSums | None = None
    predictions, images = [], 0
    for x, y in batches:
        logits = logits_of(x)
        if sums is None:
            sums = RunningSums(logits.device)
        sums.add(F.cross_entropy(logits, y, reduction="sum"), logits, y)
        images += len(y)
        if keep_predictions:
            predictions.append(logits.argmax(dim=1).cpu())
    loss, top1, top5 = sums.read() if sums is not None else (0.0, 0, 0)
    return (loss, top1, top5, images), torch.cat(predictions) if keep_predictions else None
