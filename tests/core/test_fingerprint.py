"""Parameter counts as fingerprints: recovering source 000's CIFAR variants."""

import pytest

from gnet_lib import layer_table
from gnet_lib.core.architectures import CIFAR_LAYOUTS
from gnet_lib.core.fingerprint import (
    final_features,
    insertion_layouts,
    removal_layouts,
    search,
    stage_layout,
)
from gnet_lib.core.published import SOURCE_000

EXACT = ("naive", "googlenet", "short", "short2")


@pytest.mark.parametrize("name", EXACT)
@pytest.mark.parametrize("dataset,classes", [("cifar10", 10), ("cifar100", 100)])
def test_published_counts_reproduced_exactly(name, dataset, classes):
    assert layer_table(name, num_classes=classes).total_params == SOURCE_000[dataset][name].params


def test_final_width_from_two_counts():
    for name, width in (("googlenet", 1024), ("short4", 1024), ("naive", 4944)):
        c10, c100 = SOURCE_000["cifar10"][name].params, SOURCE_000["cifar100"][name].params
        assert final_features(c10, 10, c100, 100) == width
    with pytest.raises(ValueError, match="not one model"):
        final_features(1000, 10, 1001, 100)


def test_stage_layout():
    assert stage_layout(["3a", "3b", "4a", "5a", "5b"]) == "3a 3b | 4a | 5a 5b"


def test_short_is_the_unique_exact_removal():
    found = search(SOURCE_000["cifar10"]["short"].params, removal_layouts())
    assert found[0].exact and not found[1].exact
    assert found[0].layout == CIFAR_LAYOUTS["short"]


def test_short2_has_two_exact_candidates_and_ours_has_fewer_macs():
    found = search(SOURCE_000["cifar10"]["short2"].params, removal_layouts())
    exact = [m for m in found if m.exact]
    assert len(exact) == 2
    assert exact[0].layout == CIFAR_LAYOUTS["short2"] and exact[0].macs < exact[1].macs


@pytest.mark.parametrize("name,space", [("short3", "removal"), ("short4", "removal"), ("long", "insertion")])
def test_recorded_layouts_are_the_nearest_found(name, space):
    layouts = removal_layouts() if space == "removal" else insertion_layouts(count=2)
    target = SOURCE_000["cifar10"][name].params
    best = search(target, layouts, top=1)[0]
    assert best.layout == CIFAR_LAYOUTS[name]
    assert not best.exact and abs(best.difference) < 0.011 * target


def test_insertion_layouts_keep_stage_order():
    layouts = list(insertion_layouts("3a 5b", count=1))
    assert "3a 3a | 5b" in layouts and "3a | 4c | 5b" in layouts
    assert all(layout.index("3") < layout.index("5") for layout in layouts)
