"""Why our full-scale googlenet errs more often than source 000's: each candidate cause, what is
stored about it and what that showed, read from the result files.

The full-scale GPU runs of googlenet (all 50,000 training images, 14 epochs of ``seed``; one
seed so far) end well above the published error. Each candidate cause has an experiment at the mid-scale
protocol (:mod:`gnet_lib.training.experiments.midscale`) or a stored measurement:

* which epoch the source reported (it prints every epoch's error and reports one number);
* source 000's batch-norm eps quirk (ours reproduces it; the fixed-eps run measures its effect);
* the precision (bf16 autocast here, fp32 in the source);
* the data (a JPEG mirror at quality 75 here; re-encoding at 50 and 30 measures the slope);
* how the test is run (the source flips test images at random; other ways, and recalibrated
  batch norm, on stored weights);
* seed variation (at the mid-scale protocol, and at full scale as GPU seeds arrive).

A training experiment here is one seed against one seed. Its interval covers the test images
only, and this module says so in every finding, with the seed-to-seed spread where it is known.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import stdev
from typing import Any

from ...core.architectures import CIFAR_MODEL_NAMES, get_spec
from ...core.errors import UsageError
from ...core.published import SOURCE_000
from ...core.tables import Table
from ..data.reencode import mean_luma_step, quantiser_scale
from ..experiments.midscale import RUNS, MidscaleRun
from ..results.class_strings import decode_labels
from ..results.results import available, load_result, load_results
from ..settings.locations import WEIGHTS_FOLDER
from .fits import Line, straight_line
from .seed_comparison import Runs, compare, error_point, final_error
from .statistics import discordant_interval, mcnemar_exact, sd_interval, seed_noise

#: Every full-scale folder (every training and test image, 14 epochs of ``seed``), any seed, with
#: or without the two engine switches the GPU campaign's probe may choose. Frozen biases of the
#: convolutions that feed a batch norm change nothing in exact arithmetic (the batch mean cancels
#: such a bias in training, the running mean absorbs it in testing), so a run with them is another
#: draw of the same protocol, its rounding as different as another seed's. Testing in bf16 rounds
#: the test's activations, which can flip borderline images (the "plain in bf16" test-time variant
#: counts them on mid-scale weights), and the chapter names such runs' folders.
FULL_SCALE_FOLDER = re.compile(r"^50000x10000-e14-s(\d+)((?:-nobiasgrad)?(?:-evalbf16)?)$")

#: The variants each training experiment on the gap is made with (seed 1, one change at a time), in
#: the order the queue makes them: short3, a proxy that trains in under half of googlenet's time
#: and whose seeds have so far varied less, so that one seed of it can show a smaller effect; and
#: googlenet, the variant of the gap, where one seed can show only a large effect.
EXPERIMENT_MODELS = ("short3", "googlenet")

#: Where the test-time evaluations of stored weights are (``gnet_lib.training.experiments.evaluation_variants``).
EVALUATION_FOLDER = "evaluation"

#: The JPEG quality of the CIFAR-10 mirror this book trains on (4:2:0 chroma subsampling).
MIRROR_QUALITY = 75

#: The lower qualities the data experiment re-encodes the mirror at (its queue labels end in ``-q50``, ``-q30``).
REENCODED_QUALITIES = (50, 30)

#: How source 000 trained and tested, from its text and code: what our full-scale run is set
#: against. Its code loads torchvision's dataset (the original release, downloaded), builds no
#: autocast (fp32), tests through a loader with the training transform (a random flip), batch 10.
SOURCE_SETUP = {
    "data": "torchvision's CIFAR-10, the original release (not JPEG)",
    "training precision": "fp32",
    "test precision": "fp32",
    "test images": "each flipped left-right at random (its test loader reuses the training transform)",
    "test batch": "10",
    "software": "PyTorch 1.6, CUDA 10.2",
    "device": "a GPU it does not name",
}


@dataclass(frozen=True)
class FullScaleGap:
    """Our full-scale googlenet against the published error: the final error (one run's, or the
    mean over seeds) with its 95% interval (over the test images for one run, Student's t over 2+
    seeds), each run's best epoch, and the published value."""

    error: float
    low: float
    high: float
    #: "test images" or "seeds": what the interval covers
    over: str
    seeds: tuple[int, ...]
    #: each seed's best epoch and its error, in the order of ``seeds``
    best_epochs: tuple[tuple[int, float], ...]
    final_epoch: int
    published: float
    device: str

    @property
    def gap(self) -> float:
        """Our final error (the mean over seeds, where several) minus the published one."""
        return self.error - self.published

    @property
    def best_error(self) -> float:
        """The error had each run reported its best epoch instead of its last (the mean over seeds)."""
        return sum(e for _, e in self.best_epochs) / len(self.best_epochs)

    def describe(self) -> str:
        """One line: the error, its interval and what that interval covers."""
        what = (f"one seed (seed {self.seeds[0]})" if self.over == "test images"
                else f"the mean over seeds {', '.join(map(str, self.seeds))}")
        return f"final error {self.error:.4f}, {what}; 95% interval over its {self.over} {self.low:.4f} to {self.high:.4f}"


