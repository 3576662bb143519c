"""Run source 000's seven CIFAR variants with one recipe on one dataset.

Resumable at two levels: a variant whose result file exists is skipped, and an interrupted
variant resumes from its last epoch checkpoint. With several devices (``cuda:0 cuda:1 ...``)
the variants run side by side, one process per device, each process seeing only its own GPU
(``python -m gnet_lib.training.experiments.ablation CONFIG RESULT`` trains one configuration written as JSON);
with one device they run in turn in this process, sharing the loaded data.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import torch

from ...core.architectures import CIFAR_MODEL_NAMES, unknown_model_error
from ...core.errors import UsageError
from ..data.data import load_data
from ..engine.train import run_identity, subset_data, train_to_file
from ..results.provenance import pick_device
from ..results.results import output_results_dir, result_path, reusable_result
from ..results.storage import read_json, write_json
from ..settings.config import TrainConfig
from ..settings.locations import DEFAULT_RUNS
from .job_queue import Job, run_jobs


@dataclass
class AblationPlan:
    """What an ablation will do: which variants run and which are already done."""

    dataset_key: str
    recipe: str
    protocol: str
    todo: list[str]
    done: list[str]


def default_devices() -> list[str]:
    """Every CUDA GPU, one run each; otherwise the single best device."""
    n = torch.cuda.device_count() if torch.cuda.is_available() else 0
    return [f"cuda:{i}" for i in range(n)] if n > 1 else ["auto"]


def _check_models(models: Sequence[str]) -> list[str]:
    for m in models:
        if m not in CIFAR_MODEL_NAMES:
            raise UsageError(f"{unknown_model_error(m)} (the ablation runs the CIFAR family: {', '.join(CIFAR_MODEL_NAMES)})")
    return list(models)


def run_ablation(
    base: TrainConfig,
    models: Sequence[str] = CIFAR_MODEL_NAMES,
    results_dir: str | Path | None = None,
    runs_dir: str | Path = DEFAULT_RUNS,
    devices: Sequence[str] | None = None,
    log: Callable[[str], None] = print,
    on_epoch_end: Callable[[dict[str, Any]], None] | None = None,
) -> AblationPlan:
    """Train every model of ``models`` that has no result yet; write one result file each.

    ``base`` gives the dataset, recipe and everything else; its ``model``, ``run_dir``,
    ``resume`` and ``device`` are set per run. Results go to
    ``<results_dir>/<dataset>/<recipe>/<protocol>/<model>.json`` (default:
    :func:`~gnet_lib.training.results.results.output_results_dir`) and checkpoints to the same place under
    ``runs_dir``. A stored result is reused only if it was made with identical settings;
    otherwise the ablation stops before training and names the differences.
    """
    models = _check_models(models)
    results_dir = output_results_dir() if results_dir is None else results_dir
    for m in models:
        replace(base, model=m).validate()
    # A device named in the config is used as named; only "auto" spreads over every GPU.
    devices = list(devices or ([base.device] if base.device != "auto" else default_devices()))
    data = load_data(base.dataset, base.data_dir, base.download, base.synthetic_sizes, seed=base.seed)
    data = subset_data(base, data)
    paths, done = {}, []
    for m in models:
        identity = run_identity(replace(base, model=m, device=devices[0]), data)
        paths[m] = result_path(results_dir, identity)
        if reusable_result(paths[m], identity) is not None:
            done.append(m)
    protocol = paths[models[0]].parent.name if models else ""
    plan = AblationPlan(data.key, base.recipe, protocol, [m for m in models if m not in done], done)
    for m in done:
        log(f"{m}: result exists ({paths[m]}), skipped")

    def config_for(model: str, device: str) -> tuple[TrainConfig, Path]:
        run_dir = Path(runs_dir) / paths[model].relative_to(results_dir).with_suffix("")
        return replace(base, model=model, device=device, run_dir=str(run_dir), resume=True), run_dir

    if len(devices) == 1:
        for model in plan.todo:
            config, _ = config_for(model, devices[0])
            log(f"{model}: training on {pick_device(devices[0])} -> {paths[model]}")
            train_to_file(config, paths[model], data, log, prefix=f"{model} ", on_epoch_end=on_epoch_end)
        return plan
    _run_parallel(plan, config_for, devices, paths, log)
    return plan


def child_device(device: str, env: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """The device name and environment for a run process meant for ``device``.

    A process for ``cuda:N`` is shown only that GPU (``CUDA_VISIBLE_DEVICES``), where it is
    ``cuda``; so nothing in it can create a context on, or take memory from, another GPU.
    ``N`` counts the GPUs this process sees, as ``torch`` does.
    """
    env = dict(env)
    if not device.startswith("cuda:"):
        return device, env
    index = int(device.split(":", 1)[1])
    visible = [v.strip() for v in env["CUDA_VISIBLE_DEVICES"].split(",")] if env.get("CUDA_VISIBLE_DEVICES") else None
    if visible is not None and index >= len(visible):
        raise UsageError(f"device {device} does not exist: CUDA_VISIBLE_DEVICES lists {len(visible)} GPU(s)")
    env["CUDA_VISIBLE_DEVICES"] = visible[index] if visible is not None else str(index)
    return "cuda", env


def save_config(config: TrainConfig, path: str | Path) -> None:
    write_json(path, asdict(config))


def load_config(path: str | Path) -> TrainConfig:
    values = read_json(path)
    values["synthetic_sizes"] = tuple(values["synthetic_sizes"])
    return TrainConfig(**values)


def run_command(config: TrainConfig, result_file: str | Path) -> list[str]:
    """Write ``config`` into its run directory; the command that trains it in its own process."""
    if config.run_dir is None:
        raise UsageError("a run in its own process needs a run folder; set run_dir in its TrainConfig")
    path = Path(config.run_dir) / "config.json"
    save_config(config, path)
    return [sys.executable, "-m", "gnet_lib.training.experiments.ablation", str(path), str(result_file)]


def _run_parallel(plan: AblationPlan, config_for, devices: list[str], paths: dict[str, Path], log) -> None:
    """One worker per device, each training the variants it takes from a shared queue in child
    processes, one at a time (:func:`gnet_lib.training.experiments.job_queue.run_jobs`). On an interrupt,
    running children are stopped (they checkpoint their last finished epoch) and no new ones start."""
    envs = {device: child_device(device, os.environ) for device in devices}  # bad devices fail before any run

    def job(model: str, device: str) -> Job:
        name, env = envs[device]
        config, run_dir = config_for(model, name)
        run_dir.mkdir(parents=True, exist_ok=True)
        return Job(model, f"training on {device}", run_command(config, paths[model]), run_dir / "log.txt", env)

    failures = run_jobs(plan.todo, devices, job, log)
    if failures:
        raise RuntimeError(f"these runs failed: {', '.join(failures)}; see their log.txt, fix, and run the ablation again to resume")


def main(argv: Sequence[str]) -> int:
    """Train the configuration in ``argv[0]`` (JSON) and write its result to ``argv[1]``."""
    if len(argv) != 2:
        print("usage: python -m gnet_lib.training.experiments.ablation CONFIG.json RESULT.json (the ablation runs this itself; "
              "to train by hand use: python -m gnet_lib train)", file=sys.stderr)
        return 2
    config_file, result_file = argv
    train_to_file(load_config(config_file), result_file, log=lambda line: print(line, flush=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
