"""The campaign's guards: a dry run never writes into the book's results, the data is checked
before any work, the time budget holds, and tools/gpu_campaign.sh refuses a machine or a
tarball it cannot use, and runs the probe before the campaign. None of these tests trains or
benchmarks anything."""

import io
import math
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import pytest
import torch

from gnet_lib.cli import main
from gnet_lib.core.errors import UsageError
from gnet_lib.training.data.data import DataUnavailableError, load_data
from gnet_lib.training.experiments.midscale import RUNS
from gnet_lib.training.gpu.campaign import (
    Budget,
    BudgetExhausted,
    CampaignSettings,
    Context,
    check_data,
    epoch_check,
    resolve_folders,
    run_campaign,
    run_step,
    weights_path,
)
from gnet_lib.training.gpu.campaign_plan import plan_steps
from gnet_lib.training.gpu.probe_reading import Choices
from gnet_lib.training.gpu.window_plan import Rates, RunWork, Step
from gnet_lib.training.settings.config import TrainConfig

CHECKOUT = Path(__file__).resolve().parents[3]
BOOK_RESULTS = CHECKOUT / "results"
SCRIPT = CHECKOUT / "tools" / "gpu_campaign.sh"


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """Temporary folders made by the code under test go under this test's own folder."""
    folder = tmp_path / "system-tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


# -- where a dry run writes ------------------------------------------------------------------


def test_a_dry_run_without_folders_gets_a_new_temporary_one(scratch):
    lines = []
    s = resolve_folders(CampaignSettings(dry_run=True), lines.append)
    assert s.results_dir.parent == s.runs_dir.parent and s.results_dir.parent.parent == scratch
    assert s.results_dir.parent.name.startswith("gnet-dryrun-")
    assert str(s.results_dir) in lines[0] and "temporary folder" in lines[0]


def test_named_folders_are_kept_and_a_real_campaign_defaults_to_results_and_runs(tmp_path, scratch):
    s = resolve_folders(CampaignSettings(dry_run=True, results_dir=tmp_path / "r", runs_dir=str(tmp_path / "u")), print)
    assert (s.results_dir, s.runs_dir) == (tmp_path / "r", tmp_path / "u")
    only_results = resolve_folders(CampaignSettings(dry_run=True, results_dir=tmp_path / "r"), print)
    assert only_results.runs_dir.parent.parent == scratch
    real = resolve_folders(CampaignSettings(data_dir="data"), print)
    assert (real.results_dir, real.runs_dir) == (Path("results"), Path("runs"))


@pytest.mark.parametrize("option", ["results_dir", "runs_dir"])
@pytest.mark.parametrize("folder", [BOOK_RESULTS, BOOK_RESULTS / "bench"])
def test_a_dry_run_into_the_books_results_is_refused(folder, option, scratch):
    with pytest.raises(UsageError, match="book's results folder"):
        resolve_folders(CampaignSettings(dry_run=True, **{option: folder}))
    assert not list(scratch.iterdir())  # refused before a temporary folder is made


def test_a_dry_run_into_the_folder_named_by_gnet_results_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("GNET_RESULTS", str(tmp_path / "book"))
    (tmp_path / "book").mkdir()
    with pytest.raises(UsageError, match="book's results folder"):
        resolve_folders(CampaignSettings(dry_run=True, results_dir=tmp_path / "book"))


def test_every_file_a_dry_run_plans_lies_in_its_temporary_folder(scratch):
    s = resolve_folders(CampaignSettings(dry_run=True), print)
    root = s.results_dir.parent
    data = load_data("synthetic", synthetic_sizes=(32, 10), seed=1)
    steps = plan_steps(s.base(Choices()), data, s.folders, Choices(), s.midscale_sizes)
    runs = [run for step in steps for run in step.runs]
    midscale = [r for r in RUNS if r.data_variant is None and r.precision == "bf16"]  # the ones a GPU can repeat
    assert len(runs) == 6 * 3 + 1 + 1 + len(midscale) and not any(r.stored for r in runs)
    assert len({r.result for r in runs}) == len(runs)  # no two runs share a result file
    for run in runs:
        assert run.result.is_relative_to(s.results_dir) and Path(run.config.run_dir).is_relative_to(s.runs_dir)
    assert weights_path(s).is_relative_to(root)
    assert not s.results_dir.exists()  # planning writes nothing


