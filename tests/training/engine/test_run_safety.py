"""Runs that must not go wrong quietly: bad learning rates and seeds, diverging losses, NaN in
JSON, and two runs on one run folder (issue 23)."""

import math
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from gnet_lib.cli import EXIT_OK, EXIT_USAGE, main
from gnet_lib.core.errors import UsageError
from gnet_lib.training.data.data import make_synthetic
from gnet_lib.training.engine.train import DivergedError, Trainer, train
from gnet_lib.training.results.storage import (
    LOCK_NAME,
    CheckpointError,
    RunLock,
    RunLockedError,
    load_checkpoint,
    write_json,
)
from gnet_lib.training.settings.config import SEED_LIMIT, TrainConfig

ROOT = Path(__file__).resolve().parents[3]
TINY = ["--dataset", "synthetic", "--synthetic-sizes", "20", "10", "--device", "cpu", "--no-progress"]
ONE_THREAD = {**os.environ, "OMP_NUM_THREADS": "1"}


def _ablation(tmp_path, *extra):
    return ["ablation", *TINY, "--models", "short3", "--devices", "cpu", "--results-dir", str(tmp_path / "results"),
            "--runs-dir", str(tmp_path / "runs"), *extra]


def _config(run_dir=None, **kw):
    values = dict(model="short3", dataset="synthetic", epochs=1, device="cpu", progress=False,
                  run_dir=str(run_dir) if run_dir else None)
    values.update(kw)
    return TrainConfig(**values)


@pytest.fixture(scope="module")
def small_data():
    return make_synthetic(train_size=20, test_size=10, seed=0)


def _files(folder: Path, pattern: str) -> list[Path]:
    return sorted(folder.rglob(pattern)) if folder.exists() else []


