"""Trained weights kept in the repository: a finished run's model as a small fp16 state dict.

A weights file holds what rebuilding the model needs (its name and options, the number of
classes and the image shape), the identity of the run that made it, and the state dict in
half precision (about half the size of fp32; CIFAR models lose nothing visible). The result
file of that run stays beside it in ``results/``; the weights point to it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

from ...core.architectures import get_spec
from ...model.builder import GoogLeNet, build_network
from ..results.results import identity_differences
from ..results.storage import CheckpointError, load_checkpoint, save_checkpoint

WEIGHTS_FORMAT = "gnet-weights-1"


def export_weights(checkpoint: str | os.PathLike, result: dict[str, Any], out: str | os.PathLike,
                   result_file: str = "") -> Path:
    """Write the model of a finished run (its training ``checkpoint`` and its ``result``) to
    ``out`` as fp16 weights. Refuses a checkpoint whose run is not the result's."""
    state = load_checkpoint(checkpoint)
    differences = identity_differences(state.get("identity"), result["identity"])
    if differences:
        raise CheckpointError(f"{checkpoint} belongs to another run than the result it is exported with "
                              f"({'; '.join(differences)})")
    if len(state["history"]) != len(result["history"]):
        raise CheckpointError(f"{checkpoint} stopped after {len(state['history'])} epochs, the result has "
                              f"{len(result['history'])}: finish the run first")
    identity = result["identity"]
    half = {k: v.half() if v.is_floating_point() else v for k, v in state["model"].items()}
    save_checkpoint(out, {
        "format": WEIGHTS_FORMAT,
        "model": identity["model"],
        "model_options": identity["model_options"],
        "num_classes": identity["num_classes"],
        "image_shape": result["data"]["image_shape"],
        "identity": identity,
        "result_file": result_file,
        "state_dict": half,
    })
    return Path(out)


def load_weights(path: str | os.PathLike) -> tuple[GoogLeNet, dict[str, Any]]:
    """The model stored in a weights file (fp32, eval mode, on the CPU) and the file's metadata."""
    try:
        stored = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise CheckpointError(f"no weights file at {path}") from None
    if not isinstance(stored, dict) or stored.get("format") != WEIGHTS_FORMAT:
        raise CheckpointError(f"{path} is not a gnet_lib weights file ({WEIGHTS_FORMAT})")
    options = stored["model_options"]
    spec = get_spec(stored["model"], aux_logits=options["aux_heads"] > 0, source_bn_eps=options["source_bn_eps"])
    model = build_network(spec, stored["num_classes"], tuple(stored["image_shape"]))
    model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in stored["state_dict"].items()})
    info = {k: v for k, v in stored.items() if k != "state_dict"}
    return model.eval(), info
