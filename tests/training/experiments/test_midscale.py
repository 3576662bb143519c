"""The mid-scale protocol's runs: valid command lines, one protocol, the order the issue asks."""

import json
from pathlib import Path

from gnet_lib.cli import build_parser
from gnet_lib.training.experiments.midscale import CURVE_IMAGES, RUNS, SUBSET_SEED, TRAIN_IMAGES, queued_seeds

ROOT = Path(__file__).resolve().parents[3]


def test_every_run_is_a_valid_ablation_command_of_one_protocol(tmp_path):
    from gnet_lib.training.settings.config import TrainConfig, flag_fields

    for run in RUNS:
        args = build_parser().parse_args(["ablation", *run.cli_args(str(tmp_path))])
        config = TrainConfig(model=args.models[0], **{f.name: getattr(args, f.name) for f in flag_fields()})
        config.validate()
        assert (config.train_subset, config.test_subset, config.subset_seed) == (TRAIN_IMAGES, CURVE_IMAGES, SUBSET_SEED)
        assert config.final_test and args.epochs is None  # the recipe's whole 14-epoch schedule


def test_labels_are_unique_and_the_first_runs_answer_first():
    labels = [r.label for r in RUNS]
    assert len(set(labels)) == len(labels)
    assert labels[:5] == ["googlenet-s1", "short4-s1", "short3-s1", "short3-s2", "short3-s3"]
    for model, seeds in (("googlenet", {1, 2, 3}), ("short3", {1, 2, 3, 4, 5}), ("short4", {1, 2, 3}), ("naive", {1, 2, 3})):
        assert {r.seed for r in RUNS if r.model == model and r.label.count("-") == 1} == seeds


def test_every_gap_experiment_has_its_plain_run_and_short3s_come_before_googlenets():
    """Each changed run is compared with the plain run of its model and seed, which must be queued
    too; the low-noise short3 experiments are made before googlenet's."""
    labels = [r.label for r in RUNS]
    changed = [r for r in RUNS if r.changes]
    for run in changed:
        assert f"{run.model}-s{run.seed}" in labels
    suffixes = ("fixed-eps", "q50", "q30", "fp32")
    assert [r.label for r in changed] == [f"{m}-s1-{x}" for m in ("short3", "googlenet") for x in suffixes]
    assert labels.index("short3-s1-fp32") < labels.index("naive-s1") < labels.index("googlenet-s1-fixed-eps")
    assert labels.index("naive-s3") < labels.index("googlenet-s1-fixed-eps")  # the first conclusion before one-seed googlenet
    assert labels[-4:] == [f"googlenet-s1-{x}" for x in suffixes]


def test_bf16_runs_are_not_started_on_a_cpu_that_would_emulate_bf16():
    from gnet_lib.training.experiments.midscale import cannot_run_here

    bf16 = next(r for r in RUNS if r.precision == "bf16")
    fp32 = next(r for r in RUNS if r.precision == "fp32")
    assert cannot_run_here(bf16, native_bf16=True) is None
    assert "no native bf16" in cannot_run_here(bf16, native_bf16=False)
    assert cannot_run_here(fp32, native_bf16=False) is None


def test_each_run_knows_its_result_file_by_the_rule_that_files_results(tmp_path):
    """The folders come from results.protocol_name, the rule training uses: checked here against
    the folder names a stored run has and the suffixes that rule documents."""
    from gnet_lib.training.experiments.midscale import plain_protocol

    by_label = {r.label: r for r in RUNS}
    stored = ROOT / "results" / "cifar10-jpeg" / "seed" / "10000x10000-c2000-e14-s1-d1" / "googlenet.json"
    assert by_label["googlenet-s1"].result_file(ROOT / "results") == stored and stored.is_file()
    assert by_label["short3-s2"].protocol == plain_protocol(2) == "10000x10000-c2000-e14-s2-d1"
    assert by_label["googlenet-s1-fp32"].protocol == "10000x10000-c2000-e14-s1-d1-fp32"
    assert by_label["googlenet-s1-fixed-eps"].protocol == "10000x10000-c2000-e14-s1-d1-eps1e-5"
    assert by_label["naive-s1"].protocol == plain_protocol(1)  # naive has no quirk to correct
    q50 = by_label["googlenet-s1-q50"]
    assert (q50.dataset_key, q50.protocol) == ("cifar10-jpeg-q50", plain_protocol(1))
    assert q50.changes == "data re-encoded at JPEG quality 50" and by_label["short4-s1"].changes == ""


def test_stored_and_pending_runs_are_read_from_the_results_folder(tmp_path):
    from gnet_lib.training.experiments.midscale import pending_runs, runs_table, stored_runs

    assert stored_runs(tmp_path) == [] and pending_runs(tmp_path) == list(RUNS)
    result = json.loads((ROOT / "results" / "cifar10-jpeg" / "seed" / "5000x1000-e4-s1" / "short3.json").read_text())
    result["wall_time_s"] = 7200.0
    for run in (RUNS[0], RUNS[-1]):
        path = run.result_file(tmp_path)
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps(result))
    assert stored_runs(tmp_path) == [RUNS[0], RUNS[-1]] and len(pending_runs(tmp_path)) == len(RUNS) - 2
    table = runs_table(tmp_path)
    assert table.title == f"The mid-scale runs: 2 of {len(RUNS)} stored"
    assert table.column("status")[0] == table.column("status")[-1] == "stored" and table.column("status")[1] == "pending"
    assert table.column("hours")[0] == 2.0 and table.column("hours")[1] is None


def test_the_queued_seeds_of_each_variant_are_read_from_the_queue():
    seeds = queued_seeds()
    plain = [(r.model, r.seed) for r in RUNS if not r.changes]
    assert sorted((m, s) for m, found in seeds.items() for s in found) == sorted(plain)
    assert seeds["googlenet"] == [1, 2, 3]  # googlenet-s1-fp32 and the other changed runs are not seeds of the plain protocol
