"""The training engine on hermetic synthetic data (CPU)."""

import json
from dataclasses import replace

import pytest
import torch

from gnet_lib.core.errors import UsageError
from gnet_lib.model.builder import ModelOutput, conv_biases_before_batch_norm
from gnet_lib.training.data.data import make_synthetic
from gnet_lib.training.engine.train import (
    Trainer,
    compute_loss,
    config_identity,
    pick_precision,
    run_identity,
    throughput,
    train,
)
from gnet_lib.training.results.results import identity_differences, without_machine_fields
from gnet_lib.training.results.storage import CheckpointError
from gnet_lib.training.settings.config import TrainConfig
from gnet_lib.training.settings.recipes import RECIPES, get_recipe


def _config(tmp_path=None, **kw):
    base = dict(model="short4", dataset="synthetic", recipe="seed", epochs=2, batch_size=32, device="cpu", progress=False)
    if tmp_path is not None:
        base["run_dir"] = str(tmp_path / "run")
    base.update(kw)
    return TrainConfig(**base)


@pytest.mark.slow
def test_training_lowers_the_loss_and_beats_chance(tiny_data):
    result = train(_config(epochs=3), data=tiny_data)
    first, last = result.history[0], result.history[-1]
    assert last["train_loss"] < first["train_loss"] / 2
    assert last["test_top1_err"] < 0.5  # chance is 0.9 with ten classes
    assert last["test_top5_err"] <= last["test_top1_err"]
    assert result.model["params"] == sum(p.numel() for p in Trainer(_config(), tiny_data).model.parameters())


def test_a_validation_run_evaluates_on_held_out_training_images(tiny_data):
    config = _config(epochs=1, train_subset=200, test_subset=50, validation=40)
    trainer = Trainer(config, tiny_data)
    assert (len(trainer.data.train_y), len(trainer.data.test_y)) == (160, 40)
    assert trainer.identity["validation"] == 40 and trainer.identity["test_size"] == 40
    assert run_identity(config, tiny_data) == trainer.identity
    assert Trainer(_config(epochs=1), tiny_data).identity["validation"] is None  # as older files without the field read
    with pytest.raises(ValueError, match="--validation must be a positive"):
        _config(validation=0).validate()


@pytest.mark.slow
def test_resume_after_an_interruption_equals_the_uninterrupted_run(tiny_data, tmp_path):
    tiny_data = tiny_data.subset(train=96, test=30)
    straight = Trainer(_config(tmp_path / "a"), tiny_data)
    full = straight.run()

    def stop_after_first(metrics):
        if metrics["epoch"] == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        Trainer(_config(tmp_path / "b"), tiny_data).run(on_epoch_end=stop_after_first)
    resumed_trainer = Trainer(_config(tmp_path / "b", resume=True), tiny_data)
    assert len(resumed_trainer.history) == 1
    resumed = resumed_trainer.run()
    assert without_machine_fields(resumed.history) == without_machine_fields(full.history)
    assert resumed.sessions == 2
    for a, b in zip(straight.model.state_dict().values(), resumed_trainer.model.state_dict().values()):
        assert torch.equal(a, b)


def test_an_existing_checkpoint_is_never_overwritten_silently(tiny_data, tmp_path):
    tiny_data = tiny_data.subset(train=64, test=20)
    train(_config(tmp_path, epochs=1), data=tiny_data)
    with pytest.raises(CheckpointError, match="pass --resume"):
        Trainer(_config(tmp_path, epochs=1), tiny_data)


