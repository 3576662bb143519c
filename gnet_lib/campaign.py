"""Every GPU result the book needs, in one resumable command: ``gnet campaign``.

GPU time comes in short slices here (a machine for 30 minutes, commands of 10), so one
command makes all of it, in order, skipping whatever is already stored:

1. ``bench``: googlenet at batch 64 and 512, our engine against the plain loop;
2. the ``seed`` recipe's 14-epoch googlenet run on the whole training set (source 000's 28m45s row);
3. the other six variants of the ablation, same protocol, cheapest first;
4. ``seed`` against ``fast`` for googlenet on the whole training set;
5. the trained googlenet's weights as an fp16 state dict (from step 2's checkpoint).

Before training it prints each step's estimated time, scaled from the stored benchmark by
each model's multiply-accumulates. With ``budget_minutes`` it stops cleanly before the budget
is spent: after an epoch (its checkpoint written), or before a step that no longer fits; rerun
the same command to continue. ``dry_run`` does all of it on the CPU with tiny synthetic data,
so that the whole command is tested where there is no GPU.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .ablation import run_ablation
from .architectures import CIFAR_MODEL_NAMES
from .bench import benchmark
from .comparison import compare_recipes
from .data import dataset_key, load_data
from .models import layer_table
from .provenance import pick_device
from .results import result_path
from .storage import read_json, write_json
from .train import TrainConfig, run_identity
from .weights import export_weights


class BudgetExhausted(Exception):
    """Raised between epochs (after the checkpoint) when the time budget is spent."""


@dataclass
class CampaignSettings:
    data_dir: str | None
    results_dir: Path
    runs_dir: Path
    budget_minutes: float | None = None
    dry_run: bool = False

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


def _bench_path(s: CampaignSettings, batch: int) -> Path:
    return s.results_dir / "bench" / f"{s.device_label}-googlenet-b{batch}.json"


def estimates(s: CampaignSettings, train_images: int = 50_000, epochs: int = 14) -> dict[str, float] | None:
    """Estimated seconds of each variant's run, from the stored batch-64 benchmark scaled by MACs."""
    bench = _bench_path(s, s.bench_sizes[0])
    if not bench.exists():
        return None
    rate = read_json(bench)["engine_best"]
    base_macs = layer_table("googlenet").main_path_macs
    return {m: epochs * train_images / rate * layer_table(m).main_path_macs / base_macs for m in CIFAR_MODEL_NAMES}


def run_campaign(s: CampaignSettings, log: Callable[[str], None] = print) -> bool:
    """Run every step that has no result yet; ``True`` when all are done, ``False`` when the
    budget stopped it (rerun to continue)."""
    deadline = time.monotonic() + 60 * s.budget_minutes if s.budget_minutes is not None else None

    def check_budget(_metrics: dict[str, Any] | None = None) -> None:
        if deadline is not None and time.monotonic() > deadline:
            raise BudgetExhausted

    base = replace(s.base, run_dir=None)
    try:
        for batch in s.bench_sizes:
            path = _bench_path(s, batch)
            if path.exists():
                log(f"bench b{batch}: stored, skipped")
                continue
            check_budget()
            steps = dict(steps=2, warmup=1, rounds=1) if s.dry_run else {}
            result = benchmark("googlenet", batch, device=base.device, **steps)
            write_json(path, result.as_dict())
            log(result.summary())
        estimate = estimates(s)
        if estimate:
            log("estimated training time per variant (14 epochs, 50,000 images, from the batch-64 bench): "
                + ", ".join(f"{m} {sec / 60:.1f} min" for m, sec in estimate.items()))
        others = sorted((m for m in CIFAR_MODEL_NAMES if m != "googlenet"), key=lambda m: layer_table(m).main_path_macs)
        for models in (["googlenet"], others):  # cheapest first: naive (7x googlenet's MACs) last
            run_ablation(base, models=models, results_dir=s.results_dir, runs_dir=s.runs_dir, log=log,
                         on_epoch_end=check_budget)
        compare_recipes(replace(base, model="googlenet"), ["seed", "fast"],
                        s.results_dir / "recipes" / f"{s.device_label}-googlenet-{_dataset_label(s)}",
                        runs_dir=s.runs_dir, log=log, on_epoch_end=check_budget)
        export_campaign_weights(s, log)
    except BudgetExhausted:
        log("campaign: time budget reached; finished epochs are checkpointed. Rerun the same command to continue.")
        return False
    log("campaign: every step is done")
    return True


def _dataset_label(s: CampaignSettings) -> str:
    return dataset_key(s.base.dataset, s.base.data_dir)


def weights_path(s: CampaignSettings) -> Path:
    return s.results_dir / "weights" / f"{s.device_label}-googlenet-{_dataset_label(s)}-seed.pt"


def export_campaign_weights(s: CampaignSettings, log: Callable[[str], None] = print) -> Path | None:
    """The trained googlenet's weights (fp16 state dict) from its final checkpoint."""
    out = weights_path(s)
    if out.exists():
        log(f"weights: stored ({out}), skipped")
        return out
    data = load_data(s.base.dataset, s.base.data_dir, s.base.download, s.base.synthetic_sizes, seed=s.base.seed)
    identity = run_identity(replace(s.base, model="googlenet"), data)
    result = result_path(s.results_dir, identity)
    checkpoint = s.runs_dir / result.relative_to(s.results_dir).with_suffix("") / "checkpoint.pt"
    if not checkpoint.exists():
        log(f"weights: no checkpoint at {checkpoint} (made by step 2 on this machine); skipped")
        return None
    export_weights(checkpoint, read_json(result), out, result_file=str(result.relative_to(s.results_dir)))
    log(f"weights: written to {out}")
    return out
