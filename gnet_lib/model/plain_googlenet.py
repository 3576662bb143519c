"""GoogLeNet written out as plain PyTorch, to be read top to bottom.

Two networks, one ``nn.Module`` per block, every width written where it is
used:

* :class:`PaperGoogLeNet`: the paper's network (``inception-v1``), 224x224
  ImageNet images, local response normalisation, two auxiliary classifiers,
  no batch norm;
* :class:`CifarGoogLeNet`: source 000's CIFAR model (``googlenet``), 32x32
  images, batch norm after every convolution, the "5x5" branch as two 3x3
  convolutions, no stem downsampling.

The rest of the library builds the same networks from data
(:mod:`gnet_lib.core.architectures`, :mod:`gnet_lib.model.builder`), which is
what lets the book count and derive every layer.
:func:`gnet_lib.model.same_network.compare_networks` loads the builder's
weights into these classes and checks that both give the same outputs; the
tests run it, so this listing cannot drift from the specs. Lines stay within
78 characters, so that the book shows them whole.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


class ConvReLU(nn.Module):
    """A convolution, then ReLU; with ``bn``, batch norm between the two."""

    def __init__(self, c_in: int, c_out: int, kernel: int, stride: int = 1,
                 padding: int = 0, bn: bool = False, bn_eps: float = 1e-5):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, kernel, stride, padding)
        self.bn = nn.BatchNorm2d(c_out, eps=bn_eps) if bn else nn.Identity()

    def forward(self, x: Tensor) -> Tensor:
        return torch.relu(self.bn(self.conv(x)))


class Inception(nn.Module):
    """Four branches side by side, concatenated along the channels (the
    paper's Figure 2(b)).

    ``n1x1``: the 1x1 branch; ``n3x3red``, ``n3x3``: a 1x1 reduction, then a
    3x3 convolution; ``n5x5red``, ``n5x5``: a 1x1 reduction, then the "5x5"
    branch; ``pool_proj``: a 3x3 max pool (stride 1), then a 1x1 projection.
    With ``cifar=True``, batch norm after every convolution and the "5x5" as
    two stacked 3x3 convolutions, as in source 000.
    """

    def __init__(self, c_in: int, n1x1: int, n3x3red: int, n3x3: int,
                 n5x5red: int, n5x5: int, pool_proj: int,
                 cifar: bool = False):
        super().__init__()
        bn = cifar
        self.branch1 = ConvReLU(c_in, n1x1, 1, bn=bn)
        self.branch2 = nn.Sequential(
            ConvReLU(c_in, n3x3red, 1, bn=bn),
            ConvReLU(n3x3red, n3x3, 3, padding=1, bn=bn))
        if cifar:
            # Source 000 writes the first batch norm below as
            # BatchNorm2d(n5x5, n5x5): the second argument is eps, so this
            # one layer normalises with eps = n5x5 instead of 1e-5.
            self.branch3 = nn.Sequential(
                ConvReLU(c_in, n5x5red, 1, bn=True),
                ConvReLU(n5x5red, n5x5, 3, padding=1, bn=True,
                         bn_eps=float(n5x5)),
                ConvReLU(n5x5, n5x5, 3, padding=1, bn=True))
        else:
            self.branch3 = nn.Sequential(
                ConvReLU(c_in, n5x5red, 1),
                ConvReLU(n5x5red, n5x5, 5, padding=2))
        self.branch4 = nn.Sequential(
            nn.MaxPool2d(3, stride=1, padding=1),
            ConvReLU(c_in, pool_proj, 1, bn=bn))

    def forward(self, x: Tensor) -> Tensor:
        branches = (self.branch1, self.branch2, self.branch3, self.branch4)
        return torch.cat([branch(x) for branch in branches], dim=1)


class AuxClassifier(nn.Module):
    """The paper's auxiliary classifier: 5x5 average pool (stride 3), 1x1
    convolution to 128 channels, fully connected 1024 with ReLU, 70% dropout,
    linear to the classes."""

    def __init__(self, c_in: int, num_classes: int):
        super().__init__()
        self.pool = nn.AvgPool2d(5, stride=3)
        self.conv = ConvReLU(c_in, 128, 1)
        self.fc = nn.Linear(128 * 4 * 4, 1024)  # 14x14 pools to 4x4
        self.dropout = nn.Dropout(0.7)
        self.out = nn.Linear(1024, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        x = torch.flatten(self.conv(self.pool(x)), 1)
        return self.out(self.dropout(torch.relu(self.fc(x))))


class PaperGoogLeNet(nn.Module):
    """The paper's GoogLeNet (Table 1). In training mode it returns the main
    logits and the two auxiliary classifiers' logits; in evaluation mode the
    main logits alone."""

    def __init__(self, num_classes: int = 1000):
        super().__init__()
        # the stem: plain convolutions and pools, 224x224 down to 28x28
        self.conv1 = ConvReLU(3, 64, 7, stride=2, padding=3)     # 112x112
        self.pool1 = nn.MaxPool2d(3, stride=2, ceil_mode=True)   # 56x56
        self.lrn1 = nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=1.0)
        self.conv2_reduce = ConvReLU(64, 64, 1)
        self.conv2 = ConvReLU(64, 192, 3, padding=1)
        self.lrn2 = nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=1.0)
        self.pool2 = nn.MaxPool2d(3, stride=2, ceil_mode=True)   # 28x28
        # the modules, with the channels each hands on
        self.inception3a = Inception(192, 64, 96, 128, 16, 32, 32)      # 256
        self.inception3b = Inception(256, 128, 128, 192, 32, 96, 64)    # 480
        self.pool3 = nn.MaxPool2d(3, stride=2, ceil_mode=True)   # 14x14
        self.inception4a = Inception(480, 192, 96, 208, 16, 48, 64)    # 512
        self.aux1 = AuxClassifier(512, num_classes)
        self.inception4b = Inception(512, 160, 112, 224, 24, 64, 64)   # 512
        self.inception4c = Inception(512, 128, 128, 256, 24, 64, 64)   # 512
        self.inception4d = Inception(512, 112, 144, 288, 32, 64, 64)   # 528
        self.aux2 = AuxClassifier(528, num_classes)
        self.inception4e = Inception(528, 256, 160, 320, 32, 128, 128)  # 832
        self.pool4 = nn.MaxPool2d(3, stride=2, ceil_mode=True)   # 7x7
        self.inception5a = Inception(832, 256, 160, 320, 32, 128, 128)  # 832
        self.inception5b = Inception(832, 384, 192, 384, 48, 128, 128)  # 1024
        # the head: global average pool, dropout, one linear layer
        self.avgpool = nn.AdaptiveAvgPool2d(1)                   # 1x1
        self.dropout = nn.Dropout(0.4)
        self.fc = nn.Linear(1024, num_classes)

    def forward(self, x: Tensor) -> Tensor | tuple[Tensor, tuple]:
        x = self.lrn1(self.pool1(self.conv1(x)))
        x = self.pool2(self.lrn2(self.conv2(self.conv2_reduce(x))))
        x = self.pool3(self.inception3b(self.inception3a(x)))
        x = self.inception4a(x)
        aux1 = self.aux1(x) if self.training else None
        x = self.inception4d(self.inception4c(self.inception4b(x)))
        aux2 = self.aux2(x) if self.training else None
        x = self.pool4(self.inception4e(x))
        x = self.inception5b(self.inception5a(x))
        x = torch.flatten(self.avgpool(x), 1)
        logits = self.fc(self.dropout(x))
        if aux1 is not None and aux2 is not None:
            return logits, (aux1, aux2)
        return logits


class CifarGoogLeNet(nn.Module):
    """Source 000's CIFAR GoogLeNet: the paper's nine Inception modules on
    32x32 images.

    Its stem is one 3x3 convolution to 192 channels with no downsampling, so
    the modules see 32x32, 16x16 and 8x8 maps instead of the paper's 28x28,
    14x14 and 7x7: that is why this small-image model costs about as many
    multiply-accumulates as the paper's network at 224x224.
    """

    def __init__(self, num_classes: int = 10):
        super().__init__()
        # the stem: one convolution, the map stays 32x32
        self.prelayer = ConvReLU(3, 192, 3, padding=1, bn=True)
        # the modules, in their CIFAR form (the last argument: cifar=True)
        self.inception3a = Inception(192, 64, 96, 128, 16, 32, 32, True)
        self.inception3b = Inception(256, 128, 128, 192, 32, 96, 64, True)
        self.pool3 = nn.MaxPool2d(3, stride=2, padding=1)        # 16x16
        self.inception4a = Inception(480, 192, 96, 208, 16, 48, 64, True)
        self.inception4b = Inception(512, 160, 112, 224, 24, 64, 64, True)
        self.inception4c = Inception(512, 128, 128, 256, 24, 64, 64, True)
        self.inception4d = Inception(512, 112, 144, 288, 32, 64, 64, True)
        self.inception4e = Inception(528, 256, 160, 320, 32, 128, 128, True)
        self.pool4 = nn.MaxPool2d(3, stride=2, padding=1)        # 8x8
        self.inception5a = Inception(832, 256, 160, 320, 32, 128, 128, True)
        self.inception5b = Inception(832, 384, 192, 384, 48, 128, 128, True)
        self.avgpool = nn.AdaptiveAvgPool2d(1)                   # 1x1
        # source 000 writes Dropout2d; on 1x1 maps it drops values alike
        self.dropout = nn.Dropout(0.4)
        self.fc = nn.Linear(1024, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        x = self.prelayer(x)
        x = self.pool3(self.inception3b(self.inception3a(x)))
        x = self.inception4b(self.inception4a(x))
        x = self.inception4e(self.inception4d(self.inception4c(x)))
        x = self.inception5b(self.inception5a(self.pool4(x)))
        return self.fc(self.dropout(torch.flatten(self.avgpool(x), 1)))
