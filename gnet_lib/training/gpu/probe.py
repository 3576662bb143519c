"""The first-contact probe: what a GPU window must measure before its campaign, in 2 to 4 minutes.

It runs on synthetic CIFAR-shaped data (no data to carry or decode) and writes its JSON report
after every section, so a command stopped at its time limit still returns what was measured; a
section that fails is reported (``{"error": ...}``) and the next one runs.
The sections come in the order the campaign needs them, and one starts only while the probe's
minutes last:

1. ``checks``: on this device, the prepared epoch against the per-step stream (bit for bit), the
   flat Adadelta against ``torch.optim.Adadelta`` with the trainer's GPU arguments (bit for bit,
   else the largest difference), and three replays of the captured step against three eager steps
   from the same state (dropout off), judged against the update's size and two eager runs' spread,
   with the running sums of loss and hits they added up;
2. ``variants``: each non-naive variant alone, then all of them as one group on shared batches
   (:mod:`gnet_lib.training.engine.group`): the combined rate against one at a time;
3. ``naive``: naive's step time and its first epoch's extra cost (capture, autotuning), which
   decide whether it fits a window;
4. ``evaluation``: evaluation speed in fp32 and bf16, at the recipe's batch and a larger one;
5. ``switches``: the A/B of the engine's fast-path changes on the graphed batch-64 step of
   ``reference`` (googlenet): the engine as the first GPU slice ran it (every switch off), each
   change alone, and all of them (images per second, ms per step, the first epoch's seconds).

:func:`gnet_lib.training.gpu.probe_reading.campaign_choices` turns a report into the campaign's
settings: a change stays on unless its check failed or the A/B measured it slower; the group is
used only if it measured faster.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch

from ...core.architectures import CIFAR_MODEL_NAMES
from ..data.data import Augment, BatchStream, ImageData, make_synthetic
from ..engine.flat_adadelta import FlatAdadelta
from ..engine.group import RunGroup
from ..engine.train import Trainer
from ..experiments.bench import engine_throughput
from ..results.provenance import environment, now, pick_device
from ..results.storage import write_json
from ..settings.config import TrainConfig
from .budget import Budget, BudgetExhausted

PROBE_FORMAT = "gnet-gpu-probe-1"
#: The six variants the campaign trains as one group per seed.
GROUP_MODELS = tuple(m for m in CIFAR_MODEL_NAMES if m != "naive")
#: The engine as the first GPU slice ran it, each change alone, and all of them.
SWITCHES: dict[str, dict[str, Any]] = {
    "before": dict(epoch_data=False, flat_optimizer=False, conv_bias_grad=True),
    "epoch_data": dict(epoch_data=True, flat_optimizer=False, conv_bias_grad=True),
    "flat_optimizer": dict(epoch_data=False, flat_optimizer=True, conv_bias_grad=True),
    "no_conv_bias_grad": dict(epoch_data=False, flat_optimizer=False, conv_bias_grad=False),
    "all": dict(epoch_data=True, flat_optimizer=True, conv_bias_grad=False),
}
#: A change measured more than this much slower than without it is switched off.
SLOWER = 0.98


@dataclass(frozen=True)
class ProbeSettings:
    """What the probe measures and how long: ``steps`` timed steps per measurement (an epoch of
    ``epoch_steps`` steps untimed first), ``eval_images`` per evaluation, ``minutes`` in all."""

    output: Path
    device: str = "cuda"
    batch_size: int = 64
    steps: int = 60
    epoch_steps: int = 30
    eval_images: int = 10_000
    models: tuple[str, ...] = GROUP_MODELS
    naive: str = "naive"
    minutes: float = 2.5
    #: the model of the A/B, the evaluation timings and the graph check
    reference: str = "googlenet"

    def train_data(self) -> ImageData:
        return make_synthetic(train_size=self.epoch_steps * self.batch_size, test_size=max(10, self.eval_images))

    @property
    def epochs(self) -> int:
        """Timed epochs per measurement."""
        return max(1, -(-self.steps // self.epoch_steps))


def _rate(s: ProbeSettings, data: ImageData, model: str, **overrides: Any) -> dict[str, float]:
    rate, first = engine_throughput(model, data, s.batch_size, s.epochs, pick_device(s.device), **overrides)
    epoch = s.epoch_steps * s.batch_size / rate
    return {"images_per_s": round(rate, 1), "ms_per_step": round(1000 * s.batch_size / rate, 3),
            "first_epoch_s": round(first, 2), "first_epoch_extra_s": round(max(0.0, first - epoch), 2)}


def switches(s: ProbeSettings, data: ImageData, log: Callable[[str], None]) -> dict[str, Any]:
    out = {}
    for name, overrides in SWITCHES.items():
        out[name] = _rate(s, data, s.reference, **overrides)
        log(f"switches: {name}: {out[name]['images_per_s']:,.0f} images/s, {out[name]['ms_per_step']} ms per step")
    return out


def evaluation(s: ProbeSettings, data: ImageData, log: Callable[[str], None]) -> dict[str, Any]:
    """Seconds of one evaluation of ``eval_images`` images (the second of two: the first may autotune)."""
    out = {}
    for precision, batch in (("fp32", 1000), ("bf16", 1000), ("bf16", 2000)):
        config = TrainConfig(model=s.reference, dataset="synthetic", epochs=1, device=s.device, progress=False,
                             eval_precision=precision, eval_batch_size=min(batch, s.eval_images))
        trainer = Trainer(config, data)
        with trainer.backend():
            trainer.evaluate()
            seconds = trainer.evaluate()["eval_time_s"]
        out[f"{precision}-b{batch}"] = {"seconds": round(seconds, 4), "images_per_s": round(len(data.test_y) / seconds, 1)}
        log(f"evaluation: {precision} at batch {batch}: {out[f'{precision}-b{batch}']['images_per_s']:,.0f} images/s")
    return out


def _batches_check(s: ProbeSettings, data: ImageData) -> bool:
    stream = BatchStream(data.train_x, data.train_y, s.batch_size, (0.5,) * 3, (0.25,) * 3, pick_device(s.device),
                         augment=Augment(4, True), shuffle=True, channels_last=True, seed=1)
    pairs = zip(stream.epoch(3), stream.prepare(3, dtype=torch.bfloat16))
    return all(torch.equal(x.to(torch.bfloat16), px) and torch.equal(y, py) for (x, y), (px, py) in pairs)


def _flat_check(device: torch.device, steps: int = 3) -> dict[str, Any]:
    """FlatAdadelta against torch.optim.Adadelta with the trainer's arguments on ``device``."""
    torch.manual_seed(0)
    shapes = [(64, 3, 3, 3), (64,), (192, 64, 1, 1), (10, 1024), (10,)]
    ours = [torch.nn.Parameter(torch.randn(shape, device=device)) for shape in shapes]
    theirs = [torch.nn.Parameter(p.detach().clone()) for p in ours]
    cuda = device.type == "cuda"
    extra: dict[str, Any] = dict(capturable=True, foreach=True) if cuda else {}
    flat, reference = FlatAdadelta(ours, lr=0.7, **extra), torch.optim.Adadelta(theirs, lr=0.7, **extra)
    if cuda:  # as the trainer sets a captured step's learning rate
        for optimizer in (flat, reference):
            optimizer.param_groups[0]["lr"] = torch.tensor(0.7, device=device)
    for _ in range(steps):
        grads = [torch.randn_like(p) for p in ours]
        for p, q, g in zip(ours, theirs, grads):
            p.grad.copy_(g)  # type: ignore[union-attr]
            q.grad = g.clone()
        flat.step()
        reference.step()
    difference = max(float((p - q).detach().abs().max()) for p, q in zip(ours, theirs))
    return {"bitwise_equal": all(torch.equal(p, q) for p, q in zip(ours, theirs)), "max_abs_difference": difference}


