"""The command line refuses bad inputs before any work: output paths, bench counts, resuming a
run that has no checkpoint; and it says what continues an interrupted command."""

import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gnet_lib.cli import (
    CHECKPOINT_NAME,
    EXIT_CHECKPOINT,
    EXIT_CODES,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    _check_image_file,
    _check_output_file,
    _check_output_folder,
    build_parser,
    main,
)
from gnet_lib.core.errors import UsageError
from gnet_lib.training.engine import train
from gnet_lib.training.experiments import ablation, bench, comparison
from gnet_lib.training.gpu import campaign

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--dataset", "synthetic", "--synthetic-sizes", "40", "20", "--epochs", "1", "--device", "cpu", "--no-progress"]
ONE_THREAD = {**os.environ, "OMP_NUM_THREADS": "1"}
ENGINE = [(train, "train"), (ablation, "run_ablation"), (comparison, "compare_recipes"), (bench, "benchmark"),
          (bench, "variant_speeds"), (campaign, "run_campaign")]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    """Every command runs in tmp_path, so that a default output folder (runs, results) shows up there."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def no_work(monkeypatch):
    """The engine's entry points fail the command (exit 1) if a refused command reaches them."""

    def work(*args, **kwargs):
        raise AssertionError("the command started work")

    for module, name in ENGINE:
        monkeypatch.setattr(module, name, work)


@pytest.fixture
def read_only(tmp_path):
    """A folder this process cannot write in: a chmod-ed one, or for root (who writes anywhere
    chmod allows) the read-only /proc/sys."""
    if os.geteuid() != 0:
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
    elif Path("/proc/sys").is_dir() and not os.access("/proc/sys", os.W_OK):
        yield Path("/proc/sys")
    else:
        pytest.skip("no read-only folder for root here")


def _tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _refused(capsys, tmp_path, args, code=EXIT_USAGE) -> str:
    """Run ``args``: it must exit with ``code`` and write nothing; its stderr."""
    before = _tree(tmp_path)
    assert main(args) == code
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert _tree(tmp_path) == before
    return err


PATH_CASES = [
    (["train", *TINY, "--model", "short3", "--result", "{dir}"], "--result", "is a folder"),
    (["train", *TINY, "--model", "short3", "--result", "{file}/r.json"], "--result", "is a file, not a folder"),
    (["train", *TINY, "--model", "short3", "--result", "{ro}/new/r.json"], "--result", "read-only"),
    (["train", *TINY, "--model", "short3", "--run-dir", "{file}"], "--run-dir", "is a file"),
    (["train", *TINY, "--model", "short3", "--run-dir", "{ro}/run"], "--run-dir", "read-only"),
    (["ablation", *TINY, "--models", "short3", "--results-dir", "{file}"], "--results-dir", "is a file"),
    (["ablation", *TINY, "--models", "short3", "--results-dir", "{ro}/results"], "--results-dir", "read-only"),
    (["ablation", *TINY, "--models", "short3", "--runs-dir", "{file}/runs"], "--runs-dir", "is a file, not a folder"),
    (["ablation", *TINY, "--models", "short3", "--plots", "{file}"], "--plots", "is a file"),
    (["ablation", *TINY, "--table-only", "--plots", "{ro}/plots"], "--plots", "read-only"),
    (["compare", *TINY, "--model", "short3", "--output", "{file}"], "--output", "is a file"),
    (["compare", *TINY, "--model", "short3", "--output", "{ro}/cmp"], "--output", "read-only"),
    (["compare", *TINY, "--model", "short3", "--output", "cmp", "--runs-dir", "{file}"], "--runs-dir", "is a file"),
    (["compare", *TINY, "--model", "short3", "--output", "cmp", "--plot", "curves.nosuch"], "--plot", ".png"),
    (["compare", *TINY, "--model", "short3", "--output", "cmp", "--plot", "{dir}/x.png"], "--plot", "is a folder"),
    (["compare", *TINY, "--model", "short3", "--output", "cmp", "--plot", "{ro}/c.png"], "--plot", "read-only"),
    (["bench", "--output", "{dir}"], "--output", "is a folder"),
    (["bench", "--output", "{file}/b.json"], "--output", "is a file, not a folder"),
    (["bench", "--output", "{ro}/b.json"], "--output", "read-only"),
    (["campaign", "--dry-run", "--results-dir", "{file}"], "--results-dir", "is a file"),
    (["campaign", "--dry-run", "--runs-dir", "{ro}/runs"], "--runs-dir", "read-only"),
]


