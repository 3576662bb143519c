"""The analytic table against the real modules: hooks, parameters(), FlopCounterMode."""

from dataclasses import replace

import pytest
import torch
import torchvision
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from gnet_lib import MODEL_NAMES, build_model, get_spec, layer_table
from gnet_lib.model.verify import check_model, leaf_modules, measure

SIZES = {
    "inception-v1": [224, 96, 299],
    "torchvision-googlenet": [224, 112],
    "naive": [32, 24],
    "googlenet": [32, 64, 17],
    "long": [32, 48],
    "short": [32, 40],
    "short2": [32],
    "short3": [32, 8],
    "short4": [32, 1],
}


def test_every_model_name_is_checked():
    assert set(SIZES) == set(MODEL_NAMES)


@pytest.mark.parametrize("name,size", [(n, s) for n, sizes in SIZES.items() for s in sizes])
def test_table_agrees_exactly_with_the_model(name, size):
    result = check_model(name, input_size=(3, size, size))
    failures = [row for row in result.rows if not row["ok"]]
    assert not failures, failures[:3]
    assert result.rows[-1]["name"] == "total"


@pytest.mark.parametrize("options", [{"aux_logits": False}, {"batch_norm": True}, {"pool_rounding": "pad"}])
def test_options_agree_exactly(options):
    result = check_model("inception-v1", input_size=(3, 160, 160), **options)
    assert all(row["ok"] for row in result.rows)


def test_hundred_classes_and_grey_input():
    result = check_model("short2", input_size=(1, 32, 32), num_classes=100)
    assert all(row["ok"] for row in result.rows)


def test_a_model_that_differs_from_its_table_is_caught():
    """The checker is not a tautology: a model that is not what the table says fails it."""
    table = layer_table("short4")
    no_bias = replace(get_spec("short4"), conv_bias=False)
    bad = [m.row.name for m in measure(table, build_model(no_bias)) if not m.ok]
    assert "prelayer" in bad and "4a / 1x1" in bad
    table = layer_table("inception-v1", (3, 299, 299), aux_logits=False)
    padded = build_model("inception-v1", aux_logits=False, pool_rounding="pad")
    wrong_shape = {m.row.name for m in measure(table, padded) if m.shape != m.row.out_shape}
    assert "pool2" in wrong_shape and "conv1" not in wrong_shape


def test_torchvision_googlenet_matches_our_spec_of_it():
    theirs = torchvision.models.googlenet(weights=None, aux_logits=True, init_weights=False)
    ours = layer_table("torchvision-googlenet")
    assert sum(p.numel() for p in theirs.parameters()) == ours.total_params == 13_004_888
    without_aux = sum(p.numel() for n, p in theirs.named_parameters() if not n.startswith("aux"))
    assert without_aux == layer_table("torchvision-googlenet", aux_logits=False).total_params == 6_624_904
    theirs.eval()
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        theirs(torch.randn(1, 3, 224, 224))
    assert counter.get_total_flops() // 2 == ours.main_path_macs


def test_training_mode_returns_aux_logits_and_eval_mode_does_not():
    model = build_model("inception-v1", num_classes=7, input_size=(3, 96, 96))
    out = model.train()(torch.randn(2, 3, 96, 96))
    assert out.logits.shape == (2, 7) and [a.shape for a in out.aux] == [(2, 7), (2, 7)]
    assert model.eval()(torch.randn(2, 3, 96, 96)).shape == (2, 7)


def test_leaf_modules_counts_the_built_layers():
    net = nn.Sequential(nn.Conv2d(3, 4, 1), nn.Sequential(nn.ReLU(), nn.Conv2d(4, 4, 1)))
    assert leaf_modules(net) == {"Conv2d": 2, "ReLU": 1}
    counts = leaf_modules(build_model("inception-v1", aux_logits=False))
    assert counts["Conv2d"] == 3 + 6 * 9
    assert counts["Linear"] == 1
