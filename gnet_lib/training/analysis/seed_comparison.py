"""The ablation's variants over several seeds, compared on the same test images.

A run made with ``--final-test`` stores every test image's prediction. The runs of one
protocol over its seeds (folders that differ only in ``-sN``) are gathered here and summarised
the way a reviewer asks for:

* per variant: the mean final top-1 error over seeds, its standard deviation and its 95%
  t-interval, or for a single run the interval its test images give, labelled as such
  (:func:`seed_table`);
* each variant against a reference: the difference in error on the same seeds and the same
  test images, with an interval over seeds and images, the paired bootstrap and McNemar's exact
  test for each seed, and a verdict only where 2 or more seeds exclude no difference
  (:func:`compare`, :func:`paired_table`).

Nothing is compared with the best of several runs and no range stands in for the noise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...core.errors import UsageError
from ...core.published import SOURCE_000
from ...core.tables import Table
from ..results.results import available, describe_protocols, load_results, published_key
from .statistics import (
    BinomialInterval,
    BootstrapDifference,
    McNemarResult,
    SeedImageDifference,
    binomial_interval,
    final_test_predictions,
    mcnemar_exact,
    paired_bootstrap,
    same_test_set,
    seed_image_difference,
    seed_summary,
)

_SEED = re.compile(r"-s(\d+)(?=-|$)")

#: variant -> seed -> result
Runs = dict[str, dict[int, dict[str, Any]]]


def protocol_seed(protocol: str) -> tuple[str, int]:
    """``"10000x10000-c2000-e14-s2-d1"`` -> ``("10000x10000-c2000-e14-s{}-d1", 2)``."""
    found = list(_SEED.finditer(protocol))
    if len(found) != 1:
        raise UsageError(f"protocol folder {protocol!r} does not name one seed (-sN); expected a name like "
                         "10000x10000-c2000-e14-s1-d1")
    m = found[0]
    return protocol[:m.start()] + "-s{}" + protocol[m.end():], int(m.group(1))


def seed_protocols(results_dir: str | Path, dataset_key: str, recipe: str, protocol: str) -> dict[int, str]:
    """The stored protocol folders that differ from ``protocol`` only in the seed: seed -> folder."""
    family, _ = protocol_seed(protocol)
    found: dict[int, str] = {}
    for key, rec, name in available(results_dir):
        if (key, rec) == (dataset_key, recipe) and _SEED.search(name) and len(_SEED.findall(name)) == 1:
            other, seed = protocol_seed(name)
            if other == family:
                found[seed] = name
    return dict(sorted(found.items()))


def runs_by_seed(results_dir: str | Path, dataset_key: str, recipe: str, protocol: str,
                 final_test: bool = True) -> Runs:
    """Every stored run of the protocol's seeds, as variant -> seed -> result. By default only
    runs with a final test on the whole split count (the paired tests need their predictions);
    ``final_test=False`` takes every run (e.g. the 4-epoch ones, tested after each epoch only)."""
    runs: Runs = {}
    for seed, name in seed_protocols(results_dir, dataset_key, recipe, protocol).items():
        for model, result in load_results(results_dir, dataset_key, recipe, name).items():
            if result.get("final_test") or not final_test:
                runs.setdefault(model, {})[seed] = result
    return {model: dict(sorted(seeds.items())) for model, seeds in runs.items()}


def final_error(result: dict[str, Any]) -> float:
    """A run's final top-1 error: on the whole test split where it has a final test, else its
    last epoch's test error."""
    return run_error(result)[0]


def run_error(result: dict[str, Any]) -> tuple[float, int]:
    """A run's final top-1 error and the number of test images it was measured on: the final
    test on the whole split where the run has one, else its last epoch's test."""
    if result.get("final_test"):
        return float(result["final_test"]["test_top1_err"]), int(result["final_test"]["images"])
    return float(result["final"]["test_top1_err"]), int(result["data"]["test_size"])


def single_run_interval(result: dict[str, Any], confidence: float = 0.95) -> BinomialInterval:
    """One run's final error with the interval its test images alone give (Wilson's): it says
    nothing about how far another seed would land."""
    error, images = run_error(result)
    return binomial_interval(round(error * images), images, confidence)


def data_seed(result: dict[str, Any]) -> int | None:
    """The seed a run's class-balanced subsets were drawn with: its subset seed (``--subset-seed``,
    ``-dN`` in its folder) where it has one, else its own seed, which draws them then; ``None``
    where the run used whole splits (no subset was drawn)."""
    if "subset" not in result.get("data", {}).get("source", ""):
        return None
    identity = result.get("identity") or {}
    subset_seed = identity.get("subset_seed")
    return int(subset_seed) if subset_seed is not None else int(identity.get("seed", result.get("config", {}).get("seed")))


def _data_seeds(runs: Runs) -> set[int | None]:
    return {data_seed(r) for seeds in runs.values() for r in seeds.values()}


