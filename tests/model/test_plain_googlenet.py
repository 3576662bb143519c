"""The plain listing is the same network as the spec-built one: same tensors, same outputs."""

import pytest
import torch
from torch import nn

from gnet_lib import build_model, layer_table
from gnet_lib.model.plain_googlenet import CifarGoogLeNet, PaperGoogLeNet

PAIRS = [(PaperGoogLeNet, "inception-v1", 224), (CifarGoogLeNet, "googlenet", 32)]


def _with_builder_weights(plain: nn.Module, built: nn.Module) -> nn.Module:
    """``plain`` with ``built``'s tensors, matched in registration order (the names differ)."""
    ours, theirs = plain.state_dict(), built.state_dict()
    assert [tuple(t.shape) for t in ours.values()] == [tuple(t.shape) for t in theirs.values()]
    plain.load_state_dict(dict(zip(ours, theirs.values())))
    return plain


def _bn_eps(model: nn.Module) -> list[float]:
    return [m.eps for m in model.modules() if isinstance(m, nn.BatchNorm2d)]


@pytest.mark.parametrize("plain_cls, name, side", PAIRS)
@pytest.mark.parametrize("classes", [None, 100])
def test_same_tensors_and_counts_as_the_spec(plain_cls, name, side, classes):
    built = build_model(name) if classes is None else build_model(name, num_classes=classes)
    plain = plain_cls() if classes is None else plain_cls(num_classes=classes)
    ours, theirs = plain.state_dict(), built.state_dict()
    assert [tuple(t.shape) for t in ours.values()] == [tuple(t.shape) for t in theirs.values()]
    params = sum(p.numel() for p in plain.parameters())
    assert params == sum(p.numel() for p in built.parameters())
    table = layer_table(name) if classes is None else layer_table(name, num_classes=classes)
    assert params == table.total_params
    assert _bn_eps(plain) == _bn_eps(built)


@pytest.mark.parametrize("plain_cls, name, side", PAIRS)
def test_same_outputs_in_eval_mode(plain_cls, name, side):
    torch.manual_seed(0)
    built = build_model(name).eval()
    plain = _with_builder_weights(plain_cls(), built).eval()
    x = torch.randn(2, 3, side, side)
    with torch.no_grad():
        torch.testing.assert_close(plain(x), built(x), rtol=0, atol=0)


@pytest.mark.parametrize("plain_cls, name, side", PAIRS)
def test_same_outputs_in_training_mode_with_the_same_dropout(plain_cls, name, side):
    """Training mode: batch statistics, dropout drawn in the same order, auxiliary logits too."""
    torch.manual_seed(0)
    built = build_model(name).train()
    plain = _with_builder_weights(plain_cls(), built).train()
    x = torch.randn(2, 3, side, side)
    with torch.no_grad():
        torch.manual_seed(1)
        theirs = built(x)
        torch.manual_seed(1)
        ours = plain(x)
    if name == "inception-v1":
        logits, aux = ours
        torch.testing.assert_close(logits, theirs.logits, rtol=0, atol=0)
        for a, b in zip(aux, theirs.aux, strict=True):
            torch.testing.assert_close(a, b, rtol=0, atol=0)
    else:
        torch.testing.assert_close(ours, theirs, rtol=0, atol=0)
    assert _bn_eps(plain) == _bn_eps(built)


def test_a_changed_width_is_caught():
    """The comparison fails when the listing and the spec disagree (a width changed here)."""
    plain = CifarGoogLeNet()
    plain.inception4a.branch1 = type(plain.inception4a.branch1)(480, 191, 1, bn=True)
    with pytest.raises(AssertionError):
        _with_builder_weights(plain, build_model("googlenet"))
