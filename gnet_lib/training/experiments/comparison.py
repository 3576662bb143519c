"""Recipes compared on one model and one dataset: does a faster recipe keep the accuracy?

Each recipe's run is one result file, ``<folder>/<recipe>.json``, written by the same engine
and with the same provenance as an ablation run; finished runs are skipped and interrupted
ones resume. :func:`recipe_table` then asks of every recipe: when (epoch, and seconds of
training and evaluation) did it first reach the test error the reference recipe ended with?
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

from ...core.errors import UsageError
from ...core.layers import layer_table
from ...core.tables import Table
from ..data.data import load_data
from ..engine.train import run_identity, subset_data, train_to_file
from ..results.results import (
    describe_protocol,
    describe_protocols,
    format_time,
    reusable_result,
    throughput,
    time_to_error,
)
from ..settings.config import TrainConfig
from ..settings.locations import DEFAULT_RUNS
from ..settings.recipes import batch_count, resize_text, stage_side


def compare_recipes(
    base: TrainConfig,
    recipes: Sequence[str],
    folder: str | Path,
    runs_dir: str | Path = DEFAULT_RUNS,
    log: Callable[[str], None] = print,
    on_epoch_end: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, dict[str, Any]]:
    """Train ``base.model`` with each recipe that has no result in ``folder`` yet; return all results.

    ``base`` gives the model, dataset, seed and device; its ``recipe``, ``run_dir`` and
    ``resume`` are set per run. All runs share one loaded (and subset) copy of the data.
    """
    for name in recipes:
        replace(base, recipe=name).validate()  # an unknown name or bad setting fails before any training
    folder = Path(folder)
    data = load_data(base.dataset, base.data_dir, base.download, base.synthetic_sizes, seed=base.seed)
    data = subset_data(base, data)
    # a model too big for these images fails here, before any run folder is made
    layer_table(base.spec(), input_size=tuple(data.train_x.shape[1:]), num_classes=data.num_classes)
    results = {}
    for name in recipes:
        path = folder / f"{name}.json"
        config = replace(base, recipe=name, run_dir=str(Path(runs_dir) / folder.name / name), resume=True)
        stored = reusable_result(path, run_identity(config, data))  # other settings: an error, not a skip
        if stored is not None:
            results[name] = stored
            log(f"{name}: result exists, skipped")
            continue
        log(f"{name}: training {base.model} (checkpoints in {config.run_dir})")
        results[name] = train_to_file(config, path, data, log, prefix=f"{name} ", on_epoch_end=on_epoch_end)
    return results


def _speed_up(reference_seconds: float, seconds: float) -> float:
    """How many times sooner than the reference, rounded as the table and the summary both show it."""
    return round(reference_seconds / seconds, 2)


def ran_together(results: dict[str, dict[str, Any]]) -> str:
    """A caption's words for how the runs shared the machine: at the same time where their recorded
    start and end times overlap (with the threads each ran on, where every device name records the
    same count), else nothing."""
    if len(results) < 2 or not all(r.get("started") and r.get("finished") for r in results.values()):
        return ""
    starts = [datetime.fromisoformat(r["started"]) for r in results.values()]
    ends = [datetime.fromisoformat(r["finished"]) for r in results.values()]
    if max(starts) >= min(ends):
        return ""
    threads = {device_threads(r["environment"]["device_name"]) for r in results.values()}
    each = ""
    if len(threads) == 1 and None not in threads:
        count = threads.pop()
        each = ", one thread each" if count == 1 else f", {count} threads each"
    return f"{'both' if len(results) == 2 else 'all'} runs at once (their recorded start and end times overlap){each}"


def device_threads(device_name: str) -> int | None:
    """The thread count a CPU's device name records, e.g. ``"AMD EPYC (1 thread)"`` -> 1."""
    found = re.search(r"\((\d+) threads?\)", device_name)
    return int(found.group(1)) if found else None


