"""Every environment variable that gnet_lib and the book's chapters read, read here and nowhere
else (README.md lists them; a test checks both)."""

from __future__ import annotations

import os
from pathlib import Path

from ...core.errors import UsageError

#: name -> what setting it does (README.md's table says the same).
VARIABLES: dict[str, str] = {
    "GNET_RESULTS": "the results folder: the book reads stored results there and the command line writes them there",
    "GNET_CIFAR10_DIR": "a local CIFAR-10 copy (torchvision's format or an image folder), tried before any download",
    "GNET_FULL": "chapter 5: 1 trains the full-size run, 0 the small CPU one (default: full on a CUDA GPU)",
    "GNET_RUN_ABLATION": "chapter 6: 1 runs the ablation from the notebook (on a CUDA GPU)",
}


def _read(name: str) -> str | None:
    if name not in VARIABLES:
        raise KeyError(f"{name} is not one of gnet_lib's environment variables ({', '.join(VARIABLES)})")
    return os.environ.get(name) or None


def results_dir() -> Path | None:
    """``$GNET_RESULTS`` as a folder, or None when it is not set."""
    value = _read("GNET_RESULTS")
    return Path(value) if value else None


def cifar10_dir() -> str | None:
    """``$GNET_CIFAR10_DIR``, or None when it is not set."""
    return _read("GNET_CIFAR10_DIR")


def flag(name: str, default: bool) -> bool:
    """A 0/1 switch: ``1`` on, ``0`` off, unset or empty ``default``; anything else is an error."""
    value = _read(name)
    if value is None:
        return default
    if value not in ("0", "1"):
        raise UsageError(f"{name}={value!r}: set it to 1 (on) or 0 (off), or unset it for the default ({int(default)})")
    return value == "1"
