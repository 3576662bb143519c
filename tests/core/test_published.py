"""The sources' published figures: internally consistent, and where they are not, we know how."""

import math

from gnet_lib.core.published import SOURCE_000, SOURCE_003_VOC


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
