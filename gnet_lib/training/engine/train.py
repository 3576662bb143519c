"""The training engine: one loop for every device, checkpointed every epoch, resumable.

On CUDA it takes the fast path: the dataset lives on the GPU as uint8 and is augmented
there, channels-last memory layout, mixed precision (bf16 on GPUs that have it, from the
Ampere generation on; fp16 with loss scaling on older ones such as Colab's T4), cuDNN
autotuning, optional ``torch.compile``, and no host synchronisation inside an epoch (losses
and correct counts are summed on the GPU and read once per epoch; only fp16's loss scaler
checks every step for overflow). Each epoch's batches are made at once on the device
(:meth:`~gnet_lib.training.data.data.BatchStream.prepare`: permutation, crops, flips, normalisation,
in bf16 where training is bf16) and each step takes a slice; the whole step, the running sums of
loss and top-k hits included, replays as one CUDA graph, and Adadelta updates one flat buffer
(:mod:`gnet_lib.training.engine.flat_adadelta`). Evaluation runs in bf16 there with the classifier,
loss and top-k in fp32 (:mod:`gnet_lib.training.engine.evaluation`), and cuDNN autotunes only full
training batches. Each of these has a switch in :class:`~gnet_lib.training.settings.config.TrainConfig`
that turns it off.
On the CPU it trains channels-last, in bf16 where the CPU has native bf16 instructions and
in fp32 elsewhere (see :func:`pick_precision`; both measured: see the README).

Reproducibility: the model is initialised from ``seed``; every epoch's data order,
augmentation and dropout come from generators seeded by ``(seed, epoch)``. On a CPU a run
resumed from the checkpoint of epoch ``k`` therefore ends exactly as the uninterrupted run
would. On CUDA that holds only approximately, even within one process: cuDNN's autotuner
may pick different kernels in a new process, several backward kernels (convolution weight
gradients, max-pool backward) add with atomics in an order that varies from run to run,
and bf16 rounds the differences up. ``deterministic=True`` (``--deterministic``) turns off
the autotuner and asks PyTorch for deterministic kernels everywhere it has them (warning
where it does not), at some cost in speed; identical results then need the same GPU model,
driver, library versions and settings. Precision and compilation are part of a run's
identity, so a checkpoint is never resumed under other ones.

Safety: a run holds its run folder's lock (:class:`gnet_lib.training.results.storage.RunLock`) from start to
end, so a second run on the same folder is refused; and a run whose loss or weights become
NaN or infinite stops with :class:`DivergedError` before checkpointing that epoch, so the
checkpoint keeps the last finite epoch and no result is stored.
"""

from __future__ import annotations

import json
import math
import time
import warnings
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor
from tqdm import tqdm

from ...core.errors import UsageError
from ...core.layers import layer_table
from ...model.builder import ModelOutput, build_network, conv_biases_before_batch_norm
from ..data.data import (
    Augment,
    BatchStream,
    EpochBatches,
    ImageData,
    balanced_indices,
    load_data,
)
from ..results.class_strings import encode_labels
from ..results.provenance import cpu_has_native_bf16, environment, machine_load, now, pick_device
from ..results.results import RESULT_SCHEMA, identity_differences, throughput
from ..results.storage import (
    CHECKPOINT_FORMAT,
    CheckpointError,
    RunLock,
    load_checkpoint,
    save_checkpoint,
    write_json,
)
from ..settings.choices import CHECKPOINT_NAME, PRECISIONS
from ..settings.config import TrainConfig, check_subset
from ..settings.recipes import Recipe
from .evaluation import RunningSums, eval_logits, evaluate_batches, pick_eval_precision
from .graphs import GraphedStep, fast_cuda_backend, no_autotuning
from .optimizers import make_optimizer, make_scheduler


class DivergedError(UsageError, FloatingPointError):
    """The loss or the weights became NaN or infinite: the run stopped before checkpointing that
    epoch (the checkpoint keeps the last finite one) and stored no result. A usage error (exit
    code 2): the usual cause is too high a learning rate."""


