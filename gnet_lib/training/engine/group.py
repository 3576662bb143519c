"""Several training runs at once on the batches they share: the campaign's variants of one seed.

Runs with the same seed, training images, recipe and engine settings see the same batches: the
order, crops and flips of an epoch come from the seed alone, whatever the model. A
:class:`RunGroup` therefore makes each epoch once, with the first run's stream, and hands every
batch to each run's step in turn. On a GPU each run steps on a CUDA stream of its own, so the
small kernels of several CIFAR models at batch 64 (a few per cent of the GPU each) overlap there;
the host only copies each batch in and replays each run's graph. On the CPU the runs step one
after the other, each with its own state of the random generator (dropout), and every run ends
exactly as it would alone (tested: histories, final tests and weights bit for bit).

On CUDA the dropout draws of runs replayed in turn interleave on the one CUDA generator, so they
differ from those of a run alone; a run alone does not repeat its draws across processes either
(see :mod:`gnet_lib.training.engine.train`). A result records how many runs trained with it
(``environment.concurrent_runs``); its epoch times are the group's, since the runs shared the GPU.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

import torch
from torch import Tensor

from ...core.errors import UsageError
from ..data.data import ImageData
from ..settings.config import TrainConfig
from .train import RunResult, Trainer

GroupCallback = Callable[[list[dict[str, Any]]], None]


def batch_settings(t: Trainer) -> tuple[Any, ...]:
    """Every setting that decides a run's training batches, apart from the images themselves."""
    s = t.train_stream
    return (t.config.seed, s.batch_size, s.augment, s.shuffle, s.drop_last, s.channels_last, s.normalise.mean.tolist(),
            s.normalise.std.tolist(), t.recipe.epochs, t.recipe.resize_stages, t.input_dtype, t.device, t.config.epoch_data,
            t.config.deterministic)


def check_shared_batches(trainers: list[Trainer]) -> None:
    """A :class:`UsageError` unless every run sees the first run's batches."""
    first = trainers[0]
    for t in trainers[1:]:
        same_images = torch.equal(t.train_stream.x, first.train_stream.x) and torch.equal(t.train_stream.y, first.train_stream.y)
        if batch_settings(t) != batch_settings(first) or not same_images:
            raise UsageError(f"{t.config.model} and {first.config.model} do not see the same batches (seed, images, "
                             "recipe or engine settings differ), so they cannot train as one group; train them apart")


class RunGroup:
    """Train ``trainers`` (see the module docstring) in step, epoch by epoch."""

    def __init__(self, trainers: list[Trainer]) -> None:
        if not trainers:
            raise ValueError("a group needs at least one run")
        check_shared_batches(trainers)
        self.trainers = trainers
        self.cuda = trainers[0].device.type == "cuda"
        self.streams = [torch.cuda.Stream(t.device) if self.cuda else None for t in trainers]
        self.rng: list[Tensor | None] = [None] * len(trainers)
        for t in trainers:
            t.concurrent_runs = len(trainers)

    @contextmanager
    def _on(self, i: int) -> Iterator[Trainer]:
        """Run ``i``'s turn: its random generator state, its CUDA stream."""
        state = self.rng[i]
        if state is not None:
            torch.random.set_rng_state(state)
        stream = self.streams[i]
        with torch.cuda.stream(stream) if stream is not None else nullcontext():
            yield self.trainers[i]
        self.rng[i] = torch.random.get_rng_state()

    def _hand_over(self, x: Tensor, y: Tensor, active: list[int]) -> None:
        """On CUDA: each run's stream waits until the batch is made (on the current stream), and the
        batch's memory is not reused before those streams have read it."""
        for i in active:
            stream = self.streams[i]
            if stream is not None:
                stream.wait_stream(torch.cuda.current_stream())
                x.record_stream(stream)
                y.record_stream(stream)

    def _sync(self) -> None:
        if self.cuda:
            torch.cuda.synchronize(self.trainers[0].device)

    def train_epoch(self, epoch: int, active: list[int] | None = None) -> list[dict[str, Any]]:
        """One epoch of the runs ``active`` (default: all), on batches made once; their metrics
        before evaluation."""
        active = list(range(len(self.trainers))) if active is None else active
        start = time.perf_counter()
        batches = self.trainers[active[0]].epoch_batches(epoch)
        metrics = [self.trainers[i].epoch_start_metrics(epoch) for i in active]
        for i in active:
            with self._on(i) as t:
                t.begin_epoch(epoch)
        seen = 0
        for x, y in batches:
            self._hand_over(x, y, active)
            for i in active:
                with self._on(i) as t:
                    t.step(x, y)
            seen += len(y)
        self._sync()  # every stream done before the epoch's images are freed
        for m, i in zip(metrics, active):
            m.update(self.trainers[i].end_epoch(seen, start))
        return metrics

    def run(self, on_epoch_end: GroupCallback | None = None) -> list[RunResult]:
        """Train every run to its last epoch (runs resumed at different epochs catch up first),
        then their final tests; ``on_epoch_end`` sees the metrics of the runs of each epoch."""
        trainers = self.trainers
        try:
            for t in trainers:
                t._hold_lock()
            with trainers[0].backend():
                for epoch in range(min(len(t.history) for t in trainers), trainers[0].recipe.epochs):
                    active = [i for i, t in enumerate(trainers) if len(t.history) == epoch]
                    metrics = self.train_epoch(epoch, active)
                    for m, i in zip(metrics, active):
                        trainers[i].finish_epoch(epoch, m)
                    if on_epoch_end is not None:
                        on_epoch_end(metrics)
                for t in trainers:
                    t.finish_run()
        finally:
            for t in trainers:
                t.close()
        return [t.result() for t in trainers]


def train_group(configs: list[TrainConfig], data: ImageData, on_epoch_end: GroupCallback | None = None) -> list[RunResult]:
    """Build a :class:`~gnet_lib.training.engine.train.Trainer` for each config (in order, as separate runs
    would be built) and train them as one :class:`RunGroup`."""
    trainers: list[Trainer] = []
    try:
        for config in configs:
            trainers.append(Trainer(config, data))
        group = RunGroup(trainers)
    except BaseException:
        for t in trainers:
            t.close()
        raise
    return group.run(on_epoch_end)
