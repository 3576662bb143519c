"""The plain listing is the spec-built network: same tensors in the same order, same outputs.

The counts are checked against figures derived independently of the listing: the analytic
layer table and, for ``googlenet``, source 000's published parameter count."""

import pytest
import torch
from torch import nn

from gnet_lib import build_model, layer_table
from gnet_lib.core.errors import UsageError
from gnet_lib.core.published import SOURCE_000
from gnet_lib.model.plain_googlenet import CifarGoogLeNet, ConvReLU, Inception, PaperGoogLeNet
from gnet_lib.model.same_network import compare_networks, copy_tensors_in_order, tensor_pairs

PAIRS = [(PaperGoogLeNet, "inception-v1", 224), (CifarGoogLeNet, "googlenet", 32)]


def _compare(plain: nn.Module, name: str, side: int, **options) -> dict[str, bool]:
    torch.manual_seed(0)
    table = compare_networks(plain, build_model(name, **options), (3, side, side), batch=1)
    return dict(zip(table.column("check"), table.column("equal")))


@pytest.mark.parametrize("plain_cls, name, side", PAIRS)
def test_the_listing_is_the_builders_network(plain_cls, name, side):
    assert all(_compare(plain_cls(), name, side).values())


@pytest.mark.parametrize("plain_cls, name, side", PAIRS)
def test_counts_and_shapes_agree_for_other_class_counts_too(plain_cls, name, side):
    plain, built = plain_cls(num_classes=100), build_model(name, num_classes=100)
    copy_tensors_in_order(built, plain)  # raises on the first shape that differs
    params = sum(p.numel() for p in plain.parameters())
    assert params == layer_table(name, num_classes=100).total_params
    if name == "googlenet":
        assert params == SOURCE_000["cifar100"]["googlenet"].params
        assert sum(p.numel() for p in CifarGoogLeNet().parameters()) == SOURCE_000["cifar10"]["googlenet"].params


def test_the_pairs_table_shows_both_names_of_each_tensor():
    pairs = tensor_pairs(CifarGoogLeNet(), build_model("googlenet"), first=3)
    assert pairs[0]["plain listing"] == "prelayer.conv.weight" and pairs[0]["builder"] == "blocks.prelayer.conv.weight"
    assert len(pairs) == 3 and "more pairs" in pairs.notes[0]


@pytest.mark.parametrize("plain_cls, name, module", [(PaperGoogLeNet, "inception-v1", "inception4a"),
                                                      (CifarGoogLeNet, "googlenet", "inception4a")])
def test_a_changed_width_is_named(plain_cls, name, module):
    plain = plain_cls()
    widths = (480, 192, 96, 208, 16, 48, 64)  # Table 1's inception (4a), with one width changed below
    setattr(plain, module, Inception(*widths[:1], 191, *widths[2:], cifar=name == "googlenet"))
    with pytest.raises(UsageError, match=r"tensor \d+: the listing's inception4a\.branch1\.conv\.weight \(191, 480"):
        copy_tensors_in_order(build_model(name), plain)


def test_a_missing_layer_is_named():
    plain = CifarGoogLeNet()
    plain.inception5b = nn.Identity()
    with pytest.raises(UsageError, match=r"the listing.s fc\.weight \(10, 1024\) against the builder.s blocks\.inception_5b"):
        copy_tensors_in_order(build_model("googlenet"), plain)


def test_changes_that_keep_every_shape_are_caught_by_the_outputs():
    lrn = PaperGoogLeNet()
    lrn.lrn1 = nn.LocalResponseNorm(5, alpha=2e-4, beta=0.75, k=1.0)
    assert not _compare(lrn, "inception-v1", 224)["outputs in evaluation mode"]

    dropout = PaperGoogLeNet()
    dropout.aux1.dropout = nn.Dropout(0.5)
    checks = _compare(dropout, "inception-v1", 224)
    assert checks["outputs in evaluation mode"] and not checks["outputs in training mode, same dropout draws"]


def test_batch_norm_settings_are_compared():
    eps = CifarGoogLeNet()
    eps.inception3a.branch3[1] = ConvReLU(16, 32, 3, padding=1, bn=True)  # the source's quirky eps "fixed"
    checks = _compare(eps, "googlenet", 32)
    assert not checks["batch norm eps, layer by layer"] and not checks["outputs in evaluation mode"]

    momentum = CifarGoogLeNet()
    momentum.prelayer.bn.momentum = 0.5
    checks = _compare(momentum, "googlenet", 32)
    assert checks["outputs in training mode, same dropout draws"] and not checks["running statistics after that pass"]


class _ConcatSwapped(Inception):
    """Runs the branches in order but concatenates the 5x5 and the pool branch the other way round
    (the two have the same width in inception (3a), so every shape stays the same)."""

    def forward(self, x):
        b1, b2, b3, b4 = (branch(x) for branch in (self.branch1, self.branch2, self.branch3, self.branch4))
        return torch.cat([b1, b2, b4, b3], dim=1)


class _RunOrderSwapped(Inception):
    """Runs the pool branch before the 5x5 branch, then concatenates in the usual order: the same
    function, computed in another order."""

    def forward(self, x):
        b4, b3 = self.branch4(x), self.branch3(x)
        return torch.cat([self.branch1(x), self.branch2(x), b3, b4], dim=1)


def test_a_difference_deep_inside_shows_in_the_layers_even_where_the_logits_hardly_move():
    # With PyTorch's default weights little of the image reaches inception-v1's logits, so a swap
    # of two branches in inception (3a) moves them by a tiny amount; the next module's input moves
    # by as much as the activations themselves.
    plain = PaperGoogLeNet()
    plain.inception3a = _ConcatSwapped(192, 64, 96, 128, 16, 32, 32)
    torch.manual_seed(0)
    table = compare_networks(plain, build_model("inception-v1"), (3, 224, 224), batch=1)
    rows = {r["check"]: r for r in table}
    logits = float(rows["outputs in evaluation mode"]["detail"].split()[2])
    layers = rows["every conv and linear layer's input and output"]
    assert not layers["equal"] and "first difference at the listing's inception3b.branch1.conv (input)" in layers["detail"]
    assert float(layers["detail"].split()[-1]) > 1000 * logits > 0


def test_layers_are_paired_like_their_tensors_not_by_when_they_run():
    plain = PaperGoogLeNet()
    plain.inception3a = _RunOrderSwapped(192, 64, 96, 128, 16, 32, 32)
    assert all(_compare(plain, "inception-v1", 224).values())
