"""Adadelta on one flat buffer gives torch.optim.Adadelta's steps, bit for bit (CPU, fp32)."""

import io

import pytest
import torch

from gnet_lib.model.builder import conv_biases_before_batch_norm
from gnet_lib.model.by_name import build_model
from gnet_lib.training.engine.flat_adadelta import FlatAdadelta
from gnet_lib.training.engine.train import Trainer
from gnet_lib.training.results.results import without_machine_fields
from gnet_lib.training.settings.config import TrainConfig


def _model(name="short4"):
    torch.manual_seed(0)
    return build_model(name, num_classes=10).to(memory_format=torch.channels_last)


def _bits(t):
    return t.detach().contiguous().view(torch.int32)


def _train(model, optimizer, steps=4, seed=0):
    """``steps`` steps on fixed random batches, the learning rate decayed by 0.7 per step (so that it
    is no round number), with the same dropout draws for every model."""
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: 0.7**s)
    g = torch.Generator().manual_seed(seed)
    for step in range(steps):
        x = torch.randn(8, 3, 32, 32, generator=g).contiguous(memory_format=torch.channels_last)
        y = torch.randint(0, 10, (8,), generator=g)
        optimizer.zero_grad()
        torch.manual_seed(step)
        torch.nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
        schedule.step()


@pytest.mark.parametrize("freeze_biases", [False, True])
def test_flat_steps_equal_torch_adadelta_bit_for_bit(freeze_biases):
    ours, theirs = _model(), _model()
    for m in (ours, theirs):
        for b in conv_biases_before_batch_norm(m) if freeze_biases else []:
            b.requires_grad_(False)
    flat = FlatAdadelta(ours.parameters(), lr=1.0)
    reference = torch.optim.Adadelta(theirs.parameters(), lr=1.0)
    _train(ours, flat)
    _train(theirs, reference)
    for (name, a), b in zip(ours.named_parameters(), theirs.parameters()):
        assert torch.equal(_bits(a), _bits(b)), name
        if a.requires_grad:
            for key in ("square_avg", "acc_delta"):
                assert torch.equal(_bits(flat.state[a][key]), _bits(reference.state[b][key])), (name, key)
        else:
            assert a not in flat.state and b not in reference.state
    changed = _model()
    assert any(not torch.equal(a, b) for a, b in zip(ours.parameters(), changed.parameters()))  # it trained


def test_parameters_and_gradients_live_in_the_flat_buffers_and_keep_their_layout():
    model = _model()
    layouts = [(p.shape, p.stride()) for p in model.parameters()]
    flat = FlatAdadelta(model.parameters())
    _train(model, flat, steps=1)
    start = flat._params.data_ptr()
    end = start + flat._params.numel() * flat._params.element_size()
    for p, layout in zip(model.parameters(), layouts):
        assert (p.shape, p.stride()) == layout
        assert start <= p.data_ptr() < end
        assert p.grad is not None and p.grad.data_ptr() - p.data_ptr() == flat._grads.data_ptr() - start
    assert flat._grads.abs().sum() > 0  # backward accumulated into the buffer
    flat.zero_grad(set_to_none=True)
    assert all(p.grad is not None for p in model.parameters()) and flat._grads.abs().sum() == 0


@pytest.mark.parametrize("direction", ["torch to flat", "flat to torch"])
def test_a_checkpoint_of_either_optimiser_resumes_with_the_other(direction):
    first, second = (torch.optim.Adadelta, FlatAdadelta) if direction == "torch to flat" else (FlatAdadelta, torch.optim.Adadelta)
    model = _model()
    optimizer = first(model.parameters(), lr=1.0)
    _train(model, optimizer, steps=2)
    buffer = io.BytesIO()
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()}, buffer)  # as a checkpoint
    buffer.seek(0)
    saved = torch.load(buffer, weights_only=True)
    saved_model, saved_optimizer = saved["model"], saved["optimizer"]
    resumed_model = _model()
    resumed_model.load_state_dict(saved_model)
    resumed = second(resumed_model.parameters(), lr=1.0)
    resumed.load_state_dict(saved_optimizer)
    _train(model, optimizer, steps=2, seed=1)
    _train(resumed_model, resumed, steps=2, seed=1)
    for a, b in zip(model.parameters(), resumed_model.parameters()):
        assert torch.equal(_bits(a), _bits(b))


def test_a_replaced_gradient_is_taken_and_a_missing_one_refused():
    model = _model()
    flat = FlatAdadelta(model.parameters())
    reference_model = _model()
    reference = torch.optim.Adadelta(reference_model.parameters())
    for p, q in zip(model.parameters(), reference_model.parameters()):
        p.grad = torch.full_like(p, 0.01)  # replaced: no longer a view of the buffer
        q.grad = torch.full_like(q, 0.01)
    flat.step()
    reference.step()
    assert all(torch.equal(a, b) for a, b in zip(model.parameters(), reference_model.parameters()))
    next(model.parameters()).grad = None
    with pytest.raises(RuntimeError, match="needs a gradient for every trainable parameter"):
        flat.step()


@pytest.mark.slow
def test_the_trainer_with_the_flat_optimiser_trains_as_with_torch_adadelta(tiny_data, monkeypatch, tmp_path):
    """The trainer uses the flat buffer on CUDA only; forced on the CPU it gives the same run,
    through a checkpoint and a resumed epoch too."""
    data = tiny_data.subset(train=96, test=30)
    settings = dict(model="short4", dataset="synthetic", epochs=2, batch_size=32, device="cpu", precision="fp32",
                    progress=False)
    plain = Trainer(TrainConfig(**settings), data).run()
    monkeypatch.setattr(Trainer, "_set_up_backend", _forcing_flat(Trainer._set_up_backend))
    run_dir = str(tmp_path / "run")

    def stop(metrics):
        if metrics["epoch"] == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        Trainer(TrainConfig(**settings, run_dir=run_dir), data).run(stop)
    resumed = Trainer(TrainConfig(**settings, run_dir=run_dir, resume=True), data)
    assert isinstance(resumed.optimizer, FlatAdadelta)
    flat = resumed.run()
    assert without_machine_fields(flat.history) == without_machine_fields(plain.history)
    assert flat.environment["flat_optimizer"] and not plain.environment["flat_optimizer"]


def _forcing_flat(set_up):
    def set_up_backend(self):
        set_up(self)
        self.flat_optimizer = True

    return set_up_backend
