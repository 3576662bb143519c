"""The ablation's variants over several seeds, compared on the same test images.

A run made with ``--final-test`` stores every test image's prediction. The runs of one
protocol over its seeds (folders that differ only in ``-sN``) are gathered here and summarised
the way a reviewer asks for:

* per variant: the mean final top-1 error over seeds, its standard deviation and its 95%
  t-interval (:func:`seed_table`);
* each variant against a reference: the difference in error on the same seeds and the same
  test images, with a paired bootstrap interval over seeds and images and McNemar's exact test
  for each seed (:func:`paired_table`).

Nothing is compared with the best of several runs and no range stands in for the noise.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..core.errors import UsageError
from ..core.published import SOURCE_000
from ..core.tables import Table
from .results import available, load_results, published_key
from .statistics import (
    final_test_predictions,
    mcnemar_exact,
    paired_bootstrap,
    same_test_set,
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


def runs_by_seed(results_dir: str | Path, dataset_key: str, recipe: str, protocol: str) -> Runs:
    """Every stored run of the protocol's seeds, as variant -> seed -> result (only runs with a
    final test on the whole split count: the paired tests need their predictions)."""
    runs: Runs = {}
    for seed, name in seed_protocols(results_dir, dataset_key, recipe, protocol).items():
        for model, result in load_results(results_dir, dataset_key, recipe, name).items():
            if result.get("final_test"):
                runs.setdefault(model, {})[seed] = result
    return {model: dict(sorted(seeds.items())) for model, seeds in runs.items()}


def final_error(result: dict[str, Any]) -> float:
    """A run's top-1 error on the whole test split."""
    return float(result["final_test"]["test_top1_err"])


def seed_table(runs: Runs, dataset_key: str, order: list[str] | None = None) -> Table:
    """Per variant: seeds, mean final top-1 error, standard deviation, 95% t-interval over
    seeds, and source 000's published error (one run each, rounded to two decimals)."""
    published = SOURCE_000.get(published_key(dataset_key) or "", {})
    rows = []
    for model in order or list(runs):
        if model not in runs:
            continue
        errors = {seed: final_error(r) for seed, r in runs[model].items()}
        row: dict[str, Any] = {"model": model, "seeds": ", ".join(map(str, errors)), "mean error": round(sum(errors.values()) / len(errors), 4)}
        if len(errors) >= 2:
            s = seed_summary(errors)
            row.update({"sd": round(s.sd, 4), "95% CI": f"{s.low:.4f} to {s.high:.4f}"})
        else:
            row.update({"sd": None, "95% CI": "needs 2+ seeds"})
        row["published"] = published[model].top1_error if model in published else None
        rows.append(row)
    return Table(("model", "seeds", "mean error", "sd", "95% CI", "published"), rows,
                 title="Final top-1 error on the whole test split, over seeds")


def _paired_row(model: str, reference: str, a: dict[int, dict[str, Any]], b: dict[int, dict[str, Any]],
                resamples: int) -> dict[str, Any]:
    seeds = sorted(set(a) & set(b))
    preds_a: dict[int, Any] = {}
    preds_b: dict[int, Any] = {}
    labels: Any = []
    classes = int(a[seeds[0]]["final_test"]["num_classes"])
    mcnemar = []
    for seed in seeds:
        same_test_set(a[seed], b[seed])
        pa, labels = final_test_predictions(a[seed])
        pb, _ = final_test_predictions(b[seed])
        preds_a[seed], preds_b[seed] = pa, pb
        mcnemar.append(f"s{seed} p={mcnemar_exact(pa, pb, labels, num_classes=classes).p_value:.3g}")
    boot = paired_bootstrap(preds_a, preds_b, labels, resamples=resamples, num_classes=classes)
    if boot.low > 0:
        verdict = f"higher than {reference}"
    elif boot.high < 0:
        verdict = f"lower than {reference}"
    else:
        verdict = "not distinguishable"
    return {"model": model, "seeds": ", ".join(map(str, seeds)), "difference": round(boot.difference, 4),
            "95% CI": f"{boot.low:+.4f} to {boot.high:+.4f}", "McNemar": "; ".join(mcnemar), "verdict": verdict}


def paired_table(runs: Runs, reference: str = "googlenet", order: list[str] | None = None,
                 resamples: int = 2000) -> Table:
    """Each variant's error minus the reference's on the seeds both have, on the same test
    images: the difference, a 95% paired bootstrap interval (seeds and images resampled), and
    McNemar's exact two-sided p-value per seed. A variant without a shared seed is left out."""
    if reference not in runs:
        raise UsageError(f"no runs of the reference {reference!r}; the runs are of {', '.join(runs) or 'nothing yet'}")
    rows = [_paired_row(model, reference, runs[model], runs[reference], resamples)
            for model in order or list(runs)
            if model != reference and model in runs and set(runs[model]) & set(runs[reference])]
    table = Table(("model", "seeds", "difference", "95% CI", "McNemar", "verdict"), rows,
                  title=f"Top-1 error minus {reference}'s, paired on the same seeds and test images")
    table.notes.append("difference: error(model) - error(reference), averaged over the shared seeds; the interval "
                       "resamples seeds, then test images; a verdict needs the interval to exclude 0.")
    return table
