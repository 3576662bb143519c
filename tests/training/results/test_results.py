"""Result files and what is read from them: time to a target error, identities, older files."""

import itertools

import pytest

from gnet_lib.training.results.results import (
    cumulative_seconds,
    describe_protocol,
    describe_protocols,
    migrate,
    results_by_seed,
    time_to_error,
)


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


def test_a_caption_over_runs_of_two_setups_names_each_once_with_its_rows():
    """Six runs on two threads and one on one: the caption says so by row, not the first run's setup."""
    runs = {m: _run(m, 0.5, 1) for m in ("naive", "googlenet", "long", "short", "short2", "short3", "short4")}
    for m in runs:
        runs[m]["environment"]["device_name"] = "AMD EPYC (1 thread)" if m == "naive" else "AMD EPYC (2 threads)"
    shared, by_row = describe_protocols(runs).split(". By row: ")
    assert "AMD EPYC" not in shared
    assert by_row == "naive: AMD EPYC (1 thread); googlenet, long, short, short2, short3, short4: AMD EPYC (2 threads)"


def test_results_by_seed_reads_one_folder_per_seed(tmp_path):
    from gnet_lib.training.results.storage import write_json

    for seed in (1, 3):
        write_json(tmp_path / "cifar10-jpeg" / "seed" / f"5000x1000-e4-s{seed}" / "short3.json", _run("short3", 0.5, seed))
    found = results_by_seed(tmp_path, "cifar10-jpeg", "seed", "5000x1000-e4-s{seed}", [1, 2, 3])
    assert sorted(found) == [1, 3] and list(found[3]) == ["short3"]


def test_an_older_files_plural_thread_is_read_as_the_singular():
    old = _run("naive", 0.5, 1)
    old["environment"]["device_name"] = "AMD EPYC (1 threads)"
    old["schema"] = 1
    assert migrate(old)["environment"]["device_name"] == "AMD EPYC (1 thread)"
    assert migrate(_run("short3", 0.5, 1))["environment"]["device_name"] == "cpu"


def test_identities_of_older_files_take_the_declared_defaults():
    from gnet_lib.training.results.results import identity_differences

    old = {"model": "short3", "seed": 1, "train_size": 100}  # schema 1: no fingerprint, no new fields
    new = {**old, "data_fingerprint": "abc"}
    assert identity_differences(old, new) == []  # an unrecorded fingerprint matches
    assert identity_differences({**old, "data_fingerprint": "xyz"}, new) == ["data_fingerprint: stored 'xyz', this run 'abc'"]
    assert identity_differences(old, {**new, "subset_seed": 1}) == ["subset_seed: stored None, this run 1"]
    assert identity_differences(old, {**new, "final_test_size": None}) == []  # a field at its default
    recipe = {"name": "seed", "epochs": 14}
    assert identity_differences({**old, "recipe": recipe}, {**new, "recipe": {**recipe, "resize_stages": []}}) == []
    assert identity_differences({**old, "recipe": recipe}, {**new, "recipe": {**recipe, "resize_stages": [[4, 16]]}}) == [
        "recipe.resize_stages: stored [], this run [[4, 16]]"]


def _schema_1_file() -> dict:
    """A result as gnet_lib 0.1.0 wrote it: no schema, no train_images, precision as amp_bf16."""
    return {"config": {}, "recipe": {"name": "seed"}, "model": {}, "data": {}, "wall_time_s": 11.0,
            "environment": {"device": "cpu", "amp_bf16": False}, "started": "", "finished": "",
            "identity": {"model": "short3", "seed": 1, "train_size": 100, "recipe": {"name": "seed", "epochs": 1}},
            "history": [{"epoch": 1, "images_per_s": 9.5, "epoch_time_s": 10.0, "eval_time_s": 1.0, "test_top1_err": 0.5,
                         "test_top5_err": 0.1}],
            "final": {"epoch": 1, "test_top1_err": 0.5, "test_top5_err": 0.1}}


