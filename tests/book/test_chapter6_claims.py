"""Chapter 6's prose reads the stored results: each sentence below was written from the numbers
the results folder held then. A new result file can change those numbers without touching the
prose, and nbval, which compares outputs, does not read markdown. These tests read the claim in
the chapter and the numbers in ``results/``, and fail when the two no longer agree, naming the
sentence to rewrite. Each test also fails when its sentence is no longer in the chapter, so that a
rewrite of the prose brings its check along."""

from pathlib import Path

import nbformat
import pytest

from gnet_lib.training.analysis.gap_causes import evaluation_table, evaluations, full_scale_gap, full_scale_runs
from gnet_lib.training.analysis.seed_comparison import final_error, runs_by_seed
from gnet_lib.training.analysis.statistics import sd_interval, single_runs_half_width
from gnet_lib.training.experiments import midscale

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "results"
CHAPTER = ROOT / "notebooks" / "06_cifar_ablation.ipynb"


@pytest.fixture(scope="module")
def prose() -> str:
    cells = nbformat.read(CHAPTER, as_version=4).cells
    return " ".join(" ".join(c.source.split()) for c in cells if c.cell_type == "markdown")


def _googlenet_mid_errors() -> list[float]:
    runs = runs_by_seed(RESULTS, midscale.DATASET_KEY, midscale.RECIPE, midscale.plain_protocol(1))
    return [final_error(r) for r in runs["googlenet"].values()]


def _claimed(prose: str, sentence: str) -> None:
    assert " ".join(sentence.split()) in prose, f"chapter 6 no longer says {sentence!r}: update this test with the prose"


def test_one_full_scale_seed_while_the_chapter_says_so(prose):
    claims = ("The book's GPU campaign trained googlenet once", "But it rests on one seed",
              "Our one full-scale run, one seed,")
    for claim in claims:
        _claimed(prose, claim)
    seeds = len(full_scale_runs(RESULTS).get("googlenet", {}))
    assert seeds == 1, f"{seeds} full-scale googlenet seeds are stored, but chapter 6 still says: {claims}"


def test_the_gap_against_googlenet_mid_scale_seed_noise(prose):
    full = full_scale_gap(RESULTS)
    assert full is not None
    spread = sd_interval(_googlenet_mid_errors())
    reach = single_runs_half_width(spread.sd, spread.n, averaged=len(full.seeds))
    _claimed(prose, "puts the gap at more than two standard deviations of the difference between two single runs")
    assert full.gap / (spread.sd * (1 + 1 / len(full.seeds)) ** 0.5) > 2, "the gap is no longer beyond two sds"
    _claimed(prose, "lets seed noise alone reach beyond the gap")
    _claimed(prose, "one seed of googlenet can show only an effect larger than the gap itself")
    assert reach > full.gap, f"seed noise now reaches ±{reach:.4f}, inside the gap {full.gap:.4f}"
    _claimed(prose, "its 95% interval above reaches far beyond the gap")
    assert spread.high > 1.5 * full.gap, "googlenet's sd interval no longer reaches far beyond the gap"


def test_how_the_test_is_run_on_googlenet_weights(prose):
    _claimed(prose, "On googlenet's seed-2 weights, testing as the source did")
    full = full_scale_gap(RESULTS)
    assert full is not None
    stored = [e for e in evaluations(RESULTS) if e["trained"]["model"] == "googlenet"]
    assert [e["trained"]["seed"] for e in stored] == [2]
    rows = {r["test"]: r for r in evaluation_table(stored[0]).rows}
    low, high = (float(x) for x in rows["random flip"]["95% CI"].split(" to "))
    assert low < 0 < high, "the source's random flip now changes the error clearly"
    changes = {name: r for name, r in rows.items() if name != "plain"}
    assert min(changes, key=lambda n: changes[n]["minus plain"]) == "flip average"
    far = float(changes["flip average"]["95% CI"].split(" to ")[0])
    assert abs(far) < full.gap / 2, "flip averaging's far end is no longer a small fraction of the gap"
    assert abs(changes["recalibrated BN"]["minus plain"]) < full.gap / 10, "recalibration now moves the error"