@dataclass(frozen=True)
class Cause:
    """One candidate cause of the gap: the experiment that tests it, whether its result is
    stored, and what the stored files showed."""

    cause: str
    experiment: str
    status: str
    finding: str


def _full_scale(results_dir: str | Path, dataset_key: str, recipe: str) -> dict[str, dict[int, tuple[str, dict[str, Any]]]]:
    """variant -> seed -> (folder, result) over every full-scale folder, fewer engine switches first."""
    folders = []
    for key, rec, name in available(results_dir):
        if (key, rec) == (dataset_key, recipe) and (m := FULL_SCALE_FOLDER.match(name)):
            folders.append((m.group(2).count("-"), name, int(m.group(1))))
    runs: dict[str, dict[int, tuple[str, dict[str, Any]]]] = {}
    for _, name, seed in sorted(folders):
        for model, result in load_results(results_dir, dataset_key, recipe, name).items():
            runs.setdefault(model, {}).setdefault(seed, (name, result))
    return {model: dict(sorted(seeds.items())) for model, seeds in sorted(runs.items())}


def full_scale_runs(results_dir: str | Path, dataset_key: str = "cifar10-jpeg", recipe: str = "seed") -> Runs:
    """Every stored full-scale run, as variant -> seed -> result, from every folder that
    :data:`FULL_SCALE_FOLDER` matches. Where one seed of a variant is stored in more than one such
    folder, the folder with fewer engine switches wins (the plain one first), so no run is
    counted twice."""
    return {model: {seed: result for seed, (_, result) in seeds.items()}
            for model, seeds in _full_scale(results_dir, dataset_key, recipe).items()}


def full_scale_folders(results_dir: str | Path, dataset_key: str = "cifar10-jpeg", recipe: str = "seed",
                       models: Sequence[str] | None = None) -> dict[str, list[str]]:
    """Which folder each run of :func:`full_scale_runs` (of ``models``, default all) came from:
    folder -> its runs as ``model sN``, so that a caption can name each folder's engine switches."""
    folders: dict[str, list[str]] = {}
    for model, seeds in _full_scale(results_dir, dataset_key, recipe).items():
        for seed, (folder, _) in seeds.items():
            if models is None or model in models:
                folders.setdefault(folder, []).append(f"{model} s{seed}")
    return dict(sorted(folders.items()))


def engine_switched(folders: dict[str, list[str]]) -> dict[str, list[str]]:
    """The folders of :func:`full_scale_folders` whose names carry an engine switch."""
    return {f: labels for f, labels in folders.items() if (m := FULL_SCALE_FOLDER.match(f)) and m.group(2)}