def test_an_older_file_is_read_in_the_current_shape():
    from gnet_lib.training.results.results import IDENTITY_DEFAULTS, RESULT_SCHEMA, migrate
    from gnet_lib.training.results.run_notes import precision

    old = _schema_1_file()
    new = migrate(old)
    assert new["schema"] == RESULT_SCHEMA and "schema" not in old  # the stored dict is not changed
    assert new["history"][0]["train_images"] == 95 and new["environment"]["precision"] == "fp32"
    assert precision(new["environment"]) == "fp32" and precision(old["environment"]) == "precision not recorded"
    assert all(new["identity"][k] == v for k, v in IDENTITY_DEFAULTS.items())
    assert new["identity"]["recipe"]["resize_stages"] == []
    bf16 = migrate({**old, "environment": {"device": "cuda", "amp_bf16": True}})
    assert bf16["environment"]["precision"] == "bf16 autocast"
    assert "precision" not in migrate({**old, "environment": {"device": "cuda", "amp_bf16": False}})["environment"]
    assert migrate(new) == new  # a current file passes unchanged
    plural = migrate({**old, "environment": {"device": "cpu", "device_name": "AMD EPYC (1 threads)"}})
    assert plural["environment"]["device_name"] == "AMD EPYC (1 thread)"
    two = migrate({**old, "environment": {"device": "cpu", "device_name": "AMD EPYC (2 threads)"}})
    assert two["environment"]["device_name"] == "AMD EPYC (2 threads)"


def _protocol(batch=64, device="Some CPU (1 thread)", epochs=4, seed=1, recipe="seed"):
    run = _run("short3", 0.5, seed)
    run["recipe"] = {"name": recipe, "epochs": epochs, "batch_size": batch}
    run["environment"] = {"precision": "bf16", "device_name": device}
    return run


def test_a_caption_over_one_protocol_names_it_once():
    runs = {"a": _protocol(), "b": _protocol()}
    one = "CIFAR-10, 50 training / 20 test images; 4 epochs of recipe seed (batch 64), seed 1; bf16 on Some CPU (1 thread)"
    assert describe_protocol(runs["a"]) == one
    assert describe_protocols(runs) == one


def test_a_caption_over_mixed_protocols_names_what_differs_for_each_row():
    # two rows at batch 128 on one thread, one at batch 64 on two: the caption must not give the
    # first row's batch or thread count for all three
    runs = {"sgd": _protocol(batch=128), "adadelta-1": _protocol(device="Some CPU (2 threads)"),
            "adadelta-2": _protocol(device="Some CPU (2 threads)")}
    runs["sgd"]["recipe"]["name"] = "seed"
    caption = describe_protocols(runs)
    shared, by_row = caption.split(". By row: ")
    assert shared == "CIFAR-10, 50 training / 20 test images; 4 epochs of recipe seed, seed 1; bf16"
    assert by_row == "sgd: batch 128, Some CPU (1 thread); adadelta-1, adadelta-2: batch 64, Some CPU (2 threads)"
    # every protocol listed once, each row under exactly one of them
    listed = [label for group in by_row.split("; ") for label in group.split(": ")[0].split(", ")]
    assert sorted(listed) == sorted(runs)
    lengths = describe_protocols({"short": _protocol(epochs=2), "long": _protocol(epochs=6, recipe="fast")})
    assert lengths.endswith("By row: short: 2 epochs of recipe seed; long: 6 epochs of recipe fast")
    assert "; batch 64, seed 1; bf16 on Some CPU (1 thread). By row" in lengths
    seeds = describe_protocols({"s1": _protocol(seed=1), "s2": _protocol(seed=2)})
    assert seeds.endswith("(batch 64); bf16 on Some CPU (1 thread). By row: s1: seed 1; s2: seed 2")
    unseeded = describe_protocols({"s1": _protocol(seed=1), "s2": _protocol(seed=2)}, with_seed=False)
    assert unseeded == describe_protocol(_protocol(), with_seed=False) and "seed 1" not in unseeded
    with pytest.raises(ValueError, match="no results"):
        describe_protocols({})


