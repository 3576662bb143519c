"""gnet_lib: GoogLeNet (Inception v1) as data, derived exactly, built, trained and checked.

The helper library of the GoogLeNet teaching book. Start with :func:`build_model`,
:func:`layer_table` and :data:`MODEL_NAMES`.
"""

from .architectures import CIFAR_MODEL_NAMES, MODEL_NAMES, get_spec
from .builder import GoogLeNet, ModelOutput
from .layers import LayerTable
from .models import build_model, layer_table
from .version import __version__

__all__ = [
    "CIFAR_MODEL_NAMES",
    "MODEL_NAMES",
    "GoogLeNet",
    "LayerTable",
    "ModelOutput",
    "__version__",
    "build_model",
    "get_spec",
    "layer_table",
]
