"""Several runs trained as one group on shared batches end exactly as they would alone (CPU)."""

import pytest
import torch

from gnet_lib.core.errors import UsageError
from gnet_lib.training.engine.group import RunGroup, train_group
from gnet_lib.training.engine.train import Trainer, train
from gnet_lib.training.results.results import without_machine_fields
from gnet_lib.training.settings.config import TrainConfig

SETTINGS = dict(dataset="synthetic", recipe="seed", epochs=2, batch_size=32, device="cpu", precision="fp32",
                progress=False, final_test=True, test_subset=30)


def _numbers(result):
    return without_machine_fields(result.history), without_machine_fields([result.final_test])[0]


@pytest.fixture(scope="module")
def data(tiny_data):
    return tiny_data.subset(train=100, test=60)


@pytest.mark.slow
def test_a_group_reproduces_the_runs_made_one_after_the_other(data):
    """The classifiers have dropout, so this also checks that each run keeps its own random draws."""
    configs = [TrainConfig(model=m, **SETTINGS) for m in ("short4", "short3")]
    alone = []
    for config in configs:
        trainer = Trainer(config, data)
        alone.append((trainer.run(), trainer.model.state_dict()))
    seen = []
    trainers = [Trainer(c, data) for c in configs]
    together = RunGroup(trainers).run(lambda metrics: seen.append([m["epoch"] for m in metrics]))
    assert seen == [[1, 1], [2, 2]]
    for (result, weights), grouped, trainer in zip(alone, together, trainers):
        assert _numbers(grouped) == _numbers(result)
        for (name, a), b in zip(weights.items(), trainer.model.state_dict().values()):
            assert torch.equal(a, b), name
        assert grouped.environment["concurrent_runs"] == 2 and result.environment["concurrent_runs"] == 1
    assert trainers[0].model.classifier.dropout.p > 0  # the draws mattered


@pytest.mark.slow
def test_a_group_catches_up_a_run_resumed_at_an_earlier_epoch(data, tmp_path):
    configs = {m: TrainConfig(model=m, **SETTINGS, run_dir=str(tmp_path / m), resume=True) for m in ("short4", "short3")}

    def stop(metrics):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(configs["short4"], data=data, on_epoch_end=stop)  # short4 has epoch 1 checkpointed
    epochs = []
    results = train_group(list(configs.values()), data, lambda ms: epochs.append([m["epoch"] for m in ms]))
    assert epochs == [[1], [2, 2]]  # short3 caught up alone, then both together
    reference = train(TrainConfig(model="short3", **SETTINGS), data=data)
    assert _numbers(results[1]) == _numbers(reference)
    assert results[0].sessions == 2 and len(results[0].history) == 2


def test_runs_that_see_different_batches_are_refused(data):
    with pytest.raises(UsageError, match="do not see the same batches"):
        train_group([TrainConfig(model="short4", **SETTINGS), TrainConfig(model="short3", **{**SETTINGS, "seed": 2})], data)
    with pytest.raises(UsageError, match="do not see the same batches"):
        train_group([TrainConfig(model="short4", **SETTINGS), TrainConfig(model="short3", **SETTINGS, train_subset=50)], data)
