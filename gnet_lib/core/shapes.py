"""The output-size rule of convolutions and pooling, exactly as PyTorch applies it.

For one spatial dimension of size ``n``, kernel ``k``, stride ``s`` and padding ``p`` on
each side::

    out = floor((n + 2p - k) / s) + 1          (convolutions; pooling by default)
    out = ceil((n + 2p - k) / s) + 1           (pooling with ceil_mode=True)

with one correction in ceil mode: a last window that would start inside the right-hand
padding is dropped, so that every window sees at least one real input value. Ceil mode
also lets the last window hang over the right edge, so it can give one output where floor
mode gives none (a 2x2 input through a 3x3/2 pool).
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import UsageError
from .specs import Conv, Pair, Pool, as_pair

Shape = tuple[int, ...]


def same_padding(kernel: int) -> int:
    """Padding that keeps the size at stride 1 ("same" padding): ``(k - 1) // 2``.

    Only odd kernels have a symmetric same padding; an even kernel raises ``ValueError``.
    """
    if kernel < 1:
        raise UsageError(f"kernel size must be positive, got {kernel}")
    if kernel % 2 == 0:
        raise UsageError(
            f"a {kernel}x{kernel} kernel has no symmetric 'same' padding: "
            "(k - 1) / 2 is not a whole number; use an odd kernel size"
        )
    return (kernel - 1) // 2


def output_size(n: int, kernel: int, stride: int = 1, padding: int = 0, ceil_mode: bool = False) -> int:
    """Output length along one dimension; may be 0 or negative when the input is too small."""
    if kernel < 1 or stride < 1 or padding < 0:
        raise UsageError(
            f"kernel and stride must be positive and padding non-negative, "
            f"got kernel={kernel}, stride={stride}, padding={padding}"
        )
    span = n + 2 * padding - kernel
    if not ceil_mode:
        return max(span // stride + 1, 0)
    out = -(-span // stride) + 1  # ceil division, exact for negative spans too
    if (out - 1) * stride >= n + padding:
        out -= 1
    return max(out, 0)


def output_hw(
    hw: Pair, kernel: int | Pair, stride: int = 1, padding: int | Pair = 0, ceil_mode: bool = False
) -> Pair:
    """Apply :func:`output_size` to height and width."""
    (kh, kw), (ph, pw) = as_pair(kernel), as_pair(padding)
    return (
        output_size(hw[0], kh, stride, ph, ceil_mode),
        output_size(hw[1], kw, stride, pw, ceil_mode),
    )


def conv_padding(layer: Conv) -> Pair:
    """A convolution's padding per side, ``"same"`` resolved for its kernel."""
    if layer.padding == "same":
        kh, kw = as_pair(layer.kernel)
        return (same_padding(kh), same_padding(kw))
    return as_pair(layer.padding)


def conv_output(shape: Shape, layer: Conv) -> Shape:
    """The (C, H, W) a convolution makes of a (C, H, W) input (H or W come out 0 when the input is too small)."""
    return (layer.out_channels, *output_hw((shape[1], shape[2]), layer.kernel, layer.stride, conv_padding(layer)))


def pool_output(shape: Shape, layer: Pool) -> Shape:
    """The (C, H, W) a pooling layer makes of a (C, H, W) input: the channels pass through."""
    return (shape[0], *output_hw((shape[1], shape[2]), layer.kernel, layer.stride, layer.padding, layer.ceil_mode))


@dataclass(frozen=True)
class Downsample:
    """One stride-2 pooling step computed under both conventions."""

    n: int
    ceil_no_pad: int
    floor_pad1: int

    @property
    def agree(self) -> bool:
        return self.ceil_no_pad == self.floor_pad1


def compare_pool_conventions(n: int, kernel: int = 3, stride: int = 2) -> Downsample:
    """What a ``kernel``/``stride`` max pool gives with ceil mode (no padding) and with padding 1.

    For a 3x3/2 pool they agree on every even ``n`` (the paper's chain 112 -> 56 -> 28 ->
    14 -> 7 comes out of both) and differ by one on every odd ``n``: 15 gives 7 in ceil
    mode but 8 with padding 1.
    """
    return Downsample(
        n=n,
        ceil_no_pad=output_size(n, kernel, stride, padding=0, ceil_mode=True),
        floor_pad1=output_size(n, kernel, stride, padding=1, ceil_mode=False),
    )
