"""Fixtures of the training tests: a probe report with round numbers."""

import copy

import pytest

from gnet_lib.training.gpu.probe import GROUP_MODELS


def _probe_report(**changes):
    """A probe report with round numbers: every variant 7,000 images/s alone, 3,500 each in the
    group, naive 1,400, bf16 evaluation at batch 2,000 four times googlenet's training rate, no
    first-epoch extra; ``changes`` replace whole sections."""
    alone = {m: {"images_per_s": 7000.0, "first_epoch_extra_s": 0.0} for m in GROUP_MODELS}
    report = {
        "format": "gnet-gpu-probe-1", "date": "2026-12-07T10:00:00+00:00",
        "environment": {"device_name": "NVIDIA H100 80GB HBM3"},
        "settings": {"reference": "googlenet", "naive": "naive", "epoch_steps": 50, "batch_size": 64},
        "switches": {"before": {"images_per_s": 5000.0}, "epoch_data": {"images_per_s": 5500.0},
                     "flat_optimizer": {"images_per_s": 5400.0}, "no_conv_bias_grad": {"images_per_s": 5600.0},
                     "all": {"images_per_s": 7000.0, "first_epoch_extra_s": 0.0}},
        "evaluation": {"fp32-b1000": {"images_per_s": 14000.0}, "bf16-b1000": {"images_per_s": 21000.0},
                       "bf16-b2000": {"images_per_s": 28000.0}},
        "checks": {"batches_bitwise": True, "flat_adadelta": {"bitwise_equal": True, "max_abs_difference": 0.0},
                   "graph": {"ok": True}},
        "naive": {"images_per_s": 1400.0, "first_epoch_extra_s": 0.0},
        "variants": {"alone": alone, "group": {"images_per_s_each": 3500.0, "models": list(GROUP_MODELS),
                                               "first_epoch_s": 50 * 64 / 3500}},
    }
    report.update(copy.deepcopy(changes))
    return report


@pytest.fixture
def probe_report():
    """A function that makes :func:`_probe_report`'s report, with whole sections replaced."""
    return _probe_report


class Clock:
    """A clock a test moves by hand (``clock.now += seconds``)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()
