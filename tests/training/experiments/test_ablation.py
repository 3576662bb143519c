"""The ablation runner: one result per variant, skipping finished ones, in one process or several."""

import json
import os
from dataclasses import replace

import pytest

from gnet_lib.core.errors import UsageError
from gnet_lib.training.experiments.ablation import child_device, load_config, run_ablation, run_command
from gnet_lib.training.results.results import (
    ablation_table,
    available,
    format_time,
    load_result,
    load_results,
)
from gnet_lib.training.settings.config import TrainConfig

BASE = TrainConfig(dataset="synthetic", synthetic_sizes=(64, 20), recipe="seed", epochs=1, batch_size=32,
                   device="cpu", precision="fp32", progress=False)
PROTOCOL = "64x20-e1-s1-b32-fp32"  # all 64 training and 20 test images, 1 epoch, seed 1, batch 32, fp32


def stored(root, model, protocol=PROTOCOL):
    return root / "synthetic" / "seed" / protocol / f"{model}.json"


def test_runs_each_variant_once_and_skips_finished_ones(tmp_path):
    logs = []
    plan = run_ablation(BASE, models=["short4", "short3"], results_dir=tmp_path / "results", runs_dir=tmp_path / "runs",
                        log=logs.append)
    assert plan.todo == ["short4", "short3"] and plan.done == []
    assert plan.protocol == PROTOCOL
    assert any(line.startswith("short4: training on cpu -> ") for line in logs), logs
    results = load_results(tmp_path / "results", "synthetic", "seed", PROTOCOL)
    assert set(results) == {"short4", "short3"}
    for r in results.values():
        assert r["data"]["source"].startswith("generated in process")
        assert r["environment"]["git_commit"] and r["recipe"]["name"] == "seed" and r["config"]["seed"] == 1
    stamp = os.path.getmtime(stored(tmp_path / "results", "short4"))
    logs.clear()
    again = run_ablation(BASE, models=["short4", "short3"], results_dir=tmp_path / "results", runs_dir=tmp_path / "runs",
                         log=logs.append)
    assert again.todo == [] and sorted(again.done) == ["short3", "short4"]
    assert logs == [f"{m}: result exists ({stored(tmp_path / 'results', m)}), skipped" for m in ("short4", "short3")]
    assert os.path.getmtime(stored(tmp_path / "results", "short4")) == stamp
    assert available(tmp_path / "results") == [("synthetic", "seed", PROTOCOL)]
    for other in ("recipes/some-comparison", "tuning/a/b", "bench/cpu/x"):
        (tmp_path / "results" / other).mkdir(parents=True)
        (tmp_path / "results" / other / "seed.json").write_text("{}")
    assert available(tmp_path / "results") == [("synthetic", "seed", PROTOCOL)]


@pytest.mark.slow
def test_a_run_with_other_sizes_or_epochs_trains_into_its_own_place(tmp_path):
    """The issue's two-command sequence: the second run must not report the first one's numbers."""
    dirs = dict(results_dir=tmp_path / "r", runs_dir=tmp_path / "runs", log=lambda _: None)
    first = run_ablation(replace(BASE, train_subset=40, test_subset=10), models=["short4"], **dirs)
    second = run_ablation(replace(BASE, epochs=2, train_subset=60, test_subset=10), models=["short4"], **dirs)
    assert (first.protocol, second.protocol) == ("40x10-e1-s1-b32-fp32", "60x10-e2-s1-b32-fp32")
    assert second.todo == ["short4"] and second.done == []
    one = load_results(tmp_path / "r", "synthetic", "seed", "40x10-e1-s1-b32-fp32")["short4"]
    two = load_results(tmp_path / "r", "synthetic", "seed", "60x10-e2-s1-b32-fp32")["short4"]
    assert (one["final"]["epoch"], one["data"]["train_size"]) == (1, 40)
    assert (two["final"]["epoch"], two["data"]["train_size"]) == (2, 60)
    assert "60 training / 10 test images; 2 epochs of recipe seed" in ablation_table({"short4": two}, "synthetic", "seed").notes[0]


def test_a_validation_run_is_stored_apart_from_test_runs_and_says_so(tmp_path):
    dirs = dict(results_dir=tmp_path / "r", runs_dir=tmp_path / "runs", log=lambda _: None)
    plan = run_ablation(replace(BASE, validation=16), models=["short4"], **dirs)
    assert plan.protocol == "48x16-e1-s1-b32-fp32-val"
    result = load_results(tmp_path / "r", "synthetic", "seed", plan.protocol)["short4"]
    assert result["identity"]["validation"] == 16 and result["data"]["test_size"] == 16
    note = ablation_table({"short4": result}, "synthetic", "seed").notes[0]
    assert "48 training / 16 validation images held out from the training images" in note


def test_a_stored_result_of_other_settings_is_refused_with_the_differences(tmp_path):
    dirs = dict(results_dir=tmp_path / "r", runs_dir=tmp_path / "runs", log=lambda _: None)
    run_ablation(BASE, models=["short4"], **dirs)
    path = stored(tmp_path / "r", "short4")
    original = json.loads(path.read_text())
    # Precision and eps name their own folders; a file edited by hand (or an older protocol
    # name) can still put another setting's result where this run would go.
    for edit, message in ((lambda i: i.update(precision="bf16"), r"(?s)other settings.*precision: stored 'bf16', this run 'fp32'.*delete"),
                          (lambda i: i["model_options"].update(source_bn_eps=False),
                           r"model_options.source_bn_eps: stored False, this run True")):
        changed = json.loads(json.dumps(original))
        edit(changed["identity"])
        path.write_text(json.dumps(changed))
        with pytest.raises(UsageError, match=message):
            run_ablation(BASE, models=["short4"], **dirs)


