"""Named architectures, options, and the errors for bad names and bad specs."""

from dataclasses import replace

import pytest

from gnet_lib import MODEL_NAMES, build_model, get_spec, layer_table
from gnet_lib.core.architectures import (
    CIFAR_LAYOUTS,
    PAPER_MODULES,
    inception_modules,
    naive_network,
)
from gnet_lib.core.specs import Conv, Inception, Network


def test_required_model_names_exist():
    for name in ("inception-v1", "naive", "googlenet", "long", "short", "short2", "short3", "short4"):
        assert name in MODEL_NAMES


def test_paper_modules_read_from_table_1_and_chain():
    assert PAPER_MODULES["3a"] == Inception("3a", 64, 96, 128, 16, 32, 32, in_channels=192)
    assert PAPER_MODULES["5b"].in_channels == 832
    assert [m.in_channels for m in inception_modules("3a 3b 4a")] == [192, 256, 480]


def test_repeated_modules_get_unique_names():
    assert [m.name for m in inception_modules("5b 5b 5b", in_channels=832)] == ["5b", "5b_2", "5b_3"]


def test_unknown_model_name_lists_the_valid_ones():
    with pytest.raises(ValueError) as err:
        build_model("googlenet-v9")
    message = str(err.value)
    assert "googlenet-v9" in message
    for name in MODEL_NAMES:
        assert name in message
    with pytest.raises(ValueError, match="valid names"):
        layer_table("resnet50")


def test_channels_that_do_not_chain_are_refused():
    spec = get_spec("googlenet")
    layers = list(spec.layers)
    layers[2] = replace(layers[2], in_channels=300)  # inception (3b) really receives 256
    bad = replace(spec, layers=tuple(layers))
    with pytest.raises(ValueError, match=r"channels do not chain at inception \(3b\).*300.*256"):
        layer_table(bad)
    with pytest.raises(ValueError, match="channels do not chain"):
        build_model(bad)


def test_hand_written_conv_declaring_wrong_input_is_refused():
    spec = Network("tiny", "tiny", (3, 16, 16), 10, (Conv("c1", 8, 3, padding=1, in_channels=3), Conv("c2", 8, 3, in_channels=4)))
    with pytest.raises(ValueError, match="'c2'.*in_channels=4.*gives 8"):
        layer_table(spec)


@pytest.mark.parametrize("field,value", [("n1x1", 0), ("n3x3", -5), ("pool_proj", 0)])
def test_non_positive_channels_are_refused(field, value):
    spec = get_spec("googlenet")
    layers = list(spec.layers)
    layers[1] = replace(layers[1], **{field: value})
    with pytest.raises(ValueError, match=f"{field} must be a positive"):
        layer_table(replace(spec, layers=tuple(layers)))


def test_non_positive_classes_refused():
    with pytest.raises(ValueError, match="num_classes must be a positive"):
        build_model("googlenet", num_classes=0)


@pytest.mark.parametrize(
    "name,size,layer",
    [("inception-v1", 2, "pool1"), ("inception-v1", 4, "pool2"), ("inception-v1", 8, "pool3"), ("torchvision-googlenet", 8, "pool3")],
)
def test_input_too_small_names_the_first_empty_layer(name, size, layer):
    with pytest.raises(ValueError) as err:
        layer_table(name, input_size=(3, size, size))
    assert f"layer '{layer}'" in str(err.value)
    assert "too small" in str(err.value)
    with pytest.raises(ValueError, match=f"layer '{layer}'"):
        build_model(name, input_size=(3, size, size))


def test_too_small_for_an_auxiliary_head_suggests_leaving_it_out():
    with pytest.raises(ValueError, match=r"'aux1 / avg pool'.*aux_logits=False"):
        layer_table("inception-v1", input_size=(3, 48, 48))
    assert layer_table("inception-v1", input_size=(3, 48, 48), aux_logits=False).output_shape == (1000,)


def test_cifar_pools_are_padded_so_even_a_1x1_input_keeps_a_pixel():
    assert layer_table("googlenet", input_size=(3, 1, 1)).where(name="5b / concat")[0]["output"] == (1024, 1, 1)


def test_aux_heads_are_optional_and_refused_where_there_is_no_4a():
    assert len(get_spec("inception-v1").aux_heads) == 2
    assert get_spec("inception-v1", aux_logits=False).aux_heads == ()
    assert len(get_spec("googlenet", aux_logits=True).aux_heads) == 2
    with pytest.raises(ValueError, match="no inception module 4d"):
        get_spec("short4", aux_logits=True)


def test_batch_norm_option_drops_lrn_and_bias():
    plain = get_spec("inception-v1")
    bn = get_spec("inception-v1", batch_norm=True)
    assert any(type(layer).__name__ == "LRN" for layer in plain.layers)
    assert not any(type(layer).__name__ == "LRN" for layer in bn.layers)
    assert bn.batch_norm and not bn.conv_bias


def test_pool_rounding_variants_agree_at_224_and_differ_at_299():
    ceil = layer_table("inception-v1", aux_logits=False, pool_rounding="ceil")
    pad = layer_table("inception-v1", aux_logits=False, pool_rounding="pad")
    assert ceil.column("output") == pad.column("output")
    ceil299 = layer_table("inception-v1", (3, 299, 299), aux_logits=False, pool_rounding="ceil")
    pad299 = layer_table("inception-v1", (3, 299, 299), aux_logits=False, pool_rounding="pad")
    assert ceil299.where(name="pool2")[0]["output"] == (192, 37, 37)
    assert pad299.where(name="pool2")[0]["output"] == (192, 38, 38)
    with pytest.raises(ValueError, match="'ceil' or 'pad'"):
        get_spec("inception-v1", pool_rounding="round")


def test_naive_network_concatenates_the_pooled_input():
    naive = naive_network(get_spec("googlenet"))
    assert all(m.is_naive for m in naive.inceptions)
    assert layer_table(naive).where(name="3a / concat")[0]["output"][0] == 64 + 128 + 32 + 192


def test_cifar_layouts_cover_the_family():
    assert set(CIFAR_LAYOUTS) == {"naive", "googlenet", "long", "short", "short2", "short3", "short4"}
    assert len(get_spec("short4").inceptions) == 2
    assert len(get_spec("long").inceptions) == 11


def test_source_000s_batch_norm_quirk_is_reproduced_by_default_and_can_be_corrected():
    from torch import nn

    model = build_model("googlenet")
    odd = {name: m.eps for name, m in model.named_modules() if isinstance(m, nn.BatchNorm2d) and m.eps != 1e-5}
    # exactly one per module: after the first 3x3 of the two-3x3 "5x5" branch, eps = n5x5
    assert odd == {f"blocks.inception_{m.name}.b5x5.conv_a.bn": float(m.n5x5) for m in get_spec("googlenet").inceptions}
    fixed = build_model("googlenet", source_bn_eps=False)
    assert all(m.eps == 1e-5 for m in fixed.modules() if isinstance(m, nn.BatchNorm2d))
    assert sum(p.numel() for p in fixed.parameters()) == sum(p.numel() for p in model.parameters())
    assert not get_spec("naive").source_bn_eps and not get_spec("inception-v1").source_bn_eps
    with pytest.raises(ValueError, match="no two-3x3 '5x5' branch"):
        get_spec("naive", source_bn_eps=True)
