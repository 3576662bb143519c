"""Recipes as data: steps per epoch, one rule for the batch stream and the schedule."""

from dataclasses import replace

import pytest
import torch

from gnet_lib.core.errors import UsageError
from gnet_lib.training.data.data import BatchStream
from gnet_lib.training.settings.recipes import batch_count, get_recipe


def test_steps_per_epoch_counts_whole_batches_only_under_drop_last():
    fast, seed = get_recipe("fast"), get_recipe("seed")
    assert fast.steps_per_epoch(50_000) == 390  # 390 x 128 = 49,920; the remaining 80 are dropped
    assert seed.steps_per_epoch(50_000) == 782  # 781 x 64 = 49,984, plus one batch of 16
    assert replace(fast, drop_last=False).steps_per_epoch(50_000) == 391
    assert fast.steps_per_epoch(300) == 2
    assert fast.steps_per_epoch(100) == 1  # fewer images than a batch: the trainer keeps them


def test_batch_count():
    assert batch_count(50_000, 64, drop_last=False) == 782
    assert batch_count(50_000, 64, drop_last=True) == 781
    assert batch_count(64, 64, drop_last=False) == batch_count(64, 64, drop_last=True) == 1


@pytest.mark.parametrize("images", [100, 128, 300, 1000])
def test_the_batch_stream_makes_as_many_steps_as_the_schedule_counts(images):
    fast = get_recipe("fast")
    x, y = torch.zeros(images, 3, 4, 4, dtype=torch.uint8), torch.zeros(images, dtype=torch.long)
    stream = BatchStream(x, y, fast.batch_size, fast.mean, fast.std, torch.device("cpu"), drop_last=fast.drops_last(images))
    assert len(stream) == len(list(stream.epoch(0))) == fast.steps_per_epoch(images)


def test_an_unknown_recipe_names_the_known_ones():
    with pytest.raises(UsageError, match="unknown recipe 'sead'; choose one of: seed, fast"):
        get_recipe("sead")