def full_scale_gap(results_dir: str | Path, model: str = "googlenet") -> FullScaleGap | None:
    """The stored full-scale GPU runs of ``model`` against source 000's CIFAR-10 row, or ``None``."""
    runs = full_scale_runs(results_dir).get(model)
    if not runs:
        return None
    point = error_point(model, runs)
    best = tuple((b["epoch"], b["test_top1_err"]) for b in
                 (min(r["history"], key=lambda h: h["test_top1_err"]) for r in runs.values()))
    first = next(iter(runs.values()))
    devices = sorted({r["environment"]["device_name"] for r in runs.values()})
    return FullScaleGap(point.error, point.low, point.high, point.over, tuple(runs), best, first["final"]["epoch"],
                        SOURCE_000["cifar10"][model].top1_error, ", ".join(devices))


def protocol_differences(results_dir: str | Path, model: str = "googlenet") -> Table:
    """How our stored full-scale run of ``model`` differs from source 000's runs beyond the
    recipe and the image counts, which they share: ours read from the result file, the source's
    from its text and code (:data:`SOURCE_SETUP`)."""
    runs = full_scale_runs(results_dir).get(model)
    if not runs:
        raise UsageError(f"no full-scale run of {model} is stored (a folder {FULL_SCALE_FOLDER.pattern} under "
                         f"{Path(results_dir) / 'cifar10-jpeg' / 'seed'}); the GPU campaign makes it")
    run = next(iter(runs.values()))
    env, data, recipe = run["environment"], run["data"], run["recipe"]
    jpeg = f", JPEG quality {MIRROR_QUALITY} with 4:2:0 chroma subsampling" if data["key"] == "cifar10-jpeg" else ""
    ours = {
        "data": f"{data['name']}{jpeg}",
        "training precision": env["precision"],
        "test precision": run["identity"].get("eval_precision", "fp32"),
        "test images": "each as it is (no flip)",
        "test batch": f"{recipe['eval_batch_size']:,}",
        "software": f"torch {env['torch']}",
        "device": env["device_name"],
    }
    rows = [{"": aspect, "ours": ours[aspect], "source 000": theirs} for aspect, theirs in SOURCE_SETUP.items()]
    return Table(("", "ours", "source 000"), rows, title=f"Our full-scale {model} run against source 000's",
                 notes=[(f"shared: {data['train_size']:,} training / {data['test_size']:,} test images, "
                         f"{recipe['epochs']} epochs of {recipe['optimizer'].capitalize()} at lr {recipe['lr']:g}, x{recipe['gamma']:g} per "
                         f"epoch, batch {recipe['batch_size']}, random flips in training; ours "
                         + (f"seed {run['identity']['seed']}, one run, like each of the source's" if len(runs) == 1 else
                            f"seeds {', '.join(map(str, runs))} (the column shows seed {run['identity']['seed']}'s file), "
                            "the source's one run")),
                        "both test with batch norm in eval mode, so the test batch changes only the rounding",
                        *(f"with engine switches, in folder {folder}: {', '.join(labels)}"
                          for folder, labels in engine_switched(full_scale_folders(results_dir, models=[model])).items())])


def _load(run: MidscaleRun, results_dir: Path) -> dict[str, Any] | None:
    path = run.result_file(results_dir)
    return load_result(path) if path.is_file() else None


def _by_label(label: str) -> MidscaleRun:
    return next(r for r in RUNS if r.label == label)


def _seed_errors(results_dir: Path) -> dict[str, list[float]]:
    """Each variant's mid-scale final errors over its stored plain seeds."""
    errors: dict[str, list[float]] = {}
    for run in RUNS:
        if not run.changes and (r := _load(run, results_dir)) is not None and r.get("final_test"):
            errors.setdefault(run.model, []).append(final_error(r))
    return errors


def _sd_words(errors: list[float]) -> str:
    s = sd_interval(errors)
    return f"{s.sd:.4f} ({s.n} seeds; 95% CI {s.low:.4f} to {s.high:.4f})"


