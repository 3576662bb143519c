"""The building blocks: one dispatch over the kinds of layer, module names, branch units as layers."""

from dataclasses import replace

import pytest

from gnet_lib import build_model, get_spec
from gnet_lib.core.errors import UsageError
from gnet_lib.core.layers import walk
from gnet_lib.core.specs import (
    LRN,
    AuxHead,
    BranchUnit,
    Conv,
    Inception,
    Pool,
    block_key,
    inception_branches,
    inception_out_channels,
    module_path,
    visit,
)


class _Names:
    def on_conv(self, layer):
        return "conv"

    def on_pool(self, layer):
        return "pool"

    def on_lrn(self, layer):
        return "lrn"

    def on_inception(self, layer):
        return "inception"

    def on_aux_head(self, layer):
        return "aux"


def test_visit_hands_each_kind_of_layer_to_its_method():
    layers = [Conv("c", 8, 3), Pool("p", "max", 3, 2), LRN("n"), Inception("3a", 1, 1, 1, 1, 1, 1), AuxHead("aux1")]
    assert [visit(layer, _Names()) for layer in layers] == ["conv", "pool", "lrn", "inception", "aux"]


def test_visit_refuses_what_is_not_a_layer_and_says_what_is():
    with pytest.raises(UsageError, match=r"unknown layer spec 'conv1'; a network is built from Conv, Pool, LRN, "):
        visit("conv1", _Names())


def test_a_spec_with_a_foreign_layer_is_refused_by_the_walk_and_the_builder():
    spec = get_spec("short4")
    broken = replace(spec, layers=(*spec.layers[:2], "oops", *spec.layers[2:]))
    for make in (lambda: walk(broken), lambda: build_model(broken)):
        with pytest.raises(UsageError, match="unknown layer spec 'oops'"):
            make()


def test_module_paths_name_the_built_modules():
    m3a = get_spec("inception-v1").inceptions[0]
    assert block_key(m3a) == "inception_3a" and block_key(Conv("conv1", 64, 7)) == "conv1"
    assert module_path(m3a, "b3x3", "reduce") == "blocks.inception_3a.b3x3.reduce"
    assert module_path(m3a, "b1x1", "") == "blocks.inception_3a.b1x1"
    assert module_path(None, "fc") == "classifier.fc"
    model = build_model("inception-v1")
    names = dict(model.named_modules())
    rows = walk(get_spec("inception-v1"))
    assert all(r.module in names for r in rows)
    assert model.get_submodule(module_path(m3a, "b3x3", "reduce")).conv.out_channels == m3a.n3x3_reduce


def test_branch_units_as_layers():
    units = inception_branches(Inception("3a", 64, 96, 128, 16, 32, 32))
    assert units["bpool"][0].as_layer() == Pool("pool", "max", 3, stride=1, padding=1, ceil_mode=False)
    assert units["bpool"][0].as_layer(pool_ceil=True).ceil_mode
    assert units["b3x3"][1].as_layer() == Conv("conv", 128, 3, padding="same")
    with pytest.raises(ValueError, match="is a pool"):
        _ = BranchUnit("pool", "pool", 3).conv_width


def test_the_aux_heads_fixed_pool():
    assert AuxHead("aux1").pool_layer() == Pool("pool", "avg", 5, 3)
    assert AuxHead("aux1", pool_kernel=3, pool_stride=2).pool_layer() == Pool("pool", "avg", 3, 2)


def test_the_naive_module_keeps_the_widths_and_drops_reductions_and_projection():
    m3a = Inception("3a", 64, 96, 128, 16, 32, 32, in_channels=192)
    naive = m3a.naive()
    assert naive.is_naive and (naive.n1x1, naive.n3x3, naive.n5x5, naive.in_channels) == (64, 128, 32, 192)
    assert m3a.naive(in_channels=256).in_channels == 256
    assert inception_out_channels(naive, 192) == 64 + 128 + 32 + 192
