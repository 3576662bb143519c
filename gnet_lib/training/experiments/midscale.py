"""The mid-scale protocol of chapter 6: the whole ``seed`` schedule on 10,000 CIFAR-10 images.

Source 000 trains 14 epochs of Adadelta (lr 1.0, decayed by 0.7 per epoch) at batch 64 on
all 50,000 training images. The mid-scale protocol keeps that schedule whole and changes only
the data: a class-balanced 10,000-image training subset, the same for every variant and seed
(drawn with :data:`SUBSET_SEED`), per-epoch curves on a fixed class-balanced 2,000-image test
subset, and the final error, with every image's prediction, on all 10,000 test images. So every
run of it can be compared with every other on the same test images.

:data:`RUNS` lists the runs in the order they are worth making (what each tells the chapter),
from the seeds of the three variants source 000's claims turn on to the experiments on the gap
between googlenet's error and the published one: first on short3, which trains in under half of
googlenet's time and whose seeds have so far varied less, so that one seed of it can show a smaller
effect; then on googlenet itself, last, because with t on googlenet's seeds one seed can show only
an effect larger than the gap. Naive, dearest of the variants, gets three seeds before those: its
claim is the source's first conclusion, and two seeds seldom decide a claim of "about the same".
``tools/midscale_queue.py`` works through it,
one single-thread run per CPU core, resuming whatever was interrupted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...core.architectures import get_spec
from ...core.tables import Table
from ..results.results import load_result, protocol_name
from ..settings.recipes import get_recipe

TRAIN_IMAGES = 10_000
CURVE_IMAGES = 2_000
TEST_IMAGES = 10_000
SUBSET_SEED = 1
#: Where the runs on the JPEG mirror itself are filed (a re-encoded copy adds ``-q50`` and so on).
DATASET_KEY = "cifar10-jpeg"
RECIPE = "seed"


@dataclass(frozen=True)
class MidscaleRun:
    """One run of the protocol: a variant, a seed, and what (if anything) it changes."""

    model: str
    seed: int
    purpose: str
    precision: str = "bf16"
    fixed_bn_eps: bool = False
    #: a re-encoded copy of the data (e.g. ``"q50"``: JPEG quality 50), or ``None`` for the mirror
    data_variant: str | None = None

    @property
    def label(self) -> str:
        """A short name for logs: ``googlenet-s1``, ``googlenet-s1-fp32``, ``googlenet-s1-q50``."""
        extras = [self.precision] if self.precision != "bf16" else []
        extras += ["fixed-eps"] if self.fixed_bn_eps else []
        extras += [self.data_variant] if self.data_variant else []
        return "-".join([self.model, f"s{self.seed}", *extras])

    @property
    def changes(self) -> str:
        """What this run changes against the plain protocol, in words (empty for a plain run)."""
        words = [f"{self.precision} instead of bf16"] if self.precision != "bf16" else []
        words += ["batch norm eps 1e-5 (source 000's quirk corrected)"] if self.fixed_bn_eps else []
        words += [f"data re-encoded at JPEG quality {self.data_variant.removeprefix('q')}"] if self.data_variant else []
        return "; ".join(words)

    @property
    def dataset_key(self) -> str:
        """The dataset key its result is filed under: the mirror's, or a re-encoded copy's."""
        return f"{DATASET_KEY}-{self.data_variant}" if self.data_variant else DATASET_KEY

    @property
    def protocol(self) -> str:
        """Its protocol folder, named by the same rule that files every result
        (:func:`gnet_lib.training.results.results.protocol_name`), e.g. ``10000x10000-c2000-e14-s1-d1-fp32``."""
        return protocol_name(_identity(self))

    def result_file(self, results_dir: str | Path) -> Path:
        """Where its result file is (or will be) under ``results_dir``."""
        return Path(results_dir) / self.dataset_key / RECIPE / self.protocol / f"{self.model}.json"

    def cli_args(self, data_dir: str) -> list[str]:
        """The ``gnet ablation`` options that make this run on the data in ``data_dir``."""
        args = ["--models", self.model, "--seed", str(self.seed), "--recipe", "seed", "--device", "cpu",
                "--data-dir", data_dir, "--no-download", "--train-subset", str(TRAIN_IMAGES),
                "--test-subset", str(CURVE_IMAGES), "--subset-seed", str(SUBSET_SEED), "--final-test",
                "--precision", self.precision, "--no-progress"]
        return args + (["--fixed-bn-eps"] if self.fixed_bn_eps else [])


def cannot_run_here(run: MidscaleRun, native_bf16: bool) -> str | None:
    """Why ``run`` should not start on this machine's CPU (``None`` if it can): a bf16 run on a
    CPU without native bf16 instructions would emulate every bf16 operation, many times slower
    than fp32, and a run of the protocol there would take days."""
    if run.precision == "bf16" and not native_bf16:
        return ("this CPU has no native bf16 (avx512_bf16 or AMX flags in /proc/cpuinfo), so bf16 training is "
                "emulated, many times slower than fp32; run the protocol on a CPU with native bf16 or on a GPU")
    return None


def _identity(run: MidscaleRun) -> dict[str, Any]:
    """The identity fields that name a run's protocol folder."""
    return {"model": run.model, "dataset": run.dataset_key, "train_size": TRAIN_IMAGES, "test_size": CURVE_IMAGES,
            "final_test_size": TEST_IMAGES, "recipe": get_recipe(RECIPE).as_dict(), "seed": run.seed,
            "subset_seed": SUBSET_SEED, "precision": run.precision,
            "model_options": {"source_bn_eps": get_spec(run.model).source_bn_eps and not run.fixed_bn_eps}}