def _seed_spread(results_dir: Path, model: str = "googlenet") -> str:
    """The seed-to-seed standard deviation of ``model``'s mid-scale error with its interval, or
    that it is not known yet."""
    errors = _seed_errors(results_dir).get(model, [])
    if len(errors) < 2:
        return f"{model}'s seed-to-seed spread at this protocol is not known yet ({len(errors)} seed stored)"
    return f"{model}'s seed-to-seed sd at this protocol is {_sd_words(errors)}"


def _all_spreads(results_dir: Path) -> str:
    """googlenet's spread, and every other variant's that has 2 or more seeds."""
    others = [f"{model}'s sd is {_sd_words(e)}"
              for model, e in _seed_errors(results_dir).items() if model != "googlenet" and len(e) >= 2]
    return "; ".join([_seed_spread(results_dir), *others])


def _seed_noise(results_dir: Path, model: str, difference: float) -> str:
    """The 95% prediction interval of the difference of two single runs of ``model`` from seed
    noise alone, with t on its plain seeds' sd and with that sd taken as known, and the p of
    ``difference`` under each."""
    errors = _seed_errors(results_dir).get(model, [])
    if len(errors) < 2 or stdev(errors) == 0:
        return f"{model}'s seed spread is not known yet, so neither is how far seed noise alone moves one run"
    noise = seed_noise(difference, stdev(errors), len(errors))
    return (f"seed noise alone gives two single runs of {model} a 95% prediction interval of ±{noise.reach:.4f} with "
            f"t on its {len(errors)} plain seeds' sd, {noise.sd:.4f}, p {noise.p_value:.2g}; ±{noise.reach_at_sd:.4f} "
            f"with that sd taken as known, p {noise.p_value_at_sd:.2g}")


def _waiting(labels: Sequence[str], results_dir: Path) -> list[str]:
    return [label for label in labels if _load(_by_label(label), results_dir) is None]


def _one_change(model: str, suffix: str, results_dir: Path, what: str) -> tuple[bool, str]:
    """Seed 1 of ``model`` with one change against its plain seed 1: whether both are stored, and
    the difference with its interval over the test images and the reach of seed noise."""
    changed_label, plain_label = f"{model}-s1-{suffix}", f"{model}-s1"
    changed, plain = _load(_by_label(changed_label), results_dir), _load(_by_label(plain_label), results_dir)
    if changed is None or plain is None:
        return False, f"{model}: waiting for run {', '.join(_waiting([changed_label, plain_label], results_dir))}"
    c = compare({"changed": {1: changed}, model: {1: plain}}, "changed", reference=model)
    return True, (f"{_named(model)}: {what} {c.difference:+.4f} (one seed; {_seed_noise(results_dir, model, c.difference)}; over the "
                  f"test images {c.bootstrap.low:+.4f} to {c.bootstrap.high:+.4f}, McNemar p {c.mcnemar[1].p_value:.2g})")


def _named(model: str) -> str:
    """A variant as a finding names it: googlenet, or another variant as googlenet's proxy."""
    return model if model == "googlenet" else f"{model} (a proxy for googlenet)"


def _status(stored: Sequence[bool], begun: Sequence[bool] | None = None) -> str:
    """"stored" when every part is, "partly stored" when some part is stored or begun, else "pending"."""
    return "stored" if all(stored) else "partly stored" if any(stored) or any(begun or ()) else "pending"


def _change(suffix: str, results_dir: Path, what: str) -> tuple[str, str]:
    """One change on each of :data:`EXPERIMENT_MODELS`: status and findings."""
    parts = [_one_change(model, suffix, results_dir, what) for model in EXPERIMENT_MODELS]
    return _status([done for done, _ in parts]), "; ".join(text for _, text in parts)


