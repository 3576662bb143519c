"""Training throughput: our engine against a plain loop, same model, same run.

The plain loop is how source 000 trains: a torchvision-style dataset that hands out PIL
images, ``RandomHorizontalFlip``/``ToTensor``/``Normalize`` per image, a ``DataLoader``
(two workers and pinned memory on CUDA, none on the CPU, as in the source), fp32, NCHW.
Our engine is :class:`gnet_lib.training.engine.train.Trainer` with the same optimiser (Adadelta) and batch
size, so the ratio measures engineering, not a different recipe: its real epoch loop (steps,
metric sums, one read per epoch) after one untimed epoch, whose time (graph capture,
compilation, autotuning) is reported on its own. A second engine row in fp32 and NCHW splits
the gain: precision and layout against the rest. The loops alternate for a few rounds; the
best round of each counts. The plain loop always runs with PyTorch's default backend settings;
the engine with a training run's (both from :func:`gnet_lib.training.engine.graphs.cuda_backend`), restored after.
"""

from __future__ import annotations

import logging
import time
from copy import deepcopy
from dataclasses import dataclass
from typing import Any

import torch
from PIL import Image
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms

from ...core.errors import UsageError
from ...core.layers import layer_table
from ...core.published import SOURCE_000
from ...core.tables import Table
from ...model.by_name import build_model
from ..data.data import ImageData, make_synthetic
from ..engine.graphs import pytorch_default_backend
from ..engine.train import Trainer, compute_loss, pick_precision
from ..results.provenance import environment, machine_load, now, pick_device
from ..settings.config import TrainConfig
from ..settings.recipes import get_recipe


class PILImages(Dataset):
    """Images served one by one as PIL images, like ``torchvision.datasets.CIFAR10``."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor, transform):
        self.x = x.permute(0, 2, 3, 1).numpy()
        self.y = y.tolist()
        self.transform = transform

    def __len__(self) -> int:
        return len(self.y)

    def __getitem__(self, i: int):
        return self.transform(Image.fromarray(self.x[i])), self.y[i]


def _sync(device: torch.device) -> None:
    """Wait for the device's queued work, so that the clock measures work done."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def plain_loop_throughput(model_name: str, data: ImageData, batch_size: int, steps: int, warmup: int, device: torch.device) -> float:
    """Images per second of the straightforward loop (see the module docstring)."""
    torch.manual_seed(0)
    transform = transforms.Compose(
        [transforms.RandomHorizontalFlip(), transforms.ToTensor(), transforms.Normalize((0.5,) * 3, (0.5,) * 3)]
    )
    cuda = device.type == "cuda"
    loader = DataLoader(PILImages(data.train_x, data.train_y, transform), batch_size=batch_size, shuffle=True,
                        num_workers=2 if cuda else 0, pin_memory=cuda, drop_last=True, persistent_workers=cuda)
    model = build_model(model_name, num_classes=data.num_classes).to(device).train()
    optimizer = torch.optim.Adadelta(model.parameters(), lr=1.0)
    recipe = get_recipe("seed")  # for models with auxiliary heads: their 0.3-weighted losses
    done, start = 0, time.perf_counter()
    with pytorch_default_backend():
        while done < warmup + steps:
            for x, y in loader:
                if done == warmup:
                    _sync(device)
                    start = time.perf_counter()
                x, y = x.to(device), y.to(device)
                optimizer.zero_grad()
                loss, _ = compute_loss(model(x), y, recipe)
                loss.backward()
                optimizer.step()
                done += 1
                if done == warmup + steps:
                    break
        _sync(device)
    return steps * batch_size / (time.perf_counter() - start)


def engine_throughput(model_name: str, data: ImageData, batch_size: int, epochs: int, device: torch.device,
                      compile: bool = False, **overrides: Any) -> tuple[float, float]:
    """(images per second, seconds of the first epoch) of :class:`~gnet_lib.training.engine.train.Trainer`'s real
    epoch loop (step, metric sums, the epoch's one read) with the seed recipe's optimiser. The
    first epoch pays for graph capture, compilation and autotuning and is timed on its own;
    the rate counts the ``epochs`` after it. ``overrides`` set other :class:`TrainConfig` fields
    (``precision``, ``channels_last``, ``cuda_graph``)."""
    config = TrainConfig(model=model_name, dataset="synthetic", recipe="seed", batch_size=batch_size, epochs=10**6,
                         device=str(device), compile=compile, progress=False, **overrides)
    trainer = Trainer(config, data=data)
    with trainer.backend():  # the settings a training run has
        first = trainer.train_epoch(0)["epoch_time_s"]
        timed = [trainer.train_epoch(epoch) for epoch in range(1, epochs + 1)]
    return sum(m["train_images"] for m in timed) / sum(m["epoch_time_s"] for m in timed), first


