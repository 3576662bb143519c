"""The campaign's steps: priorities, what each trains, and the mid-scale runs on the GPU as the
very runs of the CPU protocol (same identity as its stored results)."""

import json
from pathlib import Path

from gnet_lib.training.data.data import make_synthetic
from gnet_lib.training.engine.train import run_identity
from gnet_lib.training.experiments.midscale import RUNS
from gnet_lib.training.gpu.campaign import CampaignSettings, resolve_folders
from gnet_lib.training.gpu.campaign_plan import midscale_config, plan_steps
from gnet_lib.training.gpu.probe_reading import Choices
from gnet_lib.training.results.results import with_defaults

BOOK_RESULTS = Path(__file__).resolve().parents[3] / "results"
MIDSCALE = BOOK_RESULTS / "cifar10-jpeg" / "seed" / "10000x10000-c2000-e14-s1-d1"


def test_the_steps_come_in_the_campaigns_priority_order(tmp_path):
    s = resolve_folders(CampaignSettings(dry_run=True, results_dir=tmp_path / "r", runs_dir=tmp_path / "u"), print)
    data = make_synthetic(32, 10, seed=1)
    steps = plan_steps(s.base(Choices()), data, s.folders, Choices(), s.midscale_sizes)
    assert [(st.priority, st.label) for st in steps[:5]] == [
        (1, "the six variants, seed 1, as one group"), (2, "naive, seed 1"), (3, "the six variants, seed 2, as one group"),
        (4, "the six variants, seed 3, as one group"), (5, "googlenet, recipe fast (the recipe comparison)")]
    assert [(r.config.model, r.config.seed) for r in steps[0].runs] == [
        (m, 1) for m in ("googlenet", "long", "short", "short2", "short3", "short4")]
    assert all(st.priority == i + 1 for i, st in enumerate(steps))
    midscale = [st.runs[0].config for st in steps[5:]]
    gpu_runs = [r for r in RUNS if r.data_variant is None and r.precision == "bf16"]  # fp32 and re-encoded: elsewhere
    assert [(c.model, c.seed, c.source_bn_eps) for c in midscale] == [
        (r.model, r.seed, False if r.fixed_bn_eps else None) for r in gpu_runs]
    assert all(c.train_subset == 20 and c.final_test and c.subset_seed == 1 for c in midscale)
    apart = plan_steps(s.base(Choices()), data, s.folders, Choices(together=False), s.midscale_sizes)
    assert apart[0].label == "the six variants, seed 1, one after another" and not apart[0].together


def test_a_mid_scale_run_on_the_gpu_has_the_identity_of_the_cpu_protocols_stored_result():
    """Only the data (here synthetic, there the JPEG mirror) differs: the settings are the same,
    whatever the campaign chose for its own protocol (frozen biases, bf16 evaluation)."""
    data = make_synthetic(12_000, 10_000, seed=1)
    gpu_base = CampaignSettings(data_dir="data").base(Choices())
    assert not gpu_base.conv_bias_grad and gpu_base.eval_precision == "auto"
    base = gpu_base.__class__(**{**gpu_base.__dict__, "dataset": "synthetic", "device": "cpu"})
    run = next(r for r in RUNS if (r.model, r.seed) == ("short3", 1))
    ours = with_defaults(run_identity(midscale_config(base, run, (10_000, 2_000)), data))
    stored = with_defaults(json.loads((MIDSCALE / "short3.json").read_text())["identity"])
    data_fields = {"dataset", "data_fingerprint", "num_classes"}
    assert {k: v for k, v in ours.items() if k not in data_fields} == {k: v for k, v in stored.items() if k not in data_fields}
