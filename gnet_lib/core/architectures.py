"""The named architectures: the paper's GoogLeNet, torchvision's variant, source 000's CIFAR family.

Every network here is data (:class:`~gnet_lib.core.specs.Network`). The paper's Inception modules
are read from the printed Table 1 (:data:`gnet_lib.core.table1.TABLE_1`), so the network really is
that table. The CIFAR variants ``long``, ``short3`` and ``short4`` are not published; they
were recovered from their parameter counts with :mod:`gnet_lib.core.fingerprint` (the search is
in notebook 6 and in the tests, and its result is recorded here).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from .errors import UsageError
from .specs import (
    LRN,
    AuxHead,
    Classifier,
    Conv,
    Inception,
    Layer,
    Network,
    Pool,
    inception_out_channels,
)
from .table1 import TABLE_1, inception_channels, paper_block


def _paper_modules() -> dict[str, Inception]:
    """The nine Inception modules of Table 1, each declaring the channels it receives."""
    modules: dict[str, Inception] = {}
    c_in = 192  # what the stem's last convolution gives
    for row in TABLE_1:
        block = paper_block(row)
        if block is not None:
            c = inception_channels(row)
            modules[block] = Inception(block, *c, in_channels=c_in)
            c_in = c[0] + c[2] + c[4] + c[5]
    return modules


#: The nine Inception modules of the paper, keyed by name ("3a" ... "5b").
PAPER_MODULES: dict[str, Inception] = _paper_modules()


def inception_modules(names: str, in_channels: int = 192) -> list[Inception]:
    """``"3a 3b"`` -> those paper modules in that order, each declaring the channels it
    receives (``in_channels`` for the first, the output of the one before for the others).

    A module used twice gets a suffix (``5b``, ``5b_2``) so that every layer keeps a unique name.
    """
    out: list[Inception] = []
    seen: dict[str, int] = {}
    for name in names.split():
        if name not in PAPER_MODULES:
            raise UsageError(f"unknown inception module {name!r}; the paper's are {', '.join(PAPER_MODULES)}")
        seen[name] = seen.get(name, 0) + 1
        unique = name if seen[name] == 1 else f"{name}_{seen[name]}"
        module = replace(PAPER_MODULES[name], name=unique, in_channels=in_channels)
        out.append(module)
        in_channels = inception_out_channels(module, in_channels)
    return out


def _downsample(name: str, ceil: bool = True, kernel: int = 3) -> Pool:
    return Pool(name, "max", kernel, 2, padding=0 if ceil else 1, ceil_mode=ceil)


def _paper() -> Network:
    m = inception_modules("3a 3b 4a 4b 4c 4d 4e 5a 5b")
    layers: list[Layer] = [
        Conv("conv1", 64, 7, stride=2, padding=3),
        _downsample("pool1"),
        LRN("lrn1"),
        Conv("conv2_reduce", 64, 1),
        Conv("conv2", 192, 3, padding="same"),
        LRN("lrn2"),
        _downsample("pool2"),
        m[0], m[1],
        _downsample("pool3"),
        m[2], AuxHead("aux1"), m[3], m[4], m[5], AuxHead("aux2"), m[6],
        _downsample("pool4"),
        m[7], m[8],
    ]
    return Network(
        name="inception-v1",
        title="GoogLeNet (Inception v1, the paper)",
        input_size=(3, 224, 224),
        num_classes=1000,
        layers=tuple(layers),
        classifier=Classifier(dropout=0.4, in_features=1024),
        source="Szegedy et al. 2015, Table 1 and Figure 3",
    )


def _torchvision() -> Network:
    m = inception_modules("3a 3b 4a 4b 4c 4d 4e 5a 5b")
    aux = {"adaptive": True}
    layers: list[Layer] = [
        Conv("conv1", 64, 7, stride=2, padding=3),
        _downsample("pool1"),
        Conv("conv2_reduce", 64, 1),
        Conv("conv2", 192, 3, padding="same"),
        _downsample("pool2"),
        m[0], m[1],
        _downsample("pool3"),
        m[2], AuxHead("aux1", **aux), m[3], m[4], m[5], AuxHead("aux2", **aux), m[6],
        _downsample("pool4", kernel=2),
        m[7], m[8],
    ]
    return Network(
        name="torchvision-googlenet",
        title="torchvision's googlenet (batch norm, single-3x3 '5x5' branch)",
        input_size=(3, 224, 224),
        num_classes=1000,
        layers=tuple(layers),
        classifier=Classifier(dropout=0.2, in_features=1024),
        batch_norm=True,
        bn_eps=1e-3,
        conv_bias=False,
        five_by_five="3x3",
        inception_pool_ceil=True,
        source="torchvision.models.googlenet",
    )


#: Source 000's variants: which paper modules each keeps, in order; ``|`` marks a stride-2
#: max pool. Recovered from the published parameter counts with :mod:`gnet_lib.core.fingerprint`
#: (notebook 6 reruns the search): ``short`` is the only exact match; ``short2`` has two
#: exact matches, and this one's MACs ratio to googlenet (0.565) agrees with the published
#: CIFAR-100 time ratio (0.566); ``long``, ``short3`` and ``short4`` are the nearest
#: configurations in the search spaces described there, not exact.
CIFAR_LAYOUTS: dict[str, str] = {
    "naive": "3a 3b | 4a 4b 4c 4d 4e | 5a 5b",
    "googlenet": "3a 3b | 4a 4b 4c 4d 4e | 5a 5b",
    "long": "3a 3b | 4a 4b 4c 4d 4e | 5a 5b 5b 5b",
    "short": "3a 3b | 4a 4d 4e | 5a 5b",
    "short2": "3a 3b | 4a | 5a 5b",
    "short3": "3a | 4c | 5b",
    "short4": "4a | 5b",
}

CIFAR_TITLES: dict[str, str] = {
    "naive": "GoogleNet Naive",
    "googlenet": "GoogleNet",
    "long": "GoogleNet Long",
    "short": "GoogleNet Short",
    "short2": "GoogleNet Short2",
    "short3": "GoogleNet Short3",
    "short4": "GoogleNet Short4",
}


def naive_network(spec: Network) -> Network:
    """The same network with every Inception module made naive (Figure 2(a)): no 1x1
    reductions and no pool projection, so the pooled input is concatenated as it is and
    the channels pile up from module to module."""
    layers: list[Layer] = []
    c_in: int | None = None
    for layer in spec.layers:
        if isinstance(layer, Inception):
            c_in = layer.in_channels if c_in is None else c_in
            layer = layer.naive(in_channels=c_in)
            c_in = inception_out_channels(layer, c_in or 0)
        layers.append(layer)
    return replace(
        spec,
        name=f"{spec.name} (naive)",
        title=f"{spec.title}, naive modules",
        layers=tuple(layers),
        classifier=replace(spec.classifier, in_features=None),
    )


def cifar_network(name: str, layout: str, title: str | None = None) -> Network:
    """A network of source 000's CIFAR family: 3x3 "prelayer" to 192 channels at 32x32,
    the modules of ``layout`` (``|`` = 3x3/2 max pool, padding 1), then the head. The
    "5x5" branch is two stacked 3x3 convolutions."""
    stages = [stage.split() for stage in layout.split("|")]
    modules = inception_modules(" ".join(name for stage in stages for name in stage))
    layers: list[Layer] = [Conv("prelayer", 192, 3, padding=1)]
    it = iter(modules)
    for i, stage in enumerate(stages):
        if i > 0:
            layers.append(_downsample(f"pool{i + 2}", ceil=False))
        layers.extend(next(it) for _ in stage)
    return Network(
        name=name,
        title=title or CIFAR_TITLES.get(name, name),
        input_size=(3, 32, 32),
        num_classes=10,
        layers=tuple(layers),
        classifier=Classifier(dropout=0.4),
        batch_norm=True,
        conv_bias=True,
        five_by_five="3x3-3x3",
        source_bn_eps=True,
        source="source 000 (after pytorch-cifar100's googlenet)",
    )


_BUILDERS = {"inception-v1": _paper, "torchvision-googlenet": _torchvision}
MODEL_NAMES: tuple[str, ...] = (*_BUILDERS, *CIFAR_LAYOUTS)
CIFAR_MODEL_NAMES: tuple[str, ...] = tuple(CIFAR_LAYOUTS)


def with_aux_heads(spec: Network, enabled: bool) -> Network:
    """Add the paper's auxiliary heads after 4a and 4d, or remove all auxiliary heads."""
    layers: list[Layer] = [layer for layer in spec.layers if not isinstance(layer, AuxHead)]
    if enabled and not spec.aux_heads:
        names = [getattr(layer, "name", None) for layer in layers]
        missing = [m for m in ("4a", "4d") if m not in names]
        if missing:
            raise UsageError(
                f"{spec.name} has no inception module {', '.join(missing)} to attach the auxiliary "
                "heads to; use aux_logits=False for this model"
            )
        for aux_name, after in (("aux2", "4d"), ("aux1", "4a")):
            layers.insert(names.index(after) + 1, AuxHead(aux_name))
            names.insert(names.index(after) + 1, aux_name)
    elif enabled:
        return spec
    return replace(spec, layers=tuple(layers))


