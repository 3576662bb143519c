"""What a training run is told: :class:`TrainConfig`, the one source of its settings' defaults,
their validation and the command line's training flags.

Each field that the command line sets carries its flag in the field's metadata (``flag``, its
help, and for switches the argparse ``action``); ``gnet train``, ``gnet ablation`` and
``gnet compare`` build their training options from these fields and read them back into a
``TrainConfig`` by field name, so a new setting is one field here. Nothing here imports PyTorch.
"""

from __future__ import annotations

import math
from dataclasses import Field, dataclass, field, fields
from typing import Any

from ...core.architectures import get_spec
from ...core.errors import UsageError
from ...core.specs import Network
from .choices import DATASETS, EVAL_PRECISIONS, PRECISIONS, SYNTHETIC_SIZES
from .recipes import RECIPES, Recipe, get_recipe

SEED_LIMIT = 2**32
"""Seeds run from 0 to ``SEED_LIMIT - 1``: torch takes 64-bit seeds, and each epoch's
generators are seeded with ``seed * 1_000_003 + epoch``, which must fit as well."""


def _check_seed(option: str, value: int | None) -> None:
    if value is not None and not (isinstance(value, int) and 0 <= value < SEED_LIMIT):
        raise UsageError(f"{option} must be a whole number from 0 to {SEED_LIMIT - 1:,}, got {value!r}; "
                         "choose a seed in that range")


def check_subset(train: int | None, test: int | None, sizes: tuple[int, int] | None, classes: int | None = None) -> None:
    """A usage error unless each requested subset size is a positive number no larger than its
    split (and, where the class count is known, at least one image per class)."""
    for what, n, i in (("--train-subset", train, 0), ("--test-subset", test, 1)):
        if n is None:
            continue
        if n < 1:
            raise UsageError(f"{what} must be a positive number of images, got {n}")
        if sizes is not None and n > sizes[i]:
            split = ("training", "test")[i]
            raise UsageError(
                f"{what} {n:,} is larger than the {split} split, which has {sizes[i]:,} images; "
                f"ask for at most {sizes[i]:,}, or leave {what} out to use the whole split"
            )
        if classes is not None and n < classes:
            raise UsageError(f"{what} {n} cannot hold all {classes} classes; ask for at least {classes} images")


def check_validation(n: int | None, training: int | None, classes: int | None = None) -> None:
    """A usage error unless a validation split of ``n`` images (``None``: none) is a positive number
    smaller than the ``training`` images it is taken from (where known) and, where the class count
    is known, holds every class."""
    if n is None:
        return
    if n < 1:
        raise UsageError(f"--validation must be a positive number of images, got {n}")
    if training is not None and n >= training:
        raise UsageError(f"--validation {n:,} leaves no training images: it is taken from the {training:,} "
                         "training images; ask for fewer")
    if classes is not None and n < classes:
        raise UsageError(f"--validation {n} cannot hold all {classes} classes; ask for at least {classes} images")


def _flag(default: Any, flag: str, help: str, **argparse_options: Any) -> Any:
    """A field the command line sets with ``flag`` (``%(default)s`` in ``help`` shows the default)."""
    return field(default=default, metadata={"flag": flag, "help": help, **argparse_options})


