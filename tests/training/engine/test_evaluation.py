"""Evaluation in bf16 (classifier, loss and top-k in fp32) against fp32, and its record."""

import pytest
import torch

from gnet_lib.core.errors import UsageError
from gnet_lib.training.engine.evaluation import RunningSums, eval_logits, pick_eval_precision, topk_correct
from gnet_lib.training.engine.graphs import no_autotuning
from gnet_lib.training.engine.train import Trainer, run_identity, train
from gnet_lib.training.results.results import identity_differences, protocol_name
from gnet_lib.training.settings.config import TrainConfig

SETTINGS = dict(model="short4", dataset="synthetic", recipe="seed", batch_size=32, device="cpu", progress=False)


def test_auto_is_bf16_only_where_training_is_bf16_on_a_cuda_gpu():
    cuda, cpu = torch.device("cuda"), torch.device("cpu")
    assert pick_eval_precision("auto", cuda, "bf16") == "bf16"
    assert [pick_eval_precision("auto", d, p) for d, p in ((cuda, "fp16"), (cuda, "fp32"), (cpu, "bf16"))] == ["fp32"] * 3
    assert pick_eval_precision("bf16", cpu, "fp32") == "bf16" and pick_eval_precision("fp32", cuda, "bf16") == "fp32"
    with pytest.raises(UsageError, match="auto, bf16, fp32"):
        pick_eval_precision("fp16", cpu, "fp32")
    with pytest.raises(UsageError, match="unknown evaluation precision"):
        TrainConfig(eval_precision="int8").validate()
    with pytest.raises(UsageError, match="--eval-batch-size must be a positive"):
        TrainConfig(eval_batch_size=0).validate()


def test_running_sums_count_the_loss_and_the_top_k_hits():
    logits = torch.tensor([[3.0, 2, 1, 0, -1, -2], [0.0, 1, 2, 3, 4, 5], [5.0, 4, 3, 2, 1, 0]])
    y = torch.tensor([0, 0, 4])  # first: top-1; second: last of six, outside the top 5; third: 5th
    assert [int(c) for c in topk_correct(logits, y)] == [1, 2]
    sums = RunningSums(torch.device("cpu"))
    sums.add(torch.tensor(1.5), logits, y)
    sums.add(torch.tensor(0.5), logits[:1], y[:1])
    assert sums.read() == (2.0, 2, 3)
    sums.reset()
    assert sums.read() == (0.0, 0, 0)


@pytest.fixture(scope="module")
def trained(tiny_data):
    """A short4 trained for three fp32 epochs on the synthetic set (chance: 0.9 error)."""
    trainer = Trainer(TrainConfig(**SETTINGS, epochs=3, precision="fp32"), tiny_data)
    trainer.run()
    return trainer


@pytest.mark.slow
def test_bf16_evaluation_agrees_with_fp32(trained):
    """bf16 keeps 8 significant bits (relative rounding 2**-9 per stored value); the network's
    activations, rounded layer after layer, move each logit by a few tenths of a percent of the
    logits' spread. So the loss agrees within 2% (relative), and an image's top-1 class may differ
    only where fp32's two best logits lie closer than twice the largest logit change seen."""
    model = trained.model.eval()
    x = trained.test_stream.prepare(0).x
    y = trained.test_stream.y
    with torch.no_grad():
        full = eval_logits(model, model, x, "fp32")
        half = eval_logits(model, model, x, "bf16")
    assert full.dtype == half.dtype == torch.float32
    shift = (half - full).abs().max()
    assert 0 < shift < 0.05 * full.std()  # bf16 did run, and moved the logits little
    loss = torch.nn.functional.cross_entropy
    assert loss(half, y).item() == pytest.approx(loss(full, y).item(), rel=0.02)
    top2 = full.topk(2, dim=1).values
    flipped = half.argmax(1) != full.argmax(1)
    assert (top2[flipped, 0] - top2[flipped, 1] <= 2 * shift).all()
    assert flipped.float().mean() <= 0.02


@pytest.mark.slow
def test_bf16_evaluation_runs_the_classifier_in_fp32(trained):
    seen = []
    hook = trained.model.classifier.fc.register_forward_hook(lambda m, i, o: seen.append((i[0].dtype, o.dtype)))
    try:
        with torch.no_grad():
            eval_logits(trained.model.eval(), trained.model, trained.test_stream.prepare(0).x[:4], "bf16")
    finally:
        hook.remove()
    assert seen == [(torch.float32, torch.float32)]


def test_a_bf16_evaluation_is_recorded_and_named_and_fp32_leaves_identities_as_they_were(tiny_data):
    data = tiny_data.subset(train=64, test=40)
    config = TrainConfig(**SETTINGS, epochs=1, eval_precision="bf16", eval_batch_size=16)
    half = train(config, data=data)
    full = train(TrainConfig(**SETTINGS, epochs=1), data=data)
    assert run_identity(config, data) == half.identity
    assert (half.identity["eval_precision"], full.identity["eval_precision"]) == ("bf16", "fp32")
    assert identity_differences(full.identity, half.identity) == ["eval_precision: stored 'fp32', this run 'bf16'"]
    assert protocol_name(half.identity) == protocol_name(full.identity) + "-evalbf16"
    assert half.environment["eval_batch_size"] == 16 and full.environment["eval_batch_size"] == 1000
    assert half.history[0]["test_top1_err"] == pytest.approx(full.history[0]["test_top1_err"], abs=0.05)


def test_autotuning_is_off_for_evaluation_and_the_last_partial_batch_when_capped(tiny_data, monkeypatch):
    cudnn = torch.backends.cudnn
    data = tiny_data.subset(train=40, test=20)  # batches of 32 and 8
    trainer = Trainer(TrainConfig(**SETTINGS, epochs=1), data)
    trainer.cap_autotune = True  # as on CUDA
    seen = []
    step, logits = trainer._forward_backward_update, trainer._eval_logits
    monkeypatch.setattr(trainer, "_forward_backward_update", lambda x, y: seen.append((len(x), cudnn.benchmark)) or step(x, y))
    monkeypatch.setattr(trainer, "_eval_logits", lambda x: seen.append(("eval", cudnn.benchmark)) or logits(x))
    monkeypatch.setattr(cudnn, "benchmark", True)
    trainer.train_epoch(0)
    trainer.evaluate()
    assert seen == [(32, True), (8, False), ("eval", False)] and cudnn.benchmark
    trainer.cap_autotune = False
    seen.clear()
    trainer.train_epoch(0)
    trainer.evaluate()
    assert seen == [(32, True), (8, True), ("eval", True)]
    with no_autotuning():
        assert not cudnn.benchmark
    assert cudnn.benchmark