def recipe_table(results: dict[str, dict[str, Any]], reference: str = "seed") -> Table:
    """One row per recipe: its cost, its errors, and how soon it matched the reference's final error."""
    if reference not in results:
        raise UsageError(f"the reference recipe {reference!r} has no result here (have: {', '.join(results) or 'none'})")
    runs = {(r["model"]["name"], r["data"]["source"]) for r in results.values()}
    if len(runs) > 1:
        raise UsageError(f"these results are of different models or data, so they do not compare: {sorted(runs)}")
    target = results[reference]["final"]["test_top1_err"]
    ref_time = results[reference]["wall_time_s"]
    rows = []
    for name in sorted(results, key=lambda n: n != reference):  # the reference first
        r = results[name]
        hit = time_to_error(r["history"], target)
        rows.append(
            {
                "recipe": name,
                "epochs": r["final"]["epoch"],
                "batch": r["recipe"]["batch_size"],
                "train images/s": round(throughput(r["history"])["images_per_s"] or 0),
                "time": format_time(r["wall_time_s"]),
                "final top-1 err": round(r["final"]["test_top1_err"], 4),
                "best top-1 err": round(min(h["test_top1_err"] for h in r["history"]), 4),
                f"epoch at {reference}'s final err": hit[0] if hit else None,
                f"time to {reference}'s final err": format_time(hit[1]) if hit else None,
                f"speed-up vs {reference}": _speed_up(ref_time, hit[1]) if hit else None,
            }
        )
    first = results[reference]
    torch_versions = ", ".join(sorted({r["environment"]["torch"] for r in results.values()}))
    notes = [
        (f"{first['model']['name']}: {describe_protocols({row['recipe']: results[row['recipe']] for row in rows})} "
         f"(torch {torch_versions}; the result files hold the full provenance)"),
        f"target: {reference}'s final test top-1 error {target:.4f}; times are training plus per-epoch evaluation",
    ]
    if together := ran_together(results):
        notes.append(together)
    return Table(tuple(rows[0]), rows, title=f"Recipes compared on {first['model']['name']}", notes=notes)


def summarize(results: dict[str, dict[str, Any]], reference: str = "seed") -> list[str]:
    """One sentence per other recipe: whether, when and how much sooner it matched the reference."""
    target = results[reference]["final"]["test_top1_err"]
    ref_time = results[reference]["wall_time_s"]
    lines = []
    for name, r in results.items():
        if name == reference:
            continue
        hit = time_to_error(r["history"], target)
        own = f"it ended at {r['final']['test_top1_err']:.4f} after {r['final']['epoch']} epochs"
        if hit is None:
            line = f"{name} did not reach {reference}'s final top-1 error ({target:.4f}); {own}."
            back = time_to_error(results[reference]["history"], r["final"]["test_top1_err"])
            if back is not None:  # how long the reference took to get as far
                line += (f" {reference} first got that far at epoch {back[0]}, after {format_time(back[1])}, against "
                         f"{name}'s {format_time(r['wall_time_s'])}.")
            lines.append(line)
            continue
        epoch, seconds = hit
        lines.append(
            f"{name} reached {reference}'s final top-1 error ({target:.4f}) at epoch {epoch}, after {format_time(seconds)} "
            f"against {reference}'s {format_time(ref_time)}: {_speed_up(ref_time, seconds):g} times sooner; {own}."
        )
    return lines


def stage_times(result: dict[str, Any]) -> Table:
    """What an epoch cost at each image size of a run with resize stages: its training and
    evaluation seconds (means over the epochs at that size), and its training cost as a
    fraction of a full-size epoch's."""
    full = result["data"]["image_shape"][-1]
    stages = result["recipe"].get("resize_stages") or ()
    by_side: dict[int, list[dict[str, Any]]] = {}
    for h in result["history"]:
        by_side.setdefault(stage_side(stages, h["epoch"] - 1) or full, []).append(h)
    if full not in by_side:
        raise UsageError("this run has no epoch at the images' own size to compare the others with")

    def mean(side: int, key: str) -> float:
        return sum(h[key] for h in by_side[side]) / len(by_side[side])

    rows = [{"image size": f"{side}x{side}", "epochs": len(epochs),
             "training s per epoch": round(mean(side, "epoch_time_s"), 1),
             "training images/s": round(sum(h["train_images"] for h in epochs) / sum(h["epoch_time_s"] for h in epochs)),
             "evaluation s per epoch": round(mean(side, "eval_time_s"), 1),
             "training cost vs full size": round(mean(side, "epoch_time_s") / mean(full, "epoch_time_s"), 2)}
            for side, epochs in by_side.items()]
    return Table(tuple(rows[0]), rows, title=f"What an epoch cost at each image size ({result['recipe']['name']}, {result['model']['name']})",
                 notes=[describe_protocol(result, with_seed=True)])


