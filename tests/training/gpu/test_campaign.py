"""The GPU campaign, run as a dry run on the CPU: the window plan, a budget that drops the
lowest-priority steps, each finished file delivered at once, and what is stored counting nothing
in the next plan."""

import json
import tarfile

import pytest
import torch

from gnet_lib.cli import main

pytestmark = pytest.mark.slow
SIX = ["googlenet", "long", "short", "short2", "short3", "short4"]


def _members(path):
    with tarfile.open(path) as tar:
        return sorted(tar.getnames())


def test_a_dry_run_keeps_what_fits_delivers_each_file_and_then_plans_the_rest(tmp_path, capsys, probe_report):
    probe = tmp_path / "probe.json"
    probe.write_text(json.dumps(probe_report()))  # six together 3.8 min, naive 8.8, seeds 2 and 3 3.8 each
    results, out = tmp_path / "results", tmp_path / "out"
    args = ["campaign", "--dry-run", "--results-dir", str(results), "--runs-dir", str(tmp_path / "runs"),
            "--probe", str(probe), "--deliver", str(out)]
    assert main([*args, "--budget-minutes", "1e-9"]) == 0  # a spent budget stops cleanly, before any work
    assert "time budget reached" in capsys.readouterr().out
    assert not results.exists()

    assert main([*args, "--budget-minutes", "14"]) == 0
    log = capsys.readouterr().out
    assert "window plan (estimates from the probe of 2026-12-07T10:00 on NVIDIA H100 80GB HBM3):" in log
    assert "   1. the six variants, seed 1, as one group: 3.8 min" in log and "   2. naive, seed 1: 8.8 min" in log
    assert "  total: 13.1 min (budget 14 min)" in log
    assert "dropped (does not fit): 3. the six variants, seed 2" in log and "dropped (does not fit): 5. googlenet, recipe fast" in log
    trained = sorted(p.relative_to(results).as_posix() for p in results.rglob("*.json"))
    protocol = "synthetic/seed/32x10-e1-s1-b16-fp32-nobiasgrad"
    assert trained == sorted([f"{protocol}/{m}.json" for m in [*SIX, "naive"]] + ["recipes/dryrun-googlenet-synthetic/seed.json"])
    assert (results / "recipes" / "dryrun-googlenet-synthetic" / "seed.json").read_bytes() == \
           (results / protocol / "googlenet.json").read_bytes()  # googlenet's seed-1 run, not trained twice
    weights = torch.load(results / "weights" / "dryrun-googlenet-synthetic-seed.pt", weights_only=True)
    assert weights["model"] == "googlenet" and all(
        v.dtype == torch.float16 for v in weights["state_dict"].values() if v.is_floating_point())
    expected = sorted(f"results/{name}" for name in trained)
    assert _members(out / "results.tar") == _members(tmp_path / "runs" / "results.tar") == expected
    assert (out / "dryrun-googlenet-synthetic-seed.pt").read_bytes() == \
           (results / "weights" / "dryrun-googlenet-synthetic-seed.pt").read_bytes()
    grouped = json.loads((results / protocol / "short3.json").read_text())
    assert grouped["environment"]["concurrent_runs"] == 6 and grouped["environment"]["flat_optimizer"] is False

    assert main([*args, "--budget-minutes", "14", "--plan-only"]) == 0  # the next window's plan
    again = capsys.readouterr().out
    assert "   1. the six variants, seed 1, as one group: stored" in again and "   2. naive, seed 1: stored" in again
    assert "   3. the six variants, seed 2, as one group: 3.8 min" in again  # what is stored frees its minutes
    assert "training on" not in again and "the plan only, nothing trained" in again


def test_a_step_whose_fast_path_fails_runs_again_with_the_first_slices_engine(tmp_path, capsys, probe_report, monkeypatch):
    from gnet_lib.training.engine.group import RunGroup

    def broken(self, epoch, active=None):
        raise RuntimeError("streams are not supported here")

    monkeypatch.setattr(RunGroup, "train_epoch", broken)
    probe = tmp_path / "probe.json"
    probe.write_text(json.dumps(probe_report()))
    results = tmp_path / "results"
    args = ["campaign", "--dry-run", "--results-dir", str(results), "--runs-dir", str(tmp_path / "runs"),
            "--probe", str(probe), "--budget-minutes", "5"]  # the first step only
    assert main(args) == 0
    log = capsys.readouterr().out
    assert "failed (RuntimeError: streams are not supported here); this and every later step run again" in log
    protocol = results / "synthetic" / "seed" / "32x10-e1-s1-b16-fp32-nobiasgrad"
    assert sorted(p.stem for p in protocol.glob("*.json")) == sorted(SIX)
    environment = json.loads((protocol / "short3.json").read_text())["environment"]
    assert environment["concurrent_runs"] == 1 and environment["epoch_data"] is False
