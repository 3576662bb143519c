"""The published figures after GoogLeNet: each attributed, grouped by how it was measured."""

import re
from pathlib import Path

import pytest

from gnet_lib.core.errors import UsageError
from gnet_lib.core.published import IMAGENET_RESULTS, PAPERS, V3_SUBSET_EFFECT
from gnet_lib.core.successors import SETTINGS, setting, successors_table
from gnet_lib.training.analysis.paper_training import ILSVRC_CLASSIFICATION, TESTING_BREAKDOWN

BIBLIOGRAPHY = Path(__file__).resolve().parents[2] / "book" / "references.bib"


def test_every_figure_names_a_paper_in_the_bibliography_and_a_table():
    keys = set(re.findall(r"^@\w+\{([^,]+),", BIBLIOGRAPHY.read_text(), re.MULTILINE))
    for r in IMAGENET_RESULTS:
        assert r.paper in keys and r.paper in PAPERS, r
        assert re.fullmatch(r"(Table|Figure) \d", r.where), r
        assert r.split in ("validation", "test") and 0 < r.top5 < 20 and (r.top1 is None or r.top5 < r.top1 < 40)


def test_googlenets_own_figures_agree_with_the_papers_tables_in_chapter_5():
    ours = {(r.models, r.crops): r.top5 for r in IMAGENET_RESULTS if r.paper == "szegedy2015going" and r.split == "validation"}
    printed = {(b.models, b.crops): b.top5_error for b in TESTING_BREAKDOWN}
    assert ours and all(printed[key] == value for key, value in ours.items())
    test = next(r for r in IMAGENET_RESULTS if r.paper == "szegedy2015going" and r.split == "test")
    assert test.top5 == next(e.top5_error for e in ILSVRC_CLASSIFICATION if e.team == "GoogLeNet")


def test_settings_group_by_models_and_crops():
    by = {(r.network, r.where, r.split): setting(r) for r in IMAGENET_RESULTS}
    assert by[("BN-Inception", "Figure 4", "test")] == "ensemble, many crops"
    assert by[("ResNet-152", "Table 4", "validation")] == "one model, many crops"  # dense, several scales
    assert by[("Inception v3", "Table 3", "validation")] == "one model, one crop"
    for which in SETTINGS:
        table = successors_table(which)
        assert len(table) == sum(setting(r) == which for r in IMAGENET_RESULTS) > 0
        splits = ["test" if images == "test" else "validation" for images in table.column("images")]
        assert splits == sorted(splits, key=lambda s: s != "validation")  # validation figures first
    assert sum(len(successors_table(w)) for w in SETTINGS) == len(IMAGENET_RESULTS)


def test_evaluation_labels():
    labels = {r.evaluation for r in IMAGENET_RESULTS}
    assert {"1 model, 1 crop", "1 model, 144 crops", "7 models, 144 crops", "1 model, dense, several scales",
            "6 models, dense, several scales"} <= labels


def test_image_subsets_and_notes_are_listed_below_the_table():
    table = successors_table("one model, one crop")
    assert table.where(network="Inception v3")[0]["images"] == "validation subset"
    assert any(note.startswith("Inception v3 (Table 3, validation subset): the 48,238 non-blacklisted") for note in table.notes)
    assert table.where(network="GoogLeNet")[0]["images"] == "validation"


def test_an_unknown_setting_lists_the_known_ones():
    with pytest.raises(UsageError, match="one model, one crop"):
        successors_table("single crop")


def test_the_v3_subset_explains_little_of_the_gap_between_googlenets_two_single_crop_figures():
    own = next(r for r in IMAGENET_RESULTS if r.network == "GoogLeNet" and r.crops == 1)
    reported = next(r for r in IMAGENET_RESULTS if r.network.startswith("GoogLeNet, reported by Inception v3"))
    assert own.images == "50,000" and "48,238" in reported.images and reported.paper == "szegedy2016rethinking"
    assert 0 < V3_SUBSET_EFFECT["top-5"] < (own.top5 - reported.top5) / 4


def test_an_ensembles_validation_and_test_figures_are_separate_rows():
    v3 = [r for r in IMAGENET_RESULTS if r.network == "Inception v3" and r.where == "Table 5"]
    assert sorted(r.split for r in v3) == ["test", "validation"]
    assert all(r.models == 4 and r.crops == 144 for r in v3)
    assert all(r.top1 is None for r in v3 if r.split == "test")  # the table's footnote: top-1 on validation only