def config_identity(config: TrainConfig, data: ImageData, precision: str, eval_precision: str = "fp32") -> dict[str, Any]:
    """Every setting that defines this run's result. A checkpoint or a stored result is
    reused only by a run with an identical identity (:func:`gnet_lib.training.results.results.identity_differences`).
    It writes every field that :data:`gnet_lib.training.results.results.IDENTITY_FIELDS` declares, unset
    ones too. The engine's switches that change no number (the epoch made at once, the flat optimiser,
    autotuning, the evaluation batch) are recorded in the result's environment instead."""
    spec = config.spec()
    identity = {
        "model": config.model,
        "model_options": {"aux_heads": len(spec.aux_heads), "source_bn_eps": spec.source_bn_eps},
        "dataset": data.key,
        "data_fingerprint": data.fingerprint,
        "train_size": len(data.train_y),
        "test_size": curve_test_size(config, data),
        "num_classes": data.num_classes,
        "recipe": config.resolved_recipe().as_dict(),
        "seed": config.seed,
        "precision": precision,
        "compile": config.compile,
        "conv_bias_grad": config.conv_bias_grad,
        "validation": config.validation,
        "subset_seed": config.subset_seed,
        "final_test_size": len(data.test_y) if config.final_test else None,
        "eval_precision": eval_precision,
    }
    return json.loads(json.dumps(identity))  # as stored: tuples become lists



@dataclass
class RunResult:
    """A finished (or stopped) run: its configuration, provenance and per-epoch metrics."""

    config: dict[str, Any]
    identity: dict[str, Any]
    recipe: dict[str, Any]
    model: dict[str, Any]
    data: dict[str, Any]
    environment: dict[str, Any]
    history: list[dict[str, Any]] = field(default_factory=list)
    final_test: dict[str, Any] | None = None
    started: str = ""
    finished: str = ""
    sessions: int = 1

    @property
    def final(self) -> dict[str, Any]:
        return self.history[-1] if self.history else {}

    @property
    def wall_time_s(self) -> float:
        """Training plus evaluation time summed over epochs (interruptions do not count)."""
        return sum(h["epoch_time_s"] + h["eval_time_s"] for h in self.history)

    def as_dict(self) -> dict[str, Any]:
        out = {"schema": RESULT_SCHEMA, **asdict(self)}
        if self.final_test is None:
            del out["final_test"]
        out["wall_time_s"] = round(self.wall_time_s, 3)
        out["final"] = self.final
        out["throughput"] = throughput(self.history)
        return out




def pick_precision(requested: str, device: torch.device) -> str:
    """The training precision: ``auto`` means bf16 on CUDA GPUs of compute capability 8.0 or
    later (A100, H100, RTX 30xx on), fp16 with loss scaling on older CUDA GPUs (T4, V100,
    which have no bf16 convolutions), bf16 on CPUs with native bf16 instructions (measured
    about 2x faster than fp32 on an AMD EPYC with ``avx512_bf16``; slower than fp32 on CPUs
    without them), and fp32 on other CPUs and on Apple GPUs. The choice is recorded in every
    result (``environment.precision``) and is part of its identity."""
    if requested not in PRECISIONS:
        raise UsageError(f"unknown precision {requested!r}; choose one of: {', '.join(PRECISIONS)}")
    if requested != "auto":
        return requested
    if device.type == "cpu":
        return "bf16" if cpu_has_native_bf16() else "fp32"
    if device.type != "cuda":
        return "fp32"
    return "bf16" if torch.cuda.get_device_capability(device) >= (8, 0) else "fp16"


def compute_loss(out: Tensor | ModelOutput, y: Tensor, recipe: Recipe) -> tuple[Tensor, Tensor]:
    """(loss to minimise, main-head logits). Auxiliary heads add ``aux_weight`` times their loss."""
    if isinstance(out, ModelOutput):
        loss = F.cross_entropy(out.logits, y, label_smoothing=recipe.label_smoothing)
        for aux in out.aux:
            loss = loss + recipe.aux_weight * F.cross_entropy(aux, y, label_smoothing=recipe.label_smoothing)
        return loss, out.logits
    return F.cross_entropy(out, y, label_smoothing=recipe.label_smoothing), out


