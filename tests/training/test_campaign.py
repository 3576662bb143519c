"""The GPU campaign, run as a dry run on the CPU: every step, skipping, and the time budget."""

import pytest
import torch

from gnet_lib.cli import main

pytestmark = pytest.mark.slow


def test_dry_run_makes_every_result_then_skips_them(tmp_path, capsys):
    args = ["campaign", "--dry-run", "--results-dir", str(tmp_path / "results"), "--runs-dir", str(tmp_path / "runs")]
    assert main([*args, "--budget-minutes", "1e-9"]) == 0  # a spent budget stops cleanly, before any work
    assert "time budget reached" in capsys.readouterr().out
    assert not (tmp_path / "results").exists()

    assert main(args) == 0
    out = capsys.readouterr().out
    results = tmp_path / "results"
    assert sorted(p.name for p in (results / "bench").iterdir()) == ["dryrun-googlenet-b4.json", "dryrun-googlenet-b8.json"]
    assert len(list((results / "synthetic" / "seed").glob("*/*.json"))) == 7
    assert sorted(p.name for p in (results / "recipes" / "dryrun-googlenet-synthetic").iterdir()) == ["fast.json", "seed.json"]
    weights = torch.load(results / "weights" / "dryrun-googlenet-synthetic-seed.pt", weights_only=True)
    assert weights["model"] == "googlenet" and all(
        v.dtype == torch.float16 for v in weights["state_dict"].values() if v.is_floating_point())
    assert "estimated training time per variant" in out and "every step is done" in out

    assert main(args) == 0
    again = capsys.readouterr().out
    assert "training on" not in again and again.count("skipped") >= 11
