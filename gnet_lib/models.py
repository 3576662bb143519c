"""Models by name: the one place where a name such as ``"inception-v1"`` becomes a spec.

The builder (:func:`.builder.build_network`) and the walker (:func:`.layers.walk`) take a
:class:`.specs.Network` only; these two functions resolve a name (with its options) first.
"""

from __future__ import annotations

from typing import Any

from .architectures import get_spec
from .builder import GoogLeNet, build_network
from .init import check_scheme, initialize
from .layers import LayerTable, walk
from .specs import Network


def layer_table(
    name_or_spec: str | Network,
    input_size: tuple[int, ...] | None = None,
    num_classes: int | None = None,
    **options: Any,
) -> LayerTable:
    """The analytic layer table of a model (by name, with ``build_model``'s options) or spec.

    >>> t = layer_table("inception-v1", aux_logits=False)
    >>> t.where(name="3a / concat")[0]["output"]
    (256, 28, 28)
    """
    spec = get_spec(name_or_spec, **options)
    size = tuple(input_size or spec.input_size)
    return LayerTable(spec, walk(spec, size, num_classes), size)


def build_model(
    name: str | Network,
    num_classes: int | None = None,
    *,
    aux_logits: bool | None = None,
    batch_norm: bool | None = None,
    pool_rounding: str | None = None,
    source_bn_eps: bool | None = None,
    input_size: tuple[int, ...] | None = None,
    init: str = "pytorch",
) -> GoogLeNet:
    """Build a named model (see :data:`gnet_lib.MODEL_NAMES`) or a hand-written spec.

    ``num_classes`` defaults to the model's own (1000 for the ImageNet models, 10 for the
    CIFAR family). ``aux_logits``, ``batch_norm`` and ``pool_rounding`` change the named
    architecture, and ``source_bn_eps=False`` corrects source 000's batch norm quirk in the
    CIFAR family (``None`` keeps each model's default). ``input_size`` only matters for auxiliary
    heads with a fixed pool, whose fully connected layer depends on the feature-map size.
    ``init`` names the weight initialisation (:data:`gnet_lib.init.SCHEMES`); the default,
    ``"pytorch"``, keeps the weights PyTorch gives each layer when it is created.
    """
    check_scheme(init)
    spec = get_spec(name, aux_logits=aux_logits, batch_norm=batch_norm, pool_rounding=pool_rounding,  # type: ignore[arg-type]
                    source_bn_eps=source_bn_eps)
    model = build_network(spec, num_classes, input_size)
    return model if init == "pytorch" else initialize(model, init)