class Trainer:
    """Holds the model, data streams, optimiser and history of one run.

    With a ``run_dir`` it locks that folder from construction until :meth:`run` ends (or fails);
    a Trainer that is never run releases it with :meth:`close`."""

    def __init__(self, config: TrainConfig, data: ImageData | None = None):
        self.config = config
        self.device = pick_device(config.device)
        config.validate()
        self._lock = RunLock(config.run_dir) if config.run_dir else None
        self._hold_lock()
        try:
            self._set_up(data)
        except BaseException:
            self.close()
            raise

    def _hold_lock(self) -> None:
        """Take the run folder's lock (a second run on it is refused: :class:`gnet_lib.training.results.storage.RunLockedError`)."""
        if self._lock is not None:
            self._lock.acquire()

    def close(self) -> None:
        """Release the run folder's lock (:meth:`run` does so when it ends)."""
        if self._lock is not None:
            self._lock.release()

    def _set_up(self, data: ImageData | None) -> None:
        """Data, model, streams, optimiser, schedule and checkpoint (resumed if asked)."""
        config = self.config
        self.recipe = config.resolved_recipe()
        self._set_up_backend()
        if data is None:
            data = load_data(config.dataset, config.data_dir, config.download, config.synthetic_sizes, seed=config.seed)
        self.data = run_data(config, data)
        self.recipe.check_resize(min(self.data.train_x.shape[2:]))
        self.identity = config_identity(config, self.data, self.precision, self.eval_precision)
        self._build_model()
        self._make_streams()
        self.sums = RunningSums(self.device)
        self.optimizer = make_optimizer(self.recipe, self.model, graph_safe=self.graphed, flat=self.flat_optimizer)
        self.scheduler = make_scheduler(self.recipe, self.optimizer, len(self.train_stream))
        self.history: list[dict[str, Any]] = []
        self.final_test: dict[str, Any] | None = None
        self.started = now()
        self.sessions = 1
        self.checkpoint_path = Path(config.run_dir) / CHECKPOINT_NAME if config.run_dir else None
        self._prepare_checkpoint()
        self._lr_tensors = [self._lr_tensor(g) for g in self.optimizer.param_groups] if self.graphed else []

    def _set_up_backend(self) -> None:
        """Precision, loss scaling, memory layout, and whether the step runs as a CUDA graph."""
        config = self.config
        self.precision = pick_precision(config.precision, self.device)
        self.scaler = torch.amp.GradScaler(self.device.type, enabled=self.precision == "fp16")
        self.channels_last = True if config.channels_last is None else config.channels_last
        # The whole step as one CUDA graph (see gnet_lib.training.engine.graphs); not with fp16's loss scaler,
        # whose skipped steps a replayed graph cannot skip.
        self.graphed = self.device.type == "cuda" and config.cuda_graph and self.precision != "fp16"
        self._graph: GraphedStep | None = None
        self.concurrent_runs = 1  # how many runs train at once with this one (see gnet_lib.training.engine.group)
        self.eval_precision = pick_eval_precision(config.eval_precision, self.device, self.precision)
        # Images stored as autocast would cast them for the first convolution (bf16 runs only).
        self.input_dtype = torch.bfloat16 if config.epoch_data and self.precision == "bf16" else None
        self.eval_dtype = torch.bfloat16 if config.epoch_data and self.eval_precision == "bf16" else None
        # torch.optim.Adadelta's per-tensor loop is faster on a CPU, where each small tensor stays in cache
        # (googlenet's update, one thread of a busy AMD EPYC, best of 15, three measurements: 53-84 ms
        # against 97-157 ms flat); the flat buffer is for the GPU.
        self.flat_optimizer = config.flat_optimizer and self.device.type == "cuda"
        self.cap_autotune = config.cap_autotune and self.device.type == "cuda"

    def _build_model(self) -> None:
        """The seeded model on the device, its size for the result file, and the module the step
        calls (compiled if asked)."""
        config = self.config
        torch.manual_seed(config.seed)
        image_shape = tuple(self.data.train_x.shape[1:])
        self.spec = config.spec()
        self.model = build_network(self.spec, self.data.num_classes, image_shape).to(self.device)
        if not config.conv_bias_grad:
            for bias in conv_biases_before_batch_norm(self.model):
                bias.requires_grad_(False)
        if self.channels_last:
            self.model = self.model.to(memory_format=torch.channels_last)
        table = layer_table(self.spec, input_size=image_shape, num_classes=self.data.num_classes)
        self.model_info = {
            "name": config.model,
            "title": self.spec.title,
            "params": table.total_params,
            "macs_per_image": table.main_path_macs,
            "aux_heads": len(self.spec.aux_heads),
        }
        self.step_model: Callable[..., Any] = self.model
        if config.compile:
            # Forget graphs of earlier runs in this process (an ablation trains seven models in
            # turn): dynamo's per-function recompile limit would otherwise leave later models
            # uncompiled. Static shapes: one graph per batch shape, no dynamic-shape kernels.
            torch.compiler.reset()
            backend = config.compile if isinstance(config.compile, str) else "inductor"
            self.step_model = torch.compile(self.model, backend=backend, dynamic=False)

    def _make_streams(self) -> None:
        """Batches on the device: shuffled and augmented for training, in order for testing."""
        r = self.recipe
        common: dict[str, Any] = dict(mean=r.mean, std=r.std, device=self.device, channels_last=self.channels_last, seed=self.config.seed)
        self.train_stream = BatchStream(
            self.data.train_x, self.data.train_y, r.batch_size, augment=Augment(r.crop_padding, r.flip),
            shuffle=True, drop_last=r.drops_last(len(self.data.train_y)), **common,
        )
        curve = curve_indices(self.config, self.data)
        test_x, test_y = (self.data.test_x, self.data.test_y) if curve is None else (self.data.test_x[curve], self.data.test_y[curve])
        self.eval_batch_size = self.config.eval_batch_size or r.eval_batch_size
        self.test_stream = BatchStream(test_x, test_y, self.eval_batch_size, **common)
        self.final_stream = BatchStream(self.data.test_x, self.data.test_y, self.eval_batch_size, **common) if self.config.final_test else None

    # -- checkpoints -----------------------------------------------------------------------

    def _prepare_checkpoint(self) -> None:
        path = self.checkpoint_path
        if path is None:
            if self.config.resume:
                raise CheckpointError("--resume needs a run directory (--run-dir) that holds the checkpoint")
            return
        if not self.config.resume:
            if path.exists():
                raise CheckpointError(
                    f"{path} already holds a checkpoint; pass --resume to continue that run, "
                    "or choose another --run-dir (or delete it) to start again"
                )
            return
        if not path.exists():
            return  # nothing to resume yet: start from scratch (an ablation's first attempt)
        state = load_checkpoint(path)
        differences = identity_differences(state.get("identity"), self.identity)
        if differences:
            raise CheckpointError(
                f"{path} was written by a different run, so it cannot be resumed here:\n  "
                + "\n  ".join(differences)
                + "\nuse the same settings, or another --run-dir"
            )
        try:
            self.model.load_state_dict(state["model"])
            self.optimizer.load_state_dict(state["optimizer"])
            self.scheduler.load_state_dict(state["scheduler"])
            if self.scaler.is_enabled() and state.get("scaler"):
                self.scaler.load_state_dict(state["scaler"])
        except (RuntimeError, KeyError, ValueError) as exc:
            raise CheckpointError(f"{path} does not fit this model ({exc}); delete it to start again") from None
        self.history = list(state["history"])
        self.final_test = state.get("final_test")
        self.started = state["started"]
        self.sessions = state["sessions"] + 1

    def _save_checkpoint(self) -> None:
        if self.checkpoint_path is None:
            return
        state = {
            "format": CHECKPOINT_FORMAT,
            "identity": self.identity,
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "scaler": self.scaler.state_dict(),
            "history": self.history,
            "final_test": self.final_test,
            "started": self.started,
            "sessions": self.sessions,
        }
        save_checkpoint(self.checkpoint_path, state)

    # -- epochs ----------------------------------------------------------------------------

    def _autocast(self):
        if self.precision == "fp32":
            return nullcontext()
        dtype = torch.bfloat16 if self.precision == "bf16" else torch.float16
        return torch.autocast(self.device.type, dtype=dtype, cache_enabled=False)  # no cache: graph capture needs none

    def backend(self) -> AbstractContextManager[None]:
        """The backend settings a run trains under (fast CUDA settings on a GPU), restored afterwards."""
        return fast_cuda_backend(self.config.deterministic) if self.device.type == "cuda" else nullcontext()

    def _kernels(self):
        """On a CPU in fp16, oneDNN is switched off for the step: its fp16 kernels took over 200 s
        for one batch-8 step of short4 on a Xeon with AMX (0.9 s in bf16), PyTorch's own about 35 s."""
        if self.device.type == "cpu" and self.precision == "fp16":
            return torch.backends.mkldnn.flags(enabled=False)
        return nullcontext()

    def _progress(self, total: int, epoch: int):
        if not self.config.progress:
            return None
        return tqdm(total=total, desc=f"epoch {epoch + 1}/{self.recipe.epochs}", unit="batch", leave=False)

    def _forward_backward_update(self, x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
        with self._kernels():
            return self._forward_backward_update_with(x, y)

    def _forward_backward_update_with(self, x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
        with self._autocast():
            out = self.step_model(x)
            loss, logits = compute_loss(out, y, self.recipe)
        self.scaler.scale(loss).backward()  # without fp16 the scaler passes everything through
        if self.recipe.grad_clip is not None:
            self.scaler.unscale_(self.optimizer)  # clip the true gradients, not the scaled ones
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.recipe.grad_clip)
        self.scaler.step(self.optimizer)
        self.scaler.update()
        loss, logits = loss.detach(), logits.detach()
        self.sums.add(loss * len(y), logits, y)
        return loss, logits

    def _lr_tensor(self, group: dict[str, Any]) -> Tensor:
        """A captured update reads its learning rate from a GPU tensor; the scheduler was built
        on (and a checkpoint restores) plain numbers, so the tensor is made here."""
        group["lr"] = torch.tensor(float(group["lr"]), device=self.device)
        return group["lr"]

    def _set_lr_tensors(self) -> None:
        """After a scheduler step: the captured learning rates take the new values, in place.
        (Recent torch fills a tensor rate itself; older versions put a number in its place.)"""
        for group, tensor in zip(self.optimizer.param_groups, self._lr_tensors):
            if group["lr"] is not tensor:
                tensor.fill_(float(group["lr"]))
                group["lr"] = tensor

    def _graph_for(self, x: Tensor, y: Tensor) -> GraphedStep | None:
        if self.graphed and len(x) == self.recipe.batch_size and (self._graph is None or not self._graph.fits(x)):
            # the first full batch, or the first of a new resize stage: (re)capture at its shape
            try:
                self._graph = GraphedStep(self._forward_backward_update, self.model, self.optimizer, x, y,
                                          extra=self.sums.tensors)
            except RuntimeError as exc:  # a model or torch version that cannot be captured
                warnings.warn(f"capturing the training step as a CUDA graph failed ({exc}); training without a graph")
                self.graphed = False
        return self._graph if self._graph is not None and self._graph.fits(x) else None

    def _odd_shape(self, x: Tensor) -> AbstractContextManager[None]:
        """No cuDNN autotuning for a batch smaller than the recipe's (an epoch's last), if capped."""
        return no_autotuning() if self.cap_autotune and len(x) != self.recipe.batch_size else nullcontext()

    def step(self, x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
        """One optimisation step, its loss and top-k hits added to :attr:`sums`; returns the
        (detached) loss and main-head logits. On CUDA a full batch replays the captured graph;
        the returned tensors are then overwritten by the next step, so use them before it."""
        graph = self._graph_for(x, y)
        if graph is not None:
            loss, logits = graph(x, y)
        else:
            with self._odd_shape(x):
                self.optimizer.zero_grad(set_to_none=True)
                scale = self.scaler.get_scale() if self.scaler.is_enabled() else None
                loss, logits = self._forward_backward_update(x, y)
            if scale is not None and self.scaler.get_scale() < scale:
                return loss, logits  # fp16 overflow: the scaler skipped this update, so the schedule waits too
        self.scheduler.step()
        self._set_lr_tensors()
        return loss, logits

    def epoch_batches(self, epoch: int) -> EpochBatches | Iterable[tuple[Tensor, Tensor]]:
        """The training batches of (0-based) ``epoch``: made at once (``epoch_data``), or one by one."""
        side = self.recipe.image_side(epoch)
        if self.config.epoch_data:
            return self.train_stream.prepare(epoch, side, self.input_dtype)
        return self.train_stream.epoch(epoch, side)

    def begin_epoch(self, epoch: int) -> None:
        """Training mode, this epoch's dropout draws, running sums at zero."""
        self.model.train()
        torch.manual_seed(self.config.seed * 1_000_003 + epoch)  # dropout draws of this epoch
        self.sums.reset()

    def end_epoch(self, seen: int, start: float) -> dict[str, float]:
        """The epoch's training metrics from the running sums (the epoch's one synchronisation; a
        non-finite step loss makes the loss sum non-finite), timed from ``start`` (``perf_counter``),
        with the machine's one-minute load average at its end where the system reports it."""
        loss, top1, top5 = self.sums.read()
        elapsed = time.perf_counter() - start
        load = machine_load()
        return {
            "train_loss": loss / seen,
            "train_top1_err": 1 - top1 / seen,
            "train_top5_err": 1 - top5 / seen,
            "epoch_time_s": elapsed,
            "train_images": seen,
            "images_per_s": seen / elapsed,
            **({"machine_load": load} if load is not None else {}),
        }

    def train_epoch(self, epoch: int) -> dict[str, float]:
        start = time.perf_counter()
        batches = self.epoch_batches(epoch)
        self.begin_epoch(epoch)
        seen = 0
        bar = self._progress(len(self.train_stream), epoch)
        for x, y in batches:
            self.step(x, y)
            seen += len(y)
            if bar is not None:
                bar.update()
        metrics = self.end_epoch(seen, start)
        if bar is not None:
            bar.close()
        return metrics

    def _eval_logits(self, x: Tensor) -> Tensor:
        return eval_logits(self.model, self.step_model, x, self.eval_precision)

    def _evaluate(self, stream: BatchStream, side: int | None, keep_predictions: bool = False) -> tuple[dict[str, float], Tensor | None]:
        """Loss and errors over ``stream`` (and, if asked, every image's top-1 class, in order)."""
        start = time.perf_counter()
        batches = stream.prepare(0, side, self.eval_dtype) if self.config.epoch_data else stream.epoch(0, side)
        with no_autotuning() if self.cap_autotune else nullcontext():
            (loss, top1, top5, n), predictions = evaluate_batches(self.model, self._eval_logits, batches, keep_predictions)
        metrics = {
            "test_loss": loss / n,
            "test_top1_err": 1 - top1 / n,
            "test_top5_err": 1 - top5 / n,
            "eval_time_s": time.perf_counter() - start,
        }
        return metrics, predictions

    def evaluate(self, epoch: int | None = None) -> dict[str, float]:
        """Test (or validation) loss and errors; after a (0-based) ``epoch`` of a resize stage,
        on test images of that stage's size."""
        return self._evaluate(self.test_stream, None if epoch is None else self.recipe.image_side(epoch))[0]

    def evaluate_final(self) -> dict[str, Any]:
        """The trained model on the whole test split: loss, errors, and every image's predicted
        class beside its label (in the split's order), so paired comparisons can be recomputed."""
        assert self.final_stream is not None
        metrics, predictions = self._evaluate(self.final_stream, None, keep_predictions=True)
        assert predictions is not None
        return {**metrics, "images": len(predictions), "num_classes": self.data.num_classes,
                "predictions": encode_labels(predictions, self.data.num_classes),
                "labels": encode_labels(self.final_stream.y.cpu(), self.data.num_classes)}

    def _weights_finite(self) -> bool:
        """Whether every floating-point parameter and buffer is finite (one synchronisation)."""
        checks = [t.isfinite().all() for t in self.model.state_dict().values() if t.is_floating_point()]
        return bool(torch.stack(checks).all()) if checks else True

    def _check_finite(self, metrics: dict[str, Any], when: str) -> None:
        """Raise :class:`DivergedError` if a loss of ``metrics`` or a weight is NaN or infinite."""
        bad = next((k for k, v in metrics.items() if isinstance(v, float) and not math.isfinite(v)), None)
        what = f"the {bad.replace('_', ' ')} became {metrics[bad]}" if bad else None
        if what is None and not self._weights_finite():
            what = "the weights became NaN or infinite"
        if what is None:
            return
        kept = ""
        if self.checkpoint_path is not None and self.history:
            kept = (f"; {self.checkpoint_path} keeps the last finite epoch ({len(self.history)}), which a run with "
                    "another --lr cannot resume: train again in a fresh run folder, or delete it")
        raise DivergedError(
            f"{what} {when}, so the run stopped without storing a result: it diverged; lower the learning rate "
            f"(--lr; this run's is {self.recipe.lr:g}){kept}"
        )

    def epoch_start_metrics(self, epoch: int) -> dict[str, Any]:
        return {"epoch": epoch + 1, "lr": float(self.optimizer.param_groups[0]["lr"])}

    def finish_epoch(self, epoch: int, metrics: dict[str, Any],
                     on_epoch_end: Callable[[dict[str, Any]], None] | None = None) -> None:
        """After training (0-based) ``epoch``: evaluate, refuse a non-finite run, keep the metrics,
        checkpoint, then call ``on_epoch_end``."""
        metrics.update(self.evaluate(epoch))
        self._check_finite(metrics, f"in epoch {epoch + 1}")
        self.history.append(metrics)
        self._save_checkpoint()
        if on_epoch_end is not None:
            on_epoch_end(metrics)

    def finish_run(self) -> None:
        """The final test on the whole test split, once, if the run asks for one."""
        if self.final_stream is not None and self.final_test is None:
            final_test = self.evaluate_final()
            self._check_finite(final_test, "in the final test")
            self.final_test = final_test
            self._save_checkpoint()

    def run(self, on_epoch_end: Callable[[dict[str, Any]], None] | None = None) -> RunResult:
        """Train the remaining epochs; checkpoint after each (never an epoch whose loss or weights
        are non-finite: :class:`DivergedError`). ``on_epoch_end`` sees each epoch's metrics. The
        run folder stays locked until it ends."""
        self._hold_lock()
        try:
            with self.backend():
                for epoch in range(len(self.history), self.recipe.epochs):
                    metrics = self.epoch_start_metrics(epoch)
                    metrics.update(self.train_epoch(epoch))
                    self.finish_epoch(epoch, metrics, on_epoch_end)
                self.finish_run()
        finally:
            self.close()
        return self.result()

    def engine_settings(self) -> dict[str, Any]:
        """The engine's switches that change no number of the result (recorded beside it)."""
        return {"epoch_data": self.config.epoch_data, "flat_optimizer": self.flat_optimizer,
                "eval_batch_size": self.eval_batch_size, "cap_autotune": self.cap_autotune, "concurrent_runs": self.concurrent_runs}

    def result(self) -> RunResult:
        config = asdict(self.config)
        config["synthetic_sizes"] = list(self.config.synthetic_sizes)
        return RunResult(
            config=config,
            identity=self.identity,
            recipe=self.recipe.as_dict(),
            model=self.model_info,
            data=self.data.describe(),
            environment={**environment(self.device), "precision": self.precision, "channels_last": self.channels_last, "compiled": self.config.compile,
                         "cuda_graph": self.graphed, "deterministic": self.config.deterministic, **self.engine_settings()},
            history=self.history,
            final_test=self.final_test,
            started=self.started,
            finished=now(),
            sessions=self.sessions,
        )


def train(config: TrainConfig, data: ImageData | None = None, on_epoch_end: Callable[[dict[str, Any]], None] | None = None) -> RunResult:
    """Build, train and evaluate as ``config`` says; see :class:`Trainer`."""
    return Trainer(config, data).run(on_epoch_end)


def format_epoch(m: dict[str, Any]) -> str:
    """One line per epoch for logs and notebooks."""
    return (
        f"epoch {m['epoch']:>2}: train loss {m['train_loss']:.3f} top-1 err {m['train_top1_err']:.3f} | "
        f"test loss {m['test_loss']:.3f} top-1 err {m['test_top1_err']:.3f} top-5 err {m['test_top5_err']:.3f} | "
        f"{m['epoch_time_s']:.1f}s, {m['images_per_s']:.0f} img/s"
    )


def subset_data(config: TrainConfig, data: ImageData) -> ImageData:
    """``data`` cut to the configured class-balanced subsets (with ``final_test``, the whole test
    split stays: ``test_subset`` then picks the per-epoch images, see :func:`curve_indices`)."""
    return data.subset(config.train_subset, None if config.final_test else config.test_subset, seed=config.data_seed)


def run_data(config: TrainConfig, data: ImageData) -> ImageData:
    """The images a run trains and evaluates on: ``data`` cut to the configured subsets, then,
    with ``validation``, split into training images and held-out validation images."""
    data = subset_data(config, data)
    return data.hold_out(config.validation, seed=config.data_seed) if config.validation is not None else data


def curve_indices(config: TrainConfig, data: ImageData) -> Tensor | None:
    """With ``final_test`` and ``test_subset``: the test images of the per-epoch evaluations, the
    same class-balanced draw a run without ``final_test`` evaluates on; ``None``: all of them."""
    if not config.final_test or config.test_subset is None or config.test_subset == len(data.test_y):
        return None
    check_subset(None, config.test_subset, (len(data.train_y), len(data.test_y)), data.num_classes)
    return balanced_indices(data.test_y, config.test_subset, data.num_classes, config.data_seed)


def curve_test_size(config: TrainConfig, data: ImageData) -> int:
    """How many test images each epoch's evaluation sees."""
    curve = curve_indices(config, data)
    return len(data.test_y) if curve is None else len(curve)


def run_identity(config: TrainConfig, data: ImageData) -> dict[str, Any]:
    """The identity ``config`` will train with on ``data`` (its precisions resolved for its device)."""
    device = pick_device(config.device)
    precision = pick_precision(config.precision, device)
    return config_identity(config, run_data(config, data), precision, pick_eval_precision(config.eval_precision, device, precision))


def train_to_file(config: TrainConfig, result_file: str | Path, data: ImageData | None = None,
                  log: Callable[[str], None] = print, prefix: str = "",
                  on_epoch_end: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """Train ``config`` (logging each epoch, then calling ``on_epoch_end``), write its result
    file, return the result."""

    def after_epoch(metrics: dict[str, Any]) -> None:
        log(prefix + format_epoch(metrics))
        if on_epoch_end is not None:
            on_epoch_end(metrics)

    result = train(config, data=data, on_epoch_end=after_epoch).as_dict()
    write_json(result_file, result)
    return result