def with_batch_norm(spec: Network, enabled: bool) -> Network:
    """Batch norm after every conv (conv bias then dropped, LRN removed, as in Inception v2),
    or no batch norm at all (conv bias kept)."""
    if enabled == spec.batch_norm:
        return spec
    if enabled:
        layers = tuple(layer for layer in spec.layers if not isinstance(layer, LRN))
        return replace(spec, layers=layers, batch_norm=True, conv_bias=False)
    return replace(spec, batch_norm=False, conv_bias=True)


def with_pool_rounding(spec: Network, rounding: Literal["ceil", "pad"]) -> Network:
    """Make every stride-2 pool on the main path use ceil mode (no padding) or padding 1 (floor)."""
    if rounding not in ("ceil", "pad"):
        raise UsageError(f"pool rounding must be 'ceil' or 'pad', got {rounding!r}")
    layers = tuple(
        replace(layer, padding=0 if rounding == "ceil" else 1, ceil_mode=rounding == "ceil")
        if isinstance(layer, Pool) and layer.stride > 1 and layer.kernel == 3
        else layer
        for layer in spec.layers
    )
    return replace(spec, layers=layers)


def unknown_model_error(name: object) -> UsageError:
    return UsageError(f"unknown model name {name!r}; valid names are: {', '.join(MODEL_NAMES)}")