@pytest.mark.parametrize(("args", "option", "says"), PATH_CASES, ids=[" ".join(c[0][:1] + c[0][-2:]) for c in PATH_CASES])
def test_an_unusable_output_path_is_refused_before_any_work(capsys, tmp_path, request, no_work, args, option, says):
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "a-folder" / "x.png").mkdir(parents=True)
    places = {"file": str(tmp_path / "a-file"), "dir": str(tmp_path / "a-folder")}
    if any("{ro}" in a for a in args):
        places["ro"] = str(request.getfixturevalue("read_only"))
    err = _refused(capsys, tmp_path, [a.format(**places) for a in args])
    assert f"gnet: {option} " in err and says in err


def test_the_output_checks_accept_new_paths_and_create_nothing(tmp_path):
    _check_output_folder(str(tmp_path / "a" / "b" / "runs"), "--runs-dir")
    _check_output_file(str(tmp_path / "c" / "result.json"), "--result")
    for extension in ("png", "pdf", "svg", "jpg", "PNG"):
        _check_image_file(str(tmp_path / "d" / f"curves.{extension}"), "--plot")
    assert _tree(tmp_path) == []
    with pytest.raises(UsageError, match="image format"):
        _check_image_file(str(tmp_path / "curves"), "--plot")


BENCH_CASES = [
    (["--batch-size", "0"], "--batch-size must be a positive number of images, got 0"),
    (["--batch-size", "-8"], "--batch-size must be a positive number of images, got -8"),
    (["--steps", "-3"], "--steps must be a positive number of timed steps, got -3"),
    (["--steps", "0"], "--steps must be a positive number of timed steps, got 0"),
    (["--warmup", "-1"], "--warmup must be 0 or more untimed steps, got -1"),
    (["--rounds", "0"], "--rounds must be a positive number of rounds, got 0"),
    (["--models", "short3", "--steps", "0"], "--steps must be a positive number of timed steps, got 0"),
    (["--models", "short3", "--rounds", "0"], "--rounds must be a positive number of rounds, got 0"),
    (["--model", "nosuch"], "unknown model name 'nosuch'"),
]


@pytest.mark.parametrize(("args", "says"), BENCH_CASES, ids=[" ".join(c[0]) for c in BENCH_CASES])
def test_bench_refuses_impossible_counts(capsys, tmp_path, no_work, args, says):
    assert says in _refused(capsys, tmp_path, ["bench", *args, "--output", "b.json"])


def test_bench_defaults_only_for_omitted_counts(capsys, monkeypatch):
    calls = []

    class Measured:
        def summary(self):
            return "measured"

        def as_dict(self):
            return {}

    with pytest.raises(UsageError, match="--steps"):
        bench.benchmark("short3", steps=0)  # once silently 8
    with pytest.raises(UsageError, match="--rounds"):
        bench.variant_speeds(["short3"], rounds=0)
    monkeypatch.setattr(bench, "benchmark", lambda *args: calls.append(args) or Measured())
    assert main(["bench", "--warmup", "0"]) == EXIT_OK
    assert main(["bench", "--steps", "3"]) == EXIT_OK
    assert [(c[2], c[3]) for c in calls] == [(None, 0), (3, None)]  # None: the device's default


def test_resume_without_a_checkpoint_is_a_checkpoint_error(capsys, tmp_path, no_work):
    err = _refused(capsys, tmp_path, ["train", *TINY, "--model", "short3", "--resume", "--run-dir", "missing"],
                   EXIT_CHECKPOINT)
    assert "no checkpoint in missing" in err and "drop --resume" in err
    (tmp_path / "empty").mkdir()
    err = _refused(capsys, tmp_path, ["train", *TINY, "--model", "short3", "--resume", "--run-dir", "empty"],
                   EXIT_CHECKPOINT)
    assert f"no {CHECKPOINT_NAME}" in err and "drop --resume" in err
    err = _refused(capsys, tmp_path, ["train", *TINY, "--model", "short3", "--resume"], EXIT_CHECKPOINT)
    assert "--resume needs --run-dir" in err


def _interrupted(*args, **kwargs):
    raise KeyboardInterrupt


@pytest.mark.parametrize(("command", "module", "name"), [
    (["ablation", *TINY, "--models", "short3"], ablation, "run_ablation"),
    (["compare", *TINY, "--model", "short3", "--output", "cmp"], comparison, "compare_recipes"),
    (["campaign", "--data-dir", "cifar"], campaign, "run_campaign"),
    (["campaign", "--dry-run", "--results-dir", "r", "--runs-dir", "c"], campaign, "run_campaign"),
])
def test_an_interrupted_resumable_command_says_to_run_it_again(capsys, monkeypatch, command, module, name):
    monkeypatch.setattr(module, name, _interrupted)
    assert main(command) == EXIT_INTERRUPTED
    err = capsys.readouterr().err
    assert "run the same command again: finished runs are kept and interrupted ones continue from their last epoch" in err
    assert "--resume" not in err


