"""Class indices stored as one string of fixed-width digits: how a result file keeps every test
image's label and prediction (10,000 CIFAR-10 predictions in 10 kB of readable JSON).

One digit per image for up to 10 classes, two for up to 100. Pure Python, so the paired
statistics can read result files where torch is not installed.
"""

from __future__ import annotations

from collections.abc import Iterable

from ...core.errors import UsageError


def _width(num_classes: int) -> int:
    return len(str(num_classes - 1))


def encode_labels(labels: Iterable[int], num_classes: int) -> str:
    """``[3, 0, 9]`` -> ``"309"`` (10 classes); ``[7, 42]`` -> ``"0742"`` (100 classes)."""
    width = _width(num_classes)
    return "".join(f"{int(v):0{width}d}" for v in labels)


def decode_labels(text: str, num_classes: int) -> list[int]:
    """The class indices :func:`encode_labels` wrote; a string that cannot be such is a usage
    error (a damaged result file, or not a ``final_test`` predictions or labels string)."""
    width = _width(num_classes)
    if len(text) % width or (text and not (text.isascii() and text.isdigit())):
        raise UsageError(f"a class string of {len(text)} characters is not {width}-digit class indices: the result "
                         "file is damaged, or this is not a final_test 'predictions' or 'labels' string")
    return [int(text[i:i + width]) for i in range(0, len(text), width)]
