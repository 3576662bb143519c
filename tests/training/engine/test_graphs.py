"""The CUDA-graph step's pieces that run anywhere, and the graph itself where there is a GPU."""

import pytest
import torch

from gnet_lib.training.engine.graphs import fast_cuda_backend, pytorch_default_backend, without_side_effects
from gnet_lib.training.engine.train import Trainer
from gnet_lib.training.settings.config import TrainConfig

SETTINGS = dict(model="short4", dataset="synthetic", recipe="seed", epochs=1, batch_size=32, device="cpu",
                precision="fp32", progress=False)


@pytest.mark.slow
@pytest.mark.parametrize("recipe", ["seed", "fast"])
def test_warm_up_steps_leave_no_trace(tiny_data, recipe):
    """Capturing a graph needs warm-up steps; afterwards model and optimiser must be exactly as
    before, so that the run trains as if they never happened."""
    data = tiny_data.subset(train=64, test=20)
    warmed = Trainer(TrainConfig(**{**SETTINGS, "recipe": recipe}), data)
    plain = Trainer(TrainConfig(**{**SETTINGS, "recipe": recipe}), data)
    x, y = next(warmed.train_stream.epoch(0))
    rng = torch.random.get_rng_state()
    with without_side_effects(warmed.model, warmed.optimizer):
        for _ in range(3):  # as GraphedStep warms up: no scheduler step
            warmed.optimizer.zero_grad(set_to_none=True)
            warmed._forward_backward_update(x, y)
        changed = any(not torch.equal(a, b) for a, b in zip(warmed.model.state_dict().values(), plain.model.state_dict().values()))
    assert changed  # the warm-up really trained ...
    for (k, a), b in zip(warmed.model.state_dict().items(), plain.model.state_dict().values()):
        assert torch.equal(a, b), k  # ... and left nothing behind
    assert all(p.grad is None for p in warmed.model.parameters())
    assert torch.equal(torch.random.get_rng_state(), rng)  # dropout draws as if nothing happened
    for seed in (5, 6):  # the second step also compares the optimiser's state
        torch.manual_seed(seed)
        ours = warmed.step(x, y)[0]
        torch.manual_seed(seed)
        assert torch.equal(ours, plain.step(x, y)[0])


def test_backend_settings_are_restored():
    cudnn = torch.backends.cudnn
    before = (cudnn.benchmark, cudnn.deterministic, torch.are_deterministic_algorithms_enabled())
    with fast_cuda_backend(deterministic=True):
        assert cudnn.deterministic and not cudnn.benchmark and torch.are_deterministic_algorithms_enabled()
    assert (cudnn.benchmark, cudnn.deterministic, torch.are_deterministic_algorithms_enabled()) == before
    with fast_cuda_backend():
        assert cudnn.benchmark
    assert (cudnn.benchmark, cudnn.deterministic, torch.are_deterministic_algorithms_enabled()) == before


cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU (CI has none; the GPU campaign runs these)")


@cuda
def test_graphed_steps_learn_without_host_synchronisation(tiny_data):
    trainer = Trainer(TrainConfig(**{**SETTINGS, "device": "cuda", "precision": "bf16", "epochs": 3}), tiny_data)
    batches = list(trainer.train_stream.epoch(0))[:-1]  # full batches; the copies to the GPU happen here
    trainer.step(*batches[0])  # the capture (its warm-up synchronises)
    torch.cuda.reset_peak_memory_stats()
    torch.cuda.set_sync_debug_mode("error")
    try:
        for x, y in batches[1:]:
            trainer.step(x, y)
    finally:
        torch.cuda.set_sync_debug_mode("default")
    assert trainer.graphed and trainer._graph is not None
    assert torch.cuda.max_memory_allocated() < 2 * 1024**3
    result = trainer.run()
    assert result.history[-1]["train_loss"] < result.history[0]["train_loss"]


@cuda
@pytest.mark.parametrize("options", [dict(precision="fp16"), dict(compile=True), dict(cuda_graph=False)])
def test_other_cuda_paths_learn(tiny_data, options):
    result = Trainer(TrainConfig(**{**SETTINGS, "device": "cuda", "epochs": 3, **options}), tiny_data).run()
    assert result.history[-1]["train_loss"] < result.history[0]["train_loss"]


def test_captured_learning_rates_follow_the_schedule_in_place(tiny_data):
    """A replayed graph reads the learning rate from fixed tensors: the schedule must change
    their values, never replace them."""
    data = tiny_data.subset(train=64, test=20)
    trainer = Trainer(TrainConfig(**{**SETTINGS, "recipe": "fast", "epochs": 2}), data)
    reference = Trainer(TrainConfig(**{**SETTINGS, "recipe": "fast", "epochs": 2}), data)
    trainer._lr_tensors = [trainer._lr_tensor(g) for g in trainer.optimizer.param_groups]  # as on CUDA
    tensors = list(trainer._lr_tensors)
    for x, y in trainer.train_stream.epoch(0):
        trainer.step(x, y)
        reference.step(x, y)
        for group, tensor, ref in zip(trainer.optimizer.param_groups, tensors, reference.optimizer.param_groups):
            assert group["lr"] is tensor and float(tensor) == pytest.approx(ref["lr"])


@cuda
def test_each_resize_stage_captures_its_own_graph(tiny_data, monkeypatch):
    from dataclasses import replace

    from gnet_lib.training.engine import train as train_module
    from gnet_lib.training.settings.recipes import RECIPES, get_recipe

    monkeypatch.setitem(RECIPES, "fast", replace(get_recipe("fast"), epochs=3, resize_stages=((1, 16), (1, 24))))
    sides = []

    class Recorded(train_module.GraphedStep):
        def __init__(self, fn, model, optimizer, x, y, **kw):
            sides.append(x.shape[-1])
            super().__init__(fn, model, optimizer, x, y, **kw)

    monkeypatch.setattr(train_module, "GraphedStep", Recorded)
    settings = {**SETTINGS, "recipe": "fast", "device": "cuda", "precision": "bf16", "epochs": 3}
    result = Trainer(TrainConfig(**settings), tiny_data).run()
    assert sides == [16, 24, 32]
    assert result.history[-1]["train_loss"] < result.history[0]["train_loss"]


def test_the_default_backend_switches_tf32_matrix_products_and_autotuning_off_and_restores_them():
    cudnn, matmul = torch.backends.cudnn, torch.backends.cuda.matmul
    new_api = hasattr(matmul, "fp32_precision")

    def tf32_matmul():
        return matmul.fp32_precision == "tf32" if new_api else matmul.allow_tf32

    with fast_cuda_backend():
        assert tf32_matmul() and cudnn.benchmark
        with pytorch_default_backend():
            assert not tf32_matmul() and not cudnn.benchmark
        assert tf32_matmul() and cudnn.benchmark
