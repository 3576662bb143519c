"""Every GPU result the book needs, in one resumable command: ``gnet campaign``.

GPU time comes in short slices here (a machine for 30 minutes, commands of 10), so one
command makes all of it, in order, skipping whatever is already stored:

1. ``bench``: googlenet at batch 64 and 512, our engine against the plain loop;
2. the ``seed`` recipe's 14-epoch googlenet run on the whole training set (source 000's 28m45s row);
3. the other six variants of the ablation, same protocol, cheapest first;
4. ``seed`` against ``fast`` for googlenet on the whole training set;
5. the trained googlenet's weights as an fp16 state dict (from step 2's checkpoint).

It checks the data folder before any work, loads the data once for every training run, and
trains on one device; result files and checkpoints are the ones ``gnet ablation`` and ``gnet
compare`` write, so either command continues the other's runs. Before training it prints each
variant's estimated time, scaled from the stored benchmark by each model's multiply-accumulates.

Time budget (``budget_minutes``, a positive number of minutes counted from the start of
:func:`run_campaign`): the clock is read before each benchmark, before loading the data, before
each training run, before exporting the weights, and after every epoch (once its checkpoint is
written). None of these begins once the budget is spent. A training run begins only if the time
left is at least the estimated time of one full-size epoch of its model (the stored batch-64
benchmark's rate scaled by multiply-accumulates; without a stored benchmark only the spent
check applies), and a run's next epoch only if the time left is at least what its last epoch
took, training and evaluation (scaled by the image area where a resizing recipe changes the
size). So the budget is overrun only by the one step in progress when it runs out, and only by
as much as that step exceeds what it was judged by: a benchmark or the loading of the data
(neither is estimated), or an epoch slower than its estimate (a run's first epoch pays for
warm-up: googlenet's took 28 s on an H200, each later one 11 s). The campaign then returns
``False`` (the command exits 0); rerun the same command to continue from the checkpoints.

``dry_run`` does all of it on the CPU with tiny synthetic data, so that the whole command is
tested where there is no GPU. Its files go to the folders named for them or else into a new
temporary folder (printed), never into the book's results folder.
"""

from __future__ import annotations

import math
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import torchvision

from ..core.architectures import CIFAR_MODEL_NAMES
from ..core.errors import UsageError
from ..core.layers import layer_table
from .bench import benchmark
from .choices import CHECKPOINT_NAME
from .config import TrainConfig
from .data import (
    DataUnavailableError,
    ImageData,
    dataset_key,
    image_files,
    is_image_folder,
    load_data,
)
from .locations import CHECKOUT_RESULTS
from .provenance import pick_device
from .recipes import Recipe
from .results import (
    default_results_dir,
    load_bench,
    load_result,
    output_results_dir,
    result_path,
    reusable_result,
)
from .storage import write_json
from .train import run_identity, train_to_file
from .weights import export_weights

#: How a damaged file of the campaign is made again.
RERUN = "the same `python -m gnet_lib campaign` command (it makes every missing file again)"

#: Where CIFAR-10 can be had, for the messages of :func:`check_data`.
HOW_TO_GET_DATA = (
    "point --data-dir at an image folder with train/<class>/* and test/<class>/* (e.g. the CIFAR-10 JPEG mirror) "
    "or at the folder that holds torchvision's cifar-10-batches-py/, or use --dry-run"
)


class BudgetExhausted(Exception):
    """Raised before a step or an epoch that the time budget no longer allows; says which."""


