"""What a first-contact probe report (:mod:`gnet_lib.training.gpu.probe`) tells the campaign: which of
the engine's changes to keep, whether to train the variants of a seed as one group, and the
rates its plan is estimated from.

A change stays on unless its check on the GPU failed or its A/B measured it more than 2% slower
than the engine without it (:data:`~gnet_lib.training.gpu.probe.SLOWER`); the group is used only if
it measured at least 5% faster than its runs one at a time (:data:`GROUP_GAIN`). Without a
report every change is on and the group is used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .probe import SLOWER
from .window_plan import EAGER_SLOWDOWN, GROUP_GAIN, Rates

#: The campaign's protocol without a report: frozen conv biases (their gradient is exactly zero in
#: training mode), evaluation in bf16 where training is (auto), evaluation batches of 2,000 images
#: (a divisor of the 10,000 test images and of the 2,000-image curve subset: no odd batch shape).
PROTOCOL: dict[str, Any] = {"conv_bias_grad": False, "eval_precision": "auto", "eval_batch_size": 2000}
#: The engine's switches without a report: all on.
ENGINE: dict[str, Any] = {"epoch_data": True, "flat_optimizer": True, "cap_autotune": True, "cuda_graph": True}


@dataclass(frozen=True)
class Choices:
    """The campaign's protocol settings, its engine switches, whether a seed's variants train as
    one group, and why each setting that differs from the default does."""

    protocol: dict[str, Any] = field(default_factory=lambda: dict(PROTOCOL))
    engine: dict[str, Any] = field(default_factory=lambda: dict(ENGINE))
    together: bool = True
    notes: tuple[str, ...] = ()


def _slower(switches: dict[str, Any], name: str) -> bool:
    before, after = switches.get("before", {}).get("images_per_s"), switches.get(name, {}).get("images_per_s")
    return bool(before and after and after < SLOWER * before)


def _measured_sections(report: dict[str, Any]) -> dict[str, Any]:
    """The report without the sections that failed (``{"error": ...}``): those measured nothing."""
    return {k: v for k, v in report.items() if not (isinstance(v, dict) and "error" in v)}


def _engine(report: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    engine = dict(ENGINE)
    switches, checks = report.get("switches", {}), report.get("checks", {})
    for name in ("epoch_data", "flat_optimizer"):
        if _slower(switches, name):
            engine[name] = False
            notes.append(f"{name} off: measured slower than without it")
    if checks.get("batches_bitwise") is False:
        engine["epoch_data"] = False
        notes.append("epoch_data off: the prepared epoch differed from the stream on this GPU")
    flat = checks.get("flat_adadelta", {})
    if flat.get("bitwise_equal") is False and flat.get("max_abs_difference", 0.0) > 1e-6:
        engine["flat_optimizer"] = False
        notes.append(f"flat_optimizer off: it differed from torch.optim.Adadelta by {flat['max_abs_difference']:.2g}")
    if checks.get("graph", {}).get("ok") is False:
        engine["cuda_graph"] = False
        notes.append("cuda_graph off: graph replays differed from eager steps")
    return engine


def _protocol(report: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    protocol = dict(PROTOCOL)
    if _slower(report.get("switches", {}), "no_conv_bias_grad"):
        protocol["conv_bias_grad"] = True
        notes.append("conv_bias_grad kept: freezing the biases measured slower")
    evaluation = {k: v["images_per_s"] for k, v in report.get("evaluation", {}).items() if isinstance(v, dict)}
    if evaluation:
        best = max(evaluation, key=lambda k: evaluation[k])
        precision, batch = best.split("-b")
        protocol["eval_precision"] = "auto" if precision == "bf16" else "fp32"
        protocol["eval_batch_size"] = int(batch)
    return protocol


def _group_gain(report: dict[str, Any]) -> float | None:
    """How much faster the group trained its runs than one at a time (``None``: not measured)."""
    variants = report.get("variants", {})
    group, alone = variants.get("group"), variants.get("alone", {})
    if not group or not alone or any(m not in alone for m in group["models"]):
        return None
    one_at_a_time = sum(1 / alone[m]["images_per_s"] for m in group["models"])
    return one_at_a_time * group["images_per_s_each"]


def campaign_choices(report: dict[str, Any] | None) -> Choices:
    """The campaign's settings from a probe report (see the module docstring)."""
    if report is None:
        return Choices()
    notes = [f"the {k} section failed ({v['error']}): not used" for k, v in report.items() if isinstance(v, dict) and "error" in v]
    report = _measured_sections(report)
    engine, protocol = _engine(report, notes), _protocol(report, notes)
    gain = _group_gain(report)
    together = gain is None or gain >= GROUP_GAIN
    if gain is not None:
        notes.append(f"the group trained {gain:.2f}x as fast as one run at a time: "
                     + ("used" if together else "not used"))
    return Choices(protocol, engine, together, tuple(notes))


def rates_from_probe(report: dict[str, Any], fallback: Rates | None, choices: Choices) -> Rates | None:
    """The plan's rates from a probe report, with ``fallback`` (the stored benchmark's) for what it
    did not measure; rates are divided by :data:`EAGER_SLOWDOWN` where the graph is switched off."""
    report = _measured_sections(report)
    settings = report["settings"]
    train, first = _measured(report, settings)
    if not train:
        return fallback
    if "googlenet" not in train and fallback is not None:
        train["googlenet"] = fallback.train["googlenet"]
    if "googlenet" not in train:
        return fallback
    slowdown = 1.0 if choices.engine["cuda_graph"] else EAGER_SLOWDOWN
    train = {m: r / slowdown for m, r in train.items()}
    evaluation = report.get("evaluation", {})
    key = ("bf16" if choices.protocol["eval_precision"] == "auto" else "fp32") + f"-b{choices.protocol['eval_batch_size']}"
    reference = settings["reference"]
    if key in evaluation and reference in train:
        eval_ratio = evaluation[key]["images_per_s"] / train[reference]  # evaluation needs no graph
    else:
        eval_ratio = fallback.eval_ratio if fallback is not None else 3.0
    group = report.get("variants", {}).get("group") if choices.together and choices.engine["cuda_graph"] else None
    group_first = None
    if group is not None:
        group_first = max(0.0, group["first_epoch_s"] - settings["epoch_steps"] * settings["batch_size"] / group["images_per_s_each"])
    source = f"the probe of {report['date'][:16]} on {report['environment']['device_name']}"
    return Rates(train, eval_ratio, first, source, group["images_per_s_each"] if group else None, group_first)


def _measured(report: dict[str, Any], settings: dict[str, Any]) -> tuple[dict[str, float], dict[str, float]]:
    """Per model: the measured rate with every change on, and the first epoch's extra seconds."""
    measured: dict[str, dict[str, float]] = {}
    if "all" in report.get("switches", {}):
        measured[settings["reference"]] = report["switches"]["all"]
    measured.update(report.get("variants", {}).get("alone", {}))
    if "naive" in report:
        measured[settings["naive"]] = report["naive"]
    return ({m: r["images_per_s"] for m, r in measured.items()}, {m: r["first_epoch_extra_s"] for m, r in measured.items()})
