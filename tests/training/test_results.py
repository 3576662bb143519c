"""Result files and what is read from them: time to a target error."""

from gnet_lib.training.results import (
    cumulative_seconds,
    noise_floor_table,
    results_by_seed,
    time_to_error,
)
from gnet_lib.training.storage import write_json


def _history(*errors, seconds=10.0, eval_seconds=1.0):
    return [{"epoch": i + 1, "test_top1_err": e, "epoch_time_s": seconds, "eval_time_s": eval_seconds}
            for i, e in enumerate(errors)]


def test_time_to_error_counts_training_and_evaluation():
    history = _history(0.8, 0.5, 0.4, 0.45)
    assert cumulative_seconds(history) == [11.0, 22.0, 33.0, 44.0]
    assert time_to_error(history, 0.5) == (2, 22.0)
    assert time_to_error(history, 0.41) == (3, 33.0)
    assert time_to_error(history, 0.3) is None


def _run(model, error, seed):
    return {"model": {"name": model, "params": 0, "macs_per_image": 0},
            "final": {"epoch": 1, "test_top1_err": error, "test_top5_err": error}, "identity": {"seed": seed},
            "data": {"name": "CIFAR-10", "train_size": 50, "test_size": 20, "source": "x"},
            "recipe": {"name": "seed", "epochs": 4, "batch_size": 64}, "config": {"seed": seed},
            "environment": {"precision": "bf16", "device_name": "cpu"}, "history": _history(error), "wall_time_s": 1.0,
            "started": "", "finished": ""}


def test_noise_floor_gives_every_seed_the_mean_and_the_spread():
    by_seed = {s: {"short3": _run("short3", e, s), "short4": _run("short4", e + 0.1, s)}
               for s, e in ((1, 0.50), (2, 0.56), (3, 0.53))}
    del by_seed[3]["short4"]  # a seed a model lacks stays empty
    del by_seed[2]["short3"], by_seed[3]["short3"]  # one seed: no spread, left out
    by_seed[2]["short2"], by_seed[3]["short2"] = _run("short2", 0.5, 2), _run("short2", 0.56, 3)
    table = noise_floor_table(by_seed)
    assert table.columns == ("model", "seed 1", "seed 2", "seed 3", "mean", "spread")
    assert table.column("model") == ["short2", "short4"]
    assert table.where(model="short4")[0]["seed 3"] is None
    assert table.where(model="short4")[0]["spread"] == 0.06
    row = table.where(model="short2")[0]
    assert (row["seed 1"], row["mean"], row["spread"]) == (None, 0.53, 0.06)
    assert "only the seed changes" in table.notes[0] and "seed 1" not in table.notes[0]
    assert len(noise_floor_table({1: by_seed[1]})) == 0  # one seed has no spread to show


def test_results_by_seed_reads_one_folder_per_seed(tmp_path):
    for seed in (1, 3):
        write_json(tmp_path / "cifar10-jpeg" / "seed" / f"5000x1000-e4-s{seed}" / "short3.json", _run("short3", 0.5, seed))
    found = results_by_seed(tmp_path, "cifar10-jpeg", "seed", "5000x1000-e4-s{seed}", [1, 2, 3])
    assert sorted(found) == [1, 3] and list(found[3]) == ["short3"]


def test_identities_of_older_files_take_the_declared_defaults():
    from gnet_lib.training.results import identity_differences

    old = {"model": "short3", "seed": 1, "train_size": 100}  # schema 1: no fingerprint, no new fields
    new = {**old, "data_fingerprint": "abc"}
    assert identity_differences(old, new) == []  # an unrecorded fingerprint matches
    assert identity_differences({**old, "data_fingerprint": "xyz"}, new) == ["data_fingerprint: stored 'xyz', this run 'abc'"]
    assert identity_differences(old, {**new, "subset_seed": 1}) == ["subset_seed: stored None, this run 1"]
    assert identity_differences(old, {**new, "final_test_size": None}) == []  # a field at its default


def test_labels_are_stored_as_fixed_width_digits():
    import pytest

    from gnet_lib.core.errors import UsageError
    from gnet_lib.training.class_strings import decode_labels, encode_labels

    assert encode_labels([3, 0, 9], 10) == "309" and decode_labels("309", 10) == [3, 0, 9]
    assert encode_labels([7, 42], 100) == "0742" and decode_labels("0742", 100) == [7, 42]
    with pytest.raises(UsageError, match="result file is damaged"):
        decode_labels("123", 100)


def test_protocol_names_say_final_test_and_subset_seed():
    from gnet_lib.training.results import protocol_name

    identity = {"train_size": 10000, "test_size": 2000, "final_test_size": 10000, "seed": 2, "subset_seed": 1,
                "recipe": {"name": "seed", "epochs": 14, "batch_size": 64, "lr": 1.0}}
    assert protocol_name(identity) == "10000x10000-c2000-e14-s2-d1"


def test_protocol_names_say_precision_and_eps_when_not_the_default():
    from gnet_lib.training.results import protocol_name

    base = {"train_size": 10000, "test_size": 2000, "seed": 1, "precision": "bf16", "model": "googlenet",
            "model_options": {"aux_heads": 0, "source_bn_eps": True},
            "recipe": {"name": "seed", "epochs": 14, "batch_size": 64, "lr": 1.0}}
    assert protocol_name(base) == "10000x2000-e14-s1"
    assert protocol_name({**base, "precision": "fp32"}) == "10000x2000-e14-s1-fp32"
    assert protocol_name({**base, "model_options": {"aux_heads": 0, "source_bn_eps": False}}) == "10000x2000-e14-s1-eps1e-5"
    naive = {**base, "model": "naive", "model_options": {"aux_heads": 0, "source_bn_eps": False}}
    assert protocol_name(naive) == "10000x2000-e14-s1"
    assert protocol_name({**naive, "model_options": {"aux_heads": 0, "source_bn_eps": True}}) == "10000x2000-e14-s1-epsquirk"
    assert protocol_name({**base, "precision": "auto"}) == "10000x2000-e14-s1"
    assert protocol_name({**base, "conv_bias_grad": False}) == "10000x2000-e14-s1-nobiasgrad"
    assert protocol_name({**base, "conv_bias_grad": True}) == "10000x2000-e14-s1"