def _quality_points(model: str, results_dir: Path) -> tuple[dict[int, float], list[str]]:
    """``model``'s stored seed-1 errors by JPEG quality (the mirror's and the re-encoded copies'),
    and the labels of the runs still missing."""
    labels = {MIRROR_QUALITY: f"{model}-s1", **{q: f"{model}-s1-q{q}" for q in REENCODED_QUALITIES}}
    points = {q: final_error(r) for q, label in labels.items() if (r := _load(_by_label(label), results_dir))}
    return dict(sorted(points.items())), _waiting(list(labels.values()), results_dir)


def _quality_line(model: str, results_dir: Path) -> tuple[int, str]:
    """``model``'s seed-1 errors at the mirror's quality and the re-encoded ones, with the line
    through them and the reach of seed noise on its slope and on its value at quality 100; and
    how many of the three points are stored."""
    points, waiting = _quality_points(model, results_dir)
    if len(points) < 2:
        return len(points), f"{model}: waiting for run {', '.join(waiting)}"
    qualities = list(points)
    shown = ", ".join(f"quality {q}: {points[q]:.4f}" for q in qualities)
    errors = _seed_errors(results_dir).get(model, [])
    if len(errors) < 2:
        line = straight_line(qualities, list(points.values()), 0.0, 2, at=100)
        noise = f"{model}'s seed spread is not known yet, so neither is the line's"
        reach, along = ("", ""), ""
    else:
        line = straight_line(qualities, list(points.values()), stdev(errors), len(errors), at=100)
        reach = (f" ± {10 * line.slope_half_width:.4f}", f" ± {line.value_half_width:.4f}")
        fall = 100 - MIRROR_QUALITY
        along = (f"; along the line, from the mirror's quality {MIRROR_QUALITY} to 100: {fall * line.slope:+.4f} ± "
                 f"{fall * line.slope_half_width:.4f}")
        fit = (f", and the points' departure from it has p {line.lack_of_fit_p:.2f} against seed noise, "
               f"{line.lack_of_fit_p_at_sd:.3f} with the sd taken as known" if line.lack_of_fit_p is not None else "")
        noise = f"± from seed noise only, t on {model}'s {len(errors)} plain seeds' sd; a straight line is assumed{fit}"
    return len(points), (
        f"{_named(model)}: {shown} (one seed each); a straight line gives {10 * line.slope:+.4f}{reach[0]} per 10 quality "
        f"points and, extrapolated beyond the data to quality 100, {line.value:.4f}{reach[1]}{along} ({noise}; an "
        "extrapolation, not a measurement, on an axis of its own choosing: a line in other measures of the "
        "compression extrapolates otherwise)")


#: Measures of the compression to draw the data experiment's straight line on: the quality handed
#: to the encoder, the percentage by which the encoder scales its quantisation tables, and the log
#: of the mean step of its luminance table (on which every halving of the steps counts the same).
QUALITY_AXES: dict[str, Callable[[int], float]] = {
    "JPEG quality": float,
    "quantiser scale (%)": quantiser_scale,
    "log mean luma step": lambda quality: math.log(mean_luma_step(quality)),
}


@dataclass(frozen=True)
class AxisLine:
    """The data experiment's straight line for one variant on one axis of the compression: where
    its three qualities and quality 100 lie on the axis (``xs``, ``at_100``), the line, and the
    change along it from the mirror's quality to 100 with its half-width from seed noise."""

    model: str
    axis: str
    xs: dict[int, float]
    at_100: float
    line: Line
    change: float
    change_half_width: float
    measured_minus_line: float


def axis_lines(results_dir: str | Path) -> list[AxisLine]:
    """The data experiment's line on each of :data:`QUALITY_AXES`, for every variant whose three
    points and two or more plain seeds are stored (t on those seeds' sd, assumed at every quality).
    The same three runs on every axis, so the lines differ only in what a straight line assumes."""
    results_dir = Path(results_dir)
    lines = []
    for model in EXPERIMENT_MODELS:
        points, _ = _quality_points(model, results_dir)
        errors = _seed_errors(results_dir).get(model, [])
        if len(points) < 1 + len(REENCODED_QUALITIES) or len(errors) < 2:
            continue
        for axis, measure in QUALITY_AXES.items():
            xs = {q: measure(q) for q in points}
            line = straight_line(list(xs.values()), list(points.values()), stdev(errors), len(errors), at=measure(100))
            step = measure(100) - measure(MIRROR_QUALITY)
            change = step * line.slope
            lines.append(AxisLine(model, axis, xs, measure(100), line, change, abs(step) * line.slope_half_width,
                                  points[MIRROR_QUALITY] - (line.value - change)))
    return lines


