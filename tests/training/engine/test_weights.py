"""Weights files: a finished run's model, stored small and rebuilt exactly enough."""

import pytest
import torch

from gnet_lib.training.engine.train import train
from gnet_lib.training.engine.weights import export_weights, load_weights
from gnet_lib.training.results.storage import CheckpointError
from gnet_lib.training.settings.config import TrainConfig


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory, tiny_data):
    run_dir = tmp_path_factory.mktemp("run")
    config = TrainConfig(model="short4", dataset="synthetic", epochs=1, batch_size=64, device="cpu", progress=False,
                         run_dir=str(run_dir))
    return run_dir / "checkpoint.pt", train(config, data=tiny_data).as_dict(), tiny_data


@pytest.mark.slow
def test_weights_rebuild_the_trained_model(finished_run, tmp_path):
    checkpoint, result, _ = finished_run
    out = export_weights(checkpoint, result, tmp_path / "w.pt", result_file="results/x.json")
    model, info = load_weights(out)
    assert info["model"] == "short4" and info["result_file"] == "results/x.json"
    assert info["identity"] == result["identity"]
    trained = torch.load(checkpoint, weights_only=True)["model"]
    for name, tensor in model.state_dict().items():
        if tensor.is_floating_point():
            assert torch.allclose(tensor, trained[name].float(), rtol=1e-3, atol=1e-4), name  # fp16 rounding only
    assert out.stat().st_size < 0.6 * checkpoint.stat().st_size  # half precision, no optimiser state


def test_weights_refuse_a_checkpoint_of_another_run(finished_run, tmp_path):
    checkpoint, result, _ = finished_run
    other = {**result, "identity": {**result["identity"], "seed": 99}}
    with pytest.raises(CheckpointError, match="another run"):
        export_weights(checkpoint, other, tmp_path / "w.pt")
    with pytest.raises(CheckpointError, match="not a gnet_lib weights file"):
        load_weights(checkpoint)
