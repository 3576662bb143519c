"""Files that are never half-written: atomic JSON and checkpoint writes, checked reads, and
the lock that keeps two runs out of one run folder.

A write goes to a temporary file in the same folder, is flushed to disk, then renamed over
the target (``os.replace`` is atomic on POSIX and Windows), so a crash leaves either the old
file or the new one, never a truncated mix.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import IO, Any

import torch

from ...core.errors import UsageError

try:
    import fcntl
except ImportError:  # Windows has no flock: run folders are not locked there
    fcntl = None  # type: ignore[assignment]


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


def first_non_finite(data: Any, where: str = "") -> str | None:
    """Where ``data`` (nested dicts and lists) holds its first NaN or infinity, e.g.
    ``history[1].train_loss``; ``None`` if it holds none."""
    if isinstance(data, float) and not math.isfinite(data):
        return where or "the value"
    if isinstance(data, dict):
        children = ((f"{where}.{key}" if where else str(key), value) for key, value in data.items())
    elif isinstance(data, (list, tuple)):
        children = ((f"{where}[{i}]", value) for i, value in enumerate(data))
    else:
        return None
    return next((found for name, value in children if (found := first_non_finite(value, name)) is not None), None)


def write_json(path: str | os.PathLike, data: Any) -> None:
    """Write ``data`` as indented JSON, atomically. A NaN or infinity is refused with a
    :class:`UsageError` naming it (nothing is written): JSON has no such numbers, and a stored
    ``NaN`` would break strict readers and every table drawn from the file."""
    try:
        text = json.dumps(data, indent=2, allow_nan=False)
    except ValueError:
        json.dumps(data)  # any other problem (a circular reference) is raised here as it is
        raise UsageError(f"{path} was not written: {first_non_finite(data)} is NaN or infinite, which JSON cannot hold; "
                         "if it comes from a diverged run, train again with a smaller --lr") from None
    write_text(path, text + "\n")


def read_json(path: str | os.PathLike) -> Any:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def save_checkpoint(path: str | os.PathLike, state: dict[str, Any]) -> None:
    """``torch.save`` the state, atomically."""
    _atomic(Path(path), lambda f: torch.save(state, f))


def _first_sentence(exc: Exception) -> str:
    """The start of an error's message (torch.load's run to paragraphs of advice that does not
    apply to a damaged file)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return text.split(". ")[0]


def load_checkpoint(path: str | os.PathLike) -> dict[str, Any]:
    """Load a checkpoint (tensors and plain data only); a broken file gives :class:`CheckpointError`."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise CheckpointError(f"no checkpoint at {path}; start the run without --resume") from None
    except OSError as exc:  # the file is there but cannot be read: nothing says it is damaged
        raise CheckpointError(f"checkpoint {path} cannot be read ({type(exc).__name__}: {exc}); "
                              "check its permissions and the disk, then resume again (do not delete it)") from None
    except Exception as exc:  # noqa: BLE001 (torch.load raises many types: unpickling errors, truncated zip archives, ...)
        raise CheckpointError(
            f"checkpoint {path} is corrupt or not a gnet_lib checkpoint ({type(exc).__name__}: {_first_sentence(exc)}); "
            "delete it to start the run again from scratch"
        ) from None
    if not isinstance(state, dict) or "format" not in state or state["format"] != CHECKPOINT_FORMAT:
        raise CheckpointError(f"{path} is not a gnet_lib training checkpoint (format {CHECKPOINT_FORMAT}); delete it or point elsewhere")
    return state


CHECKPOINT_FORMAT = "gnet_lib.checkpoint.v1"

LOCK_NAME = "run.lock"


class RunLockedError(UsageError):
    """A run folder another process is training in."""


class RunLock:
    """An exclusive lock on a run folder, so that two processes never train into one checkpoint.

    ``fcntl.flock`` on ``<folder>/run.lock``, which holds the holder's PID. The kernel drops the
    lock when the holder closes it or exits, however it exits (even ``kill -9``), so a file left
    behind never blocks a later run. The file itself stays: deleting it would let two processes
    lock two different files of the same name. A second lock of a folder is refused even within
    one process (flock locks belong to the open file, not the process).
    """

    def __init__(self, folder: str | os.PathLike):
        self.path = Path(folder) / LOCK_NAME
        self._file: IO[str] | None = None

    @property
    def held(self) -> bool:
        return self._file is not None

    def acquire(self) -> None:
        """Take the lock (creating the folder), or raise :class:`RunLockedError` naming the holder."""
        if self._file is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        f = os.fdopen(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644), "r+", encoding="utf-8")
        if fcntl is not None:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = f.read().strip() or "unknown"
                f.close()
                raise RunLockedError(
                    f"run folder {self.path.parent} is in use by another run (PID {holder}); wait for that run "
                    "to finish or stop it, then run again (it resumes from its checkpoint), or use another run folder"
                ) from None
        f.truncate(0)
        f.write(f"{os.getpid()}\n")
        f.flush()
        self._file = f

    def release(self) -> None:
        """Drop the lock (closing the file drops the flock); nothing if it is not held."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()