def _subsets_phrase(runs: Runs) -> str:
    """How the runs' subsets were drawn: once for all of them, or by each run's own seed."""
    drawn = _data_seeds(runs)
    if drawn == {None}:
        return ""
    if len(drawn) == 1:
        return f"; the same subsets (drawn with seed {drawn.pop()}) for every run"
    return "; no subset seed: each seed also drew its own training and test subsets"


def protocol_caption(runs: Runs) -> str:
    """A caption naming the protocol of a set of runs of one protocol family: the seeds stored, how
    the subsets were drawn (once, or by each seed), then data and subset, epochs, recipe and setup
    (precision, device, threads), said once where the runs share them and by row where they differ
    (:func:`gnet_lib.training.results.results.describe_protocols`)."""
    flat = {f"{model} s{seed}": r for model, seeds in runs.items() for seed, r in seeds.items()}
    if not flat:
        return "ours: no runs stored yet"
    first = next(iter(flat.values()))
    seeds = sorted({seed for seeds in runs.values() for seed in seeds})
    caption = f"ours: seed{'s' if len(seeds) > 1 else ''} {', '.join(map(str, seeds))}{_subsets_phrase(runs)}"
    identity = first.get("identity") or {}
    if first.get("final_test") and identity.get("test_size") and identity["test_size"] != first["final_test"]["images"]:
        caption += f"; learning curves on a fixed subset of {identity['test_size']:,} test images"
    return f"{caption}; {describe_protocols(flat, with_seed=False)}"


def _seed_note(runs: Runs) -> str:
    """What an interval over these runs' seeds covers: one fixed test set, or seeds that also
    redrew the data."""
    several = any(len(seeds) >= 2 for seeds in runs.values())
    one = ("A run with one seed gets only its test images' interval (Wilson's), which says nothing about "
           "seeds.")
    if not several:
        return one
    if len(_data_seeds(runs)) > 1:
        return ("an interval over seeds here also covers the data: without a subset seed each seed drew its own "
                "training and test subsets, so the spread mixes the training run with different training and test "
                "images. " + one)
    return ("an interval over seeds is measured on one fixed test set; the test images add their own uncertainty. "
            "In a paired difference only the part two variants share cancels: the images on which they disagree "
            "remain, and the paired interval counts them. " + one)


def seed_table(runs: Runs, dataset_key: str, order: list[str] | None = None, with_published: bool = True) -> Table:
    """Per variant: the seeds stored, the mean final top-1 error, and its 95% interval: over seeds
    (Student's t, with the standard deviation) where there are 2 or more, else the one run's
    interval over its test images, labelled as such; beside source 000's published error (unless
    ``with_published`` is False, e.g. for runs far from the published protocol)."""
    published = SOURCE_000.get(published_key(dataset_key) or "", {}) if with_published else {}
    rows = []
    for model in order or list(runs):
        if model not in runs:
            continue
        errors = {seed: final_error(r) for seed, r in runs[model].items()}
        row: dict[str, Any] = {"model": model, "seeds": ", ".join(map(str, errors))}
        if len(errors) >= 2:
            s = seed_summary(errors)
            row.update({"error": round(s.mean, 4), "sd": round(s.sd, 4), "95% interval": f"{s.low:.4f} to {s.high:.4f}",
                        "interval over": f"{s.n} seeds (t, {s.n - 1} df)"})
        else:
            one = single_run_interval(next(iter(runs[model].values())))
            row.update({"error": round(one.rate, 4), "sd": None, "95% interval": f"{one.low:.4f} to {one.high:.4f}",
                        "interval over": f"one run: its {one.n:,} test images only"})
        row["published"] = f"{published[model].top1_error:.2f}" if model in published else None  # as printed: 0.10
        rows.append(row)
    columns = ("model", "seeds", "error", "sd", "95% interval", "interval over") + (("published",) if published else ())
    table = Table(columns, rows,
                  title="Final top-1 test error: the mean over seeds")
    shown = {model: runs[model] for model in order or list(runs) if model in runs}
    table.notes.append(protocol_caption(shown))
    table.notes.append(_seed_note(shown))
    if published:
        table.notes.append("published: source 000, one run per variant, printed with two decimals")
    return table


@dataclass(frozen=True)
class Comparison:
    """One variant against a reference on the seeds both have and the same test images."""

    model: str
    reference: str
    seeds: tuple[int, ...]
    difference: float
    #: over seeds and test images; ``None`` with a single shared seed
    interval: SeedImageDifference | None
    bootstrap: BootstrapDifference
    mcnemar: dict[int, McNemarResult]

    @property
    def verdict(self) -> str:
        """"higher than" / "lower than" the reference where the interval over seeds and images
        excludes 0, "not distinguishable" where it does not, and no verdict from one seed."""
        if self.interval is None:
            return "one seed: no verdict"
        if self.interval.low > 0:
            return f"higher than {self.reference}"
        if self.interval.high < 0:
            return f"lower than {self.reference}"
        return "not distinguishable"