def _steps_from(trainer: Trainer, saved: dict[str, Any], batches: list, graphed: bool) -> tuple[torch.Tensor, tuple]:
    """The parameters after the batches' steps from the saved state, captured or eager, and the
    running sums those steps added up (loss, top-1 hits, top-5 hits)."""
    trainer.model.load_state_dict(saved["model"])
    trainer.optimizer.load_state_dict(saved["optimizer"])
    trainer.scheduler.load_state_dict(saved["scheduler"])
    trainer._set_lr_tensors()
    trainer.graphed, trainer._graph = graphed, None
    trainer.sums.reset()
    for x, y in batches:
        trainer.step(x, y)
    return torch.cat([p.detach().float().flatten() for p in trainer.model.parameters()]), trainer.sums.read()


def _graph_check(s: ProbeSettings, data: ImageData) -> dict[str, Any]:
    device = pick_device(s.device)
    if device.type != "cuda":
        return {"ok": None, "note": "no CUDA graph on this device"}
    config = TrainConfig(model=s.reference, dataset="synthetic", epochs=10, batch_size=s.batch_size, device=s.device,
                         progress=False, conv_bias_grad=False)
    trainer = Trainer(config, data)
    for module in trainer.model.modules():  # dropout draws differ between replays and eager steps
        if isinstance(module, torch.nn.Dropout):
            module.p = 0.0
    with trainer.backend():
        batches = [tuple(t.clone() for t in b) for b in list(trainer.epoch_batches(0))[:3]]
        saved = {k: _clone(getattr(trainer, k).state_dict()) for k in ("model", "optimizer", "scheduler")}
        before = torch.cat([p.detach().float().flatten() for p in trainer.model.parameters()])
        (graphed, graph_sums), (eager, eager_sums) = (_steps_from(trainer, saved, batches, g) for g in (True, False))
        again, _ = _steps_from(trainer, saved, batches, False)
    spread, difference = float((eager - again).abs().max()), float((graphed - eager).abs().max())
    update = float((eager - before).abs().max())
    # A wrong replay (a stale batch, gradients not zeroed) is off by about a whole update; rounding
    # and atomics in bf16 by far less. The sums: the same loss within 1%, the same hits within one image.
    sums_ok = abs(graph_sums[0] - eager_sums[0]) <= 0.01 * abs(eager_sums[0]) and all(
        abs(a - b) <= 1 for a, b in zip(graph_sums[1:], eager_sums[1:]))
    return {"ok": difference <= max(10 * spread, 0.05 * update) and sums_ok, "graph_vs_eager": difference,
            "eager_vs_eager": spread, "update": update, "sums_graph": graph_sums, "sums_eager": eager_sums}