def quality_axes(results_dir: str | Path, gap: float | None = None) -> Table:
    """:func:`axis_lines` as a table: per variant and axis, where the qualities lie on it, the change
    along the line from the mirror's quality to 100 and the line's value there (each ± seed noise),
    how far the mirror's measured error lies from the line, and the p of the points' departure from
    a straight line, with the sd estimated (F) and taken as known (χ²)."""
    qualities = ", ".join(map(str, sorted((*REENCODED_QUALITIES, MIRROR_QUALITY))))
    where, along = f"axis at qualities {qualities} -> 100", f"change along the line, {MIRROR_QUALITY} -> 100"
    off, fit = f"measured at {MIRROR_QUALITY} minus line", "lack-of-fit p (F; χ² with the sd known)"
    rows = [{"model": a.model, "axis": a.axis,
             where: ", ".join(f"{x:.3g}" for x in a.xs.values()) + f" -> {a.at_100:.3g}",
             along: f"{a.change:+.4f} ± {a.change_half_width:.4f}",
             "drop / gap": f"{-a.change / gap:.2f} ± {a.change_half_width / gap:.2f}" if gap else "",
             "line at 100": f"{a.line.value:.4f} ± {a.line.value_half_width:.4f}",
             off: f"{a.measured_minus_line:+.4f}",
             fit: f"{a.line.lack_of_fit_p:.2f}; {a.line.lack_of_fit_p_at_sd:.3f}"}
            for a in axis_lines(results_dir)]
    columns = ("model", "axis", where, along, *(("drop / gap",) if gap else ()), "line at 100", off, fit)
    return Table(columns, rows, title=f"The data experiment's line on {len(QUALITY_AXES)} axes of the compression",
                 notes=[("the same three seed-1 runs on every axis; each ± is a 95% half-width from seed noise only (t "
                         "on the variant's plain seeds' sd, measured at the mirror's quality and assumed at the "
                         "others); 'drop / gap' takes the gap as a fixed scale; quality 100 lies beyond the data on "
                         "every axis, so every value there is an extrapolation"),
                        (f"the change runs along the line from its value at {MIRROR_QUALITY}, not from the error "
                         f"measured there; '{off}' gives the difference"),
                        ("quantiser scale: the percentage libjpeg (which Pillow calls) scales its standard tables by, "
                         "5000 / quality (rounded down) below 50 and 200 - 2 x quality from 50, each step rounded and "
                         "kept between 1 and 255; at 0 every step is raised to 1"),
                        ("log mean luma step: the natural log of the mean of the 64 steps of the luminance table the "
                         "encoder writes at that quality (0 at quality 100)")])


def _quality(results_dir: Path) -> tuple[str, str]:
    parts = [_quality_line(model, results_dir) for model in EXPERIMENT_MODELS]
    status = _status([n == 3 for n, _ in parts], begun=[n >= 2 for n, _ in parts])
    return status, "; ".join(text for _, text in parts) + "; the original release is not JPEG at all"