@pytest.mark.parametrize("where", ["a temporary folder with results/", "the checkout"])
def test_a_real_dry_run_leaves_the_results_folder_of_its_working_folder_untouched(where, tmp_path, scratch,
                                                                                 monkeypatch, capsys):
    cwd = CHECKOUT if where == "the checkout" else tmp_path / "work"
    (cwd / "results").mkdir(parents=True, exist_ok=True)
    before = _snapshot(cwd / "results")
    monkeypatch.chdir(cwd)
    # the smallest budget: the command runs for real, up to its first step, which it then skips
    assert main(["campaign", "--dry-run", "--budget-minutes", "1e-9"]) == 0
    out = capsys.readouterr().out
    assert "time budget reached" in out
    assert _snapshot(cwd / "results") == before
    assert not (cwd / "runs").exists() or where == "the checkout"
    folder = next(scratch.iterdir())
    assert f"results go to {folder / 'results'}" in out


# -- the data, before any work ----------------------------------------------------------------


def _image_folder(root: Path, train_classes: int = 10, test_classes: int = 10) -> Path:
    for split, n in (("train", train_classes), ("test", test_classes)):
        for c in range(n):
            (root / split / f"class{c}").mkdir(parents=True)
            (root / split / f"class{c}" / "0.png").write_bytes(b"")  # counted by name, never decoded here
    return root


def test_a_missing_data_folder_stops_the_campaign_before_any_work(tmp_path, capsys):
    args = ["campaign", "--data-dir", str(tmp_path / "nonexistent"), "--results-dir", str(tmp_path / "r"),
            "--runs-dir", str(tmp_path / "u")]
    assert main(args) == 3
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "r").exists() and not (tmp_path / "u").exists()


@pytest.mark.parametrize("layout, error, words", [
    ("empty", DataUnavailableError, "holds neither an image folder"),
    ("torchvision, cut short", DataUnavailableError, "lacks data_batch_2"),
    ("three classes", UsageError, "has 3 class folders"),
    ("other test classes", UsageError, "both splits need the same ten"),
])
def test_a_data_folder_without_cifar10_is_refused(layout, error, words, tmp_path):
    root = tmp_path / "data"
    root.mkdir()
    if layout == "torchvision, cut short":
        (root / "cifar-10-batches-py").mkdir()
        (root / "cifar-10-batches-py" / "data_batch_1").write_bytes(b"x")
    elif layout == "three classes":
        _image_folder(tmp_path / "three", 3, 3)
        root = tmp_path / "three"
    elif layout == "other test classes":
        root = _image_folder(tmp_path / "other", 10, 9)
    with pytest.raises(error, match=words):
        run_campaign(CampaignSettings(str(root), tmp_path / "r", tmp_path / "u"))
    assert not (tmp_path / "r").exists()


def test_a_complete_image_folder_passes_the_data_check(tmp_path):
    check_data(CampaignSettings(str(_image_folder(tmp_path / "data"))))


# -- the time budget ----------------------------------------------------------------------------


@pytest.mark.parametrize("minutes", [0, -1, math.nan, math.inf])
def test_a_budget_must_be_a_positive_number_of_minutes(minutes):
    with pytest.raises(UsageError, match="positive number of minutes"):
        CampaignSettings(dry_run=True, budget_minutes=minutes)


@pytest.mark.parametrize("minutes", ["0", "-5"])
def test_the_command_refuses_a_budget_of_nothing(minutes, tmp_path, capsys):
    assert main(["campaign", "--dry-run", "--budget-minutes", minutes, "--results-dir", str(tmp_path / "r")]) == 2
    assert "--budget-minutes must be a positive number" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def _epoch(n: int, seconds: float) -> dict:
    return {"epoch": n, "epoch_time_s": seconds, "eval_time_s": 0.0}


def test_an_epoch_starts_only_if_it_fits_at_the_pace_of_the_last_scaled_by_image_area(clock):
    budget = Budget(100 / 60, clock)  # 100 s
    check = epoch_check(budget, "fast", TrainConfig(model="googlenet", recipe="fast").resolved_recipe(), side=32)
    check([_epoch(3, 60.0)])  # epoch 4 is at 16x16 as epoch 3 was: 60 s fit in 100
    with pytest.raises(BudgetExhausted, match="needs about 135 s"):  # epoch 5 at 24x24: 60 * (24/16)^2
        check([_epoch(4, 60.0)])
    with pytest.raises(BudgetExhausted, match="needs about 112 s"):  # a group: the shared pass, every evaluation
        check([{**_epoch(3, 50.0), "eval_time_s": 30.0}, {**_epoch(3, 50.0), "eval_time_s": 32.0}])
    clock.now += 200
    check([_epoch(11, 60.0)])  # after a run's last epoch its result is written; the next step is checked