def test_an_interrupted_dry_run_in_a_temporary_folder_says_it_starts_over(capsys, monkeypatch):
    monkeypatch.setattr(campaign, "run_campaign", _interrupted)
    assert main(["campaign", "--dry-run", "--results-dir", "r"]) == EXIT_INTERRUPTED
    assert "running it again starts over" in capsys.readouterr().err


def test_an_interrupted_training_says_what_continues_it(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(train, "train", _interrupted)
    assert main(["train", *TINY, "--model", "short3"]) == EXIT_INTERRUPTED
    assert "without --run-dir no epoch was checkpointed" in capsys.readouterr().err
    assert main(["train", *TINY, "--model", "short3", "--run-dir", "run"]) == EXIT_INTERRUPTED
    assert "holds no checkpoint: run the command again without --resume" in capsys.readouterr().err
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / CHECKPOINT_NAME).write_text("an epoch")
    assert main(["train", *TINY, "--model", "short3", "--run-dir", "run", "--resume"]) == EXIT_INTERRUPTED
    assert "checkpointed in run: rerun with --resume to continue" in capsys.readouterr().err
    assert "ablation, compare and campaign continue when the same" in EXIT_CODES


def test_sigterm_in_any_command_is_an_interrupt_and_the_handler_is_restored(capsys, monkeypatch):
    from gnet_lib import cli

    seen = []

    def waits(args):
        os.kill(os.getpid(), signal.SIGTERM)
        end = time.monotonic() + 2
        while time.monotonic() < end:
            time.sleep(0.01)
        return EXIT_OK

    def before(signum, frame):
        seen.append(signum)

    monkeypatch.setattr(cli, "cmd_models", waits)
    previous = signal.signal(signal.SIGTERM, before)
    try:
        assert main(["models"]) == EXIT_INTERRUPTED
        assert signal.getsignal(signal.SIGTERM) is before
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert seen == [] and "gnet: interrupted" in capsys.readouterr().err


def test_a_command_run_outside_the_main_thread_leaves_sigterm_alone(capsys):
    """Python lets only the main thread set signal handlers: a command started from a worker
    thread (a notebook's background job) runs without the SIGTERM translation instead of failing."""
    import threading

    codes = []
    before = signal.getsignal(signal.SIGTERM)
    worker = threading.Thread(target=lambda: codes.append(main(["models"])))
    worker.start()
    worker.join(timeout=60)
    assert codes == [EXIT_OK] and signal.getsignal(signal.SIGTERM) is before
    assert "googlenet" in capsys.readouterr().out


def _catches_sigterm(pid: int) -> bool:
    """Whether process ``pid`` has a handler for SIGTERM (Linux: the SigCgt mask of /proc/PID/status)."""
    caught = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("SigCgt:"))
    return bool(int(caught.split()[1], 16) >> (signal.SIGTERM - 1) & 1)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the signal mask from /proc (Linux)")