def _clone(state: Any) -> Any:
    if isinstance(state, torch.Tensor):
        return state.detach().clone()
    if isinstance(state, dict):
        return {k: _clone(v) for k, v in state.items()}
    if isinstance(state, list):
        return [_clone(v) for v in state]
    return state


def checks(s: ProbeSettings, data: ImageData, log: Callable[[str], None]) -> dict[str, Any]:
    out = {"batches_bitwise": _batches_check(s, data), "flat_adadelta": _flat_check(pick_device(s.device)),
           "graph": _graph_check(s, data)}
    log(f"checks: {out}")
    return out


def naive(s: ProbeSettings, data: ImageData, log: Callable[[str], None]) -> dict[str, Any]:
    out = _rate(s, data, s.naive, **SWITCHES["all"])
    log(f"naive: {out['images_per_s']:,.0f} images/s, first epoch {out['first_epoch_s']} s")
    return out


def variants(s: ProbeSettings, data: ImageData, log: Callable[[str], None]) -> dict[str, Any]:
    alone = {m: _rate(s, data, m, **SWITCHES["all"]) for m in s.models}
    log("variants alone: " + ", ".join(f"{m} {r['images_per_s']:,.0f}" for m, r in alone.items()) + " images/s")
    return {"alone": alone, "group": _group_rate(s, data, log)}


def _group_rate(s: ProbeSettings, data: ImageData, log: Callable[[str], None]) -> dict[str, Any]:
    """Images per second of each run while all of ``s.models`` train as one group (the same images
    for every run), after one untimed epoch."""
    configs = [TrainConfig(model=m, dataset="synthetic", epochs=10**6, batch_size=s.batch_size, device=s.device,
                           progress=False, **SWITCHES["all"]) for m in s.models]
    group = RunGroup([Trainer(c, data) for c in configs])
    with group.trainers[0].backend():
        start = time.perf_counter()
        group.train_epoch(0)
        first = time.perf_counter() - start
        timed = [group.train_epoch(e)[0] for e in range(1, s.epochs + 1)]
    rate = sum(m["train_images"] for m in timed) / sum(m["epoch_time_s"] for m in timed)
    log(f"variants together: {rate:,.0f} images/s per run, {len(s.models) * rate:,.0f} combined")
    return {"images_per_s_each": round(rate, 1), "images_per_s_combined": round(len(s.models) * rate, 1),
            "first_epoch_s": round(first, 2), "models": list(s.models)}


SECTIONS: dict[str, Callable[[ProbeSettings, ImageData, Callable[[str], None]], dict[str, Any]]] = {
    "checks": checks, "variants": variants, "naive": naive, "evaluation": evaluation, "switches": switches}


def run_probe(s: ProbeSettings, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Every section that the time left allows, the report written to ``s.output`` after each."""
    budget = Budget(s.minutes)
    device = pick_device(s.device)
    report: dict[str, Any] = {"format": PROBE_FORMAT, "date": now(), "environment": environment(device),
                              "settings": {k: v for k, v in asdict(s).items() if k != "output"}, "skipped": []}
    data = s.train_data()
    for name, section in SECTIONS.items():
        try:
            budget.require(0, f"the {name} section")
        except BudgetExhausted as exc:
            report["skipped"].append(name)
            log(f"probe: {name} skipped ({exc})")
            continue
        start = time.perf_counter()
        try:
            report[name] = section(s, data, log)
        except Exception as exc:  # noqa: BLE001 -- a failed section is reported, and the next one runs
            report[name] = {"error": f"{type(exc).__name__}: {exc}"}
            log(f"probe: {name} failed: {report[name]['error']}")
        report[name]["section_s"] = round(time.perf_counter() - start, 2)
        write_json(s.output, report)
    write_json(s.output, report)
    return report
