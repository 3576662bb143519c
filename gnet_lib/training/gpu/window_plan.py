"""The GPU window's plan: each campaign step's estimated minutes, their total, what fits a budget.

GPU time comes in windows of about 15 minutes of machine time, commands of at most 10. The
campaign's steps, in priority order (1 first), are estimated from measured rates and dropped from
the lowest priority up until the total fits the budget; the campaign then runs what is kept, in
order.

Rates (:class:`Rates`), best source first:

* the first-contact probe's report (``results/bench/gpu-probe.json``, :mod:`gnet_lib.training.gpu.probe`):
  each variant's measured rate alone, the group's rate, naive's, the evaluation's, the first
  epoch's extra seconds;
* else the stored batch-64 benchmark (``results/bench/cuda-googlenet-b64.json``, an H200) for
  googlenet, and the stored googlenet run on that GPU for the evaluation's share and the first
  epoch's extra time. A variant with fewer multiply-accumulates than googlenet is not assumed
  faster than googlenet (at batch 64 the GPU is far from its arithmetic peak, so time does not
  follow MACs down), one with more is assumed slower in proportion; a group is not assumed to gain
  anything from running its runs together.

A run's seconds: over its epochs, training images over its rate plus test images over its
evaluation rate (both scaled by the epoch's image area where a recipe resizes), plus the first
epoch's extra seconds, plus the final test. A group's: its epochs at the group's rate per run,
every run's evaluations, and every run's first-epoch extra.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...core.errors import UsageError
from ...core.layers import layer_table
from ..results.results import load_bench, load_result
from ..results.storage import read_json
from ..settings.recipes import get_recipe

#: Decoding the 60,000-image CIFAR-10 JPEG mirror took 20.1 s on a busy 2-core AMD EPYC (README,
#: "Measured figures"); with Python and torch starting, half a minute.
DATA_LOAD_MINUTES = 0.5
#: Measured on the first H100 contact (README): the whole step as one CUDA graph ran 4,567 images/s
#: at batch 64, the eager step 1,155; the slowdown assumed when the probe's graph check failed.
EAGER_SLOWDOWN = 4567 / 1155
#: A group measured less than this much faster than its runs one at a time is not used.
GROUP_GAIN = 1.05


@dataclass(frozen=True)
class RunWork:
    """What one training run computes: ``epochs`` of ``recipe`` over ``train_images``, an evaluation
    of ``test_images`` after each, and a final test of ``final_images`` (0: none)."""

    model: str
    train_images: int
    test_images: int
    epochs: int = 14
    recipe: str = "seed"
    final_images: int = 0

    def area(self, epoch: int) -> float:
        """The epoch's image area as a share of the full size (a resizing recipe's stages)."""
        recipe = get_recipe(self.recipe).with_changes(epochs=self.epochs)
        side = recipe.image_side(epoch)
        return 1.0 if side is None else (side / 32) ** 2

    def full_epochs(self) -> float:
        return sum(self.area(e) for e in range(self.epochs))


@dataclass(frozen=True)
class Rates:
    """Measured training rates (images per second, per model alone and per run in a group),
    evaluation as a multiple of the training rate, and the first epoch's extra seconds."""

    train: dict[str, float]
    eval_ratio: float
    first_extra_s: dict[str, float]
    source: str
    group_each: float | None = None
    group_first_s: float | None = None

    def rate(self, model: str) -> float:
        if model in self.train:
            return self.train[model]
        reference = self.train["googlenet"]
        macs = layer_table(model).main_path_macs / layer_table("googlenet").main_path_macs
        return reference / max(1.0, macs)

    def first(self, model: str) -> float:
        return self.first_extra_s.get(model, max(self.first_extra_s.values(), default=0.0))

    def eval_seconds(self, w: RunWork) -> float:
        per_epoch = sum(w.area(e) for e in range(w.epochs)) * w.test_images
        return (per_epoch + w.final_images) / (self.eval_ratio * self.rate(w.model))

    def run_seconds(self, w: RunWork) -> float:
        return w.full_epochs() * w.train_images / self.rate(w.model) + self.eval_seconds(w) + self.first(w.model)

    def group_seconds(self, works: Sequence[RunWork]) -> float:
        if self.group_each is None:
            return sum(self.run_seconds(w) for w in works)
        w = works[0]
        first = self.group_first_s if self.group_first_s is not None else sum(self.first(x.model) for x in works)
        return w.full_epochs() * w.train_images / self.group_each + sum(self.eval_seconds(x) for x in works) + first


@dataclass
class Step:
    """One step of the window: a label, its priority (1 first), the runs it trains (``together``: as
    one group), what they compute (for the estimate), and whether everything is stored already."""

    label: str
    priority: int
    work: list[RunWork]
    together: bool = False
    stored: bool = False
    runs: list[Any] = field(default_factory=list)

    def seconds(self, rates: Rates | None) -> float | None:
        if self.stored:
            return 0.0
        if rates is None:
            return None
        return rates.group_seconds(self.work) if self.together and len(self.work) > 1 else sum(
            rates.run_seconds(w) for w in self.work)


