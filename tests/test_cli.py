"""The command line: help, exit codes, errors, results, and resuming a killed process."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gnet_lib.cli import (
    EXIT_CHECKPOINT,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_NO_DATA,
    EXIT_USAGE,
    main,
)
from gnet_lib.training.results.results import without_machine_fields

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--dataset", "synthetic", "--synthetic-sizes", "96", "30", "--model", "short4", "--batch-size", "32",
        "--device", "cpu", "--no-progress"]
ONE_THREAD = {**os.environ, "OMP_NUM_THREADS": "1"}  # two runs side by side on a two-core machine


def gnet(*args, **kw):
    return subprocess.run([sys.executable, "-m", "gnet_lib", *args], capture_output=True, text=True, cwd=ROOT,
                          env=ONE_THREAD, **kw)


def test_help_lists_commands_and_exit_codes():
    out = gnet("--help")
    assert out.returncode == 0
    for word in ("train", "ablation", "compare", "table", "bench", "exit codes"):
        assert word in out.stdout
    assert gnet("train", "--help").returncode == 0


def test_table_command(capsys):
    assert main(["table", "inception-v1", "--no-aux", "--format", "markdown"]) == 0
    assert "| 3a / concat |" in capsys.readouterr().out
    assert main(["table", "--paper"]) == 0
    assert "inception (5b)" in capsys.readouterr().out


def test_an_internal_error_is_not_reported_as_a_usage_error(capsys, monkeypatch):
    """A ValueError from a bug (here: inside torch) shows its traceback and exit code 1."""
    from gnet_lib import cli

    def broken(args):
        raise ValueError("mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)")

    monkeypatch.setattr(cli, "cmd_models", broken)
    assert main(["models"]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert "Traceback" in err and "mat1 and mat2" in err


def test_bad_input_exit_codes(capsys, tmp_path):
    assert main(["table", "nope"]) == EXIT_USAGE
    assert "valid names are" in capsys.readouterr().err
    assert main(["table", "inception-v1", "--input-size", "3", "4"]) == EXIT_USAGE
    assert main(["train", "--dataset", "cifar10", "--data-dir", str(tmp_path), "--no-download"]) == EXIT_NO_DATA
    assert "--dataset synthetic" in capsys.readouterr().err
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "checkpoint.pt").write_text("garbage")
    assert main(["train", *TINY, "--run-dir", str(tmp_path / "run"), "--resume"]) == EXIT_CHECKPOINT
    assert "corrupt" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--recipe", "slow"])
    assert exit_info.value.code == EXIT_USAGE


def test_train_writes_a_result_with_provenance(tmp_path):
    out = gnet("train", *TINY, "--epochs", "1", "--result", str(tmp_path / "r.json"))
    assert out.returncode == 0, out.stderr
    result = json.loads((tmp_path / "r.json").read_text())
    assert result["data"]["name"] == "synthetic (CIFAR-shaped)" and result["data"]["train_size"] == 96
    assert result["model"]["name"] == "short4" and result["recipe"]["name"] == "seed"
    env = result["environment"]
    for key in ("device_name", "torch", "torchvision", "git_commit", "python"):
        assert env[key]
    assert result["started"] and result["finished"] and result["wall_time_s"] > 0
    assert len(result["history"]) == 1 and result["final"]["epoch"] == 1


def _start(tmp_path, name):
    return subprocess.Popen(
        [sys.executable, "-m", "gnet_lib", "train", *TINY, "--epochs", "3", "--run-dir", str(tmp_path / name),
         "--result", str(tmp_path / f"{name}.json")],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ONE_THREAD,
    )


def _wait_for_checkpoint(proc, path: Path, timeout=120):
    start = time.time()
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.time() - start < timeout
        time.sleep(0.05)


def _history(path: Path):
    return without_machine_fields(json.loads(path.read_text())["history"])


@pytest.mark.slow
@pytest.mark.parametrize("how", ["SIGTERM", "SIGKILL"])
def test_a_killed_run_resumes_to_the_same_result(tmp_path, how):
    full = _start(tmp_path, "full")
    victim = _start(tmp_path, "victim")
    _wait_for_checkpoint(victim, tmp_path / "victim" / "checkpoint.pt")
    victim.send_signal(getattr(signal, how))
    victim.communicate(timeout=60)
    if how == "SIGTERM":
        assert victim.returncode == EXIT_INTERRUPTED
    assert not (tmp_path / "victim.json").exists()
    again = gnet("train", *TINY, "--epochs", "3", "--run-dir", str(tmp_path / "victim"), "--resume",
                 "--result", str(tmp_path / "victim.json"), timeout=300)
    assert again.returncode == 0, again.stderr
    assert full.wait(timeout=300) == 0
    assert _history(tmp_path / "victim.json") == _history(tmp_path / "full.json")
    assert json.loads((tmp_path / "victim.json").read_text())["sessions"] == 2
    assert not [p for p in os.listdir(tmp_path / "victim") if p.endswith(".tmp")]


def test_models_ablation_table_and_student_commands(capsys, tmp_path):
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    for name in ("inception-v1", "googlenet", "short4"):
        assert name in out
    assert main(["ablation", "--dataset", "cifar100", "--table-only", "--results-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "no run of ours exists yet for dataset 'cifar100'" in out and "python -m gnet_lib ablation --dataset cifar100" in out
    assert main(["student", str(ROOT / "notebooks"), str(tmp_path / "student")]) == 0
    assert len(list((tmp_path / "student").glob("*.ipynb"))) == len(list((ROOT / "notebooks").glob("*.ipynb")))
    assert main(["student", str(tmp_path / "empty"), str(tmp_path / "out")]) == EXIT_USAGE


def test_compare_command_prints_the_table_and_saves_the_plot(capsys, tmp_path):
    args = ["compare", *TINY, "--recipes", "seed", "fast", "--epochs", "1", "--output", str(tmp_path / "cmp"),
            "--runs-dir", str(tmp_path / "runs"), "--plot", str(tmp_path / "curves.png")]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Recipes compared on short4" in out and "| fast |" in out and "speed-up vs seed" in out
    assert "seed's final top-1 error" in out
    assert (tmp_path / "curves.png").stat().st_size > 1000
    assert sorted(p.name for p in (tmp_path / "cmp").iterdir()) == ["fast.json", "seed.json"]
    with pytest.raises(SystemExit) as exit_info:
        main(["compare", "--recipes", "seed", "slow", "--output", str(tmp_path / "x")])
    assert exit_info.value.code == EXIT_USAGE


def test_an_unknown_model_fails_before_any_data_is_read(capsys, tmp_path):
    code = main(["train", "--model", "googlenet2", "--data-dir", str(tmp_path / "nowhere"), "--no-progress"])
    assert code == EXIT_USAGE  # not EXIT_NO_DATA: the name is checked first
    err = capsys.readouterr().err
    assert "unknown model name 'googlenet2'" in err and "short3" in err
    assert not (tmp_path / "nowhere").exists()


def test_a_validation_split_as_large_as_the_training_images_fails_before_any_work(capsys):
    assert main(["train", *TINY, "--train-subset", "50", "--validation", "50"]) == EXIT_USAGE
    assert "--validation 50 leaves no training images: it is taken from the 50 training images" in capsys.readouterr().err
    assert main(["train", *TINY, "--validation", "96"]) == EXIT_USAGE
    assert "taken from the 96 training images" in capsys.readouterr().err


def test_a_subset_larger_than_the_data_fails_before_any_work(capsys, tmp_path, monkeypatch):
    from gnet_lib.training.data import data as data_module

    assert main(["train", *TINY, "--train-subset", "99999999"]) == EXIT_USAGE
    assert "--train-subset 99,999,999 is larger than the training split, which has 96 images" in capsys.readouterr().err
    for split in ("train", "test"):
        (tmp_path / split / "cat").mkdir(parents=True)
        (tmp_path / split / "cat" / "0.jpg").write_bytes(b"never decoded")
    monkeypatch.setattr(data_module, "_read_image", lambda path: pytest.fail("decoded an image before checking the sizes"))
    assert main(["ablation", "--data-dir", str(tmp_path), "--test-subset", "2", "--no-progress"]) == EXIT_USAGE
    assert "--test-subset 2 is larger than the test split, which has 1 images" in capsys.readouterr().err


def test_no_conv_bias_grad_reaches_the_training_config():
    from gnet_lib import cli

    for argv, expected in ((["train"], True), (["train", "--no-conv-bias-grad"], False)):
        args = cli.build_parser().parse_args([*argv, "--dataset", "synthetic"])
        assert cli._config(args).conv_bias_grad is expected
