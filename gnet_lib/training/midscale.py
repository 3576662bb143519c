"""The mid-scale protocol of chapter 6: the whole ``seed`` schedule on 10,000 CIFAR-10 images.

Source 000 trains 14 epochs of Adadelta (lr 1.0, decayed by 0.7 per epoch) at batch 64 on
all 50,000 training images. The mid-scale protocol keeps that schedule whole and changes only
the data: a class-balanced 10,000-image training subset, the same for every variant and seed
(drawn with :data:`SUBSET_SEED`), per-epoch curves on a fixed class-balanced 2,000-image test
subset, and the final error, with every image's prediction, on all 10,000 test images. So every
run of it can be compared with every other on the same test images.

:data:`RUNS` lists the runs in the order they are worth making (what each tells the chapter),
from the seeds of the three variants source 000's claims turn on to the experiments on the gap
between googlenet's error and the published one. ``tools/midscale_queue.py`` works through it,
one single-thread run per CPU core, resuming whatever was interrupted.
"""

from __future__ import annotations

from dataclasses import dataclass

TRAIN_IMAGES = 10_000
CURVE_IMAGES = 2_000
SUBSET_SEED = 1


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


def _seeds(model: str, seeds: tuple[int, ...], purpose: str) -> list[MidscaleRun]:
    return [MidscaleRun(model, s, purpose) for s in seeds]


RUNS: tuple[MidscaleRun, ...] = (
    *_seeds("googlenet", (1,), "the reference variant"),
    *_seeds("short4", (1,), "two modules only: source 000's outlier on CIFAR-10"),
    *_seeds("short3", (1, 2, 3), "one module per stage: the seed spread of a cheap variant"),
    *_seeds("googlenet", (2, 3), "the reference's seed spread"),
    *_seeds("short4", (2, 3), "the outlier's seed spread"),
    MidscaleRun("googlenet", 1, "the eps quirk: source 000's BatchNorm2d(n, n) against eps 1e-5", fixed_bn_eps=True),
    MidscaleRun("googlenet", 1, "the data: JPEG quality 50, a point on the quality slope", data_variant="q50"),
    MidscaleRun("googlenet", 1, "the data: JPEG quality 30, a second point on the slope", data_variant="q30"),
    *_seeds("naive", (1,), "ten times the parameters, barely better (source 000's claim)"),
    *_seeds("long", (1,), "googlenet with two more 5b modules"),
    *_seeds("short", (1,), "4b and 4c removed"),
    *_seeds("short2", (1,), "one module in stage 4"),
    MidscaleRun("googlenet", 1, "precision: fp32 against bf16 (about 3x slower on these CPUs)", precision="fp32"),
)
