"""What came after GoogLeNet, in published ImageNet figures that can be compared.

An ILSVRC-2012 top-5 error means little without its evaluation: one model on one centre crop,
one model on many crops, or an ensemble of models on many crops, on the validation or the test
images. :func:`successors_table` shows the figures of :data:`gnet_lib.core.published.IMAGENET_RESULTS` one
setting at a time, so that a row is compared only with the rows of its own table.
"""

from __future__ import annotations

from collections.abc import Sequence

from .errors import UsageError
from .published import IMAGENET_RESULTS, PAPERS, ImageNetResult
from .tables import Table

#: The evaluation settings, in the order the table shows them.
SETTINGS = ("one model, one crop", "one model, many crops", "ensemble, many crops")


def setting(result: ImageNetResult) -> str:
    """Which of :data:`SETTINGS` a result belongs to (dense multi-scale evaluation counts as many crops)."""
    if result.models > 1:
        return SETTINGS[2]
    return SETTINGS[0] if result.crops == 1 else SETTINGS[1]


#: What the image column of :func:`successors_table` means.
IMAGE_SETS = {
    "validation": "the 50,000 ILSVRC-2012 validation images",
    "validation subset": "some of the validation images (the note under the table says which)",
    "test": "the 100,000 ILSVRC test images, scored by the challenge's server",
}


def image_set(result: ImageNetResult) -> str:
    """Which of :data:`IMAGE_SETS` a result was measured on."""
    if result.split == "test":
        return "test"
    return "validation" if result.images == "50,000" else "validation subset"


def successors_table(which: str, results: Sequence[ImageNetResult] = IMAGENET_RESULTS) -> Table:
    """The published figures of one evaluation setting (one of :data:`SETTINGS`), validation
    figures first, each part in the order the figures appeared; what a row's note or image subset
    says is listed below the table."""
    if which not in SETTINGS:
        raise UsageError(f"unknown evaluation setting {which!r}; the settings are {', '.join(map(repr, SETTINGS))}")
    chosen = sorted((r for r in results if setting(r) == which), key=lambda r: (r.split != "validation", r.year))
    rows = [{"network": r.network, "evaluation": r.evaluation, "images": image_set(r), "top-1 %": r.top1,
             "top-5 %": r.top5, "source": f"{PAPERS[r.paper]}, {r.where}"} for r in chosen]
    sets = {image_set(r) for r in chosen}
    notes = [f"{name}: {IMAGE_SETS[name]}" for name in IMAGE_SETS if name in sets]
    notes += [f"{r.network} ({r.where}, {image_set(r)}): {'; '.join(_remarks(r))}" for r in chosen if _remarks(r)]
    return Table(("network", "evaluation", "images", "top-1 %", "top-5 %", "source"), rows, notes=notes,
                 title=f"Published ILSVRC-2012 classification errors: {which}")


def _remarks(result: ImageNetResult) -> list[str]:
    subset = [f"{result.images} validation images"] if image_set(result) == "validation subset" else []
    return subset + ([result.note] if result.note else [])