def inference_seconds(model: torch.nn.Module, input_shape: tuple[int, ...], batch_size: int = 8,
                      min_run_time: float = 1.0, device: str = "auto") -> float:
    """Median seconds of one forward pass of a batch (eval mode, no gradients), measured by
    ``torch.utils.benchmark.Timer.blocked_autorange`` (which also synchronises CUDA). The model
    is copied onto the device, so the caller's model keeps its device and mode."""
    # Imported here, quietly: importing torch.utils.benchmark makes torch.utils.cpp_extension log a
    # notice about CUDA_HOME on machines without a CUDA runtime, which has nothing to do with timing.
    logging.getLogger("torch.utils.cpp_extension").setLevel(logging.ERROR)
    from torch.utils.benchmark import Timer

    dev = pick_device(device)
    copy = deepcopy(model).to(dev).eval()
    timer = Timer("model(x)", globals={"model": copy, "x": torch.randn(batch_size, *input_shape, device=dev)})
    with torch.no_grad():
        return timer.blocked_autorange(min_run_time=min_run_time).median


ENGINE_ROWS = {
    "engine": {},
    "engine fp32 NCHW": {"precision": "fp32", "channels_last": False},
}
"""The engine as configured for the device, and the engine with fp32 and the NCHW layout: their
difference is what precision and layout give; the latter's gain over the plain loop is what the
data on the device, the captured step (on CUDA) and the engine's loop give."""


@dataclass
class BenchResult:
    model: str
    batch_size: int
    steps: int
    warmup: int
    rounds: int
    compile: bool
    engine_images_per_s: list[float]
    plain_images_per_s: list[float]
    engine_fp32_nchw_images_per_s: list[float]
    engine_first_epoch_s: list[float]
    precision: str
    environment: dict[str, Any]
    date: str

    @property
    def ratio(self) -> float:
        return max(self.engine_images_per_s) / max(self.plain_images_per_s)

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "engine_best": max(self.engine_images_per_s), "plain_best": max(self.plain_images_per_s),
                "ratio": round(self.ratio, 3)}

    def summary(self) -> str:
        env = self.environment
        return (
            f"{self.model}, batch {self.batch_size}, {self.steps} timed steps, best of {self.rounds}, "
            f"on {env['device_name']}:\n"
            f"  plain loop: {max(self.plain_images_per_s):,.1f} images/s\n"
            f"  gnet_lib engine, fp32 NCHW: {max(self.engine_fp32_nchw_images_per_s):,.1f} images/s\n"
            f"  gnet_lib engine ({self.precision}{', compiled' if self.compile else ''}): "
            f"{max(self.engine_images_per_s):,.1f} images/s, first epoch {min(self.engine_first_epoch_s):.1f}s "
            f"(capture, compilation, autotuning)\n"
            f"  ratio: {self.ratio:.2f}x"
        )


VARIANT_STEPS = 6
"""Timed steps per round of :func:`variant_speeds` unless told otherwise."""


def check_settings(model: str, batch_size: int, steps: int | None, warmup: int | None, rounds: int) -> None:
    """A usage error, before any measurement, for a model that cannot train on CIFAR-shaped images
    or a count no measurement can run with: the batch size, steps and rounds must be positive,
    the warm-up steps 0 or more; ``None`` (steps, warm-up) takes the device's default."""
    layer_table(model, input_size=(3, 32, 32), num_classes=10)
    for option, value, least, what in (("--batch-size", batch_size, 1, "a positive number of images"),
                                       ("--steps", steps, 1, "a positive number of timed steps"),
                                       ("--warmup", warmup, 0, "0 or more untimed steps"),
                                       ("--rounds", rounds, 1, "a positive number of rounds")):
        if value is not None and value < least:
            default = "; leave it out for the device's default" if option in ("--steps", "--warmup") else ""
            raise UsageError(f"{option} must be {what}, got {value}{default}")