def test_a_checkpoint_of_another_run_is_refused(tiny_data, tmp_path):
    tiny_data = tiny_data.subset(train=64, test=20)
    train(_config(tmp_path, epochs=1), data=tiny_data)
    with pytest.raises(CheckpointError, match="seed: stored 1, this run 2"):
        Trainer(_config(tmp_path, epochs=1, seed=2, resume=True), tiny_data)
    with pytest.raises(CheckpointError, match="model: stored 'short4'"):
        Trainer(_config(tmp_path, epochs=1, model="short3", resume=True), tiny_data)
    other_precision = "fp32" if Trainer(_config(tmp_path / "x", epochs=1), tiny_data).precision == "bf16" else "bf16"
    with pytest.raises(CheckpointError, match=f"precision: stored '[a-z0-9]+', this run '{other_precision}'"):
        Trainer(_config(tmp_path, epochs=1, precision=other_precision, resume=True), tiny_data)
    with pytest.raises(CheckpointError, match="compile: stored False, this run 'eager'"):
        Trainer(_config(tmp_path, epochs=1, compile="eager", resume=True), tiny_data)
    with pytest.raises(CheckpointError, match="model_options.source_bn_eps: stored True, this run False"):
        Trainer(_config(tmp_path, epochs=1, source_bn_eps=False, resume=True), tiny_data)


def test_a_corrupt_checkpoint_is_a_clear_error(tiny_data, tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "checkpoint.pt").write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(CheckpointError, match="corrupt"):
        Trainer(_config(tmp_path, resume=True), tiny_data)
    torch.save({"weights": torch.zeros(1)}, tmp_path / "run" / "checkpoint.pt")
    with pytest.raises(CheckpointError, match="not a gnet_lib training checkpoint"):
        Trainer(_config(tmp_path, resume=True), tiny_data)


def test_resume_needs_a_run_dir(tiny_data):
    with pytest.raises(CheckpointError, match="--run-dir"):
        Trainer(_config(resume=True), tiny_data)


def test_auxiliary_losses_weigh_0_3():
    y = torch.tensor([0, 1])
    main, a1, a2 = (torch.randn(2, 3) for _ in range(3))
    recipe = get_recipe("seed")
    loss, logits = compute_loss(ModelOutput(main, (a1, a2)), y, recipe)
    ce = torch.nn.functional.cross_entropy
    assert torch.allclose(loss, ce(main, y) + 0.3 * ce(a1, y) + 0.3 * ce(a2, y))
    assert logits is main


def test_a_model_with_aux_heads_trains(tiny_data):
    result = train(_config(model="googlenet", aux_logits=True, epochs=1, train_subset=64, test_subset=20), data=tiny_data)
    assert result.model["aux_heads"] == 2 and result.history[0]["train_loss"] > 0


def test_a_diverging_run_stops_with_advice(tiny_data):
    with pytest.raises(FloatingPointError, match="lower the learning rate"):
        train(_config(recipe="fast", lr=1e30, epochs=1, batch_size=32, train_subset=64, test_subset=20), data=tiny_data)


def test_seed_recipe_is_source_000s():
    r = get_recipe("seed")
    assert (r.optimizer, r.lr, r.gamma, r.epochs, r.batch_size, r.flip, r.crop_padding) == ("adadelta", 1.0, 0.7, 14, 64, True, 0)
    assert r.mean == (0.5, 0.5, 0.5) and r.std == (0.5, 0.5, 0.5)
    with pytest.raises(ValueError, match="unknown recipe 'slow'; choose one of: seed, fast"):
        get_recipe("slow")
    with pytest.raises(ValueError, match="epochs must be positive"):
        r.with_changes(epochs=0)


def test_a_resize_stage_trains_and_evaluates_on_smaller_images(tiny_data, monkeypatch):
    monkeypatch.setitem(RECIPES, "fast", replace(get_recipe("fast"), epochs=3, resize_stages=((1, 16), (1, 24))))
    trainer = Trainer(_config(recipe="fast", epochs=3, batch_size=32, train_subset=64, test_subset=20), tiny_data)
    seen = []
    trainer.model.register_forward_pre_hook(lambda module, args: seen.append((module.training, args[0].shape[-1])))
    trainer.run()
    order = [s for i, s in enumerate(seen) if i == 0 or s != seen[i - 1]]
    assert order == [(True, 16), (False, 16), (True, 24), (False, 24), (True, 32), (False, 32)]
    assert trainer.identity["recipe"]["resize_stages"] == [[1, 16], [1, 24]]
    as_stored = json.loads(json.dumps(get_recipe("seed").as_dict()))
    stored_before_stages = {k: v for k, v in as_stored.items() if k != "resize_stages"}
    assert identity_differences({"recipe": stored_before_stages}, {"recipe": as_stored}) == []


