"""Shared fixtures: small synthetic data, so that training tests stay hermetic and quick."""

import pytest

from gnet_lib.data import make_synthetic


@pytest.fixture(scope="session")
def tiny_data():
    """320 training and 100 test images, CIFAR-shaped, 10 classes."""
    return make_synthetic(train_size=320, test_size=100, seed=0)
