"""The output-size rule, checked against PyTorch's own layers."""

import pytest
import torch
from torch import nn

from gnet_lib.core.shapes import (
    compare_pool_conventions,
    output_hw,
    output_size,
    same_padding,
)


@pytest.mark.parametrize("n", [1, 2, 5, 7, 14, 15, 28, 55, 56, 112, 224, 299])
@pytest.mark.parametrize("kernel,stride,padding", [(3, 2, 0), (3, 2, 1), (3, 1, 1), (2, 2, 0), (5, 3, 0), (7, 2, 3)])
@pytest.mark.parametrize("ceil_mode", [False, True])
def test_pool_output_size_matches_pytorch(n, kernel, stride, padding, ceil_mode):
    pool = nn.MaxPool2d(kernel, stride, padding, ceil_mode=ceil_mode)
    expected = output_size(n, kernel, stride, padding, ceil_mode)
    if expected < 1:
        with pytest.raises(RuntimeError):
            pool(torch.zeros(1, 1, n, n))
    else:
        assert pool(torch.zeros(1, 1, n, n)).shape[-1] == expected


@pytest.mark.parametrize("n", [3, 8, 31, 32, 224, 225])
@pytest.mark.parametrize("kernel,stride,padding", [(7, 2, 3), (3, 1, 1), (1, 1, 0), (5, 1, 2), (3, 2, 0)])
def test_conv_output_size_matches_pytorch(n, kernel, stride, padding):
    conv = nn.Conv2d(1, 1, kernel, stride, padding)
    assert conv(torch.zeros(1, 1, n, n)).shape[-1] == output_size(n, kernel, stride, padding)


def test_ceil_mode_drops_a_window_that_starts_in_the_padding():
    # (5 + 2 - 2) / 2 = 2.5 -> ceil 3 -> 4 windows, but the 4th would start at 6 >= 5 + 1
    assert output_size(5, 2, 2, padding=1, ceil_mode=True) == 3
    assert nn.MaxPool2d(2, 2, 1, ceil_mode=True)(torch.zeros(1, 1, 5, 5)).shape[-1] == 3


def test_same_padding_keeps_size_for_odd_kernels_and_refuses_even():
    for k in (1, 3, 5, 7):
        assert output_size(17, k, 1, same_padding(k)) == 17
    with pytest.raises(ValueError, match="odd kernel"):
        same_padding(4)


def test_asymmetric_kernels():
    assert output_hw((28, 28), (1, 3), 1, (0, 1)) == (28, 28)
    assert output_hw((10, 12), (3, 1), 2, (1, 0)) == (5, 6)


def test_pool_conventions_agree_on_even_sizes_and_differ_on_odd():
    for n in (112, 56, 28, 14):
        assert compare_pool_conventions(n).agree
    odd = compare_pool_conventions(15)
    assert (odd.ceil_no_pad, odd.floor_pad1) == (7, 8)


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="stride"):
        output_size(10, 3, 0)


def test_a_layers_output_shape():
    from gnet_lib.core.shapes import conv_output, conv_padding, pool_output
    from gnet_lib.core.specs import Conv, Pool

    assert conv_padding(Conv("c", 8, (1, 7), padding="same")) == (0, 3)
    assert conv_padding(Conv("c", 8, 3, padding=2)) == (2, 2)
    assert conv_output((3, 224, 224), Conv("conv1", 64, 7, stride=2, padding=3)) == (64, 112, 112)
    assert conv_output((3, 32, 32), Conv("c", 16, (1, 7), padding="same")) == (16, 32, 32)
    assert pool_output((64, 112, 112), Pool("p", "max", 3, 2, ceil_mode=True)) == (64, 56, 56)
    assert pool_output((64, 15, 15), Pool("p", "max", 3, 2, padding=1)) == (64, 8, 8)
    assert pool_output((8, 2, 2), Pool("p", "max", 3, 2)) == (8, 0, 0)