def test_resize_stages_scale_with_the_epochs_and_must_end_at_the_images_own_size(monkeypatch):
    staged = replace(get_recipe("fast"), epochs=6, resize_stages=((3, 16), (1, 24)))
    assert [staged.image_side(e) for e in range(6)] == [16, 16, 16, 24, None, None]
    assert staged.with_changes(epochs=12).resize_stages == ((6, 16), (2, 24))
    assert staged.with_changes(epochs=3).resize_stages == ((1, 16),)  # 1 x 3 // 6 = 0: that stage is dropped
    assert staged.with_changes(epochs=1).resize_stages == () and staged.with_changes(lr=0.1).resize_stages == staged.resize_stages
    monkeypatch.setitem(RECIPES, "fast", staged)
    assert _config(recipe="fast", epochs=2).resolved_recipe().resize_stages == ((1, 16),)
    with pytest.raises(UsageError, match="first 4 epochs on smaller images and 4 in all.*leave at least one epoch"):
        replace(staged, epochs=4).check_resize()
    with pytest.raises(UsageError, match="side 32, which does not shrink 32x32 images"):
        replace(staged, resize_stages=((1, 32),)).check_resize(32)


def test_schedules(tiny_data):
    trainer = Trainer(_config(epochs=3, batch_size=64), tiny_data)
    lrs = []
    for _ in range(3 * len(trainer.train_stream)):
        lrs.append(trainer.optimizer.param_groups[0]["lr"])
        trainer.optimizer.step()
        trainer.scheduler.step()
    steps = len(trainer.train_stream)
    assert lrs[0] == 1.0 and lrs[steps] == pytest.approx(0.7) and lrs[2 * steps] == pytest.approx(0.49)
    fast = Trainer(_config(recipe="fast", epochs=4, batch_size=32), tiny_data)
    lrs = []
    for _ in range(4 * len(fast.train_stream)):
        lrs.append(fast.optimizer.param_groups[0]["lr"])
        fast.optimizer.step()
        fast.scheduler.step()
    peak = lrs.index(max(lrs))
    assert max(lrs) == pytest.approx(fast.recipe.lr) and 0 < peak < len(lrs) // 3
    assert lrs[-1] < 0.05 * fast.recipe.lr and all(a >= b for a, b in zip(lrs[peak:], lrs[peak + 1 :]))


def test_unavailable_device_is_refused():
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    with pytest.raises(ValueError, match="no usable CUDA GPU"):
        Trainer(_config(device="cuda"))


@pytest.mark.slow
@pytest.mark.parametrize("precision", ["bf16", "fp16"])
def test_the_gpu_path_options_run_on_a_cpu(tiny_data, precision):
    """16-bit autocast (fp16 with its loss scaler), channels-last and torch.compile (graph
    capture with the cheap 'eager' backend) are the CUDA defaults; here they run on the CPU
    so CI covers them."""
    data = tiny_data.subset(train=16, test=10)
    trainer = Trainer(_config(epochs=1, batch_size=8, precision=precision, channels_last=True, compile="eager"), data)
    result = trainer.run()
    assert trainer.scaler.is_enabled() == (precision == "fp16")
    assert result.environment["precision"] == precision and result.environment["channels_last"]
    assert result.environment["compiled"] == "eager"
    assert 0 <= result.final["test_top1_err"] <= 1 and 0 < result.final["train_loss"] < 10


@pytest.mark.slow
def test_fp16_runs_resume_with_their_loss_scale(tiny_data, tmp_path):
    data = tiny_data.subset(train=16, test=10)
    first = Trainer(_config(tmp_path, precision="fp16", batch_size=8), data)
    first.scaler = torch.amp.GradScaler("cpu", init_scale=1024.0)  # unlike a fresh scaler's 65536

    def stop(metrics):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        first.run(on_epoch_end=stop)
    resumed = Trainer(_config(tmp_path, precision="fp16", batch_size=8, resume=True), data)
    assert resumed.scaler.get_scale() == first.scaler.get_scale() <= 1024.0
    assert len(resumed.history) == 1