def plain_protocol(seed: int) -> str:
    """The protocol folder of the plain runs of one seed, e.g. ``10000x10000-c2000-e14-s1-d1``."""
    return MidscaleRun("googlenet", seed, "").protocol


def stored_runs(results_dir: str | Path) -> list[MidscaleRun]:
    """The runs of :data:`RUNS` whose result file is in ``results_dir``, in the order of RUNS."""
    return [run for run in RUNS if run.result_file(results_dir).is_file()]


def pending_runs(results_dir: str | Path) -> list[MidscaleRun]:
    """The runs of :data:`RUNS` not stored in ``results_dir`` yet, in the order they are made."""
    return [run for run in RUNS if not run.result_file(results_dir).is_file()]


def queued_seeds() -> dict[str, list[int]]:
    """The seeds :data:`RUNS` makes of each variant under the plain protocol (runs that change
    something, such as ``googlenet-s1-fp32``, left out), in the order the variants first appear."""
    seeds: dict[str, list[int]] = {}
    for run in RUNS:
        if not run.changes:
            seeds.setdefault(run.model, []).append(run.seed)
    return {model: sorted(found) for model, found in seeds.items()}


def runs_table(results_dir: str | Path) -> Table:
    """Every run of the protocol, in the order they are made: what it changes, why it is made,
    whether its result file is stored (read from ``results_dir``, not typed in) and, if so, how
    long the run took."""
    rows = []
    for i, run in enumerate(RUNS, 1):
        path = run.result_file(results_dir)
        hours = load_result(path)["wall_time_s"] / 3600 if path.is_file() else None
        rows.append({"#": i, "run": run.label, "changes": run.changes or "(plain)", "purpose": run.purpose,
                     "status": "stored" if hours is not None else "pending",
                     "hours": round(hours, 1) if hours is not None else None})
    stored = sum(r["status"] == "stored" for r in rows)
    return Table(("#", "run", "changes", "purpose", "status", "hours"), rows,
                 title=f"The mid-scale runs: {stored} of {len(rows)} stored",
                 notes=[("a pending run's result appears here, and in every table below, once its file is committed "
                        "and the chapter is run again")])


def _seeds(model: str, seeds: tuple[int, ...], purpose: str) -> list[MidscaleRun]:
    return [MidscaleRun(model, s, purpose) for s in seeds]


def _gap_experiments(model: str, why: str) -> list[MidscaleRun]:
    """Seed 1 of ``model`` with one candidate cause of the full-scale gap changed at a time."""
    return [MidscaleRun(model, 1, f"the eps quirk: BatchNorm2d(n, n) against eps 1e-5; {why}", fixed_bn_eps=True),
            MidscaleRun(model, 1, f"the data: JPEG quality 50, a point on the quality slope; {why}", data_variant="q50"),
            MidscaleRun(model, 1, f"the data: JPEG quality 30, a second point on the slope; {why}", data_variant="q30"),
            MidscaleRun(model, 1, f"precision: fp32 against bf16; {why}", precision="fp32")]


RUNS: tuple[MidscaleRun, ...] = (
    *_seeds("googlenet", (1,), "the reference variant"),
    *_seeds("short4", (1,), "two modules only: source 000's outlier on CIFAR-10"),
    *_seeds("short3", (1, 2, 3), "one module per stage: the seed spread of a cheap variant"),
    *_seeds("googlenet", (2, 3), "the reference's seed spread"),
    *_seeds("short4", (2, 3), "the outlier's seed spread"),
    *_gap_experiments("short3", "short3, cheap, whose seeds have varied little so far"),
    *_seeds("short3", (4, 5), "short3's spread, the yardstick of its gap experiments, from five seeds"),
    *_seeds("naive", (1,), "ten times the parameters, about the same error (source 000's claim)"),
    *_seeds("long", (1,), "googlenet with two more 5b modules"),
    *_seeds("short", (1,), "4b and 4c removed"),
    *_seeds("short2", (1,), "one module in stage 4"),
    *(MidscaleRun(m, 2, "a second seed, so that a claim about this variant can be judged (two seeds seldom decide it)")
      for m in ("short", "short2", "long")),
    *_seeds("naive", (2, 3), "source 000's first conclusion: two seeds seldom decide it (exercise 6.6)"),
    *_gap_experiments("googlenet", "googlenet itself, where one seed shows only a large effect"),
)