def tuning_table(runs: dict[str, dict[str, Any]]) -> Table:
    """One row per candidate tried on a validation split (``runs`` keyed by the candidate's name),
    lowest peak learning rate first, with its validation error after each epoch; the lowest final
    error is marked. Recipe settings other than the rate that differ between the candidates get a
    column each, and the caption names each protocol once with the candidates that ran under it."""
    if not runs:
        raise UsageError("no tuning runs to show")
    not_validation = [name for name, r in runs.items() if (r.get("identity") or {}).get("validation") is None]
    if not_validation:
        raise UsageError(f"these runs were evaluated on the test set, not on a validation split: {', '.join(not_validation)}")
    models = sorted({r["model"]["name"] for r in runs.values()})
    if len(models) > 1:
        raise UsageError(f"these candidates trained different models ({', '.join(models)}); tabulate each model's candidates apart")
    names = sorted(runs, key=lambda n: (runs[n]["recipe"]["lr"], str(sorted(runs[n]["recipe"].items()))))
    ordered = [runs[n] for n in names]
    lowest = min(ordered, key=lambda r: r["final"]["test_top1_err"])
    epochs = max(r["final"]["epoch"] for r in ordered)
    fields = dict.fromkeys(f for r in ordered for f in r["recipe"])  # every field, in order (older runs lack new ones)
    varying = [f for f in fields if f != "lr" and len({json.dumps(r["recipe"].get(f)) for r in ordered}) > 1]
    rows = []
    for name, r in zip(names, ordered):
        settings = {f: r["recipe"].get(f) for f in varying}
        if "resize_stages" in settings:
            settings["resize_stages"] = resize_text(settings["resize_stages"] or ())
        row = {"candidate": name, "peak lr": r["recipe"]["lr"], **settings, "lowest final err": r is lowest}
        row.update({f"epoch {h['epoch']}": round(h["test_top1_err"], 4) for h in r["history"]})
        row.update({f"epoch {e}": None for e in range(len(r["history"]) + 1, epochs + 1)})
        row["final train err"] = round(r["final"]["train_top1_err"], 4)
        row["time"] = format_time(r["wall_time_s"])
        rows.append(row)
    first = ordered[0]
    notes = [f"{first['model']['name']}: {_candidates_caption(dict(zip(names, ordered)))}",
             "each candidate's recipe as its result file stores it; a setting that differs between candidates has a column",
             "validation top-1 error after each epoch; train err: on the augmented training batches of the last epoch"]
    return Table(tuple(rows[0]), rows, title=f"Candidates tried on a validation split ({first['model']['name']})",
                 notes=notes)


def _candidates_caption(runs: dict[str, dict[str, Any]]) -> str:
    """The protocol caption of tuning candidates: each is a variant of the recipe it is stored under,
    so the caption names them as candidates derived from it rather than as that recipe."""
    caption = describe_protocols(runs)
    for name in sorted({r["recipe"]["name"] for r in runs.values()}):
        caption = caption.replace(f"recipe {name}", f"candidates derived from recipe {name}")
    return caption


def _label(run: dict[str, Any]) -> str:
    """A run's recipe in words: its name, optimizer, peak rate, batch, epochs and what else it adds."""
    r = run["recipe"]
    extras = [f"label smoothing {r['label_smoothing']:g}" if r.get("label_smoothing") else "",
              f"shifts up to {r['crop_padding']} px" if r.get("crop_padding") else "",
              resize_text(r["resize_stages"]) if r.get("resize_stages") else ""]
    return ", ".join([f"{r['name']}: {r['optimizer']} lr {r['lr']:g}", f"batch {r['batch_size']}", f"{r['epochs']} epochs",
                      *filter(None, extras)])


