"""Weight initialisation: each scheme draws what it says, and the default changes nothing."""

import math

import pytest
import torch
import torchvision
from torch import nn

from gnet_lib import build_model
from gnet_lib.core.errors import UsageError
from gnet_lib.model.init import (
    SCHEMES,
    expected_std,
    image_signal,
    initialize,
    signal_table,
    weight_table,
)

# A standard normal truncated to [-2, 2] has standard deviation sqrt(1 - 4 phi(2) / (Phi(2) - Phi(-2))).
TRUNCATED_2SD = math.sqrt(1 - 4 * math.exp(-2) / math.sqrt(2 * math.pi) / math.erf(2 / math.sqrt(2)))


def wide_net():
    """Layers with many weights, so that sample statistics are close to the distribution's."""
    return nn.Sequential(nn.Conv2d(64, 256, 3), nn.BatchNorm2d(256), nn.ReLU(), nn.Flatten(), nn.Linear(4096, 512))


def test_truncated_constant_is_the_known_value():
    assert TRUNCATED_2SD == pytest.approx(0.8796, abs=1e-4)


def test_pytorch_scheme_is_uniform_in_one_over_root_fan_in():
    torch.manual_seed(0)
    net = initialize(wide_net(), "pytorch")
    conv, fc = net[0], net[4]
    bound = 1 / math.sqrt(64 * 9)
    assert conv.weight.abs().max() <= bound and conv.bias.abs().max() <= bound
    assert conv.weight.std().item() == pytest.approx(bound / math.sqrt(3), rel=0.02)
    assert fc.weight.std().item() == pytest.approx(1 / math.sqrt(3 * 4096), rel=0.02)


def test_torchvision_scheme_is_a_normal_with_std_001_and_leaves_biases():
    torch.manual_seed(0)
    net = wide_net()
    bias = net[0].bias.clone()
    initialize(net, "torchvision")
    for layer in (net[0], net[4]):
        assert layer.weight.std().item() == pytest.approx(0.01, rel=0.02)
        assert layer.weight.abs().max() > 0.03  # bounds of +-2 are 200 std away: tails are not cut
    assert torch.equal(net[0].bias, bias)
    assert torch.all(net[1].weight == 1) and torch.all(net[1].bias == 0)


def test_tf_slim_scheme_cuts_at_two_standard_deviations_and_zeroes_biases():
    torch.manual_seed(0)
    net = initialize(wide_net(), "tf-slim")
    for layer in (net[0], net[4]):
        assert layer.weight.abs().max() <= 0.02
        assert layer.weight.abs().max() > 0.0199
        assert layer.weight.std().item() == pytest.approx(0.01 * TRUNCATED_2SD, rel=0.02)
        assert torch.all(layer.bias == 0)


def test_kaiming_scheme_has_std_root_two_over_fan_in():
    torch.manual_seed(0)
    net = initialize(wide_net(), "kaiming")
    assert net[0].weight.std().item() == pytest.approx(math.sqrt(2 / (64 * 9)), rel=0.02)
    assert net[4].weight.std().item() == pytest.approx(math.sqrt(2 / 4096), rel=0.02)
    assert torch.all(net[0].bias == 0) and torch.all(net[4].bias == 0)


def test_same_rule_as_torchvision_googlenet():
    torch.manual_seed(0)
    theirs = torchvision.models.googlenet(weights=None, aux_logits=False, init_weights=True)
    ours = build_model("torchvision-googlenet", aux_logits=False, init="torchvision")
    for a, b in ((theirs.inception5b.branch1.conv, ours.blocks.inception_5b.b1x1.conv), (theirs.fc, ours.classifier.fc)):
        assert a.weight.shape == b.weight.shape
        assert a.weight.std().item() == pytest.approx(b.weight.std().item(), rel=0.05)


def test_build_model_default_is_unchanged():
    torch.manual_seed(1)
    plain = build_model("short4")
    torch.manual_seed(1)
    default = build_model("short4", init="pytorch")
    assert all(torch.equal(a, b) for a, b in zip(plain.state_dict().values(), default.state_dict().values(), strict=True))


def test_unknown_scheme_names_the_valid_ones():
    with pytest.raises(UsageError, match="kaiming"):
        build_model("short4", init="xavier")
    assert set(SCHEMES) == {"pytorch", "torchvision", "tf-slim", "kaiming"}


def test_formula_stds():
    assert expected_std("pytorch", 147) == pytest.approx(1 / math.sqrt(441))
    assert expected_std("torchvision", 147) == pytest.approx(0.01)
    assert expected_std("tf-slim", 147) == pytest.approx(0.01 * TRUNCATED_2SD)
    assert expected_std("kaiming", 200) == pytest.approx(0.1)


def test_weight_table_reports_what_the_layers_hold():
    net = initialize(wide_net(), "tf-slim")
    row = weight_table({"tf-slim": net}, ["0"])[0]
    assert row["fan-in"] == 64 * 9
    assert row["max |weight|"] <= 0.02 and row["max |bias|"] == 0
    assert row["weight std"] == pytest.approx(row["formula std"], rel=0.02)


def test_image_signal_ignores_constant_offsets():
    x = torch.tensor([[1.0, 2.0], [3.0, 6.0]])
    assert image_signal(x) == pytest.approx(math.sqrt((2.0 + 8.0) / 2))
    assert image_signal(x + 100) == pytest.approx(image_signal(x))


def test_small_weights_without_batch_norm_lose_the_signal_and_kaiming_keeps_it():
    torch.manual_seed(0)
    x = torch.randn(4, 3, 64, 64)
    models = {s: build_model("inception-v1", aux_logits=False, init=s, num_classes=10) for s in ("tf-slim", "kaiming")}
    table = signal_table(models, x, ["blocks.inception_5b"])
    assert table.where(model="tf-slim")[0]["blocks.inception_5b"] < 1e-6
    assert table.where(model="kaiming")[0]["blocks.inception_5b"] > 1e-2