def test_precision_follows_the_hardware(monkeypatch):
    from gnet_lib.training.engine import train as train_module

    monkeypatch.setattr(train_module, "cpu_has_native_bf16", lambda: False)
    assert pick_precision("auto", torch.device("cpu")) == "fp32"
    monkeypatch.setattr(train_module, "cpu_has_native_bf16", lambda: True)
    assert pick_precision("auto", torch.device("cpu")) == "bf16"
    assert pick_precision("fp16", torch.device("cpu")) == "fp16"
    cuda = torch.device("cuda")
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: (7, 5))  # T4
    assert pick_precision("auto", cuda) == "fp16"
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: (9, 0))  # H100
    assert pick_precision("auto", cuda) == "bf16"
    with pytest.raises(ValueError, match="unknown precision 'fp8'"):
        pick_precision("fp8", cuda)


@pytest.mark.slow
def test_every_model_of_a_sequence_is_compiled(tiny_data):
    """An ablation trains models one after another in one process; each must get its own
    graphs rather than hitting dynamo's recompile limit and silently running uncompiled."""
    from torch._dynamo.utils import counters

    data = tiny_data.subset(train=40, test=20)
    for model in ("short4", "short3", "short2", "short", "googlenet"):
        before = counters["stats"]["unique_graphs"]
        train(_config(model=model, epochs=1, batch_size=16, compile="eager"), data=data)
        assert counters["stats"]["unique_graphs"] > before, f"{model} ran without a compiled graph"


def test_throughput_counts_totals_and_leaves_out_the_first_epoch():
    history = [{"epoch_time_s": 10.0, "train_images": 100}, {"epoch_time_s": 2.0, "train_images": 100},
               {"epoch_time_s": 3.0, "train_images": 200}]
    assert throughput(history) == {"images_per_s": round(400 / 15, 2), "steady_images_per_s": 60.0}
    assert throughput(history[:1]) == {"images_per_s": 10.0, "steady_images_per_s": None}


@pytest.mark.slow
def test_fp16_overflow_skips_the_update_and_the_schedule(tiny_data, tmp_path):
    data = tiny_data.subset(train=16, test=10)
    trainer = Trainer(_config(tmp_path / "a", recipe="fast", precision="fp16", batch_size=8), data)
    trainer.scaler = torch.amp.GradScaler("cpu", init_scale=2.0**40)  # so large that fp16 gradients overflow
    x, y = next(trainer.train_stream.epoch(0))
    before = [p.detach().clone() for p in trainer.model.parameters()]
    trainer.step(x, y)
    assert trainer.scaler.get_scale() < 2.0**40  # the scaler saw the overflow ...
    assert all(torch.equal(a, p) for a, p in zip(before, trainer.model.parameters()))  # ... skipped the update
    assert trainer.scheduler.last_epoch == 0  # ... and the learning-rate schedule did not move
    trainer.scaler = torch.amp.GradScaler("cpu", init_scale=1.0)
    trainer.step(x, y)
    assert trainer.scheduler.last_epoch == 1


def test_a_recipe_can_clip_the_unscaled_gradients(tiny_data, tmp_path):
    data = tiny_data.subset(train=16, test=10)
    trainer = Trainer(_config(tmp_path / "b", precision="fp16", batch_size=8), data)
    trainer.recipe = replace(trainer.recipe, grad_clip=1e-3)
    trainer.scaler = torch.amp.GradScaler("cpu", init_scale=256.0)
    trainer.step(*next(trainer.train_stream.epoch(0)))
    norm = torch.linalg.vector_norm(torch.stack([p.grad.norm() for p in trainer.model.parameters()]))
    assert norm <= 1e-3 * 1.01  # clipped after unscaling: without unscale_ the norm would be 256x


