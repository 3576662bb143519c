"""Training recipes: everything about *how* a model is trained, as data.

``seed`` reproduces source 000: Adadelta at learning rate 1.0, the rate multiplied by 0.7
after every epoch, 14 epochs, batch 64, random horizontal flips, inputs normalised with mean
0.5 and std 0.5. One deliberate difference: the source also flipped its test images at random;
here evaluation never augments, so a result does not depend on a coin toss.

``fast`` aims at ``seed``'s final accuracy in at most half of ``seed``'s time: SGD with
Nesterov momentum and a one-cycle schedule (linear warm-up over the first fifth of the steps,
then linear decay to zero) at peak rate 0.2, weight decay, random flips, and progressive
resizing: 11 epochs, the first 4 on images scaled down to 16x16, the next 4 on 24x24, the last 3
at the full 32x32.

- Progressive resizing: in the short tuning runs the best candidate of each length ended lower the
  more epochs it had, and a CPU cannot give more full-size epochs in half ``seed``'s time. In the chosen tuning run a
  16x16 epoch of short3 cost 0.21 of a full-size epoch's training time and a 24x24 epoch 0.53
  (one thread, bf16; ``comparison.stage_times``), and the last full-size epochs let the model
  adapt to the size it is tested at (Touvron et al. 2019; progressive learning in Tan and Le
  2021). Evaluation after a small-image epoch uses test images of that size too.
- Batch 128: twice ``seed``'s 64, at which a GPU waits on the host (``results/bench``), with 390
  updates per epoch on the full training set; on a small CPU training set, still enough updates
  per epoch. 7 epochs at batch 64 ended no lower on validation than 8 at 128 (one run each).
- Chosen on a validation split carved from the training images (``gnet compare --validation``;
  the runs are stored under ``results/tuning/``, the log is appendix A1), never on the test set.
  Without resizing the best was 0.278 (8 epochs); the peak rate 0.1, random 4-pixel shifts with
  label smoothing 0.1, and batch 64 ended higher, each by a margin within the noise of one run.
  Adadelta with a linear decay was tried at 6 epochs only, where it ended below the SGD candidate
  of that length (again within noise). With resizing: 0.246 for the stages above, 0.2625 for 6
  epochs at 24x24 and 3 at 32x32.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

from ...core.errors import UsageError


def batch_count(images: int, batch_size: int, drop_last: bool) -> int:
    """Batches in one pass over ``images``: whole batches only under ``drop_last``, else one more for
    the remainder. The one rule behind the batch stream's length and a recipe's steps per epoch."""
    return images // batch_size if drop_last else -(-images // batch_size)


@dataclass(frozen=True)
class Recipe:
    name: str
    epochs: int
    batch_size: int
    optimizer: Literal["adadelta", "sgd"]
    lr: float
    schedule: Literal["step", "onecycle"]
    gamma: float = 0.7
    warmup_fraction: float = 0.0
    momentum: float = 0.0
    weight_decay: float = 0.0
    label_smoothing: float = 0.0
    flip: bool = True
    crop_padding: int = 0
    mean: tuple[float, float, float] = (0.5, 0.5, 0.5)
    std: tuple[float, float, float] = (0.5, 0.5, 0.5)
    drop_last: bool = False
    eval_batch_size: int = 1000
    aux_weight: float = 0.3
    grad_clip: float | None = None  # clip the gradients' total norm to this (after fp16's unscaling)
    # Progressive resizing: (epochs, side) stages at the start of a run, in which the images are
    # scaled down to side x side for training and evaluation; the later epochs use the data's size.
    resize_stages: tuple[tuple[int, int], ...] = ()

    def drops_last(self, train_size: int) -> bool:
        """Whether an epoch drops its last, incomplete batch: under ``drop_last``, when there is at
        least one whole batch (fewer images than a batch are kept as one batch)."""
        return self.drop_last and train_size >= self.batch_size

    def steps_per_epoch(self, train_size: int) -> int:
        """Optimisation steps in one epoch of ``train_size`` images."""
        return batch_count(train_size, self.batch_size, self.drops_last(train_size))

    def as_dict(self) -> dict[str, Any]:
        """The recipe as stored in results (recipes stored before a field existed count it as its
        default: :data:`gnet_lib.training.results.results.RECIPE_DEFAULTS`)."""
        return asdict(self)

    def image_side(self, epoch: int) -> int | None:
        return stage_side(self.resize_stages, epoch)

    def resize_text(self) -> str:
        return resize_text(self.resize_stages)

    def check_resize(self, image_side: int | None = None) -> None:
        """A usage error unless the run ends at the images' own size and every stage shrinks
        images of ``image_side`` (not checked without it)."""
        staged = sum(epochs for epochs, _ in self.resize_stages)
        if self.resize_stages and staged >= self.epochs:
            raise UsageError(
                f"recipe {self.name} trains its first {staged} epochs on smaller images and {self.epochs} in all, "
                "so it would never train at the images' own size; its resize stages must leave at least one epoch"
            )
        too_big = [side for _, side in self.resize_stages if image_side is not None and not 0 < side < image_side]
        if too_big and image_side is not None:
            raise UsageError(f"recipe {self.name} resizes to side {too_big[0]}, which does not shrink "
                             f"{image_side}x{image_side} images; resize stages need sides from 1 to {image_side - 1}")

    def with_changes(self, epochs: int | None = None, batch_size: int | None = None, lr: float | None = None) -> Recipe:
        """The same recipe with some fields overridden (``None`` keeps the recipe's own). Other
        epochs scale the resize stages in proportion (rounded down, empty stages dropped), as
        the one-cycle schedule scales with the run, so a run always ends at the images' own size."""
        changes: dict[str, Any] = {k: v for k, v in (("epochs", epochs), ("batch_size", batch_size), ("lr", lr)) if v is not None}
        for key, value in changes.items():
            if value <= 0:
                raise UsageError(f"{key} must be positive, got {value}")
        if epochs is not None and epochs != self.epochs:
            scaled = ((n * epochs // self.epochs, side) for n, side in self.resize_stages)
            changes["resize_stages"] = tuple((n, side) for n, side in scaled if n > 0)
        return replace(self, **changes)


def stage_side(stages: Sequence[Sequence[int]], epoch: int) -> int | None:
    """The image side of (0-based) ``epoch`` under resize ``stages``; ``None``: the data's own."""
    end = 0
    for epochs, side in stages:
        end += epochs
        if epoch < end:
            return side
    return None


def resize_text(stages: Sequence[Sequence[int]]) -> str:
    """Resize stages in words, e.g. "4 epochs at 16x16, 4 at 24x24, then the images' own size"."""
    if not stages:
        return "the images' own size throughout"
    words = [f"{epochs} at {side}x{side}" for epochs, side in stages]
    words[0] = words[0].replace(" at ", " epochs at ", 1)
    return ", ".join(words) + ", then the images' own size"


RECIPES: dict[str, Recipe] = {
    "seed": Recipe(name="seed", epochs=14, batch_size=64, optimizer="adadelta", lr=1.0, schedule="step", gamma=0.7, flip=True),
    "fast": Recipe(
        name="fast",
        epochs=11,
        batch_size=128,
        optimizer="sgd",
        lr=0.2,
        schedule="onecycle",
        warmup_fraction=0.2,
        momentum=0.9,
        weight_decay=5e-4,
        label_smoothing=0.0,
        flip=True,
        crop_padding=0,
        mean=(0.4914, 0.4822, 0.4465),
        std=(0.2470, 0.2435, 0.2616),
        drop_last=True,
        resize_stages=((4, 16), (4, 24)),
    ),
}


def get_recipe(name: str) -> Recipe:
    if name not in RECIPES:
        raise UsageError(f"unknown recipe {name!r}; choose one of: {', '.join(RECIPES)}")
    return RECIPES[name]
