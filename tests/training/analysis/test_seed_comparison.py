"""The variants over seeds: intervals over seeds, paired differences on the same test images."""

import json
import math
import random
from pathlib import Path

import pytest

from gnet_lib.core.errors import UsageError
from gnet_lib.training.analysis.seed_comparison import (
    compare,
    paired_table,
    protocol_seed,
    runs_by_seed,
    seed_protocols,
    seed_table,
)
from gnet_lib.training.results.class_strings import encode_labels

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = ROOT / "results" / "cifar10-jpeg" / "seed" / "5000x1000-e4-s1" / "short3.json"
FAMILY = "10000x10000-c2000-e14-s{}-d1"
IMAGES = 2000


def _labels() -> list[int]:
    return [i % 10 for i in range(IMAGES)]


def _predictions(wrong: set[int]) -> list[int]:
    return [(y + 1) % 10 if i in wrong else y for i, y in enumerate(_labels())]


def _store(root: Path, protocol: str, model: str, wrong: set[int] | None) -> None:
    result = json.loads(TEMPLATE.read_text())
    result["model"]["name"] = model
    if wrong is not None:
        result["final_test"] = {"test_loss": 1.0, "test_top1_err": len(wrong) / IMAGES, "test_top5_err": 0.0,
                                "images": IMAGES, "num_classes": 10,
                                "predictions": encode_labels(_predictions(wrong), 10), "labels": encode_labels(_labels(), 10)}
    folder = root / "cifar10-jpeg" / "seed" / protocol
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{model}.json").write_text(json.dumps(result))


def _wrong(n: int, seed: int) -> set[int]:
    return set(random.Random(seed).sample(range(IMAGES), n))


@pytest.fixture
def stored(tmp_path) -> Path:
    """googlenet and short4 over seeds 1-3; short4 errs on googlenet's images and 200 more."""
    for seed, n in ((1, 400), (2, 420), (3, 380)):
        base = _wrong(n, seed)
        _store(tmp_path, FAMILY.format(seed), "googlenet", base)
        extra = set(sorted(set(range(IMAGES)) - base)[:200])
        _store(tmp_path, FAMILY.format(seed), "short4", base | extra)
    _store(tmp_path, FAMILY.format(1), "short3", _wrong(500, 9))
    _store(tmp_path, FAMILY.format(2), "long", None)
    _store(tmp_path, "10000x10000-c2000-e14-s1-d2", "googlenet", _wrong(10, 1))
    _store(tmp_path, "5000x1000-e4-s1", "googlenet", _wrong(10, 1))
    return tmp_path


def test_a_protocol_names_its_seed():
    assert protocol_seed("10000x10000-c2000-e14-s2-d1") == (FAMILY, 2)
    assert protocol_seed("5000x1000-e4-s13") == ("5000x1000-e4-s{}", 13)
    with pytest.raises(UsageError, match="does not name one seed"):
        protocol_seed("5000x1000-e4")


def test_only_folders_that_differ_in_the_seed_are_gathered(stored):
    assert seed_protocols(stored, "cifar10-jpeg", "seed", FAMILY.format(1)) == {s: FAMILY.format(s) for s in (1, 2, 3)}
    runs = runs_by_seed(stored, "cifar10-jpeg", "seed", FAMILY.format(2))
    assert {m: sorted(s) for m, s in runs.items()} == {"googlenet": [1, 2, 3], "short4": [1, 2, 3], "short3": [1]}


def test_the_seed_table_gives_the_t_interval_over_seeds(stored):
    runs = runs_by_seed(stored, "cifar10-jpeg", "seed", FAMILY.format(1))
    rows = {r["model"]: r for r in seed_table(runs, "cifar10-jpeg").rows}
    errors = [0.2, 0.21, 0.19]
    mean = sum(errors) / 3
    sd = math.sqrt(sum((e - mean) ** 2 for e in errors) / 2)
    half = 4.302652729911275 * sd / math.sqrt(3)  # t(0.975, 2)
    assert rows["googlenet"]["error"] == pytest.approx(mean, abs=1e-4)
    assert rows["googlenet"]["sd"] == pytest.approx(sd, abs=1e-4)
    assert rows["googlenet"]["95% interval"] == f"{mean - half:.4f} to {mean + half:.4f}"
    assert rows["googlenet"]["interval over"] == "3 seeds (t, 2 df)"
    assert rows["googlenet"]["published"] == "0.10" and rows["short4"]["published"] == "0.15"