@pytest.mark.slow
def test_runs_spread_over_several_devices_as_processes(tmp_path):
    plan = run_ablation(BASE, models=["short4", "short3"], results_dir=tmp_path / "results", runs_dir=tmp_path / "runs",
                        devices=["cpu", "cpu"], log=lambda _: None)
    assert plan.todo == ["short4", "short3"]
    results = load_results(tmp_path / "results", "synthetic", "seed", PROTOCOL)
    assert {r["model"]["name"] for r in results.values()} == {"short4", "short3"}
    assert (tmp_path / "runs" / "synthetic" / "seed" / PROTOCOL / "short4" / "log.txt").read_text()


@pytest.mark.slow
def test_a_failing_process_is_reported(tmp_path):
    bad = TrainConfig(**{**BASE.__dict__, "lr": 1e30, "recipe": "fast"})
    with pytest.raises(RuntimeError, match="these runs failed: short4"):
        run_ablation(bad, models=["short4"], results_dir=tmp_path / "r", runs_dir=tmp_path / "runs",
                     devices=["cpu", "cpu"], log=lambda _: None)


def test_a_run_process_gets_every_setting(tmp_path):
    config = TrainConfig(model="short2", dataset="cifar100", recipe="fast", epochs=3, batch_size=7, lr=0.1, seed=5,
                         device="cuda", data_dir="/d", download=False, train_subset=100, test_subset=50, validation=30, subset_seed=3, final_test=True,
                         synthetic_sizes=(30, 20), aux_logits=False, compile="eager", channels_last=False,
                         precision="fp16", progress=False, run_dir=str(tmp_path / "r"), resume=True, source_bn_eps=False,
                         cuda_graph=False, deterministic=True, conv_bias_grad=False, eval_precision="bf16",
                         eval_batch_size=500, epoch_data=False, flat_optimizer=False, cap_autotune=False)
    assert all(getattr(config, f) != getattr(TrainConfig(), f) for f in TrainConfig.__dataclass_fields__)
    cmd = run_command(config, tmp_path / "x.json")
    assert cmd[-3:] == ["gnet_lib.training.experiments.ablation", str(tmp_path / "r" / "config.json"), str(tmp_path / "x.json")]
    assert load_config(tmp_path / "r" / "config.json") == config


def test_a_run_process_sees_only_its_gpu():
    assert child_device("cuda:1", {}) == ("cuda", {"CUDA_VISIBLE_DEVICES": "1"})
    assert child_device("cuda:1", {"CUDA_VISIBLE_DEVICES": "4, 6", "X": "y"}) == ("cuda", {"CUDA_VISIBLE_DEVICES": "6", "X": "y"})
    assert child_device("cpu", {"CUDA_VISIBLE_DEVICES": "3"}) == ("cpu", {"CUDA_VISIBLE_DEVICES": "3"})
    with pytest.raises(ValueError, match="cuda:2 does not exist: CUDA_VISIBLE_DEVICES lists 2"):
        child_device("cuda:2", {"CUDA_VISIBLE_DEVICES": "0,1"})


def test_unknown_variant_is_refused(tmp_path):
    with pytest.raises(ValueError, match="inception-v1.*CIFAR family"):
        run_ablation(BASE, models=["inception-v1"], results_dir=tmp_path, runs_dir=tmp_path)


def test_table_sets_ours_beside_the_published_numbers(tmp_path):
    run_ablation(BASE, models=["short4"], results_dir=tmp_path, runs_dir=tmp_path / "runs", log=lambda _: None)
    results = load_results(tmp_path, "synthetic", "seed", PROTOCOL)
    table = ablation_table(results, "cifar10-jpeg", "seed", command="python -m gnet_lib ablation ...")
    row = table.where(model="short4")[0]
    assert row["params"] == results["short4"]["model"]["params"] and row["published params"] == 1_557_834
    assert (row["published top-1"], row["published top-5"]) == ("0.15", "0.01")  # as printed, two decimals
    assert table.where(model="googlenet")[0]["published top-5"] == "0.00"
    assert table.where(model="naive")[0]["top-1 err"] is None
    assert any("missing: naive" in n and "python -m gnet_lib ablation" in n for n in table.notes)
    assert "By row" not in table.notes[0]
    other = json.loads(json.dumps(results["short4"]))
    other["environment"]["device_name"] = "Another CPU (1 thread)"
    mixed = ablation_table({"short4": results["short4"], "short3": other}, "cifar10-jpeg", "seed")
    own = results["short4"]["environment"]["device_name"]
    assert mixed.notes[0].endswith(f". By row: short3: Another CPU (1 thread); short4: {own}")
    assert "Another CPU" not in mixed.notes[0].split(". By row: ")[0]
    empty = ablation_table({}, "cifar100", "fast")
    assert "no run of ours exists yet" in empty.notes[0]
    assert format_time(3158) == "52m38s"


def test_broken_result_files_are_errors_not_skips(tmp_path):
    path = stored(tmp_path, "short4")
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        run_ablation(BASE, models=["short4"], results_dir=tmp_path, runs_dir=tmp_path / "runs")
    path.write_text(json.dumps({"model": {}}))
    with pytest.raises(ValueError, match="lacks config"):
        load_result(path)


def test_the_run_process_entry_point_explains_its_arguments(capsys):
    from gnet_lib.training.experiments.ablation import main

    assert main([]) == 2
    assert "usage: python -m gnet_lib.training.experiments.ablation CONFIG.json RESULT.json" in capsys.readouterr().err