def test_sigterm_to_a_running_command_exits_130(tmp_path):
    """A real ``python -m gnet_lib`` process, measuring (not training) when SIGTERM comes: it is
    sent once the command line has installed its handler, which nothing else in the process does."""
    proc = subprocess.Popen([sys.executable, "-m", "gnet_lib", "bench", "--model", "short3", "--device", "cpu",
                             "--batch-size", "4", "--rounds", "1000", "--output", str(tmp_path / "b.json")],
                            cwd=ROOT, env=ONE_THREAD, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not _catches_sigterm(proc.pid):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the command never installed a SIGTERM handler"
            time.sleep(0.02)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == EXIT_INTERRUPTED, err
    assert err.strip() == "gnet: interrupted"
    assert _tree(tmp_path) == []


def test_an_interrupt_that_left_a_string_exec_still_exits_130(tmp_path):
    """Python remembers a KeyboardInterrupt that escaped an ``exec`` of a string (dataclasses build
    their methods so while modules import) and, run with ``-m``, kills itself with SIGINT at exit
    even after the program caught it: the command line must still end with its own 130."""
    probe = tmp_path / "probe"
    probe.mkdir()
    (probe / "__main__.py").write_text(
        "import sys\n"
        "from gnet_lib import cli\n"
        "cli.cmd_models = lambda args: exec('raise KeyboardInterrupt')\n"
        "sys.exit(cli.main(['models']))\n")
    done = subprocess.run([sys.executable, "-m", "probe"], cwd=tmp_path, env={**ONE_THREAD, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr.strip()) == (EXIT_INTERRUPTED, "gnet: interrupted")


@pytest.mark.parametrize("args", [
    ["train", *TINY, "--model", "inception-v1"],
    ["table", "inception-v1", "--input-size", "32"],
])
def test_the_too_small_input_message_names_the_no_aux_flag(capsys, tmp_path, no_work, args):
    err = _refused(capsys, tmp_path, args)
    assert "too small for inception-v1" in err and "(--no-aux)" in err and "aux_logits" not in err


def test_bench_does_not_offer_a_flag_it_lacks(capsys, tmp_path, no_work):
    err = _refused(capsys, tmp_path, ["bench", "--model", "inception-v1"])
    assert "aux_logits" not in err and "gnet bench always builds them" in err


def test_a_model_too_big_for_the_images_is_refused_before_any_run_folder(capsys, tmp_path, no_work):
    err = _refused(capsys, tmp_path, ["compare", *TINY, "--model", "inception-v1", "--output", "cmp"])
    assert "too small for inception-v1" in err and "gnet compare always builds them" in err


def test_the_recipe_comparison_refuses_it_before_any_run_folder_too(tmp_path):
    """An image folder's size is known only once it is read: the recipe comparison checks the
    model against the loaded images before it makes any run folder."""
    config = train.TrainConfig(model="inception-v1", dataset="synthetic", synthetic_sizes=(40, 20), epochs=1,
                               device="cpu", progress=False)
    with pytest.raises(UsageError, match="too small"):
        comparison.compare_recipes(config, ["seed"], tmp_path / "cmp", runs_dir=tmp_path / "runs", log=lambda line: None)
    assert _tree(tmp_path) == []


def test_the_ablation_hint_repeats_the_users_protocol(capsys, tmp_path):
    args = ["ablation", "--dataset", "synthetic", "--synthetic-sizes", "40", "20", "--recipe", "fast", "--epochs", "2",
            "--train-subset", "20", "--test-subset", "10", "--seed", "3", "--lr", "0.5", "--device", "cpu",
            "--results-dir", str(tmp_path / "my results"), "--models", "short3", "--table-only"]
    assert main(args) == EXIT_OK
    line = next(x for x in capsys.readouterr().out.splitlines() if "to run them: " in x)
    hint = shlex.split(line.split("to run them: ", 1)[1])
    assert hint[:4] == ["python", "-m", "gnet_lib", "ablation"]
    again, given = vars(build_parser().parse_args(hint[3:])), vars(build_parser().parse_args(args))
    for key in ("table_only", "models", "func"):
        again.pop(key), given.pop(key)
    assert again == given


def test_an_unknown_stored_protocol_is_refused_with_the_stored_ones(capsys, tmp_path):
    stored = tmp_path / "results" / "synthetic" / "seed" / "40x20-e1-s1"
    stored.mkdir(parents=True)
    (stored / "short3.json").write_text("{}")
    err = _refused(capsys, tmp_path, ["ablation", *TINY, "--table-only", "--protocol", "nosuch"])
    assert "--protocol nosuch" in err and "stored protocols: 40x20-e1-s1" in err


def test_help_loads_no_engine_module():
    """``gnet --help`` pays for the package (which imports torch) and nothing more."""
    code = ("import sys; from gnet_lib.cli import build_parser; build_parser().format_help(); "
            "print([m for m in ('torchvision', 'matplotlib', 'gnet_lib.training.data.data', 'gnet_lib.training.engine.train') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=ONE_THREAD)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_gitignore_lists_build_outputs_and_the_notebooks_data():
    lines = (ROOT / ".gitignore").read_text().splitlines()
    assert "build/" in lines and "notebooks/data/" in lines


def test_the_readme_exit_code_table_lists_the_codes_the_command_line_uses():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    table = readme[readme.index("| code | meaning |"):].split("\n\n")[0]
    rows = {int(line.split("|")[1]): line.split("|")[2] for line in table.splitlines()[2:]}
    from gnet_lib import cli

    codes = {v for k, v in vars(cli).items() if k.startswith("EXIT_") and isinstance(v, int)}
    assert set(rows) == codes
    assert f"{EXIT_INTERRUPTED}  interrupted" in EXIT_CODES and "--resume" in rows[EXIT_INTERRUPTED]
    assert "command runs again" in rows[EXIT_INTERRUPTED] and "missing for `--resume`" in rows[EXIT_CHECKPOINT]
