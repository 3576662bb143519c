"""Where a result came from: device, software versions, code version, date."""

from __future__ import annotations

import datetime as _dt
import os
import platform
import subprocess
from pathlib import Path

import torch
import torchvision

from ...core.errors import UsageError
from ...core.version import __version__
from ..settings.locations import CHECKOUT_DIR


def pick_device(requested: str = "auto") -> torch.device:
    """``auto``: CUDA if available, else Apple's MPS, else the CPU. An explicit request for
    an accelerator that is not there is an error, not a silent fallback."""
    if requested in (None, "", "auto"):
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        device = torch.device(requested)
    except RuntimeError:
        raise UsageError(f"unknown device {requested!r}; use auto, cpu, cuda, cuda:N or mps") from None
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise UsageError(f"device {requested!r} was requested but this machine has no usable CUDA GPU; use --device cpu or auto")
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise UsageError(f"device {requested!r} does not exist: this machine has {torch.cuda.device_count()} CUDA device(s)")
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise UsageError(f"device {requested!r} was requested but MPS is not available here; use --device cpu or auto")
    return device


def cpu_info_field(name: str) -> str | None:
    """A field of the first processor in Linux's ``/proc/cpuinfo`` (``"model name"``, ``"flags"``),
    or None where there is no such file or field (macOS, Windows)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return None
    return next((line.split(":", 1)[1].strip() for line in text.splitlines()
                 if line.split(":", 1)[0].strip() == name and ":" in line), None)


def cpu_has_native_bf16() -> bool:
    """Whether this CPU computes bf16 natively (x86 ``avx512_bf16`` or ``amx_bf16``); ``False``
    where the flags cannot be read."""
    flags = (cpu_info_field("flags") or "").split()
    return "avx512_bf16" in flags or "amx_bf16" in flags


def device_name(device: torch.device) -> str:
    """A readable name of the hardware behind ``device``."""
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    if device.type == "mps":
        return "Apple GPU (MPS)"
    threads = torch.get_num_threads()
    using = f"({threads} thread{'' if threads == 1 else 's'})"
    model = cpu_info_field("model name")
    return f"{model or platform.processor() or platform.machine()} {using}"


def git_commit() -> str:
    """The commit of the checkout gnet_lib runs from, with ``+dirty`` for local changes."""
    root = CHECKOUT_DIR
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
        if commit.returncode != 0:
            return "unknown (not a git checkout)"
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "gnet_lib"], cwd=root, capture_output=True, text=True, timeout=10)
        return commit.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown (git not available)"


def environment(device: torch.device) -> dict:
    """Where a result was made: device, versions, platform, the machine's CPU count (the scale of
    its load average, :func:`machine_load`) and the library's commit."""
    return {
        "device": device.type,
        "device_name": device_name(device),
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "gnet_lib": __version__,
        "git_commit": git_commit(),
    }


def now() -> str:
    """The current UTC time, ISO 8601, to the second."""
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


def machine_load() -> float | None:
    """The machine's one-minute load average (runnable processes, this one included), or
    ``None`` where the system does not report it. Benchmarks record it before and after, training
    at the end of every epoch's training pass: a sample of the last minute, to be read against the
    environment's ``cpu_count``. Inside a virtual machine it cannot see other tenants of the host."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None