def compare(runs: Runs, model: str, reference: str = "googlenet", resamples: int = 2000) -> Comparison:
    """``model``'s final error minus ``reference``'s, paired by seed and on the same test images:
    the interval over seeds and images (2+ shared seeds), the paired bootstrap, and McNemar's exact
    test for each seed."""
    for name in (model, reference):
        if name not in runs:
            raise UsageError(f"no runs of {name!r} with a final test; the runs are of {', '.join(runs) or 'nothing yet'}")
    seeds = tuple(sorted(set(runs[model]) & set(runs[reference])))
    if not seeds:
        raise UsageError(f"{model} (seeds {sorted(runs[model])}) and {reference} (seeds {sorted(runs[reference])}) "
                         "share no seed; a paired comparison needs the same seed of both")
    a, b = runs[model], runs[reference]
    classes = int(a[seeds[0]]["final_test"]["num_classes"])
    preds_a: dict[int, list[int]] = {}
    preds_b: dict[int, list[int]] = {}
    labels: list[int] = []
    mcnemar = {}
    for seed in seeds:
        same_test_set(a[seed], b[seed])
        preds_a[seed], labels = final_test_predictions(a[seed])
        preds_b[seed], _ = final_test_predictions(b[seed])
        mcnemar[seed] = mcnemar_exact(preds_a[seed], preds_b[seed], labels, num_classes=classes)
    boot = paired_bootstrap(preds_a, preds_b, labels, resamples=resamples, num_classes=classes)
    interval = seed_image_difference(preds_a, preds_b, labels, num_classes=classes) if len(seeds) >= 2 else None
    return Comparison(model, reference, seeds, boot.difference, interval, boot, mcnemar)


def _paired_row(c: Comparison) -> dict[str, Any]:
    over = "images" if len(c.seeds) == 1 else "seeds, images"
    return {"model": c.model, "seeds": ", ".join(map(str, c.seeds)), "difference": round(c.difference, 4),
            "95% CI (seeds and images)": (f"{c.interval.low:+.4f} to {c.interval.high:+.4f}" if c.interval
                                          else "needs 2+ seeds"),
            "bootstrap 95% CI": f"{c.bootstrap.low:+.4f} to {c.bootstrap.high:+.4f} ({over})",
            "McNemar p": "; ".join(f"s{seed} {m.p_value:.2g}" for seed, m in c.mcnemar.items()),
            "verdict": c.verdict}


def paired_table(runs: Runs, reference: str = "googlenet", order: list[str] | None = None,
                 resamples: int = 2000) -> Table:
    """Each variant's error minus the reference's on the seeds both have, on the same test
    images (see :func:`compare`). A variant without a shared seed is left out, and the caption
    names only the runs the rows use."""
    if reference not in runs:
        raise UsageError(f"no runs of the reference {reference!r}; the runs are of {', '.join(runs) or 'nothing yet'}")
    compared = [model for model in order or list(runs)
                if model != reference and model in runs and set(runs[model]) & set(runs[reference])]
    comparisons = [compare(runs, model, reference, resamples) for model in compared]
    used: Runs = {}
    for c in comparisons:  # the caption names only the runs the rows use: the shared seeds
        for name in (c.model, reference):
            used.setdefault(name, {}).update({seed: runs[name][seed] for seed in c.seeds})
    table = Table(("model", "seeds", "difference", "95% CI (seeds and images)", "bootstrap 95% CI", "McNemar p", "verdict"),
                  [_paired_row(c) for c in comparisons],
                  title=f"Top-1 error minus {reference}'s, paired on the same seeds and test images")
    table.notes += [
        protocol_caption({name: dict(sorted(seeds.items())) for name, seeds in used.items()}),
        "difference: error(model) - error(reference), averaged over the shared seeds.",
        ("95% CI (seeds and images): what other seeds and other test images would give (Student's t on the seeds, "
        "the normal on the images); the verdict is read from it, and only with 2 or more seeds."),
        ("bootstrap: the paired percentile bootstrap; over one seed it covers the test images only, over 2 or 3 seeds "
        "it is too narrow (it resamples only the seeds it has)."),
        "McNemar p: the exact two-sided test of each seed's discordant images (only one model right)."]
    return table


@dataclass(frozen=True)
class ErrorPoint:
    """One variant's final error under one protocol, with its 95% interval and what it is over."""

    model: str
    params: int
    error: float
    low: float
    high: float
    seeds: int
    #: "seeds": Student's t over 2+ seeds; "test images": one run's Wilson interval
    over: str


def error_point(model: str, results: dict[int, dict[str, Any]]) -> ErrorPoint:
    """A variant's runs of one protocol (``{seed: result}``) as a point: the mean final error over
    2+ seeds with its t-interval, or one run's error with its test images' interval. The final
    test on the whole split is used where a run has one, else the last epoch's test error."""
    if not results:
        raise UsageError(f"no runs of {model} to summarise")
    first = next(iter(results.values()))
    if len(results) >= 2:
        s = seed_summary({seed: run_error(r)[0] for seed, r in results.items()})
        return ErrorPoint(model, int(first["model"]["params"]), s.mean, s.low, s.high, s.n, "seeds")
    one = single_run_interval(first)
    return ErrorPoint(model, int(first["model"]["params"]), one.rate, one.low, one.high, 1, "test images")
