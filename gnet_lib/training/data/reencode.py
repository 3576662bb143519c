"""Re-encode a JPEG image folder at a lower quality: how much the data's compression costs.

The CIFAR-10 copy this project trains on is a JPEG mirror (quality 75, 4:2:0 chroma
subsampling), and the original release cannot be had here. To estimate what the compression
costs, chapter 6 measures the slope instead: the same images re-encoded at lower qualities
(for example 50 and 30, with the same subsampling), each trained on with the same protocol.

A re-encoded folder has the usual ``train/<class>/*`` and ``test/<class>/*`` layout and a
marker file, ``reencoded.json``, that names the quality and the source; :mod:`gnet_lib.training.data.data`
reads it, so results on such a folder are filed under their own dataset key
(``cifar10-jpeg-q50``) and their captions say what the data was.
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from statistics import fmean

from PIL import Image

from ...core.errors import UsageError
from .data import (
    REENCODED_MARKER,
    folder_fingerprint,
    image_files,
    is_image_folder,
    reencoding,
)

#: Pillow's name for the mirror's chroma subsampling, kept in every re-encoded copy.
SUBSAMPLING = "4:2:0"


def _check_any_quality(quality: int, highest: int = 100, why: str = "") -> None:
    if isinstance(quality, bool) or not isinstance(quality, int) or not 1 <= quality <= highest:
        raise UsageError(f"JPEG quality must be a whole number from 1 to {highest}{why}, got {quality!r}")


def quantiser_scale(quality: int) -> int:
    """The percentage by which libjpeg, the encoder Pillow calls, scales its standard quantisation
    tables at a JPEG ``quality``: 5000 / quality (whole-number division) below 50 and
    200 - 2 x quality from 50 on, each scaled step rounded and kept between 1 and 255. Quality 50
    is the standard tables themselves (100%); quality 100 gives 0%, where every step is 1, the
    finest the format has. A measure of the compression on which a line through errors at several
    qualities extrapolates otherwise than on the quality itself (chapter 6)."""
    _check_any_quality(quality)
    return 5000 // quality if quality < 50 else 200 - 2 * quality


def encoder_tables(quality: int) -> dict[int, list[int]]:
    """The quantisation tables Pillow's encoder writes at a JPEG ``quality`` (0: luminance,
    1: chrominance; 64 steps each, in the order the file stores them), read back from a blank
    8 x 8 image encoded here: the encoder's own numbers, not a copy of them."""
    _check_any_quality(quality)
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="JPEG", quality=quality, subsampling=SUBSAMPLING)
    with Image.open(buffer) as image:
        return {table: list(steps) for table, steps in image.quantization.items()}


def mean_luma_step(quality: int) -> float:
    """The mean quantisation step of the luminance table at a JPEG ``quality``: how coarsely the
    encoder rounds the brightness detail (1.0 at quality 100, where every step is 1)."""
    return fmean(encoder_tables(quality)[0])


def check_quality(quality: int) -> None:
    """A usage error unless ``quality`` is a JPEG quality Pillow accepts and that lowers the data's."""
    _check_any_quality(quality, 95, " (the mirror is 75)")


def _check_source(source: Path) -> dict[str, list[Path]]:
    if not is_image_folder(source):
        raise UsageError(f"{source} is not an image folder: it needs train/<class>/* and test/<class>/* "
                         "(for example the CIFAR-10 JPEG mirror)")
    splits = {split: [f for files in image_files(source / split).values() for f in files] for split in ("train", "test")}
    others = sorted({f.suffix for files in splits.values() for f in files} - {".jpg", ".jpeg", ".JPG", ".JPEG"})
    if others:
        raise UsageError(f"{source} holds {', '.join(others)} files; only a folder of JPEG images can be re-encoded")
    if not splits["train"] or not splits["test"]:
        raise UsageError(f"{source} has no images in train/ or test/")
    return splits


def _check_destination(destination: Path) -> None:
    if destination.exists():
        raise UsageError(f"{destination} already exists; remove it to make it again, or choose another folder")
    if not destination.parent.is_dir():
        raise UsageError(f"{destination.parent} is not a folder; create it first")


def _write_images(source: Path, splits: dict[str, list[Path]], partial: Path, quality: int,
                  log: Callable[[str], None]) -> int:
    count = 0
    for files in splits.values():
        for f in files:
            target = partial / f.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            with Image.open(f) as image:
                image.convert("RGB").save(target, format="JPEG", quality=quality, subsampling=SUBSAMPLING)
            count += 1
            if count % 10_000 == 0:
                log(f"re-encoded {count:,} images")
    return count


def reencode_folder(source: Path, destination: Path, quality: int,
                    log: Callable[[str], None] = print) -> dict[str, object]:
    """Write every image of ``source`` re-encoded at JPEG ``quality`` into ``destination``.

    The copy is written into a hidden folder beside ``destination`` and renamed only when every
    image is written; on any failure or interrupt that folder is removed, so no half-made
    dataset is ever left. Returns the marker written into the copy."""
    source, destination = Path(source).expanduser(), Path(destination).expanduser()
    check_quality(quality)
    splits = _check_source(source)
    _check_destination(destination)
    partial = destination.parent / f".{destination.name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    marker = {
        "quality": quality,
        "subsampling": SUBSAMPLING,
        "encoder": f"Pillow {Image.__version__}",
        "source_fingerprint": folder_fingerprint(source),
        "source_reencoding": reencoding(source),
        "images": {split: len(files) for split, files in splits.items()},
    }
    try:
        count = _write_images(source, splits, partial, quality, log)
        (partial / REENCODED_MARKER).write_text(json.dumps(marker, indent=2) + "\n")
        partial.rename(destination)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    log(f"{count:,} images re-encoded at JPEG quality {quality} into {destination}")
    return marker