def benchmark(model: str = "googlenet", batch_size: int = 64, steps: int | None = None, warmup: int | None = None,
              rounds: int = 2, device: str = "auto", compile: bool = False) -> BenchResult:
    """Measure the plain loop and the engine rows on synthetic CIFAR-shaped data, alternately
    for ``rounds`` rounds; ``None`` takes the device's default. The plain loop takes ``warmup``
    untimed steps, the engine one untimed epoch; both then time about ``steps`` steps. Settings
    are checked first (:func:`check_settings`)."""
    check_settings(model, batch_size, steps, warmup, rounds)
    dev = pick_device(device)
    steps = steps if steps is not None else (200 if dev.type == "cuda" else 8)
    warmup = warmup if warmup is not None else (30 if dev.type == "cuda" else 2)
    # Fixed-size sets that the loops cycle through (epochs repeat): one image per timed step
    # would take gigabytes of host memory at batch 512.
    plain_data = make_synthetic(train_size=max(4 * batch_size, 2048), test_size=100)
    per_epoch = max(-(-16 // batch_size), min(steps, 8192 // batch_size))  # at least 16 images: every class
    engine_data = make_synthetic(train_size=per_epoch * batch_size, test_size=100)
    epochs = -(-steps // per_epoch)
    rows: dict[str, list[float]] = {name: [] for name in ENGINE_ROWS}
    plain, first = [], []
    for _ in range(rounds):
        plain.append(round(plain_loop_throughput(model, plain_data, batch_size, steps, warmup, dev), 2))
        for name, overrides in ENGINE_ROWS.items():
            rate, first_epoch = engine_throughput(model, engine_data, batch_size, epochs, dev,
                                                  compile and name == "engine", **overrides)
            rows[name].append(round(rate, 2))
            if name == "engine":
                first.append(round(first_epoch, 2))
    return BenchResult(model, batch_size, epochs * per_epoch, warmup, rounds, compile, rows["engine"], plain,
                       rows["engine fp32 NCHW"], first, pick_precision("auto", dev), environment(dev), now())


def variant_speeds(models: list[str], batch_size: int = 64, steps: int = VARIANT_STEPS, rounds: int = 2,
                   device: str = "auto") -> dict[str, Any]:
    """Training throughput of each model in ``models`` with the engine as configured for the
    device (CPU: bf16 where native), measured in alternating rounds under the same conditions,
    best round per model. Each round times ``steps`` steps after one untimed epoch. The machine's
    load average before the first round and after the last is recorded beside the rates."""
    for model in models:
        check_settings(model, batch_size, steps, None, rounds)
    dev = pick_device(device)
    data = make_synthetic(train_size=steps * batch_size, test_size=100)
    rates: dict[str, list[float]] = {m: [] for m in models}
    load_before = machine_load()
    for _ in range(rounds):
        for model in models:
            rates[model].append(round(engine_throughput(model, data, batch_size, 1, dev)[0], 2))
    return {"models": {m: {"images_per_s": r, "macs_per_image": layer_table(m).main_path_macs} for m, r in rates.items()},
            "batch_size": batch_size, "steps": steps, "rounds": rounds, "precision": pick_precision("auto", dev),
            "environment": environment(dev), "date": now(),
            "machine_load": {"before": load_before, "after": machine_load()}}


def speed_table(speeds: dict[str, Any], reference: str = "googlenet") -> Table:
    """Each model's measured training speed and MACs per image, both relative to ``reference``,
    beside the training times source 000 published (also relative): does time follow MACs? The
    last column, each model's best round over its slowest, shows how steady the rounds were."""
    ref = speeds["models"][reference]
    rows = []
    for model, m in speeds["models"].items():
        rate = max(m["images_per_s"])
        row = {"model": model, "GMACs/image": round(m["macs_per_image"] / 1e9, 3), "train img/s": round(rate, 1),
               "time vs ref (ours)": round(max(ref["images_per_s"]) / rate, 2),
               "MACs vs ref": round(m["macs_per_image"] / ref["macs_per_image"], 2)}
        for dataset in ("cifar10", "cifar100"):
            published = SOURCE_000[dataset]
            row[f"time vs ref ({dataset}, published)"] = round(published[model].seconds / published[reference].seconds, 2)
        row["rounds: best / slowest"] = round(rate / min(m["images_per_s"]), 2)
        rows.append(row)
    env = speeds["environment"]
    notes = [(f"ours: steady-state training throughput, batch {speeds['batch_size']}, {speeds['precision']}, best of "
              f"{speeds['rounds']} alternating rounds of {speeds['steps']} steps, on {env['device_name']} "
              f"(torch {env['torch']}, {speeds['date'][:10]})"),
             f"'vs ref': relative to {reference}; published: source 000's 14-epoch times on its own GPU"]
    load = speeds.get("machine_load")
    if load and None not in load.values():
        notes.append(f"the machine's one-minute load average, this benchmark included: {load['before']:.2f} before, "
                     f"{load['after']:.2f} after")
    return Table(tuple(rows[0]), rows, title="Training time against work per image", notes=notes)


__all__ = [
    "ENGINE_ROWS",
    "VARIANT_STEPS",
    "BenchResult",
    "benchmark",
    "check_settings",
    "engine_throughput",
    "inference_seconds",
    "plain_loop_throughput",
    "speed_table",
    "variant_speeds",
]
