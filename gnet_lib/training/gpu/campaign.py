"""Every GPU result the book needs, in one resumable command that fits a GPU window: ``gnet campaign``.

GPU time comes in windows of about 15 minutes of machine time (commands of at most 10), so the
campaign is planned as steps in priority order (:mod:`gnet_lib.training.gpu.campaign_plan`): the six
non-naive variants for seed 1, naive, the six for seeds 2 and 3, the ``fast`` recipe, then the
mid-scale protocol's runs. Before any training it prints the window plan, each step's estimated
minutes and their total (:mod:`gnet_lib.training.gpu.window_plan`, from the probe's report where there
is one, else from the stored benchmark), and drops the lowest-priority steps until the total fits
``budget_minutes``. The probe's report also chooses the engine's settings and whether a seed's
variants train as one group (:mod:`gnet_lib.training.gpu.probe_reading`).

It checks the data folder before any work, loads the data once, trains on one device, and skips
every step whose results are stored; result files and checkpoints are the ones ``gnet ablation``
and ``gnet compare`` write, so either command continues the other's runs. Each file is delivered
the moment it exists (``deliver``: into ``DIR/results.tar``, rewritten whole each time, and a copy in
the runs folder), so a command killed at its time limit still hands back every finished result;
googlenet's seed-1 run is at once filed as the recipe comparison's ``seed`` row and exported as
fp16 weights.

Time budget (``budget_minutes``, counted from the start of :func:`run_campaign`): besides the
plan, the clock is read before loading the data, before each step and after every epoch (once
its checkpoint is written). A step starts only if the time left covers its estimate (without
estimates: only if the budget is not spent), else the next step that fits is tried; an epoch
starts only if the time left covers what the last epoch took (training and evaluation, scaled by
the image area where a resizing recipe changes the size). So the budget is overrun only by the
data loading or by an epoch slower than the one before it. The campaign then returns ``False``
(the command exits 0); rerun the same command to continue from the checkpoints.

``dry_run`` does all of it on the CPU with tiny synthetic data, so that the whole command is tested
where there is no GPU: the plan it prints and fits to the budget stays the GPU window's (so its
steps are not judged by their GPU estimates against this CPU's clock). Its files go to the folders
named for them or else into a new temporary folder (printed), never into the book's results folder.
"""

from __future__ import annotations

import math
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import torchvision

from ...core.errors import UsageError
from ..data.data import (
    DataUnavailableError,
    ImageData,
    dataset_key,
    image_files,
    is_image_folder,
    load_data,
)
from ..engine.group import train_group
from ..engine.train import train_to_file
from ..engine.weights import export_weights
from ..results.provenance import pick_device
from ..results.results import default_results_dir, load_result, output_results_dir
from ..results.storage import write_json
from ..settings.choices import CHECKPOINT_NAME
from ..settings.config import TrainConfig
from ..settings.locations import CHECKOUT_RESULTS, DEFAULT_RUNS, WEIGHTS_FOLDER, data_root
from ..settings.recipes import Recipe
from .budget import Budget, BudgetExhausted
from .campaign_plan import Folders, PlannedRun, plan_steps, seed_row
from .delivery import Delivery
from .probe_reading import Choices, campaign_choices, rates_from_probe
from .window_plan import Rates, Step, fit, load_probe, plan_lines, rates_from_bench

#: How a damaged file of the campaign is made again.
RERUN = "the same `python -m gnet_lib campaign` command (it makes every missing file again)"

#: Where CIFAR-10 can be had, for the messages of :func:`check_data`.
HOW_TO_GET_DATA = (
    "point --data-dir at an image folder with train/<class>/* and test/<class>/* (e.g. the CIFAR-10 JPEG mirror) "
    "or at the folder that holds torchvision's cifar-10-batches-py/, or use --dry-run"
)

#: The probe's report, where the plan looks for it (in the book's results folder).
PROBE_FILE = Path("bench") / "gpu-probe.json"


