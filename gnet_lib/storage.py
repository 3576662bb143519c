"""Files that are never half-written: atomic JSON and checkpoint writes, checked reads.

A write goes to a temporary file in the same folder, is flushed to disk, then renamed over
the target (``os.replace`` is atomic on POSIX and Windows), so a crash leaves either the old
file or the new one, never a truncated mix.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import torch


class CheckpointError(RuntimeError):
    """A checkpoint that cannot be used: corrupt, or written for a different run."""


def _atomic(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8), atomically."""
    _atomic(Path(path), lambda f: f.write(text.encode("utf-8")))


def write_json(path: str | os.PathLike, data: Any) -> None:
    """Write ``data`` as indented JSON, atomically."""
    write_text(path, json.dumps(data, indent=2) + "\n")


def read_json(path: str | os.PathLike) -> Any:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def save_checkpoint(path: str | os.PathLike, state: dict[str, Any]) -> None:
    """``torch.save`` the state, atomically."""
    _atomic(Path(path), lambda f: torch.save(state, f))


def load_checkpoint(path: str | os.PathLike) -> dict[str, Any]:
    """Load a checkpoint (tensors and plain data only); a broken file gives :class:`CheckpointError`."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise CheckpointError(f"no checkpoint at {path}; start the run without --resume") from None
    except Exception as exc:  # unpickling errors, truncated zip archives, ...
        raise CheckpointError(
            f"checkpoint {path} is corrupt or not a gnet_lib checkpoint ({type(exc).__name__}: {exc}); "
            "delete it to start the run again from scratch"
        ) from None
    if not isinstance(state, dict) or "format" not in state or state["format"] != CHECKPOINT_FORMAT:
        raise CheckpointError(f"{path} is not a gnet_lib training checkpoint (format {CHECKPOINT_FORMAT}); delete it or point elsewhere")
    return state


CHECKPOINT_FORMAT = "gnet_lib.checkpoint.v1"