def fit(steps: list[Step], budget_minutes: float | None, rates: Rates | None) -> tuple[list[Step], list[Step]]:
    """(kept, dropped): the lowest-priority steps dropped until the estimated total (data loading
    included) fits ``budget_minutes``; without a budget or estimates, everything is kept."""
    kept = sorted(steps, key=lambda s: s.priority)
    dropped: list[Step] = []
    if budget_minutes is None or rates is None:
        return kept, dropped
    while kept and total_minutes(kept, rates) > budget_minutes:
        dropped.insert(0, kept.pop())
    return kept, dropped


def total_minutes(steps: Sequence[Step], rates: Rates) -> float:
    return DATA_LOAD_MINUTES + sum(s.seconds(rates) or 0.0 for s in steps) / 60


def plan_lines(kept: list[Step], dropped: list[Step], budget_minutes: float | None, rates: Rates | None) -> list[str]:
    """The window plan as printed: each step's priority, label and estimated minutes, the total."""
    if rates is None:
        return [("window plan: no stored benchmark or probe report to estimate from; every step is kept, and "
                "only the budget's clock stops the campaign")] + [f"  {s.priority:>2}. {s.label}" for s in kept]
    lines = [f"window plan (estimates from {rates.source}):", f"      load the data: {DATA_LOAD_MINUTES:.1f} min"]
    for s in kept:
        lines.append(f"  {s.priority:>2}. {s.label}: " + ("stored" if s.stored else f"{(s.seconds(rates) or 0) / 60:.1f} min"))
    budget = "no budget" if budget_minutes is None else f"budget {budget_minutes:g} min"
    lines.append(f"  total: {total_minutes(kept, rates):.1f} min ({budget})")
    for s in dropped:
        lines.append(f"  dropped (does not fit): {s.priority}. {s.label}, {(s.seconds(rates) or 0) / 60:.1f} min")
    return lines


# -- where the rates come from -------------------------------------------------------------


def _stored_gpu_run(results_root: Path) -> dict[str, Any] | None:
    """A stored googlenet run on a CUDA GPU (the first found), if any."""
    for path in sorted(results_root.glob("*/seed/*/googlenet.json")):
        result = load_result(path)
        if result.get("environment", {}).get("device") == "cuda" and len(result.get("history", [])) > 2:
            return result
    return None


def rates_from_bench(results_root: Path) -> Rates | None:
    """Rates from the stored batch-64 benchmark and the stored googlenet GPU run (see the module
    docstring); ``None`` without that benchmark. Without the run, evaluation is taken as 3 times
    the training rate (a forward pass of a step's three passes) and the first epoch's extra as 30 s."""
    bench_file = results_root / "bench" / "cuda-googlenet-b64.json"
    if not bench_file.exists():
        return None
    bench = load_bench(bench_file)
    rate = float(bench["engine_best"])
    run = _stored_gpu_run(results_root)
    eval_ratio, first = 3.0, 30.0
    if run is not None:
        h = run["history"]
        train_s = statistics.median(e["epoch_time_s"] for e in h[1:])
        eval_s = statistics.median(e["eval_time_s"] for e in h[1:])
        eval_ratio = (run["identity"]["test_size"] / eval_s) / (h[1]["train_images"] / train_s)
        first = h[0]["epoch_time_s"] - train_s + h[0]["eval_time_s"] - eval_s
    name = bench.get("environment", {}).get("device_name", "a GPU")
    return Rates({"googlenet": rate}, eval_ratio, {"googlenet": first},
                 f"the stored batch-64 benchmark on {name}" + (" and its googlenet run" if run else ""))


PROBE_KEYS = {"date": str, "environment": dict, "settings": dict}
PROBE_SETTINGS = {"reference": str, "naive": str, "epoch_steps": int, "batch_size": int}


def load_probe(path: Path) -> dict[str, Any]:
    """A probe report; an unreadable or incomplete one is a :class:`UsageError` naming the file."""
    fix = "make it again with tools/gpu_probe.py, or delete it to estimate from the stored benchmark"
    try:
        report = read_json(path)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"the probe report {path} cannot be read ({exc}); {fix}") from None
    if not isinstance(report, dict) or report.get("format") != "gnet-gpu-probe-1":
        raise UsageError(f"{path} is not a probe report (gnet-gpu-probe-1); {fix}")
    wrong = [k for k, kind in PROBE_KEYS.items() if not isinstance(report.get(k), kind)]
    wrong += [f"settings.{k}" for k, kind in PROBE_SETTINGS.items() if not isinstance(report.get("settings", {}).get(k), kind)]
    if wrong:
        raise UsageError(f"the probe report {path} lacks {', '.join(wrong)}; {fix}")
    return report
