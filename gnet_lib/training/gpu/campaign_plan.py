"""The campaign's steps in priority order, each with its training runs and their result files.

1. the six non-naive variants, seed 1 (one group on shared batches, where the probe found that faster);
2. naive, seed 1;
3. and 4. the six variants, seeds 2 and 3;
5. googlenet with the ``fast`` recipe (the recipe comparison; its ``seed`` row is googlenet's
   seed-1 run of step 1, copied, not trained again);
6. on: the mid-scale protocol's runs (:mod:`gnet_lib.training.experiments.midscale`) that no result file holds
   yet, in that list's order: the chapter-6 protocol trained on the GPU instead of a CPU.

All on the whole CIFAR-10 training set, 14 epochs of ``seed``, with the settings the probe chose
(:mod:`gnet_lib.training.gpu.probe_reading`). The mid-scale runs keep that protocol's own identity:
fp32 evaluation and trained conv biases, so that they are the very runs the CPU queue would make;
its fp32 run is left to the CPU (a GPU's fp32 convolutions use TF32) and its re-encoded-data runs
to the machine that holds the re-encoded copies.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ..data.data import ImageData
from ..engine.train import run_identity
from ..experiments.midscale import CURVE_IMAGES, RUNS, SUBSET_SEED, TRAIN_IMAGES, MidscaleRun
from ..results.results import result_path, reusable_result
from ..settings.config import TrainConfig
from .probe import GROUP_MODELS
from .probe_reading import Choices
from .window_plan import RunWork, Step

#: CIFAR-10's training and test images: what the estimates count, in a dry run too.
FULL = (50_000, 10_000)
SEEDS = (1, 2, 3)


@dataclass
class PlannedRun:
    """One training run of the campaign: its name in the log, its settings (with its checkpoint
    folder), its result file, and whether that result is stored already."""

    label: str
    config: TrainConfig
    result: Path
    stored: bool


@dataclass(frozen=True)
class Folders:
    """Where results and checkpoints go, the device's label in file names, how damaged files are remade."""

    results: Path
    runs: Path
    device_label: str
    rerun: str


def planned(label: str, config: TrainConfig, data: ImageData, f: Folders, path: Path | None = None) -> PlannedRun:
    """``config`` at the path ``gnet ablation`` uses (or ``path``), with its checkpoint folder; a
    stored result of other settings, or a damaged one, is a UsageError here, before any training."""
    config.validate()
    identity = run_identity(config, data)
    path = path or result_path(f.results, identity)
    run_dir = f.runs / path.relative_to(f.results).with_suffix("")
    return PlannedRun(label, replace(config, run_dir=str(run_dir), resume=True), path,
                      reusable_result(path, identity, f.rerun) is not None)


def _variants(base: TrainConfig, data: ImageData, f: Folders, seed: int, priority: int, together: bool) -> Step:
    runs = [planned(f"{m} s{seed}", replace(base, model=m, seed=seed), data, f) for m in GROUP_MODELS]
    return Step(f"the six variants, seed {seed}" + (", as one group" if together else ", one after another"),
                priority, [RunWork(m, *FULL) for m in GROUP_MODELS], together, all(r.stored for r in runs), runs)


def recipe_folder(f: Folders, data: ImageData) -> Path:
    return f.results / "recipes" / f"{f.device_label}-googlenet-{data.key}"


def seed_row(base: TrainConfig, data: ImageData, f: Folders) -> PlannedRun:
    """The recipe comparison's ``seed`` row: googlenet's seed-1 run, filed under the comparison."""
    folder = recipe_folder(f, data)
    return planned("seed (recipe comparison)", replace(base, model="googlenet", seed=1), data, f, folder / "seed.json")


def _fast(base: TrainConfig, data: ImageData, f: Folders, priority: int) -> Step:
    run = planned("fast (recipe comparison)", replace(base, model="googlenet", recipe="fast", seed=1), data, f,
                  recipe_folder(f, data) / "fast.json")
    work = RunWork("googlenet", *FULL, epochs=11, recipe="fast")
    return Step("googlenet, recipe fast (the recipe comparison)", priority, [work], False, run.stored, [run])


def midscale_config(base: TrainConfig, run: MidscaleRun, sizes: tuple[int, int]) -> TrainConfig:
    """The mid-scale protocol's settings for ``run`` (``sizes``: its training and curve subsets)."""
    return replace(base, model=run.model, seed=run.seed, train_subset=sizes[0], test_subset=sizes[1],
                   subset_seed=SUBSET_SEED, final_test=True, precision=run.precision,
                   source_bn_eps=False if run.fixed_bn_eps else None, eval_precision="fp32", conv_bias_grad=True)


def _midscale(base: TrainConfig, data: ImageData, f: Folders, sizes: tuple[int, int], first: int) -> list[Step]:
    steps = []
    gpu_runs = [r for r in RUNS if r.data_variant is None and r.precision == "bf16"]
    for i, run in enumerate(gpu_runs):
        planned_run = planned(f"mid-scale {run.label}", midscale_config(base, run, sizes), data, f)
        if not planned_run.stored:
            work = RunWork(run.model, TRAIN_IMAGES, CURVE_IMAGES, final_images=FULL[1])
            steps.append(Step(f"mid-scale protocol: {run.label}", first + i, [work], False, False, [planned_run]))
    return steps


def plan_steps(base: TrainConfig, data: ImageData, f: Folders, choices: Choices,
               midscale_sizes: tuple[int, int] = (TRAIN_IMAGES, CURVE_IMAGES)) -> list[Step]:
    """Every step of the campaign in priority order (see the module docstring)."""
    naive = planned("naive s1", replace(base, model="naive", seed=1), data, f)
    steps = [_variants(base, data, f, 1, 1, choices.together),
             Step("naive, seed 1", 2, [RunWork("naive", *FULL)], False, naive.stored, [naive]),
             *(_variants(base, data, f, seed, 1 + seed, choices.together) for seed in SEEDS[1:]),
             _fast(base, data, f, 5)]
    return steps + _midscale(base, data, f, midscale_sizes, 6)
