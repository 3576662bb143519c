"""Smoke test on real CIFAR-10, where a local copy exists (GNET_CIFAR10_DIR); skipped elsewhere."""

import os

import pytest

from gnet_lib.training.data.data import load_data
from gnet_lib.training.engine.train import train
from gnet_lib.training.settings.config import TrainConfig

CIFAR10 = os.environ.get("GNET_CIFAR10_DIR")
pytestmark = [
    pytest.mark.realdata,
    pytest.mark.skipif(
        not CIFAR10,
        reason="no local CIFAR-10 copy: set GNET_CIFAR10_DIR to a torchvision CIFAR-10 folder or an image folder "
        "(.ci/run unpacks ../shared/data/cifar10-jpeg.tar.gz there)",
    ),
]


@pytest.fixture(scope="module")
def cifar10():
    return load_data("cifar10", CIFAR10, download=False)


def test_the_whole_set_loads(cifar10):
    assert (len(cifar10.train_y), len(cifar10.test_y)) == (50_000, 10_000)
    assert cifar10.classes[:3] == ["airplane", "automobile", "bird"] and cifar10.num_classes == 10
    assert cifar10.train_x.shape[1:] == (3, 32, 32)
    if cifar10.key == "cifar10-jpeg":
        assert cifar10.display_name == "CIFAR-10 (JPEG mirror)"


def test_a_short_run_learns_real_images(cifar10):
    config = TrainConfig(model="short4", dataset="cifar10", recipe="seed", epochs=2, batch_size=64, device="cpu",
                         train_subset=1000, test_subset=500, progress=False)
    result = train(config, data=cifar10)
    assert result.data["name"] == cifar10.display_name and "subset of 1000 train" in result.data["source"]
    assert result.history[1]["train_loss"] < result.history[0]["train_loss"]
    # chance is 0.9; with 500 test images one standard deviation of chance is 0.013
    assert result.final["test_top1_err"] < 0.85
