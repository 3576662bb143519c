"""gnet_lib: GoogLeNet (Inception v1) as data, derived exactly, built, trained and checked.

The helper library of the GoogLeNet teaching book. Start with :func:`build_model`,
:func:`layer_table` and :data:`MODEL_NAMES`.

The package is layered (see the README): ``core`` (the architecture as data and its arithmetic,
no PyTorch), ``model`` (the network in PyTorch), ``training`` (the engine and its results),
``book`` (tables, figures and the student edition) and ``exercises`` (the checkers). Importing the
package loads the core only; the PyTorch names below are loaded when first used, so
``import gnet_lib`` and ``layer_table`` work where PyTorch is not installed (in the browser).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .core.architectures import CIFAR_MODEL_NAMES, MODEL_NAMES, get_spec
from .core.layers import LayerTable, layer_table
from .core.version import __version__

if TYPE_CHECKING:
    from .model.builder import GoogLeNet, ModelOutput
    from .model.by_name import build_model

#: The names that need PyTorch, and the module each is loaded from when first used.
TORCH_NAMES = {
    "GoogLeNet": "gnet_lib.model.builder",
    "ModelOutput": "gnet_lib.model.builder",
    "build_model": "gnet_lib.model.by_name",
}


def __getattr__(name: str) -> Any:
    if name in TORCH_NAMES:
        return getattr(importlib.import_module(TORCH_NAMES[name]), name)
    raise AttributeError(f"module 'gnet_lib' has no attribute {name!r}")


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