@dataclass
class CampaignSettings:
    """What a campaign trains on and where its files go. A folder left ``None`` is ``results``
    or ``runs``, or for a dry run a new temporary folder (see :func:`resolve_folders`). ``probe``:
    the probe's report (default: ``bench/gpu-probe.json`` in the book's results, if there);
    ``deliver``: a folder that receives ``results.tar`` after each finished file; ``plan_only``:
    print the window plan and stop."""

    data_dir: str | None = None
    results_dir: Path | None = None
    runs_dir: Path | None = None
    budget_minutes: float | None = None
    dry_run: bool = False
    probe: Path | None = None
    deliver: Path | None = None
    plan_only: bool = False

    def __post_init__(self) -> None:
        self.results_dir = None if self.results_dir is None else Path(self.results_dir)
        self.runs_dir = None if self.runs_dir is None else Path(self.runs_dir)
        minutes = self.budget_minutes
        if minutes is not None and not (math.isfinite(minutes) and minutes > 0):
            raise UsageError(f"--budget-minutes must be a positive number of minutes, got {minutes:g}; "
                             "leave it out to run without a time limit")

    def base(self, choices: Choices) -> TrainConfig:
        """Every run's settings before its model and seed: the probe's choices on CIFAR-10, or tiny
        synthetic data on the CPU for a dry run."""
        chosen = {**choices.protocol, **choices.engine}
        if self.dry_run:
            return TrainConfig(dataset="synthetic", synthetic_sizes=(32, 10), epochs=1, batch_size=16, device="cpu",
                               precision="fp32", progress=False, **{**chosen, "eval_batch_size": 8})
        return TrainConfig(dataset="cifar10", data_dir=self.data_dir, download=False, progress=False, **chosen)

    @property
    def midscale_sizes(self) -> tuple[int, int]:
        return (20, 10) if self.dry_run else (10_000, 2_000)

    @property
    def device_label(self) -> str:
        return "dryrun" if self.dry_run else pick_device("auto").type

    @property
    def folders(self) -> Folders:
        """The results and runs folders, once :func:`resolve_folders` has set them."""
        if self.results_dir is None or self.runs_dir is None:
            raise ValueError("the campaign's folders are not resolved yet; call resolve_folders first")
        return Folders(self.results_dir, self.runs_dir, self.device_label, RERUN)


def book_results_folders() -> list[Path]:
    """The folders the book reads results from (see :func:`~gnet_lib.training.results.results.default_results_dir`)
    and the checkout's ``results/``: a dry run writes into none of them."""
    return [default_results_dir().resolve(), CHECKOUT_RESULTS.resolve()]


