"""How the paper trained and tested GoogLeNet, as data and arithmetic: its crop sampling beside
torchvision's ``RandomResizedCrop``, its 144 test crops per image, its results (Tables 2 and 3 of
the paper, with their internal arithmetic checked), and the input statistics that replace its
mean subtraction in the book's CIFAR pipeline.
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import torch
from torchvision.transforms import RandomResizedCrop

from ...core.architectures import get_spec
from ...core.layers import layer_table
from ...core.published import TORCHVISION_GOOGLENET
from ...core.tables import Table
from ..engine.lr_schedules import PAPER_LR_CUT, PAPER_LR_EVERY
from ..settings.recipes import Recipe

#: Training crops: a fraction of the image area, and an aspect ratio (width / height).
PAPER_CROP_AREA = (0.08, 1.0)
PAPER_CROP_ASPECT = (3 / 4, 4 / 3)

#: Testing: the shorter side of the image at each scale, the crop size, and the ensemble.
TEST_SCALES = (256, 288, 320, 352)
TEST_CROP = 224
ENSEMBLE_MODELS = 7
#: ILSVRC's classification validation set (the paper's section 7); the classification data of
#: 2012 were used again in 2013 and 2014, and torchvision's "ImageNet-1K" is the same data.
ILSVRC_VALIDATION_IMAGES = 50_000
#: A typical ImageNet photograph's size (width, height), for examples.
EXAMPLE_IMAGE = (500, 375)
PAPER_MOMENTUM = 0.9


def _recipe_column(r: Recipe) -> dict[str, str]:
    optimizer = "Adadelta" if r.optimizer == "adadelta" else "SGD" + (", Nesterov" if r.momentum else "")
    schedule = f"x{r.gamma:g} after every epoch" if r.schedule == "step" else f"one-cycle, peak {r.lr:g}"
    crops = f"shifts of up to {r.crop_padding} pixels" if r.crop_padding else "none"
    return {"optimizer": optimizer, "momentum": f"{r.momentum:g}" if r.optimizer == "sgd" else "(Adadelta has none)",
            "learning-rate schedule": schedule, "weights used for testing": "the last step's",
            "training crops": crops, "image size in training": r.resize_text(),
            "random flips": "yes" if r.flip else "no", "photometric distortions": "none",
            "input": f"(x - mean) / std per channel, mean {_triple(r.mean)}, std {_triple(r.std)}",
            "testing": "one model, one view"}


def protocol_table(recipes: dict[str, Recipe]) -> Table:
    """The paper's training and testing protocol beside the book's recipes."""
    paper = {"optimizer": "asynchronous SGD (DistBelief)", "momentum": f"{PAPER_MOMENTUM:g}",
             "learning-rate schedule": f"x{1 - PAPER_LR_CUT:g} every {PAPER_LR_EVERY} epochs",
             "weights used for testing": "Polyak average",
             "training crops": f"{_span(PAPER_CROP_AREA)} of the area, aspect {_span(PAPER_CROP_ASPECT)}",
             "image size in training": f"{TEST_CROP}x{TEST_CROP} throughout",
             "random flips": "not stated", "photometric distortions": "Howard's", "input": "mean subtracted",
             "testing": f"{ENSEMBLE_MODELS} models x {len(evaluation_crops(*EXAMPLE_IMAGE))} crops"}
    columns = {"paper": paper, **{name: _recipe_column(r) for name, r in recipes.items()}}
    rows = [{"": what, **{name: column[what] for name, column in columns.items()}} for what in paper]
    return Table(("", *columns), rows, title="How the paper trained and tested, and how the book's recipes do")


def torchvision_crop_defaults() -> dict[str, tuple[float, float]]:
    """The ``scale`` and ``ratio`` defaults of the installed torchvision's ``RandomResizedCrop``."""
    parameters = inspect.signature(RandomResizedCrop).parameters
    return {name: tuple(parameters[name].default) for name in ("scale", "ratio")}


def crop_defaults_table() -> Table:
    """The paper's crop ranges beside torchvision's defaults."""
    defaults = torchvision_crop_defaults()
    rows = []
    for what, paper, key in (("area, fraction of the image", PAPER_CROP_AREA, "scale"),
                             ("aspect ratio, width / height", PAPER_CROP_ASPECT, "ratio")):
        ours = defaults[key]
        same = all(math.isclose(a, b) for a, b in zip(paper, ours))
        rows.append({"crop": what, "paper": _span(paper), "torchvision parameter": key,
                     "torchvision default": _span(ours), "same": same})
    return Table(tuple(rows[0]), rows, title="Training crops: the paper and RandomResizedCrop's defaults")


