"""Two networks' cost stage by stage: googlenet at 32x32 against inception-v1 at 224x224."""

import pytest

from gnet_lib import layer_table
from gnet_lib.core.architectures import PAPER_MODULES
from gnet_lib.core.stage_cost import stage_cost_table, stage_costs

STAGES = {"3": ("3a", "3b"), "4": ("4a", "4b", "4c", "4d", "4e"), "5": ("5a", "5b")}


def _five_by_five_extra(side: int, modules) -> int:
    """What two stacked 3x3 convolutions cost beyond one 5x5 in the "5x5" branches, by hand:
    reduce -> n5 (3x3) and n5 -> n5 (3x3) against reduce -> n5 (5x5), per output position."""
    return sum(side * side * (9 * m.n5x5_reduce * m.n5x5 + 9 * m.n5x5 * m.n5x5 - 25 * m.n5x5_reduce * m.n5x5)
               for m in (PAPER_MODULES[name] for name in modules))


@pytest.fixture(scope="module")
def comparison():
    return stage_cost_table(layer_table("googlenet"), layer_table("inception-v1", aux_logits=False))


def _row(table, stage):
    return next(r for r in table if r["stage"] == stage)


def test_the_stem_is_where_the_cifar_model_saves(comparison):
    stem = _row(comparison, "stem")
    # googlenet's whole stem is one 3x3 convolution from 3 to 192 channels at 32x32
    assert stem["googlenet"] == 32 * 32 * 3 * 3 * 3 * 192
    # the paper's: 7x7/2 to 64 at 112x112, 1x1 64 -> 64 and 3x3 64 -> 192 at 56x56
    assert stem["inception-v1"] == 112 * 112 * 7 * 7 * 3 * 64 + 56 * 56 * 64 * 64 + 56 * 56 * 9 * 64 * 192
    assert stem["maps"] == "224x224 to 28x28; 32x32"


def test_map_size_and_branch_shape_explain_each_stage(comparison):
    for stage, (paper_side, cifar_side) in {"3": (28, 32), "4": (14, 16), "5": (7, 8)}.items():
        row = _row(comparison, f"stage {stage}")
        assert row["maps"] == f"{paper_side}x{paper_side}; {cifar_side}x{cifar_side}"
        # every layer of a module keeps the map size, so its cost grows exactly with the map's area
        resized = row["on googlenet's maps"]
        assert resized * paper_side**2 == row["inception-v1"] * cifar_side**2
        # what is left is the "5x5" branch built as two 3x3 convolutions
        assert row["googlenet"] - resized == _five_by_five_extra(cifar_side, STAGES[stage])


def test_the_rows_add_up_to_the_networks(comparison):
    whole = _row(comparison, "whole network")
    stages = [r for r in comparison if r["stage"] != "whole network"]
    by_hand = (112 * 112 * 7 * 7 * 3 * 64 + 56 * 56 * 64 * 64 + 56 * 56 * 9 * 64 * 192 + 1024 * 1000 + sum(
        side * side * (m.in_channels * (m.n1x1 + m.n3x3_reduce + m.n5x5_reduce + m.pool_proj)
                       + 9 * m.n3x3_reduce * m.n3x3 + 25 * m.n5x5_reduce * m.n5x5)
        for side, names in ((28, STAGES["3"]), (14, STAGES["4"]), (7, STAGES["5"]))
        for m in (PAPER_MODULES[name] for name in names)))
    assert sum(r["inception-v1"] for r in stages) == whole["inception-v1"] == by_hand
    assert sum(r["googlenet"] for r in stages) == whole["googlenet"] < whole["inception-v1"]
    head = _row(comparison, "head")
    assert (head["inception-v1"], head["googlenet"]) == (1024 * 1000, 1024 * 10)


def test_stages_with_other_modules_get_no_resized_column():
    table = stage_cost_table(layer_table("short4"), layer_table("inception-v1", aux_logits=False))
    assert _row(table, "stage 4")["on short4's maps"] is None
    assert _row(table, "stage 3")["short4"] is None


def test_stage_costs_reads_the_sides_each_stage_works_on():
    costs = {s.stage: s for s in stage_costs(layer_table("googlenet", input_size=(3, 64, 64)))}
    assert [costs[s].maps for s in ("stem", "3", "4", "5", "head")] == ["64x64", "64x64", "32x32", "16x16", "16x16 to 1x1"]
    assert [m.name for m, _ in costs["4"].modules] == ["4a", "4b", "4c", "4d", "4e"]
    assert [c for _, c in costs["4"].modules] == [480, 512, 512, 512, 528]