def test_one_run_gets_its_test_images_interval_labelled_as_such(stored):
    """short3 has seed 1 only: 500 wrong of 2,000. Its interval is Wilson's, by hand here."""
    runs = runs_by_seed(stored, "cifar10-jpeg", "seed", FAMILY.format(1))
    row = seed_table(runs, "cifar10-jpeg").where(model="short3")[0]
    z, n, p = 1.959963984540054, IMAGES, 0.25
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert (row["seeds"], row["error"], row["sd"]) == ("1", 0.25, None)
    assert row["95% interval"] == f"{centre - half:.4f} to {centre + half:.4f}"
    assert row["interval over"] == "one run: its 2,000 test images only"


def test_a_consistent_gap_is_found_and_no_gap_is_not_claimed(stored):
    runs = runs_by_seed(stored, "cifar10-jpeg", "seed", FAMILY.format(1))
    rows = {r["model"]: r for r in paired_table(runs, resamples=500).rows}
    assert rows["short4"]["difference"] == pytest.approx(200 / IMAGES, abs=1e-4)
    low, high = (float(x) for x in rows["short4"]["95% CI (seeds and images)"].split(" to "))
    assert 0 < low < 0.1 < high
    assert rows["short4"]["verdict"] == "higher than googlenet"
    assert rows["short4"]["McNemar p"].startswith("s1 ") and rows["short4"]["McNemar p"].count("; ") == 2
    same = {"googlenet": runs["googlenet"], "copy": runs["googlenet"]}
    copy = paired_table(same, resamples=200).rows[0]
    assert copy["difference"] == 0 and copy["verdict"] == "not distinguishable"


def test_one_shared_seed_gives_intervals_over_images_and_no_verdict(stored):
    """short3 errs on 500 random images at seed 1, googlenet on 400 others: a clear gap on the
    images, but one seed, so no verdict; McNemar's counts are the discordant images."""
    runs = runs_by_seed(stored, "cifar10-jpeg", "seed", FAMILY.format(1))
    c = compare(runs, "short3", resamples=300)
    short3_wrong = {i for i, (p, y) in enumerate(zip(*_decoded(runs["short3"][1]))) if p != y}
    google_wrong = {i for i, (p, y) in enumerate(zip(*_decoded(runs["googlenet"][1]))) if p != y}
    assert c.seeds == (1,) and c.interval is None and c.verdict == "one seed: no verdict"
    assert (c.mcnemar[1].b, c.mcnemar[1].c) == (len(google_wrong - short3_wrong), len(short3_wrong - google_wrong))
    assert c.difference == pytest.approx((len(short3_wrong) - len(google_wrong)) / IMAGES)
    row = paired_table(runs, resamples=300).where(model="short3")[0]
    assert row["95% CI (seeds and images)"] == "needs 2+ seeds" and row["bootstrap 95% CI"].endswith("(images)")
    with pytest.raises(UsageError, match="share no seed"):
        compare({"a": {1: runs["short3"][1]}, "googlenet": {2: runs["googlenet"][2]}}, "a")


def _decoded(result):
    from gnet_lib.training.analysis.statistics import final_test_predictions

    return final_test_predictions(result)


def test_runs_on_other_test_images_are_refused(stored):
    runs = runs_by_seed(stored, "cifar10-jpeg", "seed", FAMILY.format(1))
    runs["short4"][1]["final_test"]["labels"] = encode_labels([(y + 3) % 10 for y in _labels()], 10)
    with pytest.raises(UsageError):
        paired_table(runs, resamples=100)
    with pytest.raises(UsageError, match="no runs of the reference 'inception-v1'"):
        paired_table(runs, reference="inception-v1")


def test_an_error_point_is_a_seed_interval_or_one_runs_test_image_interval(stored):
    from gnet_lib.training.analysis.seed_comparison import error_point
    from gnet_lib.training.analysis.statistics import binomial_interval, seed_summary

    runs = runs_by_seed(stored, "cifar10-jpeg", "seed", FAMILY.format(1))
    many = error_point("googlenet", runs["googlenet"])
    summary = seed_summary([0.2, 0.21, 0.19])
    assert (many.error, many.low, many.high, many.seeds, many.over) == (
        pytest.approx(summary.mean), pytest.approx(summary.low), pytest.approx(summary.high), 3, "seeds")
    one = error_point("short3", runs["short3"])
    assert (one.error, one.low, one.seeds, one.over) == (0.25, binomial_interval(500, IMAGES).low, 1, "test images")
    early = json.loads(TEMPLATE.read_text())  # a 4-epoch run: no final test, its last epoch on 1,000 images
    point = error_point("short3", {1: early})
    expected = binomial_interval(round(early["final"]["test_top1_err"] * 1000), 1000)
    assert (point.error, point.high) == (early["final"]["test_top1_err"], expected.high)
    with pytest.raises(UsageError, match="no runs of long"):
        error_point("long", {})