def get_spec(
    name: str | Network,
    *,
    aux_logits: bool | None = None,
    batch_norm: bool | None = None,
    pool_rounding: Literal["ceil", "pad"] | None = None,
    source_bn_eps: bool | None = None,
) -> Network:
    """The spec of a named model (or a given spec), with optional changes; ``None`` keeps
    the model's default. ``source_bn_eps=False`` corrects source 000's batch norm quirk
    (see :attr:`~gnet_lib.core.specs.Network.source_bn_eps`)."""
    if isinstance(name, Network):
        spec = name
    elif isinstance(name, str) and name in _BUILDERS:
        spec = _BUILDERS[name]()
    elif name == "naive":
        # Source 000's naive model: its published count (65,291,098) is met exactly when the
        # "5x5" branch is a single 3x3 convolution from the module input.
        base = cifar_network("naive", CIFAR_LAYOUTS["naive"])
        spec = replace(naive_network(base), name="naive", title=CIFAR_TITLES["naive"], five_by_five="3x3", source_bn_eps=False)
    elif isinstance(name, str) and name in CIFAR_LAYOUTS:
        spec = cifar_network(name, CIFAR_LAYOUTS[name])
    else:
        raise unknown_model_error(name)
    if aux_logits is not None:
        spec = with_aux_heads(spec, aux_logits)
    if batch_norm is not None:
        spec = with_batch_norm(spec, batch_norm)
    if pool_rounding is not None:
        spec = with_pool_rounding(spec, pool_rounding)
    if source_bn_eps is not None and source_bn_eps != spec.source_bn_eps:
        if source_bn_eps and spec.five_by_five != "3x3-3x3":
            raise UsageError(f"{spec.name} has no two-3x3 '5x5' branch, so source 000's batch norm quirk does not apply to it")
        spec = replace(spec, source_bn_eps=source_bn_eps)
    return spec