def updates(run: dict[str, Any]) -> int:
    """The optimiser steps of a whole run: batches per epoch (whole ones only under ``drop_last``)
    times its epochs."""
    recipe = run["recipe"]
    return batch_count(run["data"]["train_size"], recipe["batch_size"], bool(recipe.get("drop_last"))) * run["final"]["epoch"]


def full_size_epochs(run: dict[str, Any]) -> int:
    """The epochs a run trained on images of their own size, after its resize stages."""
    return run["final"]["epoch"] - sum(epochs for epochs, _ in run["recipe"].get("resize_stages") or ())


def best_by_length(tunings: Sequence[dict[str, dict[str, Any]]]) -> Table:
    """The lowest final validation error among the candidates of each run length (epochs), with
    the candidate that reached it, its full-size epochs and its updates: does a longer run end lower?
    The caption names the best candidates' protocols."""
    best: dict[int, dict[str, Any]] = {}
    names: dict[int, str] = {}
    for runs in tunings:
        for name, run in runs.items():
            n = run["final"]["epoch"]
            if n not in best or run["final"]["test_top1_err"] < best[n]["final"]["test_top1_err"]:
                best[n], names[n] = run, name
    if not best:
        raise UsageError("no tuning runs to compare across lengths")
    rows = [{"epochs": n, "candidates": sum(r["final"]["epoch"] == n for runs in tunings for r in runs.values()),
             "lowest final validation err": round(best[n]["final"]["test_top1_err"], 4), "reached by": _label(best[n]),
             "full-size epochs": full_size_epochs(best[n]), "updates": updates(best[n])}
            for n in sorted(best)]
    first = best[min(best)]
    notes = [f"{first['model']['name']}: {_candidates_caption({names[n]: best[n] for n in sorted(best)})}",
             "updates: optimiser steps in the whole run; full-size epochs: those at the images' own size"]
    return Table(tuple(rows[0]), rows, title="The best candidate of each length", notes=notes)


