"""Where windows fall: PyTorch's windows against PyTorch itself, TensorFlow's SAME padding against
its definition, receptive fields against hand counts and against gradients."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from gnet_lib import get_spec
from gnet_lib.core.geometry import (
    grid_offset,
    padding_comparison,
    pytorch_windows,
    receptive_fields,
    tensor_bytes,
    tf_same_output,
    tf_same_padding,
    tf_same_windows,
)


def _read_by(pool: nn.Module, n: int) -> list[list[int]]:
    """For each output of a 1-D max pool, the input positions it reads (found with one-hot inputs)."""
    reads: dict[int, list[int]] = {}
    for x in range(n):
        one_hot = torch.zeros(1, 1, n)
        one_hot[0, 0, x] = 1.0
        for i in torch.nonzero(pool(one_hot)[0, 0]).flatten().tolist():
            reads.setdefault(i, []).append(x)
    return [reads[i] for i in sorted(reads)]


@pytest.mark.parametrize("n", [7, 8, 14, 15, 75, 112])
@pytest.mark.parametrize("padding,ceil_mode", [(0, True), (1, False), (0, False)])
def test_pytorch_windows_are_the_pixels_pytorch_reads(n, padding, ceil_mode):
    windows = pytorch_windows(n, 3, 2, padding, ceil_mode)
    pool = nn.MaxPool1d(3, 2, padding, ceil_mode=ceil_mode)
    expected = [[x for x in range(s, s + 3) if 0 <= x < n] for s in windows.starts]
    assert _read_by(pool, n) == expected


@pytest.mark.parametrize("n,kernel,stride,expected", [
    (224, 7, 2, (2, 3)),   # conv1 at 224: five pixels of padding, the odd one after
    (112, 3, 2, (0, 1)),
    (75, 3, 2, (1, 1)),
    (299, 7, 2, (3, 3)),
    (28, 3, 1, (1, 1)),    # stride 1: the symmetric "same" padding
    (8, 1, 2, (0, 0)),     # a 1x1 kernel never needs padding
    (13, 6, 5, (1, 2)),    # TensorFlow's documented example: 13 inputs, 6-wide filter, stride 5
])
def test_tf_same_padding_known_values(n, kernel, stride, expected):
    assert tf_same_padding(n, kernel, stride) == expected


@pytest.mark.parametrize("n", range(5, 40))
@pytest.mark.parametrize("kernel,stride", [(3, 2), (7, 2), (5, 3), (2, 2)])
def test_tf_same_gives_ceil_n_over_s_with_the_least_padding(n, kernel, stride):
    before, after = tf_same_padding(n, kernel, stride)
    x = torch.zeros(1, 1, n)
    out = F.conv1d(F.pad(x, (before, after)), torch.ones(1, 1, kernel), stride=stride)
    assert out.shape[-1] == tf_same_output(n, stride) == -(-n // stride)
    assert 0 <= after - before <= 1
    if before + after:
        fewer = F.conv1d(F.pad(x, (before, after - 1)), torch.ones(1, 1, kernel), stride=stride)
        assert fewer.shape[-1] < out.shape[-1]
    windows = tf_same_windows(n, kernel, stride)
    assert windows.padding == (before, after)


def test_windows_padding_and_centres_by_hand():
    conv1 = pytorch_windows(224, 7, 2, 3)
    assert conv1.count == 112 and conv1.padding == (3, 2)  # the third pixel on the right is never read
    assert conv1.first_centre == 0.0
    assert pytorch_windows(8, 3, 2, 0, ceil_mode=False).padding == (0, -1)  # pixel 7 unread
    assert tf_same_windows(224, 7, 2).first_centre == 1.0


def test_grid_offset_by_hand():
    # 7 outputs 32 pixels apart starting at pixel 30: centre 126, image centre 111.5
    assert grid_offset((30.0, 32), 7, 224) == 14.5
    assert grid_offset((0.0, 1), 224, 224) == 0.0  # every pixel its own output: no offset


def test_padding_comparison_at_224_as_built():
    rows = {r["layer"]: r for r in padding_comparison(size=224)}
    assert list(rows) == ["conv1", "pool1", "pool2", "pool3", "pool4"]
    assert rows["conv1"]["PyTorch declared"] == "(3, 3)" and rows["conv1"]["TF SAME"] == "(2, 3)"
    assert all(rows[p]["PyTorch covers"] == rows[p]["TF SAME"] == "(0, 1)" for p in ("pool1", "pool2", "pool3", "pool4"))
    assert [r["TF output"] for r in rows.values()] == [112, 56, 28, 14, 7]
    assert (rows["pool4"]["PyTorch grid offset"], rows["pool4"]["TF grid offset"]) == (14.5, 15.5)


def test_padding_comparison_follows_each_framework_own_sizes():
    rows = padding_comparison(size=299)
    assert [r["PyTorch output"] for r in rows] == [150, 75, 37, 18, 9]
    assert [r["TF output"] for r in rows] == [150, 75, 38, 19, 10]
    assert rows[3]["input"] == "37 / 38"


def test_receptive_fields_of_the_paper_network_by_hand():
    fields = {rf.layer: (rf.size, rf.jump) for rf in receptive_fields(get_spec("inception-v1"))}
    # conv1 7/2: 7; pool1 3/2: 7 + 2*2; conv2 3x3: + 2*4; pool2: + 2*4; a module (5x5 path): + 4*jump
    assert fields["conv1"] == (7, 2) and fields["pool1"] == (11, 4) and fields["conv2"] == (19, 4)
    assert fields["pool2"] == (27, 8) and fields["3a"] == (59, 8) and fields["3b"] == (91, 8)
    assert fields["pool3"] == (107, 16) and fields["4e"] == (107 + 5 * 64, 16)
    assert fields["pool4"] == (459, 32) and fields["5b"] == (459 + 2 * 128, 32)
    assert "lrn1" not in fields and "aux1" not in fields


def test_receptive_field_of_the_stem_matches_gradients():
    """Average pools instead of max pools, so that every pixel of a window passes gradient."""
    stem = nn.Sequential(nn.Conv2d(1, 1, 7, 2, 3), nn.AvgPool2d(3, 2, ceil_mode=True), nn.Conv2d(1, 1, 1),
                         nn.Conv2d(1, 1, 3, 1, 1), nn.AvgPool2d(3, 2, ceil_mode=True))
    for module in stem:
        if isinstance(module, nn.Conv2d):
            nn.init.constant_(module.weight, 1.0)
    x = torch.zeros(1, 1, 96, 96, requires_grad=True)
    out = stem(x)
    out[0, 0, out.shape[-2] // 2, out.shape[-1] // 2].backward()
    rows = torch.nonzero(x.grad[0, 0].abs().sum(dim=1)).flatten()
    fields = {rf.layer: rf.size for rf in receptive_fields(get_spec("inception-v1"))}
    assert int(rows.max() - rows.min()) + 1 == fields["pool2"]


def test_tensor_bytes():
    assert tensor_bytes((64, 112, 112)) == 64 * 112 * 112 * 4
    assert tensor_bytes((1024,), bytes_per_value=2) == 2048