def _quirk_count(results_dir: Path) -> str:
    """How many stored ablation runs of variants with source 000's eps quirk reproduce it, and how
    many correct it on purpose (the eps experiments, ``--fixed-bn-eps``)."""
    with_quirk = total = 0
    for dataset, recipe, protocol in available(results_dir):
        for model, run in load_results(results_dir, dataset, recipe, protocol).items():
            if model in CIFAR_MODEL_NAMES and get_spec(model).source_bn_eps:
                total += 1
                with_quirk += bool((run.get("identity") or {}).get("model_options", {}).get("source_bn_eps"))
    corrected = total - with_quirk
    if not total:
        return "no run of these variants is stored yet"
    without = [m for m in CIFAR_MODEL_NAMES if not get_spec(m).source_bn_eps]
    scope = f"every variant but {' and '.join(without)}" if without else "every variant"
    return (f"all {with_quirk} stored runs of the variants that have the quirk ({scope}), the eps experiments aside, "
            "reproduce it, as the source's had it"
            + (f"; {corrected} eps experiment{'s' if corrected > 1 else ''} correct{'' if corrected > 1 else 's'} it on purpose"
               if corrected else ""))


def evaluations(results_dir: str | Path) -> list[dict[str, Any]]:
    """Every stored test-time evaluation (``results/evaluation/*.json``), in file-name order."""
    folder = Path(results_dir) / EVALUATION_FOLDER
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))] if folder.is_dir() else []


def evaluation_table(evaluation: dict[str, Any]) -> Table:
    """One stored evaluation: each way of testing against plain testing, on the same images and
    the same weights (so no seed is involved): the error, the difference, its exact interval over
    the test images (:func:`~.statistics.discordant_interval`, which stays exact when only a few
    images change) and McNemar's exact p, which that interval matches."""
    classes = int(evaluation["num_classes"])
    labels = decode_labels(evaluation["labels"], classes)
    plain = decode_labels(evaluation["variants"]["plain"]["predictions"], classes)
    rows = []
    for name, v in evaluation["variants"].items():
        preds = decode_labels(v["predictions"], classes)
        row: dict[str, Any] = {"test": name, "what": v["what"], "error": v["top1_err"]}
        if name != "plain":
            exact = discordant_interval(preds, plain, labels, num_classes=classes)
            row.update({"minus plain": f"{exact.difference:+.4f}", "95% CI": f"{exact.low:+.4f} to {exact.high:+.4f}",
                        "discordant": exact.discordant,
                        "McNemar p": f"{mcnemar_exact(preds, plain, labels, classes).p_value:.2g}"})
        rows.append(row)
    trained = evaluation["trained"]
    return Table(("test", "what", "error", "minus plain", "95% CI", "discordant", "McNemar p"), rows,
                 title=f"Ways of testing one trained {trained['model']} (seed {trained['seed']})",
                 notes=[(f"weights {evaluation['weights']}: {trained['model']} trained on {trained['train_size']:,} images of "
                        f"{evaluation['data']['name']}, {trained['recipe']['epochs']} epochs of recipe "
                        f"{trained['recipe']['name']}, {trained['precision']}; tested on all {evaluation['data']['test_images']:,} "
                        f"test images in {evaluation['precision']} unless the test names another precision"),
                        ("the same weights and images throughout: the intervals cover the test images (and, for the "
                         "random flip, its draw), not seeds; discordant: the images that one of the two tests gets "
                         "right and the other wrong; each interval is exact given them (Clopper-Pearson), and excludes "
                         "0 exactly when McNemar's p is under 0.05")])


def _evaluation_finding(results_dir: Path, gap: float | None) -> tuple[str, str]:
    stored = evaluations(results_dir)
    models = sorted({e["trained"]["model"] for e in stored})
    parts = []
    for e in stored:
        rows = {r["test"]: r for r in evaluation_table(e).rows}
        lowest = min((r for name, r in rows.items() if name != "plain"), key=lambda r: float(r["minus plain"]))
        low = float(lowest["95% CI"].split(" to ")[0])
        against = f", against a gap of {gap:.4f}" if gap is not None else ""
        source = rows.get("random flip")
        sources = f"the source's random flip {source['minus plain']}, " if source else ""
        parts.append(f"on {e['trained']['model']}'s stored weights: {sources}the largest change {lowest['test']} "
                     f"({lowest['minus plain']}; its 95% CI reaches {low:+.4f}{against})")
    if "googlenet" not in models:
        exported = sorted(w.name for w in (results_dir / WEIGHTS_FOLDER).glob("*-googlenet-*.pt"))
        parts.append(f"the same test on googlenet's stored weights ({', '.join(exported)}): pending" if exported
                     else "the same test on googlenet's weights: waiting for them to be exported")
    status = "stored" if "googlenet" in models else ("partly stored" if stored else "pending")
    return status, "; ".join(parts)


