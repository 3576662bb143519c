"""TrainConfig: the one source of a run's defaults, validation and command-line flags."""

import argparse
from dataclasses import fields

import pytest

from gnet_lib.cli import _add_training_options, _config, build_parser
from gnet_lib.core.errors import UsageError
from gnet_lib.training.settings.config import SEED_LIMIT, TrainConfig, check_subset, flag_fields


def test_a_bug_inside_the_spec_or_recipe_is_not_reported_as_a_usage_error(monkeypatch):
    """Only the user's mistakes become usage errors (no traceback); a library bug keeps its type."""
    import gnet_lib.training.settings.config as config_module

    def broken(*args, **kwargs):
        raise ValueError("an internal bug")

    with pytest.raises(UsageError, match="unknown model name 'nosuch'"):
        TrainConfig(model="nosuch").spec()
    monkeypatch.setattr(config_module, "get_spec", broken)
    monkeypatch.setattr(config_module, "get_recipe", broken)
    for call in (TrainConfig().spec, TrainConfig().resolved_recipe):
        with pytest.raises(ValueError, match="an internal bug") as caught:
            call()
        assert not isinstance(caught.value, UsageError)


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    _add_training_options(parser)
    return parser.parse_args(list(argv))


def test_no_flags_give_the_configs_own_defaults():
    args = _parse()
    assert {f.name: getattr(args, f.name) for f in flag_fields()} == {f.name: f.default for f in flag_fields()}
    assert _config(_parse("--dataset", "synthetic")) == TrainConfig(dataset="synthetic")


def test_every_flag_sets_its_field():
    args = _parse("--dataset", "synthetic", "--recipe", "fast", "--epochs", "3", "--batch-size", "32", "--lr", "0.5",
                  "--seed", "7", "--device", "cpu", "--data-dir", "d", "--no-download", "--train-subset", "40",
                  "--test-subset", "20", "--validation", "10", "--subset-seed", "3", "--synthetic-sizes", "60", "30",
                  "--compile", "--precision", "fp32", "--no-cuda-graph", "--deterministic", "--no-progress",
                  "--fixed-bn-eps", "--no-conv-bias-grad", "--eval-precision", "bf16", "--eval-batch-size", "500",
                  "--no-epoch-data", "--no-flat-optimizer", "--autotune-every-shape")
    values = {f.name: getattr(args, f.name) for f in flag_fields()}
    assert all(values[f.name] != f.default for f in flag_fields() if f.name != "final_test")
    config = TrainConfig(**values)
    assert config.synthetic_sizes == (60, 30) and config.source_bn_eps is False and config.download is False
    assert (config.eval_precision, config.eval_batch_size) == ("bf16", 500)
    assert not (config.epoch_data or config.flat_optimizer or config.cap_autotune)
    assert _parse("--final-test").final_test is True


def test_every_flag_is_a_field_and_the_commands_offer_them():
    named = [f.metadata["flag"] for f in flag_fields()]
    assert len(named) == len(set(named)) and all(flag.startswith("--") for flag in named)
    train_help = _subparser("train").format_help()
    compare_help = _subparser("compare").format_help()
    assert all(flag in train_help for flag in named)
    assert all(flag in compare_help for flag in named if flag != "--recipe") and "--recipes" in compare_help
    assert {f.name for f in fields(TrainConfig)} - {f.name for f in flag_fields()} == {
        "model", "aux_logits", "channels_last", "run_dir", "resume"}


def _subparser(name: str) -> argparse.ArgumentParser:
    actions = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return actions[0].choices[name]


def test_the_validation_lives_in_the_config():
    with pytest.raises(UsageError, match="--lr must be a positive, finite learning rate"):
        TrainConfig(lr=float("nan")).validate()
    with pytest.raises(UsageError, match=f"--seed must be a whole number from 0 to {SEED_LIMIT - 1:,}"):
        TrainConfig(seed=-1).validate()
    with pytest.raises(UsageError, match="--final-test evaluates on the test split"):
        TrainConfig(final_test=True, validation=100).validate()
    with pytest.raises(UsageError, match="--train-subset 60,000 is larger than the training split"):
        check_subset(60_000, None, (50_000, 10_000))


def test_sizes_are_checked_by_one_rule_against_counted_or_loaded_splits():
    TrainConfig(train_subset=100, validation=20).check_sizes((500, 100), classes=10)
    for config, sizes, words in (
        (TrainConfig(train_subset=600), (500, 100), "larger than the training split"),
        (TrainConfig(validation=500), (500, 100), "leaves no training images: it is taken from the 500"),
        (TrainConfig(train_subset=100, validation=100), None, "leaves no training images: it is taken from the 100"),
        (TrainConfig(validation=5), (500, 100), "cannot hold all 10 classes"),
    ):
        with pytest.raises(UsageError, match=words):
            config.check_sizes(sizes, classes=10)
    TrainConfig(validation=5).check_sizes(None)  # classes unknown: nothing to say yet
