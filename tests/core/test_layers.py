"""The analytic layer table: its counting conventions and totals."""

import pytest

from gnet_lib import build_model, get_spec, layer_table
from gnet_lib.core.layers import network_depth


def test_one_row_per_branch_layer_of_every_module():
    table = layer_table("inception-v1", aux_logits=False)
    names = [r["name"] for r in table if r["block"] == "3a"]
    assert names == ["3a / 1x1", "3a / 3x3 reduce", "3a / 3x3", "3a / 5x5 reduce", "3a / 5x5", "3a / pool", "3a / pool proj", "3a / concat"]


def test_every_branch_reads_the_module_input_and_the_concat_adds_the_branch_outputs():
    table = layer_table("inception-v1", aux_logits=False)
    for module in get_spec("inception-v1").inceptions:
        rows = [r for r in table.layer_rows if r.block == module.name]
        concat = rows[-1]
        firsts = [r for r in rows if r.name.endswith(("/ 1x1", "reduce", "/ pool"))]
        lasts = [r for r in rows if r.name.endswith(("/ 1x1", "/ 3x3", "/ 5x5", "pool proj"))]
        assert len(firsts) == len(lasts) == 4
        assert {r.in_shape for r in firsts} == {concat.in_shape}
        assert concat.out_shape[0] == sum(r.out_shape[0] for r in lasts)


def test_conv_row_counts_by_hand():
    row = layer_table("inception-v1").where(name="3a / 5x5")[0]
    assert row["output"] == (32, 28, 28)
    assert row["kernel"] == (5, 5) and row["padding"] == (2, 2)
    assert row["weights"] == 5 * 5 * 16 * 32
    assert row["params"] == 5 * 5 * 16 * 32 + 32  # bias, no batch norm in the paper
    assert row["MACs"] == 28 * 28 * 5 * 5 * 16 * 32


def test_batch_norm_adds_two_parameters_per_channel():
    row = layer_table("googlenet").where(name="3a / 1x1")[0]
    assert row["params"] == 192 * 64 + 64 + 2 * 64


def test_paper_stem_shapes_at_224():
    table = layer_table("inception-v1")
    expected = {"conv1": (64, 112, 112), "pool1": (64, 56, 56), "conv2": (192, 56, 56), "pool2": (192, 28, 28),
                "pool3": (480, 14, 14), "pool4": (832, 7, 7), "avg pool": (1024, 1, 1), "linear": (1000,)}
    for name, shape in expected.items():
        assert table.where(name=name)[0]["output"] == shape


def test_aux_heads_are_side_branches_with_the_papers_shapes():
    table = layer_table("inception-v1")
    assert table.where(name="aux1 / avg pool")[0]["output"] == (512, 4, 4)
    assert table.where(name="aux2 / 1x1 conv")[0]["output"] == (128, 4, 4)
    assert table.where(name="aux1 / fc")[0]["weights"] == 2048 * 1024
    without = layer_table("inception-v1", aux_logits=False)
    assert table.main_path_macs == without.total_macs
    assert table.total_params > without.total_params


def test_totals_and_block_totals_agree_with_the_built_model():
    table = layer_table("googlenet")
    model = build_model("googlenet")
    assert table.total_params == sum(p.numel() for p in model.parameters())
    blocks = table.block_totals()
    assert blocks.where(block="3a")[0]["params"] == sum(p.numel() for p in model.blocks.inception_3a.parameters())
    assert blocks.where(block="3a")[0]["output"] == (256, 32, 32)


def test_cifar_variant_keeps_32x32_until_the_first_pool():
    table = layer_table("googlenet")
    assert table.where(name="prelayer")[0]["output"] == (192, 32, 32)
    assert table.where(name="3b / concat")[0]["output"] == (480, 32, 32)
    assert table.where(name="pool3")[0]["output"] == (480, 16, 16)
    assert table.where(name="pool4")[0]["output"] == (832, 8, 8)


def test_depth_is_22_with_parameters_and_27_with_pooling():
    assert network_depth(get_spec("inception-v1")) == (22, 27)


def test_table_renders_as_text_markdown_and_html():
    table = layer_table("short4")
    text = repr(table)
    assert "4a / concat" in text and "total:" in text
    assert table.to_markdown().count("\n|") >= len(table)
    assert "<table class=\"gnet-table\">" in table._repr_html_()


@pytest.mark.parametrize("size", [(1, 32, 32), (3, 64, 48)])
def test_other_input_shapes(size):
    table = layer_table("googlenet", input_size=size)
    assert table.where(name="prelayer")[0]["weights"] == 3 * 3 * size[0] * 192
    assert table.where(name="pool4")[0]["output"][1:] == (size[1] // 4, size[2] // 4)


def test_bad_input_size_is_refused():
    with pytest.raises(ValueError, match=r"\(C, H, W\)"):
        layer_table("googlenet", input_size=(32, 32))


def test_an_input_too_small_names_the_layer_whose_output_would_be_empty():
    from gnet_lib.core.errors import InputTooSmallError
    from gnet_lib.core.layers import layer_table

    with pytest.raises(InputTooSmallError, match=r"leave out the auxiliary heads \(aux_logits=False\)") as caught:
        layer_table("inception-v1", input_size=(3, 64, 64))
    assert caught.value.layer.startswith("aux1")
    with pytest.raises(InputTooSmallError) as caught:
        layer_table("inception-v1", input_size=(3, 8, 8), aux_logits=False)
    assert caught.value.layer in str(caught.value) and "empty" in str(caught.value)


def test_a_table_names_each_modules_input_and_the_last_feature_map():
    table = layer_table("inception-v1", aux_logits=False)
    inputs = table.module_inputs()
    assert list(inputs) == [m.name for m in table.spec.inceptions]
    assert inputs["3a"] == (192, 28, 28) and inputs["4a"] == (480, 14, 14) and inputs["5b"] == (832, 7, 7)
    assert table.last_feature_map == (1024, 7, 7)
    assert layer_table("googlenet").last_feature_map == (1024, 8, 8)