def test_a_step_that_does_not_fit_the_time_left_is_not_started_and_the_next_one_may_be(tmp_path, clock):
    rates = Rates({"googlenet": 1000.0}, 4.0, {"googlenet": 0.0}, "test")
    lines = []
    ctx = Context(CampaignSettings(data_dir="data"), Budget(2, clock), None, rates, lines.append, None, None)
    big = Step("big", 1, [RunWork("googlenet", 10_000, 1_000, epochs=1)], runs=[None])  # 10 s + 0.25 s
    assert run_step(Step("stored", 1, [], stored=True), ctx) is True and lines[-1] == "1. stored: stored, skipped"
    clock.now += 115  # 5 s left
    assert run_step(big, ctx) is False
    assert lines[-1] == "1. big: not started (5 s left, big needs about 10 s)"
    clock.now += 10
    with pytest.raises(BudgetExhausted, match="spent before big"):
        run_step(big, ctx)


# -- tools/gpu_campaign.sh --------------------------------------------------------------------


def _fake_python(path: Path, on_torch_probe: str) -> Path:
    """A python3 stand-in: ``on_torch_probe`` answers the script's torch check; anything else
    (the campaign) is only recorded in $FAKE_CALLS, so no test ever starts a campaign."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n"
                    f'case "$*" in\n  *"import torch"*) {on_torch_probe} ;;\n  *) echo "$@" >> "$FAKE_CALLS" ;;\nesac\n')
    path.chmod(0o755)
    return path


NO_TORCH = "echo \"ModuleNotFoundError: No module named 'torch'\" >&2; exit 1"
NO_GPU = "echo False"
GPU = "echo True"


def _tarball(path: Path, members: dict[str, bytes | None]) -> Path:
    """A .tar.gz of ``members``: name -> file content, or None for a folder."""
    with tarfile.open(path, "w:gz") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            if content is None:
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            else:
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
    return path


CIFAR_FOLDER = {"cifar10-jpeg": None, "cifar10-jpeg/train": None, "cifar10-jpeg/train/cat": None,
                "cifar10-jpeg/test": None, "cifar10-jpeg/test/cat": None}


@pytest.fixture
def checkout(tmp_path):
    """A copy of the script in a checkout of its own: what it packs comes from there."""
    root = tmp_path / "checkout"
    (root / "tools").mkdir(parents=True)
    shutil.copy(SCRIPT, root / "tools")
    return root


def _run_script(checkout: Path, tmp_path: Path, probe: str, tarball: Path, via_path: bool = False,
                python: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHON", "GNET_CUDA_TESTS", "GNET_PROBE_MINUTES")}
    env.update(GNET_DATA=str(tmp_path / "data" / "cifar"), FAKE_CALLS=str(tmp_path / "calls.txt"),
               GNET_RUNS=str(tmp_path / "runs"))
    if python is None:
        python = _fake_python(tmp_path / "bin" / "python3", probe)
    if via_path:
        env["PATH"] = f"{python.parent}:/usr/bin:/bin"
    else:
        env["PYTHON"] = str(python)
    return subprocess.run(["bash", str(checkout / "tools" / "gpu_campaign.sh"), str(tarball), str(tmp_path / "out")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


def _refused(proc: subprocess.CompletedProcess, words: str) -> None:
    assert proc.returncode == 1, proc
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("gpu_campaign: ") and words in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr


def _nothing_left(tmp_path: Path) -> None:
    assert not (tmp_path / "calls.txt").exists(), "a campaign was started"
    data = tmp_path / "data"
    assert not data.exists() or not list(data.iterdir()), list(data.iterdir())


@pytest.mark.parametrize("via_path", [False, True])
def test_the_script_refuses_a_python_without_torch(via_path, checkout, tmp_path):
    proc = _run_script(checkout, tmp_path, NO_TORCH, _tarball(tmp_path / "c.tgz", CIFAR_FOLDER), via_path=via_path)
    _refused(proc, "cannot import torch")
    _nothing_left(tmp_path)
    assert not (tmp_path / "out").exists()


def test_the_script_refuses_a_machine_without_a_gpu(checkout, tmp_path):
    _refused(_run_script(checkout, tmp_path, NO_GPU, _tarball(tmp_path / "c.tgz", CIFAR_FOLDER)), "sees no CUDA GPU")
    _nothing_left(tmp_path)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_the_script_refuses_this_cpu_only_torch(checkout, tmp_path):
    venv_python = Path(sys.executable)
    _refused(_run_script(checkout, tmp_path, "", _tarball(tmp_path / "c.tgz", CIFAR_FOLDER), python=venv_python),
             "sees no CUDA GPU")
    _nothing_left(tmp_path)


@pytest.mark.parametrize("kind, words", [
    ("garbage", "cannot unpack"),
    ("cut short", "cannot unpack"),
    ("no cifar inside", "holds no CIFAR-10"),
    ("missing", "no tarball at"),
])
def test_the_script_refuses_a_wrong_tarball_and_leaves_no_data_folder(kind, words, checkout, tmp_path):
    tarball = tmp_path / "c.tgz"
    if kind == "garbage":
        tarball.write_bytes(os.urandom(4096))
    elif kind == "cut short":
        whole = _tarball(tmp_path / "whole.tgz", {**CIFAR_FOLDER, "cifar10-jpeg/train/cat/0.png": os.urandom(20000)})
        tarball.write_bytes(whole.read_bytes()[:5000])
    elif kind == "no cifar inside":
        _tarball(tarball, {"notes": None, "notes/README": b"not CIFAR-10"})
    for _ in range(2):  # and the next call refuses as clearly, instead of training on "--data-dir ."
        _refused(_run_script(checkout, tmp_path, GPU, tarball), words)
        _nothing_left(tmp_path)


def test_the_script_replaces_an_empty_data_folder_and_refuses_one_that_holds_something_else(checkout, tmp_path):
    (tmp_path / "data" / "cifar").mkdir(parents=True)  # left empty by an earlier version of the script
    _refused(_run_script(checkout, tmp_path, GPU, tmp_path / "missing.tgz"), "no tarball at")
    assert not (tmp_path / "data" / "cifar").exists()
    (tmp_path / "data" / "cifar" / "other").mkdir(parents=True)
    _refused(_run_script(checkout, tmp_path, GPU, tmp_path / "missing.tgz"), "delete it to unpack the tarball again")
    assert (tmp_path / "data" / "cifar" / "other").is_dir()  # not the script's to delete
    assert not (tmp_path / "calls.txt").exists()


def test_the_script_runs_the_probe_then_hands_a_good_tarball_to_the_campaign(checkout, tmp_path):
    proc = _run_script(checkout, tmp_path, GPU, _tarball(tmp_path / "c.tgz", CIFAR_FOLDER))
    assert proc.returncode == 0, proc
    probe, campaign = [line.split() for line in (tmp_path / "calls.txt").read_text().splitlines()]
    assert probe == ["tools/gpu_probe.py", "--output", str(tmp_path / "runs" / "gpu-probe.json"), "--minutes", "2.5"]
    assert campaign[:5] == ["-m", "gnet_lib", "campaign", "--data-dir", str(tmp_path / "data" / "cifar" / "cifar10-jpeg")]
    budget = float(campaign[campaign.index("--budget-minutes") + 1])
    assert 8.5 < budget <= 9  # the command's 9 minutes less what came before (the fake probe: nothing)
    assert campaign[campaign.index("--deliver") + 1] == str(tmp_path / "out")
    assert campaign[campaign.index("--runs-dir") + 1] == str(tmp_path / "runs")
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["cifar"]  # no half-unpacked folder beside it


def test_a_second_call_reuses_the_probe_and_the_earlier_results(checkout, tmp_path):
    runs = tmp_path / "runs"
    runs.mkdir()
    (runs / "gpu-probe.json").write_text("{}")
    (tmp_path / "done.json").write_text("{}")
    with tarfile.open(runs / "results.tar", "w") as tar:
        tar.add(tmp_path / "done.json", arcname="results/cifar10-jpeg/seed/p/short3.json")
    proc = _run_script(checkout, tmp_path, GPU, _tarball(tmp_path / "c.tgz", CIFAR_FOLDER))
    assert proc.returncode == 0, proc
    assert "reused" in proc.stdout
    calls = (tmp_path / "calls.txt").read_text().splitlines()
    assert len(calls) == 1 and "campaign" in calls[0]  # no probe this time
    assert (checkout / "results" / "cifar10-jpeg" / "seed" / "p" / "short3.json").is_file()
    assert (checkout / "results" / "bench" / "gpu-probe.json").is_file() and (tmp_path / "out" / "gpu-probe.json").is_file()