def resolve_folders(s: CampaignSettings, log: Callable[[str], None] = print) -> CampaignSettings:
    """``s`` with both folders set: as named, else ``$GNET_RESULTS`` (or ``results``) and ``runs``; for a dry run, the
    folders named, else a new temporary folder (logged, with both paths). A dry run into the
    book's results folder, or a folder inside it, is a :class:`UsageError`."""
    if not s.dry_run:
        return replace(s, results_dir=s.results_dir or output_results_dir(), runs_dir=s.runs_dir or DEFAULT_RUNS)
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
    :class:`~gnet_lib.training.data.data.DataUnavailableError`, a malformed folder a :class:`UsageError`."""
    if s.dry_run:
        return
    root = data_root(s.data_dir)
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


# -- estimates ------------------------------------------------------------------------------


def estimate_sources(s: CampaignSettings) -> tuple[dict[str, Any] | None, Path]:
    """The probe's report (``s.probe``, else the book's stored one, if any) and the folder the
    stored benchmark is read from (the book's results folder)."""
    root = default_results_dir()
    path = s.probe if s.probe is not None else root / PROBE_FILE
    if s.probe is not None and not path.exists():
        raise UsageError(f"--probe {path}: no such file; give the report tools/gpu_probe.py wrote, or leave --probe out")
    return (load_probe(path) if path.exists() else None), root


def window_rates(report: dict[str, Any] | None, root: Path, choices: Choices) -> Rates | None:
    fallback = rates_from_bench(root)
    return rates_from_probe(report, fallback, choices) if report is not None else fallback


# -- budget checks ----------------------------------------------------------------------------


def _pixels(recipe: Recipe, epoch: int, side: int) -> int:
    """Pixels per training image in (0-based) ``epoch`` of ``recipe`` on images of ``side``."""
    return (recipe.image_side(epoch) or side) ** 2


def epoch_check(budget: Budget, label: str, recipe: Recipe, side: int) -> Callable[[list[dict[str, Any]]], None]:
    """The ``on_epoch_end`` of a run or group (``label``) of ``recipe`` on images of ``side``, given
    the metrics of its runs' epoch: after each epoch but the last, :class:`BudgetExhausted` unless
    the next epoch fits at the pace of the one just finished (the training pass they shared plus
    every run's evaluation, scaled by the image area of the next epoch's size)."""

    def check(metrics: list[dict[str, Any]]) -> None:
        done = metrics[0]["epoch"]
        if done >= recipe.epochs:
            return  # the runs end and write their results; the next step is checked before it starts
        took = max(m["epoch_time_s"] for m in metrics) + sum(m["eval_time_s"] for m in metrics)
        budget.require(took * _pixels(recipe, done, side) / _pixels(recipe, done - 1, side), f"epoch {done + 1} of {label}")

    return check


# -- the steps --------------------------------------------------------------------------------


#: The engine as the first GPU slice ran it (its results are stored): what a step falls back to
#: when the fast path fails on a machine. Neither switch changes a run's identity, so its result
#: file is the same and its checkpoints resume (the two optimisers' checkpoints are interchangeable).
SAFE_ENGINE: dict[str, Any] = {"epoch_data": False, "flat_optimizer": False}


@dataclass
class Context:
    """What every step needs: the settings, budget, data, rates, log, where files are delivered,
    and whether the steps have fallen back to :data:`SAFE_ENGINE`, one run at a time."""

    s: CampaignSettings
    budget: Budget
    data: ImageData
    rates: Rates | None
    log: Callable[[str], None]
    delivery: Delivery
    base: TrainConfig
    safe: bool = False


def _train_runs(step: Step, ctx: Context) -> None:
    """The step's missing runs, as one group or one after another; each result file written and
    delivered (and googlenet's seed-1 run filed and exported) as soon as it exists."""
    pending: list[PlannedRun] = [r for r in step.runs if not r.stored]
    if ctx.safe:
        pending = [replace(r, config=replace(r.config, **SAFE_ENGINE)) for r in pending]
    side = ctx.data.train_x.shape[-1]
    recipe = pending[0].config.resolved_recipe()
    if step.together and len(pending) > 1 and not ctx.safe:
        check = epoch_check(ctx.budget, step.label, recipe, side)

        def log_epoch(metrics: list[dict[str, Any]]) -> None:
            for run, m in zip(pending, metrics):
                ctx.log(f"{run.label} epoch {m['epoch']}: train loss {m['train_loss']:.3f}, test top-1 err "
                        f"{m['test_top1_err']:.3f}, {m['epoch_time_s']:.1f}s for the group")
            check(metrics)

        results = train_group([r.config for r in pending], ctx.data, log_epoch)
        for run, result in zip(pending, results):
            write_json(run.result, result.as_dict())
            _finished(run, ctx)
        return
    for run in pending:
        check_one = epoch_check(ctx.budget, run.label, recipe, side)

        def single(metrics: dict[str, Any], check: Callable[[list[dict[str, Any]]], None] = check_one) -> None:
            check([metrics])

        train_to_file(run.config, run.result, ctx.data, ctx.log, prefix=f"{run.label} ", on_epoch_end=single)
        _finished(run, ctx)


def _finished(run: PlannedRun, ctx: Context) -> None:
    """A run's result file exists: deliver it; googlenet's seed-1 run of the ablation is also
    filed as the recipe comparison's ``seed`` row and exported as fp16 weights."""
    ctx.delivery.add(run.result)
    run.stored = True
    c = run.config
    if (c.model, c.seed, c.recipe, c.train_subset) != ("googlenet", 1, "seed", None) or "recipes" in run.result.parts:
        return
    row = seed_row(ctx.base, ctx.data, ctx.s.folders)
    if not row.stored:
        row.result.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(run.result, row.result)
        ctx.delivery.add(row.result)
        ctx.log(f"{row.label}: googlenet's seed-1 run, filed as {row.result}")
    weights = export_campaign_weights(ctx.s, run, ctx.log)
    if weights is not None:
        ctx.delivery.add(weights)


def run_step(step: Step, ctx: Context) -> bool:
    """Run ``step`` if it fits the time left; ``False`` if it was skipped for want of time (a spent
    budget raises :class:`BudgetExhausted`)."""
    if step.stored:
        ctx.log(f"{step.priority}. {step.label}: stored, skipped")
        return True
    if ctx.budget.left() <= 0:
        raise BudgetExhausted(f"spent before {step.label}")
    estimate = 0.0 if ctx.s.dry_run else step.seconds(ctx.rates)  # a dry run's plan is the GPU's, not this CPU's
    try:
        ctx.budget.require(estimate or 0.0, step.label)
    except BudgetExhausted as exc:
        ctx.log(f"{step.priority}. {step.label}: not started ({exc})")
        return False
    ctx.log(f"{step.priority}. {step.label}: training on {pick_device(step.runs[0].config.device)}")
    try:
        _train_runs(step, ctx)
    except (UsageError, BudgetExhausted):
        raise
    except Exception as exc:  # the fast path failed on this machine: once, fall back and go on
        if ctx.safe:
            raise
        ctx.safe = True
        ctx.log(f"{step.priority}. {step.label}: failed ({type(exc).__name__}: {exc}); this and every later step "
                "run again with the first GPU slice's engine (no epoch made at once, torch's Adadelta), one run at "
                "a time, resuming from the checkpoints")
        _train_runs(step, ctx)
    return True


def _prepare(s: CampaignSettings, budget: Budget, log: Callable[[str], None]) -> tuple[Context, list[Step], list[Step]]:
    """Choices, rates, data, plan (printed); the context the steps run in and the kept and dropped steps."""
    report, root = estimate_sources(s)
    choices = campaign_choices(report)
    for note in choices.notes:
        log(f"probe: {note}")
    rates = window_rates(report, root, choices)
    budget.require(0, "loading the data")
    base = s.base(choices)
    data = load_data(base.dataset, base.data_dir, base.download, base.synthetic_sizes, seed=base.seed)
    steps = plan_steps(base, data, s.folders, choices, s.midscale_sizes)
    kept, dropped = fit(steps, s.budget_minutes, rates)
    for line in plan_lines(kept, dropped, s.budget_minutes, rates):
        log(line)
    deliver_to = [folder for folder in (s.deliver, s.folders.runs) if folder is not None]
    return Context(s, budget, data, rates, log, Delivery(deliver_to, s.folders.results), base), kept, dropped


def run_campaign(s: CampaignSettings, log: Callable[[str], None] = print) -> bool:
    """Run every step of the plan that has no result yet; ``True`` when the whole plan is done,
    ``False`` when steps were dropped or the budget stopped it (rerun to continue). The data and
    the folders are checked first."""
    budget = Budget(s.budget_minutes)
    check_data(s)
    s = resolve_folders(s, log)
    try:
        ctx, kept, dropped = _prepare(s, budget, log)
        if s.plan_only:
            log("campaign: the plan only, nothing trained")
            return False
        done = [run_step(step, ctx) for step in kept]
    except BudgetExhausted as exc:
        log(f"campaign: time budget reached ({exc}); finished epochs are checkpointed. "
            "Rerun the same command to continue.")
        return False
    if dropped or not all(done):
        log("campaign: the steps that fitted are done; the rest needs another window (rerun the same command)")
        return False
    log("campaign: every step is done")
    return True


def weights_path(s: CampaignSettings) -> Path:
    dataset = dataset_key(s.base(Choices()).dataset, s.data_dir)
    return s.folders.results / WEIGHTS_FOLDER / f"{s.device_label}-googlenet-{dataset}-seed.pt"


def export_campaign_weights(s: CampaignSettings, run: PlannedRun, log: Callable[[str], None] = print) -> Path | None:
    """The weights (fp16 state dict) of ``run``, googlenet's seed-1 run, from its final checkpoint."""
    out = weights_path(s)
    if out.exists():
        log(f"weights: stored ({out}), skipped")
        return None
    checkpoint = Path(str(run.config.run_dir)) / CHECKPOINT_NAME
    if not checkpoint.exists():
        log(f"weights: no checkpoint at {checkpoint} (made by the googlenet run on this machine); skipped")
        return None
    result_file = str(run.result.relative_to(s.folders.results))
    export_weights(checkpoint, load_result(run.result, RERUN), out, result_file=result_file)
    log(f"weights: written to {out}")
    return out
