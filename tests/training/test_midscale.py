"""The mid-scale protocol's runs: valid command lines, one protocol, the order the issue asks."""

from gnet_lib.cli import build_parser
from gnet_lib.training.midscale import CURVE_IMAGES, RUNS, SUBSET_SEED, TRAIN_IMAGES


def test_every_run_is_a_valid_ablation_command_of_one_protocol(tmp_path):
    from gnet_lib.training.config import TrainConfig, flag_fields

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
    for model in ("googlenet", "short3", "short4"):
        assert {r.seed for r in RUNS if r.model == model and r.label.count("-") == 1} == {1, 2, 3}


def test_bf16_runs_are_not_started_on_a_cpu_that_would_emulate_bf16():
    from gnet_lib.training.midscale import cannot_run_here

    bf16 = next(r for r in RUNS if r.precision == "bf16")
    fp32 = next(r for r in RUNS if r.precision == "fp32")
    assert cannot_run_here(bf16, native_bf16=True) is None
    assert "no native bf16" in cannot_run_here(bf16, native_bf16=False)
    assert cannot_run_here(fp32, native_bf16=False) is None