def test_the_caption_names_the_protocol_its_seeds_and_counts_its_setups(stored):
    from gnet_lib.training.analysis.seed_comparison import protocol_caption

    runs = runs_by_seed(stored, "cifar10-jpeg", "seed", FAMILY.format(1))
    caption = protocol_caption(runs)
    template = json.loads(TEMPLATE.read_text())
    # these runs' final tests cover 2,000 images and their curves the identity's 1,000
    assert caption.startswith("ours: seeds 1, 2, 3; the same subsets (drawn with seed 1) for every run; learning curves "
                              "on a fixed subset of 1,000 test images; CIFAR-10 (JPEG mirror), class-balanced subset, "
                              "5,000 training / 1,000 test images; 4 epochs of recipe seed (batch 64); ")
    assert caption.endswith(template["environment"]["device_name"]) and "By row" not in caption
    runs["googlenet"][2] = json.loads(json.dumps(runs["googlenet"][2]))
    runs["googlenet"][2]["environment"]["device_name"] = "Another CPU (1 thread)"
    assert "googlenet s2: Another CPU (1 thread)" in protocol_caption(runs).split("By row: ")[1]
    assert seed_table(runs, "cifar10-jpeg").notes[0] == protocol_caption(runs)


def test_runs_without_a_final_test_are_gathered_on_request_and_use_their_last_epoch(stored):
    runs = runs_by_seed(stored, "cifar10-jpeg", "seed", FAMILY.format(1), final_test=False)
    assert sorted(runs["long"]) == [2]
    row = seed_table(runs, "cifar10-jpeg").where(model="long")[0]
    template = json.loads(TEMPLATE.read_text())
    assert row["error"] == round(template["final"]["test_top1_err"], 4)
    assert row["interval over"] == f"one run: its {template['data']['test_size']:,} test images only"


def test_the_published_column_can_be_left_out(stored):
    runs = runs_by_seed(stored, "cifar10-jpeg", "seed", FAMILY.format(1))
    table = seed_table(runs, "cifar10-jpeg", with_published=False)
    assert "published" not in table.columns and not any("source 000" in n for n in table.notes)


def _reseeded(result: dict, seed: int, subset_seed: int | None) -> dict:
    """A copy of ``result`` as if run with ``seed`` and ``subset_seed`` (None: none given)."""
    copy = json.loads(json.dumps(result))
    copy["identity"]["seed"] = seed
    copy["identity"]["subset_seed"] = subset_seed
    return copy


def test_the_notes_say_when_seeds_also_redrew_the_subsets(stored):
    """Without a subset seed a run draws its subsets with its own seed (the 4-epoch runs): an
    interval over such seeds also covers other training and test images, and the notes say so."""
    from gnet_lib.training.analysis.seed_comparison import data_seed, protocol_caption

    runs = runs_by_seed(stored, "cifar10-jpeg", "seed", FAMILY.format(1))
    fixed = {"googlenet": {s: _reseeded(r, s, 1) for s, r in runs["googlenet"].items()}}
    redrawn = {"googlenet": {s: _reseeded(r, s, None) for s, r in runs["googlenet"].items()}}
    assert [data_seed(r) for r in fixed["googlenet"].values()] == [1, 1, 1]
    assert [data_seed(r) for r in redrawn["googlenet"].values()] == [1, 2, 3]
    whole = json.loads(json.dumps(runs["googlenet"][1]))
    whole["data"]["source"] = "image folder x (50,000 train / 10,000 test files)"
    assert data_seed(whole) is None and "subsets" not in protocol_caption({"googlenet": {1: whole}})

    one_set = seed_table(fixed, "cifar10-jpeg").notes[1]
    assert one_set.startswith("an interval over seeds is measured on one fixed test set")
    assert "only the part two variants share cancels" in one_set and "the paired interval counts them" in one_set
    mixed = seed_table(redrawn, "cifar10-jpeg").notes[1]
    assert "each seed drew its own training and test subsets" in mixed and "one fixed test set" not in mixed
    assert "; no subset seed: each seed also drew its own training and test subsets" in protocol_caption(redrawn)
    single = seed_table({"googlenet": {1: fixed["googlenet"][1]}}, "cifar10-jpeg").notes[1]
    assert single.startswith("A run with one seed gets only its test images' interval")


def test_the_paired_table_captions_only_the_seeds_its_rows_use(stored):
    """short3 has seed 1 only: its row pairs seed 1 of both, and the caption must not name the
    reference's seeds 2 and 3, which no row uses."""
    runs = runs_by_seed(stored, "cifar10-jpeg", "seed", FAMILY.format(1))
    only_short3 = {"googlenet": runs["googlenet"], "short3": runs["short3"]}
    caption = paired_table(only_short3, resamples=200).notes[0]
    assert caption.startswith("ours: seed 1;") and "seeds 1, 2, 3" not in caption
    assert paired_table(runs, resamples=200).notes[0].startswith("ours: seeds 1, 2, 3;")  # short4 pairs on all three