def test_a_committed_schema_1_file_is_read_in_the_current_shape_and_keeps_its_protocol():
    import json
    from pathlib import Path

    from gnet_lib.training.results.results import RESULT_SCHEMA, load_result, protocol_name

    path = Path(__file__).resolve().parents[3] / "results" / "recipes" / "cpu-short3-cifar10-jpeg-10000x2000" / "seed.json"
    raw = json.loads(path.read_text())
    assert "schema" not in raw and "resize_stages" not in raw["identity"]["recipe"]  # written by schema 1
    loaded = load_result(path)
    assert loaded["schema"] == RESULT_SCHEMA and loaded["identity"]["recipe"]["resize_stages"] == []
    assert protocol_name(loaded["identity"]) == protocol_name(raw["identity"])


def test_a_file_of_a_newer_schema_is_refused_with_what_to_do(tmp_path):
    import pytest

    from gnet_lib.core.errors import UsageError
    from gnet_lib.training.results.results import RESULT_SCHEMA, load_result, migrate

    newer = {**_schema_1_file(), "schema": RESULT_SCHEMA + 1}
    with pytest.raises(UsageError, match="upgrade gnet_lib"):
        migrate(newer)
    from gnet_lib.training.results.storage import write_json

    write_json(tmp_path / "newer.json", newer)
    with pytest.raises(UsageError, match=f"result schema {RESULT_SCHEMA + 1}"):
        load_result(tmp_path / "newer.json")
    for damaged in ("2", 0, True, 1.5):
        with pytest.raises(UsageError, match="not a schema number"):
            migrate({**_schema_1_file(), "schema": damaged})


def test_the_schema_1_steps_apply_to_schema_1_files_only():
    from gnet_lib.training.results.results import migrate

    old = {**_schema_1_file(), "environment": {"device": "cuda", "amp_bf16": True}}
    assert migrate(old)["environment"]["precision"] == "bf16 autocast"
    assert "precision" not in migrate({**old, "schema": 2})["environment"]
    assert migrate({**old, "schema": 1}) == migrate(old)  # an explicit 1 reads as a file without the field


def test_the_identity_a_run_writes_is_exactly_the_declared_fields_in_their_order(tiny_data):
    from gnet_lib.training.engine.train import config_identity, run_data
    from gnet_lib.training.results.results import IDENTITY_FIELDS, REQUIRED, protocol_name, with_defaults
    from gnet_lib.training.settings.config import TrainConfig

    for config in (TrainConfig(model="short4"), TrainConfig(model="short4", validation=20, subset_seed=0, final_test=True,
                                                            train_subset=100)):
        identity = config_identity(config, run_data(config, tiny_data), "fp32")
        assert list(identity) == list(IDENTITY_FIELDS)
        old = {k: v for k, v in identity.items() if IDENTITY_FIELDS[k] == REQUIRED}  # as a file from before the others
        if all(identity[k] == v for k, v in IDENTITY_FIELDS.items() if v != REQUIRED):
            assert with_defaults(old) == identity and protocol_name(old) == protocol_name(identity)


def test_the_machine_fields_are_all_that_differs_between_two_runs_of_one_configuration(monkeypatch):
    from gnet_lib.training.data.data import make_synthetic
    from gnet_lib.training.engine import train
    from gnet_lib.training.engine.train import Trainer
    from gnet_lib.training.results.results import MACHINE_FIELDS, without_machine_fields
    from gnet_lib.training.settings.config import TrainConfig

    loads = itertools.count(0.5)
    monkeypatch.setattr(train, "machine_load", lambda: next(loads))
    config = TrainConfig(model="short4", dataset="synthetic", recipe="seed", batch_size=32, epochs=1, device="cpu",
                         precision="fp32", progress=False)
    data = make_synthetic(train_size=64, test_size=20, seed=0)
    first, second = (Trainer(config, data).run().history[0] for _ in range(2))
    differs = {k for k in first if first[k] != second[k]}
    assert "machine_load" in differs and differs <= set(MACHINE_FIELDS) <= set(first)
    assert without_machine_fields([first]) == without_machine_fields([second])
    assert without_machine_fields([first]) != without_machine_fields([{**first, "train_loss": first["train_loss"] + 1}])