def _triple(values: tuple[float, ...]) -> str:
    return ", ".join(f"{v:g}" for v in values)


def _span(bounds: tuple[float, float]) -> str:
    return f"{bounds[0]:.4g} to {bounds[1]:.4g}"


@dataclass(frozen=True)
class EvalCrop:
    """One of the paper's test crops: where it lies in the image resized to ``scale``."""

    scale: int  # the shorter side after resizing
    square: str  # which square of the resized image
    view: str  # a corner, the centre, or the whole square (then resized to the crop size)
    mirrored: bool
    box: tuple[int, int, int]  # left, top and side, in pixels of the resized image


def resized_size(width: int, height: int, shorter: int) -> tuple[int, int]:
    """The size of a ``width`` x ``height`` image resized so that its shorter side is ``shorter``."""
    factor = shorter / min(width, height)
    return round(width * factor), round(height * factor)


def squares(width: int, height: int) -> list[tuple[str, int, int]]:
    """The three squares of an image (left, centre, right; top, centre, bottom if portrait),
    as (name, left, top); their side is the shorter side."""
    side = min(width, height)
    if width >= height:
        return [("left", 0, 0), ("centre", (width - side) // 2, 0), ("right", width - side, 0)]
    return [("top", 0, 0), ("centre", 0, (height - side) // 2), ("bottom", 0, height - side)]


def views(side: int, crop: int = TEST_CROP) -> list[tuple[str, int, int, int]]:
    """The six views of a square: four corner crops, the centre crop, and the whole square,
    as (name, left, top, side) within the square."""
    far, mid = side - crop, (side - crop) // 2
    corners = [("top-left", 0, 0), ("top-right", far, 0), ("bottom-left", 0, far), ("bottom-right", far, far)]
    return [(name, x, y, crop) for name, x, y in corners] + [("centre", mid, mid, crop), ("whole square", 0, 0, side)]


def evaluation_crops(width: int, height: int, scales: tuple[int, ...] = TEST_SCALES, crop: int = TEST_CROP) -> list[EvalCrop]:
    """Every crop the paper evaluates for one test image: scales x squares x views x mirrors."""
    crops = []
    for scale in scales:
        w, h = resized_size(width, height, scale)
        for square, left, top in squares(w, h):
            for view, x, y, size in views(min(w, h), crop):
                for mirrored in (False, True):
                    crops.append(EvalCrop(scale, square, view, mirrored, (left + x, top + y, size)))
    return crops


def ensemble_macs(macs_per_crop: int, crops: int, models: int = ENSEMBLE_MODELS) -> int:
    """Multiply-accumulates spent on one test image: every model sees every crop (each crop is
    ``TEST_CROP`` pixels square, so it costs one forward pass at the training size)."""
    return macs_per_crop * crops * models


@dataclass(frozen=True)
class Entry:
    """One row of the paper's Table 2: an ILSVRC classification entry."""

    team: str
    year: int
    place: str
    top5_error: float  # percent
    external_data: str


#: The paper's Table 2, as printed (top-5 error in percent, on the ILSVRC test set).
ILSVRC_CLASSIFICATION = (
    Entry("SuperVision", 2012, "1st", 16.4, "no"),
    Entry("SuperVision", 2012, "1st", 15.3, "Imagenet 22k"),
    Entry("Clarifai", 2013, "1st", 11.7, "no"),
    Entry("Clarifai", 2013, "1st", 11.2, "Imagenet 22k"),
    Entry("MSRA", 2014, "3rd", 7.35, "no"),
    Entry("VGG", 2014, "2nd", 7.32, "no"),
    Entry("GoogLeNet", 2014, "1st", 6.67, "no"),
)

#: The relative reductions the paper's text claims against the earlier winners' entries that
#: used external data: 56.5% against SuperVision, "about 40%" against Clarifai.
CLAIMED_REDUCTIONS = {"SuperVision": 56.5, "Clarifai": 40.0}


def classification_table() -> Table:
    """Table 2 of the paper, as printed."""
    rows = [{"team": e.team, "year": str(e.year), "place": e.place, "top-5 error %": e.top5_error,
             "external data": e.external_data} for e in ILSVRC_CLASSIFICATION]
    return Table(tuple(rows[0]), rows, title="ILSVRC classification results (the paper's Table 2)")


def relative_reduction(new: float, old: float) -> float:
    """By how many percent ``new`` is below ``old``."""
    return 100 * (old - new) / old


def reductions_table() -> Table:
    """GoogLeNet's error relative to each earlier winner's entry with external data: the
    reduction the paper claims beside the exact one from its own Table 2."""
    googlenet = next(e for e in ILSVRC_CLASSIFICATION if e.team == "GoogLeNet")
    rows = []
    for team, claimed in CLAIMED_REDUCTIONS.items():
        old = next(e for e in ILSVRC_CLASSIFICATION if e.team == team and e.external_data != "no")
        rows.append({"against": f"{team} {old.year} ({old.external_data})", "its top-5 error %": old.top5_error,
                     "claimed reduction %": claimed,
                     "computed reduction %": round(relative_reduction(googlenet.top5_error, old.top5_error), 2)})
    return Table(tuple(rows[0]), rows, title="GoogLeNet's relative error reductions")


@dataclass(frozen=True)
class Breakdown:
    """One row of the paper's Table 3: a testing choice and its top-5 error (validation set)."""

    models: int
    crops: int
    cost: int  # as printed: the forward passes per image
    top5_error: float  # percent
    vs_base: float | None  # as printed, in points; None for the base row


#: The paper's Table 3, as printed.
TESTING_BREAKDOWN = (
    Breakdown(1, 1, 1, 10.07, None),
    Breakdown(1, 10, 10, 9.15, -0.92),
    Breakdown(1, 144, 144, 7.89, -2.18),
    Breakdown(7, 1, 7, 8.09, -1.98),
    Breakdown(7, 10, 70, 7.62, -2.45),
    Breakdown(7, 144, 1008, 6.67, -3.45),
)


def breakdown_table() -> Table:
    """Table 3 with its arithmetic redone: cost = models x crops, and the difference to the
    base row from the printed errors; ``consistent`` says whether both agree with the print."""
    base = TESTING_BREAKDOWN[0].top5_error
    rows = []
    for b in TESTING_BREAKDOWN:
        difference = round(b.top5_error - base, 2)
        rows.append({"models": b.models, "crops": b.crops, "printed cost": b.cost, "models x crops": b.models * b.crops,
                     "top-5 error %": b.top5_error, "printed vs base": b.vs_base,
                     "computed vs base": difference if b.vs_base is not None else None,
                     "consistent": b.cost == b.models * b.crops and (b.vs_base is None or math.isclose(b.vs_base, difference))})
    return Table(tuple(rows[0]), rows, title="Testing choices (the paper's Table 3, validation set)")


def channel_stats(images: torch.Tensor, chunk: int = 5000) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Per-channel mean and standard deviation of ``uint8`` images (N x C x H x W), on the
    0..1 scale, over every pixel of every image (summed in chunks, in float64)."""
    total = torch.zeros(images.shape[1], dtype=torch.float64)
    squares_sum = torch.zeros_like(total)
    for start in range(0, len(images), chunk):
        x = images[start:start + chunk].to(torch.float64) / 255
        total += x.sum(dim=(0, 2, 3))
        squares_sum += (x * x).sum(dim=(0, 2, 3))
    count = images.shape[0] * images.shape[2] * images.shape[3]
    mean = total / count
    std = (squares_sum / count - mean * mean).sqrt()
    return tuple(mean.tolist()), tuple(std.tolist())


def normalised_stats(mean: tuple[float, ...], std: tuple[float, ...], recipe: Recipe) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """What a recipe's normalisation ``(x - m) / s`` makes of channels with this mean and std."""
    new_mean = tuple((mu - m) / s for mu, m, s in zip(mean, recipe.mean, recipe.std))
    new_std = tuple(sd / s for sd, s in zip(std, recipe.std))
    return new_mean, new_std


def input_stats_table(mean: tuple[float, ...], std: tuple[float, ...], recipes: dict[str, Recipe]) -> Table:
    """Per channel: the training images' mean and std, and what each recipe's normalisation
    turns them into (mean 0 is what the paper's mean subtraction gives)."""
    after = {name: normalised_stats(mean, std, r) for name, r in recipes.items()}
    rows = []
    for i, channel in enumerate(("red", "green", "blue")[:len(mean)]):
        row = {"channel": channel, "mean": round(mean[i], 4), "std": round(std[i], 4)}
        for name, (m, s) in after.items():
            row[f"{name}: mean"] = round(m[i], 4)
            row[f"{name}: std"] = round(s[i], 4)
        rows.append(row)
    return Table(tuple(rows[0]), rows, title="Input statistics (0..1 scale), before and after each recipe's normalisation")


def crop_gains() -> Table:
    """What each step to more crops bought in Table 3, per model count: the points of top-5 error
    gained, the forward passes it added per image, and the points per added pass."""
    rows = []
    for models in sorted({b.models for b in TESTING_BREAKDOWN}):
        steps = [b for b in TESTING_BREAKDOWN if b.models == models]
        for before, after in pairwise(steps):
            gained, passes = before.top5_error - after.top5_error, (after.crops - before.crops) * models
            rows.append({"models": models, "crops": f"{before.crops} -> {after.crops}",
                         "points gained": round(gained, 2), "added passes": passes,
                         "points per added pass": round(gained / passes, 4)})
    return Table(tuple(rows[0]), rows, title="More crops in the paper's Table 3: the gain, and the gain per forward pass",
                 notes=["top-5 error on the validation set, in points; passes: forward passes per image"])


def single_crop_table() -> Table:
    """The paper's one-model, one-crop row of Table 3 beside torchvision's published accuracy of
    its GoogLeNet weights, each as accuracy and as error (error = 100 - accuracy, in percent).
    Figures are shown with all their printed digits."""
    paper = TESTING_BREAKDOWN[0]
    tv = TORCHVISION_GOOGLENET

    def shown(value: float) -> str:
        return f"{value:g}"

    rows: list[dict[str, Any]] = [
        {"model": "the paper's GoogLeNet (Table 3: 1 model, 1 crop)", "top-1 accuracy %": None, "top-1 error %": None,
         "top-5 accuracy %": shown(round(100 - paper.top5_error, 2)), "top-5 error %": shown(paper.top5_error),
         "crop": "1 crop (which one, not said)"},
        {"model": tv.model, "top-1 accuracy %": shown(tv.top1_accuracy), "top-1 error %": shown(tv.top1_error),
         "top-5 accuracy %": shown(tv.top5_accuracy), "top-5 error %": shown(tv.top5_error), "crop": tv.evaluation},
    ]
    notes = ["printed figures: the paper's top-5 error, torchvision's two accuracies; the other cells are 100 minus them",
             "Table 3 gives no top-1 figure; top-5: an image counts as right when its class is among the five highest scores",
             (f"both on the same {ILSVRC_VALIDATION_IMAGES:,} validation images: the paper's ILSVRC 2014 validation set is "
              f"ILSVRC 2012's, and torchvision's {tv.dataset} is that set too")]
    return Table(tuple(rows[0]), rows, title="One model, one crop: the paper against torchvision's GoogLeNet weights",
                 notes=notes)


def network_differences() -> Table:
    """What differs between the paper's network and torchvision's, read from the two specs and
    their layer tables (without auxiliary heads, as both are tested)."""
    specs = {"paper": get_spec("inception-v1"), "torchvision": get_spec("torchvision-googlenet")}
    tables = {name: layer_table(name_, aux_logits=False) for name, name_ in (("paper", "inception-v1"),
                                                                              ("torchvision", "torchvision-googlenet"))}

    def kernel(name: str) -> str:
        row = next(r for r in tables[name].layer_rows if r.name.startswith("3a / 5x5") and "reduce" not in r.name)
        return "x".join(map(str, row.kernel or ()))

    values: dict[str, dict[str, Any]] = {name: {"batch norm after every convolution": "yes" if spec.batch_norm else "no",
                     "local response normalisation layers": sum(r.kind == "lrn" for r in tables[name].layer_rows),
                     "convolution biases": "yes" if spec.conv_bias else "no",
                     "kernel of the \"5x5\" branch": kernel(name),
                     "dropout before the classifier": spec.classifier.dropout,
                     "parameters": tables[name].total_params}
              for name, spec in specs.items()}
    rows: list[dict[str, Any]] = [{"": key, "paper": values["paper"][key], "torchvision": values["torchvision"][key]}
                                  for key in values["paper"]]
    return Table(("", "paper", "torchvision"), rows, title="The two networks, from their specs (without auxiliary heads)")
