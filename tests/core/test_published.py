"""The sources' published figures: internally consistent, and where they are not, we know how."""

import math
from pathlib import Path

from gnet_lib.core.published import SOURCE_000, SOURCE_003_VOC, TORCHVISION_GOOGLENET, PublishedAccuracy


def test_source_000_cifar100_costs_90_classes_more_than_cifar10():
    for name in SOURCE_000["cifar10"]:
        extra = SOURCE_000["cifar100"][name].params - SOURCE_000["cifar10"][name].params
        assert extra % 90 == 0, name  # 90 more classes, each one weight per feature plus one bias


def test_source_003s_stated_voc_accuracies_mix_a_best_with_a_last_epoch():
    runs, stated = SOURCE_003_VOC["runs"], SOURCE_003_VOC["stated"]
    googlenet, alexnet = runs["googlenet, lr x0.9 every 4 epochs"], runs["alexnet, lr x0.9 every 4 epochs"]
    assert math.floor(googlenet["best"] * 1e4) / 1e4 == stated["googlenet"]  # the best epoch, truncated
    assert alexnet["last"] == stated["alexnet"] != round(alexnet["best"], 4)  # the last epoch, not the best
    assert all(r["last"] <= r["best"] for r in runs.values())


def test_an_error_is_100_minus_the_accuracy_in_the_printed_digits():
    figures = PublishedAccuracy("m", top1_accuracy=69.778, top5_accuracy=89.53, dataset="d", evaluation="e", citation="c")
    assert (figures.top1_error, figures.top5_error) == (30.222, 10.47)  # not 30.221999999999994
    assert math.isclose(figures.top1_error + figures.top1_accuracy, 100)


def test_torchvisions_figures_are_cited_in_the_bibliography():
    bib = (Path(__file__).resolve().parents[2] / "book" / "references.bib").read_text()
    assert "{" + TORCHVISION_GOOGLENET.citation + "," in bib
    assert "69.778" in bib and "89.53" in bib