def _setting(key: str, value: Any) -> str:
    """A recipe setting's value in words: resize stages as sentences, numbers without trailing zeros."""
    if key == "resize_stages":
        return resize_text(value or ())
    if isinstance(value, list):
        return ", ".join(_setting(key, v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def recipe_differences(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """Every recipe setting in which two runs differ, as ``"setting a vs b"`` (the stored recipes
    compared field by field): what a comparison of the two confounds."""
    return [f"{key} {_setting(key, a['recipe'].get(key))} vs {_setting(key, b['recipe'].get(key))}"
            for key in dict.fromkeys([*a["recipe"], *b["recipe"]])
            if key != "name" and json.dumps(a["recipe"].get(key)) != json.dumps(b["recipe"].get(key))]


def epoch_times(runs: dict[str, dict[str, Any]]) -> Table:
    """Each run's training and evaluation seconds per epoch (lowest to highest) and their means
    against the quickest run's: is one run slower in every epoch, or in a few?"""
    if not runs:
        raise UsageError("no runs to compare")

    def mean(run: dict[str, Any], key: str) -> float:
        return sum(h[key] for h in run["history"]) / len(run["history"])

    quickest = {key: min(mean(r, key) for r in runs.values()) for key in ("epoch_time_s", "eval_time_s")}
    rows = [{"run": name,
             "training s per epoch": f"{min(h['epoch_time_s'] for h in r['history']):.0f}-{max(h['epoch_time_s'] for h in r['history']):.0f}",
             "evaluation s per epoch": f"{min(h['eval_time_s'] for h in r['history']):.0f}-{max(h['eval_time_s'] for h in r['history']):.0f}",
             "training vs quickest": round(mean(r, "epoch_time_s") / quickest["epoch_time_s"], 2),
             "evaluation vs quickest": round(mean(r, "eval_time_s") / quickest["eval_time_s"], 2)}
            for name, r in runs.items()]
    tuning = all((r.get("identity") or {}).get("validation") is not None for r in runs.values())
    return Table(tuple(rows[0]), rows, title="Seconds per epoch of each run, and its mean against the quickest run's",
                 notes=[_candidates_caption(runs) if tuning else describe_protocols(runs)])


def epoch_starts(run: dict[str, Any]) -> list[datetime]:
    """When each epoch began, counted back from the run's recorded end through its epochs' training
    and evaluation seconds (writing a checkpoint takes a little more, so each start is at most a
    few seconds late)."""
    end = datetime.fromisoformat(run["finished"])
    starts = []
    for h in reversed(run["history"]):
        end -= timedelta(seconds=h["epoch_time_s"] + h["eval_time_s"])
        starts.append(end)
    return starts[::-1]


def epochs_after(run: dict[str, Any], others: Sequence[dict[str, Any]]) -> list[int]:
    """The epochs of ``run`` that began after every run in ``others`` had finished."""
    last = max(datetime.fromisoformat(o["finished"]) for o in others)
    return [h["epoch"] for h, start in zip(run["history"], epoch_starts(run)) if start > last]


def resize_steps(run: dict[str, Any]) -> list[str]:
    """At each change of image size in a run with resize stages: its training loss and test error
    in the last epoch before the change and the first after it, as a readable line."""
    stages = run["recipe"].get("resize_stages") or ()
    full = run["data"]["image_shape"][-1]
    history = run["history"]
    lines = []
    for before, after in pairwise(history):
        old, new = (stage_side(stages, h["epoch"] - 1) or full for h in (before, after))
        if old != new:
            lines.append(f"{run['recipe']['name']}, epoch {before['epoch']} -> {after['epoch']} ({old}x{old} -> {new}x{new}): "
                         f"training loss {before['train_loss']:.3f} -> {after['train_loss']:.3f}, "
                         f"test error {before['test_top1_err']:.4f} -> {after['test_top1_err']:.4f}")
    return lines


def curve_rises(tunings: Sequence[dict[str, dict[str, Any]]]) -> list[str]:
    """Every epoch at which a candidate's validation error rose, as a readable line."""
    lines = []
    for run in (r for runs in tunings for r in runs.values()):
        errs = [h["test_top1_err"] for h in run["history"]]
        lines += [f"{_label(run)}: {errs[i - 1]:.4f} -> {errs[i]:.4f} at epoch {i + 1}"
                  for i in range(1, len(errs)) if errs[i] > errs[i - 1]]
    return lines


def time_against(runs: Sequence[dict[str, Any]], reference: dict[str, Any]) -> Table:
    """Each run's time (training plus evaluation) as a share of ``reference``'s: as run, and with
    its training time scaled to the reference's number of training images and its evaluation time
    to the reference's number of evaluated images (an evaluation on as many images stays as it was)."""
    ref = reference["data"]

    def scaled(r: dict[str, Any]) -> float:
        train = sum(h["epoch_time_s"] for h in r["history"]) * ref["train_size"] / r["data"]["train_size"]
        evaluation = sum(h["eval_time_s"] for h in r["history"]) * ref["test_size"] / r["data"]["test_size"]
        return train + evaluation

    rows = [{"run": _label(r), "training images": r["data"]["train_size"], "evaluated images": r["data"]["test_size"],
             "time": format_time(r["wall_time_s"]),
             "share of reference time": round(r["wall_time_s"] / reference["wall_time_s"], 2),
             "share at the reference's image counts": round(scaled(r) / reference["wall_time_s"], 2)}
            for r in runs]
    return Table(tuple(rows[0]), rows, title=f"Time against {_label(reference)} on {ref['train_size']:,} training and "
                 f"{ref['test_size']:,} evaluated images ({format_time(reference['wall_time_s'])})",
                 notes=[("at the reference's image counts: training time scaled by the training images, evaluation "
                         "time by the evaluated images")])