def _hold_lock_in_child(folder: Path) -> subprocess.Popen:
    """Another process that holds ``folder``'s run lock until it is killed."""
    code = ("import sys, time; from gnet_lib.training.results.storage import RunLock; lock = RunLock(sys.argv[1]); lock.acquire(); "
            "print('locked', flush=True); time.sleep(300)")
    child = subprocess.Popen([sys.executable, "-c", code, str(folder)], cwd=ROOT, env=ONE_THREAD,
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "locked"
    return child


def _kill(child: subprocess.Popen) -> None:
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    child.stdout.close()


# -- learning rate and seed: usage errors before any data is read -----------------------------

@pytest.mark.parametrize("lr", ["nan", "inf", "-inf", "0", "-0.5"])
def test_a_non_finite_or_non_positive_lr_fails_before_any_data_is_read(capsys, tmp_path, lr):
    nowhere = tmp_path / "nowhere"
    code = main(["train", "--dataset", "cifar10", "--data-dir", str(nowhere), "--no-download", f"--lr={lr}"])
    assert code == EXIT_USAGE  # not EXIT_NO_DATA: the learning rate is checked first
    err = capsys.readouterr().err
    assert "--lr must be a positive, finite learning rate" in err and "Traceback" not in err
    assert not nowhere.exists()
    assert main(_ablation(tmp_path, f"--lr={lr}")) == EXIT_USAGE
    assert "--lr must be a positive, finite" in capsys.readouterr().err
    assert not (tmp_path / "results").exists() and not (tmp_path / "runs").exists()


@pytest.mark.parametrize("option", ["--seed", "--subset-seed"])
@pytest.mark.parametrize("seed", [-1, SEED_LIMIT, 2**63, 2**64])
def test_a_seed_out_of_range_is_a_usage_error(capsys, tmp_path, option, seed):
    nowhere = tmp_path / "nowhere"
    code = main(["train", "--dataset", "cifar10", "--data-dir", str(nowhere), "--no-download", f"{option}={seed}"])
    assert code == EXIT_USAGE
    err = capsys.readouterr().err
    assert f"{option} must be a whole number from 0 to {SEED_LIMIT - 1:,}, got {seed}" in err
    assert "Traceback" not in err and not nowhere.exists()


def test_the_largest_seed_trains(small_data):
    """The limit is one torch accepts: each epoch seeds its generators with seed * 1_000_003 + epoch."""
    result = train(_config(seed=SEED_LIMIT - 1, subset_seed=SEED_LIMIT - 1, train_subset=10), small_data)
    assert len(result.history) == 1 and result.identity["seed"] == SEED_LIMIT - 1


# -- a diverging run: exit 2, no result, the last finite checkpoint kept ---------------------

def test_a_diverging_ablation_stores_nothing(capsys, tmp_path):
    assert main(_ablation(tmp_path, "--epochs", "1", "--lr", "1e30")) == EXIT_USAGE
    err = capsys.readouterr().err
    assert re.search(r"the (train loss|test loss|weights) became (nan|inf|NaN or infinite) in epoch 1", err), err
    assert "it diverged; lower the learning rate (--lr; this run's is 1e+30)" in err and "keeps the last finite" not in err
    assert "Traceback" not in err
    assert _files(tmp_path / "results", "*.json") == []
    assert _files(tmp_path / "runs", "checkpoint.pt") == []


def _poison_before_second_epoch(monkeypatch, saved: dict[str, bytes]):
    """Make epoch 2 diverge: its weights turn NaN just before it trains (epoch 1's checkpoint is
    on disk by then; its bytes are kept in ``saved``)."""
    original = Trainer.train_epoch

    def train_epoch(self, epoch):
        if epoch == 1:
            saved["checkpoint"] = self.checkpoint_path.read_bytes()
            with torch.no_grad():
                next(self.model.parameters()).fill_(float("nan"))
        return original(self, epoch)

    monkeypatch.setattr(Trainer, "train_epoch", train_epoch)


@pytest.mark.parametrize("command", ["train", "ablation"])
def test_a_run_diverging_in_epoch_2_keeps_epoch_1s_checkpoint(capsys, monkeypatch, tmp_path, command):
    saved: dict[str, bytes] = {}
    _poison_before_second_epoch(monkeypatch, saved)
    if command == "train":
        args = ["train", *TINY, "--model", "short3", "--run-dir", str(tmp_path / "runs" / "one"),
                "--result", str(tmp_path / "results" / "one.json")]
    else:
        args = _ablation(tmp_path)
    assert main([*args, "--epochs", "2"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "the train loss became nan in epoch 2, so the run stopped without storing a result" in err
    assert "keeps the last finite epoch (1)" in err and "Traceback" not in err
    assert _files(tmp_path / "results", "*.json") == []
    [checkpoint] = _files(tmp_path / "runs", "checkpoint.pt")
    assert checkpoint.read_bytes() == saved["checkpoint"]  # not rewritten
    state = load_checkpoint(checkpoint)
    assert [h["epoch"] for h in state["history"]] == [1]
    assert all(math.isfinite(v) for h in state["history"] for v in h.values() if isinstance(v, float))
    assert all(torch.isfinite(t).all() for t in state["model"].values() if t.is_floating_point())


def test_non_finite_weights_are_never_checkpointed_even_with_finite_losses(monkeypatch, small_data, tmp_path):
    original = Trainer.evaluate

    def evaluate(self, epoch=None):
        metrics = original(self, epoch)  # finite: the weights are spoilt after it
        with torch.no_grad():
            next(self.model.parameters())[0] = float("inf")
        return metrics

    monkeypatch.setattr(Trainer, "evaluate", evaluate)
    with pytest.raises(DivergedError, match="the weights became NaN or infinite in epoch 1") as info:
        train(_config(tmp_path / "run"), small_data)
    assert "without storing a result" in str(info.value) and isinstance(info.value, UsageError)
    assert not (tmp_path / "run" / "checkpoint.pt").exists()


def test_json_refuses_nan_and_infinity_and_keeps_the_old_file(tmp_path):
    path = tmp_path / "result.json"
    write_json(path, {"final": {"test_loss": 1.5}})
    before = path.read_text()
    for bad, where in ((float("nan"), "history[1].train_loss"), (float("inf"), "history[1].train_loss")):
        with pytest.raises(UsageError, match=rf"{path} was not written: history\[1\]\.train_loss is NaN or infinite"):
            write_json(path, {"history": [{"train_loss": 1.0}, {"train_loss": bad}]})
        assert path.read_text() == before
    with pytest.raises(UsageError, match="the value is NaN"):
        write_json(tmp_path / "bare.json", float("-inf"))
    assert not (tmp_path / "bare.json").exists()
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference") as info:  # other errors are left alone
        write_json(tmp_path / "loop.json", loop)
    assert not isinstance(info.value, UsageError)


# -- one run per run folder ----------------------------------------------------------------

def test_a_second_trainer_on_a_locked_run_folder_is_refused(small_data, tmp_path):
    first = Trainer(_config(tmp_path / "run"), small_data)
    with pytest.raises(RunLockedError, match=rf"run folder {tmp_path / 'run'} is in use by another run "
                                             rf"\(PID {os.getpid()}\); wait for that run to finish or stop it"):
        Trainer(_config(tmp_path / "run", resume=True), small_data)
    assert (tmp_path / "run" / LOCK_NAME).read_text() == f"{os.getpid()}\n"
    first.run()  # the refused one did not take the lock from it; ending the run releases it
    with RunLock(tmp_path / "run") as lock:
        assert lock.held


def test_the_lock_is_released_when_a_run_fails_or_is_interrupted(small_data, tmp_path):
    def interrupt(metrics):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        Trainer(_config(tmp_path / "run", epochs=2), small_data).run(on_epoch_end=interrupt)
    with RunLock(tmp_path / "run"):
        pass
    with pytest.raises(DivergedError):
        train(_config(tmp_path / "diverged", lr=1e30), small_data)
    with RunLock(tmp_path / "diverged"):
        pass
    with pytest.raises(CheckpointError, match="already holds a checkpoint"):  # set-up fails: no --resume
        Trainer(_config(tmp_path / "run", epochs=2), small_data)
    with RunLock(tmp_path / "run"):
        pass


def test_a_train_on_a_folder_another_process_holds_exits_2_and_a_killed_holder_blocks_nothing(capsys, tmp_path):
    folder = tmp_path / "run"
    holder = _hold_lock_in_child(folder)
    try:
        args = ["train", *TINY, "--model", "short3", "--epochs", "1", "--run-dir", str(folder),
                "--result", str(tmp_path / "r.json")]
        assert main(args) == EXIT_USAGE
        err = capsys.readouterr().err
        assert f"run folder {folder} is in use by another run (PID {holder.pid})" in err
        assert "wait for that run to finish or stop it" in err and "Traceback" not in err
        assert not (tmp_path / "r.json").exists() and not (folder / "checkpoint.pt").exists()
    finally:
        _kill(holder)
    assert (folder / LOCK_NAME).read_text() == f"{holder.pid}\n"  # the dead holder's file is still there ...
    assert main(args) == EXIT_OK  # ... and blocks nothing
    assert (tmp_path / "r.json").exists() and (folder / "checkpoint.pt").exists()


def test_an_ablation_variant_another_process_trains_is_refused(capsys, tmp_path):
    assert main(_ablation(tmp_path, "--epochs", "1")) == EXIT_OK
    [result] = _files(tmp_path / "results", "short3.json")
    [checkpoint] = _files(tmp_path / "runs", "checkpoint.pt")
    result.unlink()
    capsys.readouterr()
    holder = _hold_lock_in_child(checkpoint.parent)
    try:
        assert main(_ablation(tmp_path, "--epochs", "1")) == EXIT_USAGE
        err = capsys.readouterr().err
        assert f"run folder {checkpoint.parent} is in use by another run (PID {holder.pid})" in err
        assert not result.exists()
    finally:
        _kill(holder)
    assert main(_ablation(tmp_path, "--epochs", "1")) == EXIT_OK  # resumes the finished checkpoint
    assert result.exists()