class Budget:
    """A deadline ``minutes`` from now (none for ``None``), read with ``clock``."""

    def __init__(self, minutes: float | None, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.deadline = None if minutes is None else clock() + 60 * minutes

    def left(self) -> float:
        """Seconds left (infinite without a budget; negative once it is overrun)."""
        return math.inf if self.deadline is None else self.deadline - self.clock()

    def require(self, seconds: float, before: str) -> None:
        """:class:`BudgetExhausted` if the budget is spent, or if less than ``seconds`` of it is
        left for what comes next (``before`` names it)."""
        left = self.left()
        if left <= 0:
            raise BudgetExhausted(f"spent before {before}")
        if left < seconds:
            raise BudgetExhausted(f"{left:.0f} s left, {before} needs about {seconds:.0f} s")


@dataclass
class CampaignSettings:
    """What a campaign trains on and where its files go. A folder left ``None`` is ``results``
    or ``runs``, or for a dry run a new temporary folder (see :func:`resolve_folders`)."""

    data_dir: str | None = None
    results_dir: Path | None = None
    runs_dir: Path | None = None
    budget_minutes: float | None = None
    dry_run: bool = False

    def __post_init__(self) -> None:
        self.results_dir = None if self.results_dir is None else Path(self.results_dir)
        self.runs_dir = None if self.runs_dir is None else Path(self.runs_dir)
        minutes = self.budget_minutes
        if minutes is not None and not (math.isfinite(minutes) and minutes > 0):
            raise UsageError(f"--budget-minutes must be a positive number of minutes, got {minutes:g}; "
                             "leave it out to run without a time limit")

    @property
    def base(self) -> TrainConfig:
        if self.dry_run:
            return TrainConfig(dataset="synthetic", synthetic_sizes=(32, 10), epochs=1, batch_size=16, device="cpu",
                               precision="fp32", progress=False)
        return TrainConfig(dataset="cifar10", data_dir=self.data_dir, download=False, progress=False)

    @property
    def bench_sizes(self) -> tuple[int, ...]:
        return (4, 8) if self.dry_run else (64, 512)

    @property
    def device_label(self) -> str:
        device = pick_device(self.base.device)
        return "dryrun" if self.dry_run else device.type

    @property
    def folders(self) -> tuple[Path, Path]:
        """The results and runs folders, once :func:`resolve_folders` has set them."""
        if self.results_dir is None or self.runs_dir is None:
            raise ValueError("the campaign's folders are not resolved yet; call resolve_folders first")
        return self.results_dir, self.runs_dir


@dataclass
class PlannedRun:
    """One training run of the campaign: its name in the log, its settings (with its checkpoint
    folder), its result file, and whether that result is stored already."""

    label: str
    config: TrainConfig
    result: Path
    stored: bool


def book_results_folders() -> list[Path]:
    """The folders the book reads results from (see :func:`~gnet_lib.training.results.default_results_dir`)
    and the checkout's ``results/``: a dry run writes into none of them."""
    return [default_results_dir().resolve(), CHECKOUT_RESULTS.resolve()]


def resolve_folders(s: CampaignSettings, log: Callable[[str], None] = print) -> CampaignSettings:
    """``s`` with both folders set: as named, else ``$GNET_RESULTS`` (or ``results``) and ``runs``; for a dry run, the
    folders named, else a new temporary folder (logged, with both paths). A dry run into the
    book's results folder, or a folder inside it, is a :class:`UsageError`."""
    if not s.dry_run:
        return replace(s, results_dir=s.results_dir or output_results_dir(), runs_dir=s.runs_dir or Path("runs"))
    for folder, option in ((s.results_dir, "--results-dir"), (s.runs_dir, "--runs-dir")):
        book = next((b for b in book_results_folders() if folder is not None and folder.resolve().is_relative_to(b)), None)
        if book is not None:
            raise UsageError(f"a dry run writes synthetic results, and {option} {folder} is in the book's results "
                             f"folder {book}: name another folder, or give no {option} for a new temporary one")
    scratch = ""
    if s.results_dir is None or s.runs_dir is None:
        folder = Path(tempfile.mkdtemp(prefix="gnet-dryrun-"))
        s = replace(s, results_dir=s.results_dir or folder / "results", runs_dir=s.runs_dir or folder / "runs")
        scratch = f" ({folder} is a new temporary folder: delete it when done)"
    log(f"dry run: results go to {s.results_dir}, checkpoints to {s.runs_dir}{scratch}")
    return s


def check_data(s: CampaignSettings) -> None:
    """Stop before any work unless the data folder holds CIFAR-10: an image folder (``train/``
    and ``test/`` with the same ten class folders) or torchvision's files. Missing data is a
    :class:`~gnet_lib.training.data.DataUnavailableError`, a malformed folder a :class:`UsageError`."""
    if s.dry_run:
        return
    root = Path(s.data_dir or "data").expanduser()
    if not root.is_dir():
        raise DataUnavailableError(f"the data folder {root} does not exist; {HOW_TO_GET_DATA}")
    if is_image_folder(root):
        train, test = image_files(root / "train"), image_files(root / "test")
        if len(train) != 10:
            raise UsageError(f"{root / 'train'} has {len(train)} class folders with images; CIFAR-10 has 10")
        if list(test) != list(train):
            raise UsageError(f"{root / 'test'} has the class folders {list(test)}, {root / 'train'} has {list(train)}; "
                             "both splits need the same ten")
        return
    cifar = torchvision.datasets.CIFAR10
    folder = root / cifar.base_folder
    if not folder.is_dir():
        raise DataUnavailableError(f"{root} holds neither an image folder (train/ and test/) nor torchvision's "
                                   f"CIFAR-10 ({cifar.base_folder}/); {HOW_TO_GET_DATA}")
    missing = [name for name, _ in cifar.train_list + cifar.test_list if not (folder / name).is_file()]
    if missing:
        raise DataUnavailableError(f"{folder} lacks {', '.join(missing)}; unpack CIFAR-10 there again")


def _bench_path(s: CampaignSettings, batch: int) -> Path:
    return s.folders[0] / "bench" / f"{s.device_label}-googlenet-b{batch}.json"


def epoch_estimates(s: CampaignSettings, train_images: int) -> dict[str, float] | None:
    """Estimated seconds of one full-size training epoch over ``train_images`` images for each
    variant: the stored benchmark's rate at the first batch size, scaled by multiply-accumulates;
    ``None`` without a stored benchmark."""
    bench = _bench_path(s, s.bench_sizes[0])
    if not bench.exists():
        return None
    rate = load_bench(bench, RERUN)["engine_best"]
    base_macs = layer_table("googlenet").main_path_macs
    return {m: train_images / rate * layer_table(m).main_path_macs / base_macs for m in CIFAR_MODEL_NAMES}


def plan_runs(s: CampaignSettings, data: ImageData) -> list[PlannedRun]:
    """Steps 2 to 4 as training runs, in order, at the paths ``gnet ablation`` and ``gnet compare``
    use. A stored result made with other settings, or a damaged one, is a :class:`UsageError`
    here, before any training."""
    results_dir, runs_dir = s.folders
    base = s.base
    others = sorted((m for m in CIFAR_MODEL_NAMES if m != "googlenet"), key=lambda m: layer_table(m).main_path_macs)
    runs = []
    for model in ["googlenet", *others]:  # cheapest first: naive (7x googlenet's MACs) last
        config = replace(base, model=model)
        config.validate()
        identity = run_identity(config, data)
        path = result_path(results_dir, identity)
        run_dir = runs_dir / path.relative_to(results_dir).with_suffix("")
        runs.append(PlannedRun(model, replace(config, run_dir=str(run_dir), resume=True), path,
                               reusable_result(path, identity, RERUN) is not None))
    folder = results_dir / "recipes" / f"{s.device_label}-googlenet-{data.key}"
    for recipe in ("seed", "fast"):
        config = replace(base, model="googlenet", recipe=recipe, run_dir=str(runs_dir / folder.name / recipe), resume=True)
        config.validate()
        path = folder / f"{recipe}.json"
        runs.append(PlannedRun(f"{recipe} (recipe comparison)", config, path,
                               reusable_result(path, run_identity(config, data), RERUN) is not None))
    return runs


def _pixels(recipe: Recipe, epoch: int, side: int) -> int:
    """Pixels per training image in (0-based) ``epoch`` of ``recipe`` on images of ``side``."""
    return (recipe.image_side(epoch) or side) ** 2


def epoch_check(budget: Budget, run: PlannedRun, side: int) -> Callable[[dict[str, Any]], None]:
    """The ``on_epoch_end`` of ``run`` on images of ``side``: after each epoch but the run's last,
    :class:`BudgetExhausted` unless the next epoch fits at the pace of the one just finished
    (training and evaluation, scaled by the image area of the next epoch's size)."""
    recipe = run.config.resolved_recipe()

    def check(metrics: dict[str, Any]) -> None:
        done = metrics["epoch"]
        if done >= recipe.epochs:
            return  # the run ends and writes its result; the next run is checked before it starts
        took = metrics["epoch_time_s"] + metrics["eval_time_s"]
        budget.require(took * _pixels(recipe, done, side) / _pixels(recipe, done - 1, side), f"epoch {done + 1} of {run.label}")

    return check


def _bench(s: CampaignSettings, budget: Budget, log: Callable[[str], None]) -> None:
    for batch in s.bench_sizes:
        path = _bench_path(s, batch)
        if path.exists():
            load_bench(path, RERUN)  # a damaged one stops the campaign here, named
            log(f"bench b{batch}: stored, skipped")
            continue
        budget.require(0, f"the batch-{batch} benchmark")
        steps: dict[str, Any] = dict(steps=2, warmup=1, rounds=1) if s.dry_run else {}
        result = benchmark("googlenet", batch, device=s.base.device, **steps)
        write_json(path, result.as_dict())
        log(result.summary())


def run_campaign(s: CampaignSettings, log: Callable[[str], None] = print) -> bool:
    """Run every step that has no result yet; ``True`` when all are done, ``False`` when the
    budget stopped it (rerun to continue). The data and the folders are checked first."""
    budget = Budget(s.budget_minutes)
    check_data(s)
    s = resolve_folders(s, log)
    try:
        _bench(s, budget, log)
        budget.require(0, "loading the data")
        base = s.base
        data = load_data(base.dataset, base.data_dir, base.download, base.synthetic_sizes, seed=base.seed)
        runs = plan_runs(s, data)
        estimate = epoch_estimates(s, len(data.train_y))
        if estimate:
            epochs = base.resolved_recipe().epochs
            times = ", ".join(f"{m} {epochs * sec / 60:.1f} min" for m, sec in estimate.items())
            log(f"estimated training time per variant ({epochs} epochs, {len(data.train_y):,} images, from the "
                f"batch-{s.bench_sizes[0]} bench): {times}")
        for run in runs:
            if run.stored:
                log(f"{run.label}: result exists ({run.result}), skipped")
                continue
            budget.require(estimate[run.config.model] if estimate else 0, f"an epoch of {run.label}")
            log(f"{run.label}: training on {pick_device(run.config.device)} -> {run.result}")
            train_to_file(run.config, run.result, data, log, prefix=f"{run.label} ",
                          on_epoch_end=epoch_check(budget, run, data.train_x.shape[-1]))
        budget.require(0, "exporting the weights")
        export_campaign_weights(s, runs[0], log)
    except BudgetExhausted as exc:
        log(f"campaign: time budget reached ({exc}); finished epochs are checkpointed. "
            "Rerun the same command to continue.")
        return False
    log("campaign: every step is done")
    return True


def weights_path(s: CampaignSettings) -> Path:
    dataset = dataset_key(s.base.dataset, s.base.data_dir)
    return s.folders[0] / "weights" / f"{s.device_label}-googlenet-{dataset}-seed.pt"


def export_campaign_weights(s: CampaignSettings, run: PlannedRun, log: Callable[[str], None] = print) -> Path | None:
    """The weights (fp16 state dict) of ``run``, the googlenet ablation run, from its final checkpoint."""
    out = weights_path(s)
    if out.exists():
        log(f"weights: stored ({out}), skipped")
        return out
    checkpoint = Path(str(run.config.run_dir)) / CHECKPOINT_NAME
    if not checkpoint.exists():
        log(f"weights: no checkpoint at {checkpoint} (made by step 2 on this machine); skipped")
        return None
    result_file = str(run.result.relative_to(s.folders[0]))
    export_weights(checkpoint, load_result(run.result, RERUN), out, result_file=result_file)
    log(f"weights: written to {out}")
    return out
