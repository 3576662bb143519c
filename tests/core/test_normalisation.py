"""LRN: values against PyTorch's LocalResponseNorm, windows against gradients, and the operation
counts against a step-by-step re-enactment of each way of computing it."""

import pytest
import torch
from torch import nn

from gnet_lib import layer_table
from gnet_lib.core.errors import UsageError
from gnet_lib.core.normalisation import local_response_norm, lrn_cost, lrn_window, stem_arithmetic
from gnet_lib.core.specs import LRN

PAPER_LRN = LRN("lrn")  # the spec's defaults: size 5, alpha 1e-4, beta 0.75, k 1 (bvlc_googlenet's settings)


@pytest.mark.parametrize("channels", [1, 3, 8, 64])
@pytest.mark.parametrize("layer", [PAPER_LRN, LRN("lrn", size=4, alpha=1e-2, beta=0.5, k=2.0), LRN("lrn", size=1)])
def test_one_pixel_gives_what_pytorch_gives(channels, layer):
    torch.manual_seed(channels)
    pixel = (torch.randn(channels, dtype=torch.float64) * 200).tolist()
    expected = nn.LocalResponseNorm(layer.size, layer.alpha, layer.beta, layer.k)(
        torch.tensor(pixel, dtype=torch.float64).view(1, channels, 1, 1)).flatten().tolist()
    assert local_response_norm(pixel, layer) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("size", [1, 2, 4, 5])
def test_a_window_holds_exactly_the_channels_the_output_depends_on(size):
    """Read from PyTorch's gradients: output c changes with input j exactly when j is in c's window."""
    channels = 9
    x = (torch.arange(1.0, channels + 1, dtype=torch.float64) * 30).view(1, channels, 1, 1).requires_grad_()
    y = nn.LocalResponseNorm(size, alpha=1e-2)(x).flatten()
    for c in range(channels):
        (grad,) = torch.autograd.grad(y[c], x, retain_graph=True)
        assert list(lrn_window(c, channels, size)) == torch.nonzero(grad.flatten()).flatten().tolist()


def test_formula_count_of_the_paper_stem():
    # By hand, size 5: a window holds 5 channels, less 2 and 1 for the first two channels and 1 and 2
    # for the last two, so 5C - 6 squares summed per pixel; one MAC for k + alpha/5 * sum, one power
    # and one multiply per value.
    for channels in (64, 192):
        cost = lrn_cost((channels, 56, 56), PAPER_LRN)
        values = channels * 56 * 56
        assert cost.macs == 56 * 56 * (5 * channels - 6) + values
        assert (cost.values, cost.powers, cost.multiplies) == (values, values, values)
    assert lrn_cost((1, 2, 2), PAPER_LRN).macs == 4 + 4  # one channel: its own square, then the scale


def _caffe_sliding(pixel, layer):
    """Caffe's CPU algorithm at one pixel, counting its operations: (values, macs, multiplies, powers)."""
    pre = (layer.size - 1) // 2
    padded = [0.0] * pre + [v * v for v in pixel] + [0.0] * (layer.size - 1 - pre)
    multiplies = len(pixel)                                   # the squares
    macs, scale = 0, []
    running = layer.k
    for j in range(layer.size):                               # the first channel's window
        running += layer.alpha / layer.size * padded[j]
        macs += 1
    scale.append(running)
    for c in range(1, len(pixel)):                            # add the entering square, take away the leaving one
        running += layer.alpha / layer.size * padded[c + layer.size - 1]
        running -= layer.alpha / layer.size * padded[c - 1]
        macs += 2
        scale.append(running)
    out = [v * s ** -layer.beta for v, s in zip(pixel, scale)]
    return out, macs, multiplies + len(pixel), len(pixel)


def test_sliding_count_is_what_caffes_algorithm_does():
    pixel = [float(v) for v in range(-40, 152, 3)]            # 64 channels
    out, macs, multiplies, powers = _caffe_sliding(pixel, PAPER_LRN)
    assert out == pytest.approx(local_response_norm(pixel, PAPER_LRN), rel=1e-9)  # the algorithm is LRN
    cost = lrn_cost((len(pixel), 3, 5), PAPER_LRN, "sliding")
    assert (cost.macs, cost.multiplies, cost.powers) == (15 * macs, 15 * multiplies, 15 * powers)
    assert cost.macs < lrn_cost((len(pixel), 3, 5), PAPER_LRN).macs


def test_stem_table_sets_each_lrn_beside_the_convolutions():
    table = stem_arithmetic()
    rows = {r["layer"]: r for r in table}
    assert list(rows) == ["conv1", "pool1", "lrn1", "conv2_reduce", "conv2", "lrn2", "pool2"]
    exact = layer_table("inception-v1")
    for name in ("conv1", "conv2_reduce", "conv2"):
        assert rows[name]["MACs"] == exact.where(name=name)[0]["MACs"] and rows[name]["powers"] is None
    for name, shape in (("lrn1", (64, 56, 56)), ("lrn2", (192, 56, 56))):
        assert rows[name]["MACs"] == lrn_cost(shape, PAPER_LRN).macs and rows[name]["weights"] == 0
    assert rows["pool1"]["MACs"] is None and rows["pool1"]["share of MACs"] is None
    assert sum(r["share of MACs"] or 0 for r in table) == pytest.approx(1, abs=1e-3)
    assert rows["lrn2"]["MACs"] < rows["conv2"]["MACs"] / 50


def test_bad_input_is_refused_with_what_to_fix():
    with pytest.raises(UsageError, match="positive whole number of channels"):
        local_response_norm([1.0], LRN("lrn", size=0))
    with pytest.raises(UsageError, match="at least one channel"):
        local_response_norm([])
    with pytest.raises(UsageError, match=r"\(C, H, W\)"):
        lrn_cost((64, 56))
    with pytest.raises(UsageError, match="'formula' or 'sliding'"):
        lrn_cost((64, 56, 56), method="fast")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="channel 64 is not one of the 64"):
        lrn_window(64, 64, 5)
