"""Where the parameters, MACs and activations go: checked against hand counts and built models."""

import pytest
from torch import nn

from gnet_lib import build_model, get_spec, layer_table
from gnet_lib.core.anatomy import (
    aux_head_table,
    conv_bias_count,
    dense_head_params,
    head_table,
    module_footprint,
    stage_table,
    without_conv_bias,
)
from gnet_lib.core.architectures import PAPER_MODULES
from gnet_lib.core.published import SOURCE_003

# The paper's Table 1, as (n1x1, 3x3 reduce, 3x3, 5x5 reduce, 5x5, pool proj), typed from the paper.
MODULES = [(64, 96, 128, 16, 32, 32), (128, 128, 192, 32, 96, 64), (192, 96, 208, 16, 48, 64),
           (160, 112, 224, 24, 64, 64), (128, 128, 256, 24, 64, 64), (112, 144, 288, 32, 64, 64),
           (256, 160, 320, 32, 128, 128), (256, 160, 320, 32, 128, 128), (384, 192, 384, 48, 128, 128)]
STEM_OUTPUTS = 64 + 64 + 192
AUX_CONV_OUTPUTS = 2 * 128


def aux_params(c_in, classes=1000):
    return (c_in * 128 + 128) + (128 * 4 * 4 * 1024 + 1024) + (1024 * classes + classes)


def test_conv_bias_count_is_one_per_output_channel():
    main = STEM_OUTPUTS + sum(map(sum, MODULES))
    assert conv_bias_count(layer_table("inception-v1", aux_logits=False)) == main
    assert conv_bias_count(layer_table("inception-v1")) == main + AUX_CONV_OUTPUTS
    assert conv_bias_count(layer_table("torchvision-googlenet")) == 0


def test_source_003_is_the_paper_network_without_conv_bias():
    spec = without_conv_bias(get_spec("inception-v1"))
    model = build_model(spec)
    assert sum(p.numel() for p in model.parameters()) == SOURCE_003["googlenet_params"]
    assert all(m.bias is None for m in model.modules() if isinstance(m, nn.Conv2d))
    assert layer_table(spec).total_params == SOURCE_003["googlenet_params"]


def test_aux_head_table_matches_hand_counts():
    table = aux_head_table(layer_table("inception-v1"))
    aux = aux_params(512) + aux_params(528)
    assert table.where(part="aux1")[0]["parameters"] == aux_params(512)
    assert table.where(part="aux2")[0]["parameters"] == aux_params(528)
    both = table.where(part="auxiliary heads together")[0]
    total = table.where(part="training-time model")[0]["parameters"]
    assert both["parameters"] == aux
    assert both["share"] == pytest.approx(aux / total)
    assert table.where(part="inference network")[0]["parameters"] + aux == total
    assert table.where(part="aux1")[0]["MACs"] == 512 * 128 * 16 + 2048 * 1024 + 1024 * 1000


def test_dense_heads_cost_what_a_flattened_7x7x1024_map_costs():
    table = layer_table("inception-v1", aux_logits=False)
    assert dense_head_params(table) == 7 * 7 * 1024 * 1000 + 1000
    assert dense_head_params(table, hidden=256) == 7 * 7 * 1024 * 256 + 256 + 256 * 1000 + 1000
    heads = head_table(table)
    assert len(heads) == 2 and heads[0]["network parameters"] == table.total_params
    assert heads[1]["network parameters"] - heads[0]["network parameters"] == 7 * 7 * 1024 * 1000 - 1024 * 1000
    assert len(head_table(table, hidden=64)) == 3


def test_stage_table_splits_the_inference_path():
    table = layer_table("inception-v1", aux_logits=False)
    stages = stage_table(table)
    assert stages.column("stage") == ["stem", "stage 3", "stage 4", "stage 5", "head"]
    assert sum(stages.column("parameters")) == table.total_params
    assert sum(stages.column("MACs share")) == pytest.approx(1)
    stem = stages.where(stage="stem")[0]
    # conv1, pool1, lrn1, conv2 reduce, conv2, lrn2, pool2 at 112, 56, 56, 56, 56, 56, 28
    values = 64 * 112 * 112 + 3 * 64 * 56 * 56 + 2 * 192 * 56 * 56 + 192 * 28 * 28
    assert stem["values written"] == values
    assert stem["parameters"] == (7 * 7 * 3 * 64 + 64) + (64 * 64 + 64) + (9 * 64 * 192 + 192)


def test_module_footprint_scales_with_the_area():
    at28, at56 = (module_footprint(PAPER_MODULES["3a"], 192, s) for s in (28, 56))
    weights = 192 * 64 + 192 * 96 + 9 * 96 * 128 + 192 * 16 + 25 * 16 * 32 + 192 * 32
    assert at28["MACs"] == 28 * 28 * weights
    assert at56["MACs"] == 4 * at28["MACs"] and at56["values written"] == 4 * at28["values written"]
    assert at28["parameters"] == at56["parameters"]
    # 1x1, 3x3 reduce, 3x3, 5x5 reduce, 5x5, pool, pool proj, concat
    assert at28["values written"] == 28 * 28 * (64 + 96 + 128 + 16 + 32 + 192 + 32 + 256)


def test_every_row_has_one_stage_and_the_pools_between_stages_are_flagged():
    from gnet_lib.core.anatomy import row_stages

    rows = layer_table("inception-v1", aux_logits=False).layer_rows
    stages = dict(zip([r.name for r in rows], row_stages(rows), strict=True))
    assert stages["conv1"] == stages["pool2"] == ("stem", False)
    assert stages["3a / 1x1"] == stages["3b / concat"] == ("3", False)
    assert stages["pool3"] == ("4", True) and stages["pool4"] == ("5", True)
    assert stages["5b / concat"] == ("5", False) and stages["linear"] == ("head", False)
    assert [s for s, between in row_stages(rows) if between] == ["4", "5"]