@dataclass
class TrainConfig:
    """What to train, on what, how; ``None`` fields take the recipe's or the device's default.

    ``precision``: ``auto`` (see :func:`gnet_lib.training.engine.train.pick_precision`), ``bf16``, ``fp16``
    or ``fp32``. ``compile``: ``True`` compiles with the default backend (inductor); a string names
    another ``torch.compile`` backend (the tests use ``"eager"``).
    ``conv_bias_grad=False``: the biases of convolutions in front of batch norm get no gradient
    (theirs is exactly zero in training mode) and keep their initial values; a faster step, recorded
    in the run's identity. ``subset_seed``: the seed that draws the class-balanced subsets (default:
    ``seed``); fixing it gives runs of several seeds the same images. ``final_test``: after the last
    epoch, evaluate on the whole test split and store every test image's prediction; ``test_subset``
    then sizes only the per-epoch evaluations.
    ``eval_precision``: ``auto`` (bf16 where training is bf16 on a CUDA GPU, fp32 elsewhere), ``bf16``
    or ``fp32``; recorded in the identity. The engine's switches that change no number, each on by
    default and recorded in the result's environment: ``epoch_data`` (each epoch's batches made at
    once, bit for bit the same), ``flat_optimizer`` (Adadelta on one flat buffer, CUDA only),
    ``cap_autotune`` (no cuDNN autotuning of the last partial batch and of evaluation, CUDA only),
    and ``eval_batch_size`` (default: the recipe's).
    """

    model: str = "googlenet"
    dataset: str = _flag("cifar10", "--dataset", "dataset (default: %(default)s)", choices=DATASETS)
    recipe: str = _flag("seed", "--recipe", "training recipe (default: %(default)s, source 000's)", choices=sorted(RECIPES))
    epochs: int | None = _flag(None, "--epochs", "override the recipe's number of epochs", type=int)
    batch_size: int | None = _flag(None, "--batch-size", "override the recipe's batch size", type=int)
    lr: float | None = _flag(None, "--lr", "override the recipe's learning rate", type=float)
    seed: int = _flag(1, "--seed", "random seed (default: %(default)s)", type=int)
    device: str = _flag("auto", "--device", "%(default)s (default), cpu, cuda, cuda:N or mps")
    data_dir: str | None = _flag(None, "--data-dir", "where the data is or goes: torchvision's CIFAR format, or an "
                                 "image folder with train/<class>/* and test/<class>/* (default: ./data)")
    download: bool = _flag(True, "--no-download", "never download; fail with instructions if the data is missing",
                           action="store_false")
    train_subset: int | None = _flag(None, "--train-subset", "train on a class-balanced subset of this many images", type=int)
    test_subset: int | None = _flag(None, "--test-subset", "evaluate on a class-balanced subset of this many images",
                                    type=int)
    validation: int | None = _flag(None, "--validation", "hold out N class-balanced training images and evaluate on "
                                   "them instead of the test set (for choosing settings; the test images are not used)",
                                   type=int, metavar="N")
    subset_seed: int | None = _flag(None, "--subset-seed", "draw the subsets (and the validation split) with this seed "
                                    "instead of --seed, so that runs of several seeds see the same images",
                                    type=int, metavar="N")
    final_test: bool = _flag(False, "--final-test", "after the last epoch, evaluate on the whole test split and store "
                             "every image's prediction (--test-subset then sizes only the per-epoch evaluations)",
                             action="store_true")
    synthetic_sizes: tuple[int, int] = _flag(SYNTHETIC_SIZES, "--synthetic-sizes", "image counts of the synthetic "
                                             f"dataset (default: {SYNTHETIC_SIZES[0]} {SYNTHETIC_SIZES[1]})", type=int, nargs=2, metavar=("TRAIN", "TEST"))
    aux_logits: bool | None = None
    compile: bool | str = _flag(False, "--compile", "torch.compile the model (worth it on GPUs for long runs)",
                                action="store_true")
    channels_last: bool | None = None
    precision: str = _flag("auto", "--precision", "auto (default): bf16 on GPUs from the Ampere generation on and "
                           "on CPUs with native bf16 (avx512_bf16 or AMX), fp16 on older GPUs, fp32 otherwise",
                           choices=PRECISIONS)
    cuda_graph: bool = _flag(True, "--no-cuda-graph", "on CUDA, launch every kernel of a step from Python instead of "
                             "replaying one captured graph", action="store_false")
    deterministic: bool = _flag(False, "--deterministic", "on CUDA, deterministic kernels only and no cuDNN autotuning "
                                "(slower; see gnet_lib.training.engine.train)", action="store_true")
    progress: bool = _flag(True, "--no-progress", "no progress bars", action="store_false")
    run_dir: str | None = None
    resume: bool = False

    source_bn_eps: bool | None = _flag(None, "--fixed-bn-eps", "correct source 000's BatchNorm2d(n5x5, n5x5) quirk "
                                       "in the CIFAR family (eps 1e-5 in every batch norm); by default the quirk is "
                                       "reproduced, as in the published runs", action="store_const", const=False)
    conv_bias_grad: bool = _flag(True, "--no-conv-bias-grad", "give the biases of convolutions in front of batch norm "
                                 "no gradient (theirs is exactly zero in training mode); a faster step, recorded in "
                                 "the result's identity", action="store_false")
    eval_precision: str = _flag("auto", "--eval-precision", "evaluation's precision: auto (default): bf16 where "
                                "training is bf16 on a CUDA GPU (the classifier, loss and top-k in fp32), fp32 "
                                "elsewhere; recorded in the result's identity", choices=EVAL_PRECISIONS)
    eval_batch_size: int | None = _flag(None, "--eval-batch-size", "images per evaluation batch (default: the "
                                        "recipe's); evaluation-mode results do not depend on it", type=int, metavar="N")
    epoch_data: bool = _flag(True, "--no-epoch-data", "make each training batch when it is needed instead of the "
                             "whole epoch at once (the same batches, bit for bit; slower on a GPU)",
                             action="store_false")
    flat_optimizer: bool = _flag(True, "--no-flat-optimizer", "on CUDA, update with torch.optim.Adadelta's "
                                 "multi-tensor path instead of the same update on one flat buffer (the CPU always "
                                 "uses torch.optim.Adadelta, which is faster there)", action="store_false")
    cap_autotune: bool = _flag(True, "--autotune-every-shape", "on CUDA, let cuDNN autotune every batch shape, "
                               "evaluation's and the last partial batch's too (by default only full training "
                               "batches are autotuned)", action="store_false")

    def __post_init__(self) -> None:
        self.synthetic_sizes = (int(self.synthetic_sizes[0]), int(self.synthetic_sizes[1]))

    def spec(self) -> Network:
        """The model's spec with this run's options (an unknown model name is a
        :class:`~gnet_lib.core.errors.UsageError`; any other error is a bug and keeps its traceback)."""
        return get_spec(self.model, aux_logits=self.aux_logits, source_bn_eps=self.source_bn_eps)

    def resolved_recipe(self) -> Recipe:
        """The named recipe with this run's overrides (epochs, batch size, learning rate); bad
        names and values are :class:`~gnet_lib.core.errors.UsageError` from the recipe itself."""
        return get_recipe(self.recipe).with_changes(self.epochs, self.batch_size, self.lr)

    def validate(self) -> None:
        """Check every setting that can be checked without data, so that a mistake stops the
        run before anything is read, downloaded or trained."""
        if self.lr is not None and not (math.isfinite(self.lr) and self.lr > 0):
            raise UsageError(f"--lr must be a positive, finite learning rate, got {self.lr}; "
                             "give a number such as 0.1, or leave --lr out to use the recipe's")
        _check_seed("--seed", self.seed)
        _check_seed("--subset-seed", self.subset_seed)
        self.spec()
        self.resolved_recipe().check_resize()
        if self.precision not in PRECISIONS:
            raise UsageError(f"unknown precision {self.precision!r}; choose one of: {', '.join(PRECISIONS)}")
        if self.eval_precision not in EVAL_PRECISIONS:
            raise UsageError(f"unknown evaluation precision {self.eval_precision!r}; choose one of: "
                             f"{', '.join(EVAL_PRECISIONS)}")
        if self.eval_batch_size is not None and self.eval_batch_size < 1:
            raise UsageError(f"--eval-batch-size must be a positive number of images, got {self.eval_batch_size}")
        check_subset(self.train_subset, self.test_subset, None)
        check_validation(self.validation, self.train_subset)
        if self.final_test and self.validation is not None:
            raise UsageError("--final-test evaluates on the test split, which --validation keeps out of sight; "
                             "use one of the two")

    def check_sizes(self, sizes: tuple[int, int] | None, classes: int | None = None) -> None:
        """The subset and validation sizes against the splits' ``(train, test)`` image counts and the
        class count, where known: the one check the command line (with counted sizes) and the data
        (with loaded ones) share."""
        check_subset(self.train_subset, self.test_subset, sizes, classes)
        check_validation(self.validation, self.train_subset or (sizes[0] if sizes else None), classes)

    @property
    def data_seed(self) -> int:
        """The seed of the class-balanced subsets and the validation split."""
        return self.seed if self.subset_seed is None else self.subset_seed


def flag_fields(leave_out: tuple[str, ...] = ()) -> list[Field]:
    """The fields of :class:`TrainConfig` the command line sets, in declaration order."""
    return [f for f in fields(TrainConfig) if "flag" in f.metadata and f.name not in leave_out]