@pytest.mark.slow
def test_a_final_test_predicts_every_test_image_and_curves_use_the_subset(tiny_data):
    from gnet_lib.training.results.class_strings import decode_labels

    final = train(_config(epochs=1, test_subset=40, final_test=True, subset_seed=1), data=tiny_data)
    curves_only = train(_config(epochs=1, test_subset=40, subset_seed=1), data=tiny_data)
    # the per-epoch evaluation sees the same 40 images a run without the final test sees
    assert without_machine_fields(final.history) == without_machine_fields(curves_only.history)
    assert final.identity["test_size"] == 40 and final.identity["final_test_size"] == 100
    test = final.final_test
    predictions, labels = decode_labels(test["predictions"], 10), decode_labels(test["labels"], 10)
    assert len(predictions) == len(labels) == test["images"] == 100
    assert labels == tiny_data.test_y.tolist()  # in the split's own order
    wrong = sum(p != y for p, y in zip(predictions, labels))
    assert test["test_top1_err"] == pytest.approx(wrong / 100)
    assert "final_test" not in curves_only.as_dict() and final.as_dict()["schema"] == 2


def test_a_fixed_subset_seed_gives_every_seed_the_same_images(tiny_data):
    a = run_identity(_config(train_subset=200, subset_seed=1, seed=1), tiny_data)
    b = run_identity(_config(train_subset=200, subset_seed=1, seed=2), tiny_data)
    assert a["subset_seed"] == b["subset_seed"] == 1 and a["seed"] != b["seed"]
    from gnet_lib.training.engine.train import run_data

    same = [run_data(_config(train_subset=200, subset_seed=1, seed=s), tiny_data).train_y for s in (1, 2)]
    other = run_data(_config(train_subset=200, seed=2), tiny_data).train_y
    assert torch.equal(same[0], same[1]) and not torch.equal(same[0], other)


@pytest.mark.slow
def test_a_checkpoint_made_on_other_images_is_refused(tiny_data, tmp_path):
    from gnet_lib.training.data.data import make_synthetic

    train(_config(tmp_path, epochs=1), data=tiny_data)
    other = make_synthetic(train_size=320, test_size=100, seed=5)  # same sizes and classes, other images
    with pytest.raises(CheckpointError, match="data_fingerprint"):
        Trainer(_config(tmp_path, epochs=2, resume=True), data=other)


def test_a_final_test_cannot_be_a_validation_run():
    with pytest.raises(UsageError, match="--final-test"):
        _config(final_test=True, validation=50).validate()


@pytest.mark.slow
def test_conv_biases_before_batch_norm_can_go_without_gradients_and_training_stays_the_same():
    """Their gradient is exactly zero in training mode (measured: at most a few 1e-6 against 1e-2
    for the weights, i.e. rounding), so leaving them out changes the losses of k steps by rounding
    only; the parameters, their names and the count stay as they are."""
    data = make_synthetic(train_size=96, test_size=100, seed=0)  # one epoch: 3 steps of 32
    settings = dict(epochs=1, precision="fp32")
    plain, frozen = Trainer(_config(**settings), data), Trainer(_config(**settings, conv_bias_grad=False), data)
    biases = conv_biases_before_batch_norm(frozen.model)
    assert biases and not any(b.requires_grad for b in biases)
    assert len(biases) == len(conv_biases_before_batch_norm(plain.model))
    assert frozen.model.state_dict().keys() == plain.model.state_dict().keys()
    assert frozen.model_info["params"] == plain.model_info["params"]
    before = [b.detach().clone() for b in biases]
    (a,), (b,) = plain.run().history, frozen.run().history
    assert b["train_loss"] == pytest.approx(a["train_loss"], rel=1e-5)
    assert b["test_loss"] == pytest.approx(a["test_loss"], rel=1e-4)
    assert all(torch.equal(b0, b1) for b0, b1 in zip(before, biases))
    assert config_identity(plain.config, data, "fp32")["conv_bias_grad"] is True
    assert config_identity(frozen.config, data, "fp32")["conv_bias_grad"] is False


def test_every_epoch_records_the_machine_load_where_the_system_reports_it(tiny_data, monkeypatch):
    from gnet_lib.training.engine import train as engine

    trainer = Trainer(_config(epochs=1), tiny_data)
    trainer.begin_epoch(0)
    monkeypatch.setattr(engine, "machine_load", lambda: 1.5)
    assert trainer.end_epoch(10, 0.0)["machine_load"] == 1.5
    monkeypatch.setattr(engine, "machine_load", lambda: None)
    assert "machine_load" not in trainer.end_epoch(10, 0.0)
