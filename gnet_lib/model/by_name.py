"""Models by name: ``build_model("inception-v1")`` resolves a name (with its options) into a spec
and builds it; the builder (:func:`.builder.build_network`) takes a :class:`~gnet_lib.core.specs.Network`
only. Its analytic twin, :func:`gnet_lib.core.layers.layer_table`, needs no PyTorch.
"""

from __future__ import annotations

from ..core.architectures import get_spec
from ..core.specs import Network
from .builder import GoogLeNet, build_network
from .init import check_scheme, initialize


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
    ``init`` names the weight initialisation (:data:`gnet_lib.model.init.SCHEMES`); the default,
    ``"pytorch"``, keeps the weights PyTorch gives each layer when it is created.
    """
    check_scheme(init)
    spec = get_spec(name, aux_logits=aux_logits, batch_norm=batch_norm, pool_rounding=pool_rounding,  # type: ignore[arg-type]
                    source_bn_eps=source_bn_eps)
    model = build_network(spec, num_classes, input_size)
    return model if init == "pytorch" else initialize(model, init)