def gap_causes(results_dir: str | Path) -> list[Cause]:
    """Every candidate cause of the full-scale gap, with what the stored files show about it."""
    results_dir = Path(results_dir)
    full = full_scale_gap(results_dir)
    causes = []
    if full is None:
        causes.append(Cause("which epoch was reported", "the full-scale run's best epoch against its last",
                            "pending", "waiting for a full-scale googlenet run"))
    elif len(full.seeds) == 1:
        (epoch, error), = full.best_epochs
        causes.append(Cause(
            "which epoch was reported", "the full-scale run's best epoch against its last", "stored",
            f"best epoch {epoch}: {error:.4f}, last (epoch {full.final_epoch}): {full.error:.4f}; "
            f"reporting the best would move our number by {full.best_error - full.error:+.4f} of the "
            f"{full.gap:.4f} gap"))
    else:
        bests = ", ".join(f"seed {s} epoch {e}: {err:.4f}" for s, (e, err) in zip(full.seeds, full.best_epochs))
        causes.append(Cause(
            "which epoch was reported", "each full-scale run's best epoch against its last", "stored",
            f"best epochs {bests}; reporting each run's best would move the mean over seeds by "
            f"{full.best_error - full.error:+.4f} of the {full.gap:.4f} gap"))
    models = " and ".join(EXPERIMENT_MODELS)
    status, finding = _change("fixed-eps", results_dir, "eps 1e-5 minus the quirk")
    causes.append(Cause("source 000's batch-norm eps", f"seed 1 of {models} with --fixed-bn-eps against the quirk, "
                        "which the source's runs had", status, f"{_quirk_count(results_dir)}; {finding}"))
    status, finding = _change("fp32", results_dir, "fp32 minus bf16")
    causes.append(Cause("precision", f"seed 1 of {models} in fp32 against bf16 autocast", status, finding))
    status, finding = _quality(results_dir)
    causes.append(Cause("the data (JPEG quality)", f"seed 1 of {models} on the mirror re-encoded at quality 50 and "
                        f"30, against the mirror's {MIRROR_QUALITY}", status, finding))
    status, finding = _evaluation_finding(results_dir, full.gap if full else None)
    causes.append(Cause("how the test is run", "stored weights tested plain, with the source's random flip, all "
                        "flipped, flip-averaged, and with batch norm recalibrated", status, finding))
    seeds_stored = [r.seed for r in RUNS if r.model == "googlenet" and not r.changes and _load(r, results_dir)]
    full_seeds = full_scale_runs(results_dir).get("googlenet", {})
    at_full = (f"; at full scale googlenet's sd is {_sd_words([final_error(r) for r in full_seeds.values()])}"
               if len(full_seeds) >= 2 else f"; at full scale a spread needs 2 seeds of googlenet, {len(full_seeds)} stored")
    causes.append(Cause("seed variation", "googlenet seeds 1-3 at the mid-scale protocol, and at full scale as GPU "
                        "seeds arrive", "stored" if len(seeds_stored) >= 3 else "partly stored" if seeds_stored else "pending",
                        _all_spreads(results_dir) + at_full))
    return causes


def causes_table(causes: Sequence[Cause]) -> Table:
    """The candidate causes as a table."""
    rows = [{"cause": c.cause, "experiment": c.experiment, "status": c.status, "what the stored files show": c.finding}
            for c in causes]
    return Table(("cause", "experiment", "status", "what the stored files show"), rows,
                 title="Candidate causes of the full-scale gap")
