"""The first GPU contact's probe logs, read back into numbers.

``results/bench/h100-first-contact/`` keeps four small probe scripts and the output each printed
on one NVIDIA H100 (its README names the machine and the versions). They time one training step of
source 000's CIFAR googlenet on random 32x32 inputs in several forms: eager PyTorch, ``torch.compile``,
and the whole step recorded as one CUDA graph, in fp32 or bf16, NCHW or channels-last; and one
of them profiles the eager step. This module parses those logs, so that a book page shows the
probes' own figures rather than figures copied from them:

* :func:`probe_steps` reads every timed step of every log, one :class:`ProbeStep` each;
* :func:`profiled_step` reads the profiler's totals: kernel launches, CPU and GPU time per step;
* :func:`probe_table` tabulates the steps.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from ...core.errors import UsageError
from ...core.tables import Table

#: The logs of timed steps, and the profile, in a first-contact folder.
STEP_LOGS = ("profile_step.log", "profile_compile.log", "graph_step.log", "graph_compiled.log")
PROFILE_LOG = "profile_step.log"

# "eager bf16 cl b64 {'img_s': 1155.04, 'ms_step': 55.41, ...}"
_TIMED = re.compile(r"^(?P<tag>(?:eager|compiled)\b.*?) (?P<values>\{.*\})\s*$")
# "graph bs=64 cl=True tensor_lr=True: 4567 img/s, 14.01 ms/step, ..."
_GRAPH = re.compile(r"^graph bs=(?P<batch>\d+) cl=(?P<cl>True|False) .*?: (?P<img_s>[\d.]+) img/s, (?P<ms>[\d.]+) ms/step")
_TOTAL = re.compile(r"^Self (?P<what>CPU|CUDA) time total: (?P<value>[\d.]+)(?P<unit>ms|us|s)\s*$")
_UNIT_MS = {"s": 1000.0, "ms": 1.0, "us": 0.001}


@dataclass(frozen=True)
class ProbeStep:
    """One timed training step of a probe: how it ran, and its images per second and milliseconds per step."""

    step: str  # "eager", "torch.compile (default)", "one CUDA graph, eager kernels", ...
    precision: str
    layout: str
    batch: int
    optimizer: str
    images_per_s: float
    ms_per_step: float
    log: str
    note: str = ""


def _from_tag(tag: str, values: dict[str, float], log: str) -> ProbeStep:
    """A profile log's line, e.g. ``"compiled reduce-overhead bf16 cl b64"``, as a step."""
    words = tag.replace("(prof)", "profiled").split()
    batch = next((int(w[1:]) for w in words if re.fullmatch(r"b\d+", w)), None)
    if batch is None or not {"fp32", "bf16"} & set(words):
        raise UsageError(f"{log}: cannot read the probe line {tag!r}; expected e.g. 'eager bf16 cl b64'")
    step = "eager" if words[0] == "eager" else f"torch.compile ({words[1]})"
    extra = [w for w in words[words.index(f"b{batch}") + 1:] if w != "sgd"]
    return ProbeStep(step, "bf16" if "bf16" in words else "fp32", "channels-last" if "cl" in words else "NCHW", batch,
                     "SGD" if "sgd" in words else "Adadelta", float(values["img_s"]), float(values["ms_step"]), log,
                     " ".join(extra))


def probe_steps(folder: str | Path) -> list[ProbeStep]:
    """Every timed step in the folder's logs (:data:`STEP_LOGS`, those present), in log order."""
    folder = Path(folder)
    present = [name for name in STEP_LOGS if (folder / name).is_file()]
    if not present:
        raise UsageError(f"no probe log in {folder}; expected some of {', '.join(STEP_LOGS)}")
    steps = []
    for name in present:
        for line in (folder / name).read_text().splitlines():
            if timed := _TIMED.match(line):
                steps.append(_from_tag(timed["tag"], ast.literal_eval(timed["values"]), name))
            elif graph := _GRAPH.match(line):
                kernels = "compiled kernels" if name == "graph_compiled.log" else "eager kernels"
                steps.append(ProbeStep(f"one CUDA graph, {kernels}", "bf16", "channels-last" if graph["cl"] == "True" else "NCHW",
                                       int(graph["batch"]), "Adadelta", float(graph["img_s"]), float(graph["ms"]), name))
    return steps


@dataclass(frozen=True)
class ProfiledStep:
    """The profiler's totals over a few eager steps, per step."""

    steps: int
    launches: float  # cudaLaunchKernel calls
    cpu_ms: float
    gpu_ms: float


def profiled_step(folder: str | Path) -> ProfiledStep:
    """Per step of the profiled eager step (:data:`PROFILE_LOG`): kernel launches, and the CPU and GPU
    time the profiler counted. The number of steps is the optimizer's calls in the profile."""
    path = Path(folder) / PROFILE_LOG
    if not path.is_file():
        raise UsageError(f"no profile in {path.parent}; expected {PROFILE_LOG}")
    calls: dict[str, int] = {}
    totals: dict[str, float] = {}
    for line in path.read_text().splitlines():
        if total := _TOTAL.match(line.strip()):
            totals[total["what"]] = float(total["value"]) * _UNIT_MS[total["unit"]]
        elif (cells := line.split()) and cells[-1].isdigit() and "%" in line:
            calls.setdefault(cells[0], int(cells[-1]))
    steps = next((n for name, n in calls.items() if name.startswith("Optimizer.step")), None)
    if steps is None or "cudaLaunchKernel" not in calls or set(totals) != {"CPU", "CUDA"}:
        raise UsageError(f"{path} holds no complete profiler table (optimizer steps, kernel launches, CPU and CUDA totals)")
    return ProfiledStep(steps, calls["cudaLaunchKernel"] / steps, totals["CPU"] / steps, totals["CUDA"] / steps)


def probe_table(steps: list[ProbeStep]) -> Table:
    """The probes' timed steps, by batch size, in the order the logs give them."""
    rows = [{"batch": s.batch, "step": s.step, "precision": s.precision, "layout": s.layout, "optimizer": s.optimizer,
             "images/s": round(s.images_per_s), "ms per step": s.ms_per_step, "log": s.log + (f" ({s.note})" if s.note else "")}
            for s in sorted(steps, key=lambda s: s.batch)]
    return Table(tuple(rows[0]), rows, title="One training step of googlenet in several forms (the first-contact probes)",
                 notes=["random 32x32 inputs; the step: forward, backward and the optimizer's update; log: the probe's output"])
