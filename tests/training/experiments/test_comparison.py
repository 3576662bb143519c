"""Recipes compared on one model: result files, skipping, and the time-to-error table."""

import copy
import json
import os
from pathlib import Path

import pytest

from gnet_lib.training.experiments.comparison import (
    compare_recipes,
    recipe_table,
    stage_times,
    summarize,
    tuning_table,
)
from gnet_lib.training.results.results import load_folder
from gnet_lib.training.settings.config import TrainConfig
from gnet_lib.training.settings.recipes import get_recipe

BASE = TrainConfig(model="short4", dataset="synthetic", synthetic_sizes=(64, 20), epochs=2, device="cpu", progress=False)


def _history(*errors, seconds=10.0, eval_seconds=1.0):
    return [{"epoch": i + 1, "test_top1_err": e, "epoch_time_s": seconds, "eval_time_s": eval_seconds, "images_per_s": 100.0,
             "train_images": round(100.0 * seconds)} for i, e in enumerate(errors)]


def _result(recipe, history, model="short4", source="generated"):
    return {"model": {"name": model}, "data": {"name": "x", "source": source, "train_size": 100, "test_size": 50},
            "recipe": {"batch_size": 64, "name": recipe, "epochs": len(history)}, "config": {"seed": 1},
            "environment": {"device_name": "cpu", "torch": "2", "git_commit": "abc"}, "history": history,
            "final": history[-1], "wall_time_s": sum(h["epoch_time_s"] + h["eval_time_s"] for h in history)}


@pytest.mark.slow
def test_each_recipe_runs_once_and_is_skipped_afterwards(tmp_path):
    logs = []
    results = compare_recipes(BASE, ["seed", "fast"], tmp_path / "cmp", runs_dir=tmp_path / "runs", log=logs.append)
    assert set(results) == {"seed", "fast"}
    assert results["fast"]["recipe"]["optimizer"] == "sgd" and results["seed"]["recipe"]["optimizer"] == "adadelta"
    for r in results.values():
        assert r["model"]["name"] == "short4" and len(r["history"]) == 2 and r["environment"]["git_commit"]
    assert load_folder(tmp_path / "cmp").keys() == results.keys()
    stamp = os.path.getmtime(tmp_path / "cmp" / "seed.json")
    logs.clear()
    again = compare_recipes(BASE, ["seed", "fast"], tmp_path / "cmp", runs_dir=tmp_path / "runs", log=logs.append)
    assert logs == ["seed: result exists, skipped", "fast: result exists, skipped"]
    assert os.path.getmtime(tmp_path / "cmp" / "seed.json") == stamp
    assert again["seed"]["history"] == results["seed"]["history"]
    assert list(load_folder(tmp_path / "cmp")) == ["fast", "seed"]  # file order
    assert recipe_table(again).column("recipe") == ["seed", "fast"]  # the reference first


def test_unknown_recipe_fails_before_training(tmp_path):
    with pytest.raises(ValueError, match="unknown recipe 'slow'"):
        compare_recipes(BASE, ["seed", "slow"], tmp_path / "cmp", runs_dir=tmp_path / "runs", log=lambda _: None)
    assert not (tmp_path / "cmp").exists()


def test_recipe_table_measures_against_the_reference():
    seed = _result("seed", _history(0.7, 0.5, 0.4, 0.35, seconds=20.0))
    fast = _result("fast", _history(0.6, 0.34, seconds=15.0))
    slow = _result("slow", _history(0.9, 0.8))
    table = recipe_table({"seed": seed, "fast": fast, "slow": slow})
    rows = {r["recipe"]: r for r in table}
    assert rows["seed"]["epoch at seed's final err"] == 4 and rows["seed"]["speed-up vs seed"] == 1.0
    assert rows["fast"]["epoch at seed's final err"] == 2
    assert rows["fast"]["speed-up vs seed"] == round(84 / 32, 2)
    assert rows["slow"]["epoch at seed's final err"] is None and rows["slow"]["speed-up vs seed"] is None
    assert rows["fast"]["best top-1 err"] == 0.34 and rows["seed"]["time"] == "1m24s"
    assert "target: seed's final test top-1 error 0.3500" in table.notes[1]


def test_recipe_table_refuses_what_does_not_compare():
    seed = _result("seed", _history(0.5))
    with pytest.raises(ValueError, match="reference recipe 'seed' has no result"):
        recipe_table({"fast": seed})
    other = copy.deepcopy(seed)
    other["model"]["name"] = "short3"
    with pytest.raises(ValueError, match="different models or data"):
        recipe_table({"seed": seed, "fast": other})


def test_summary_sentences_say_whether_and_when():
    seed = _result("seed", _history(0.7, 0.5, 0.4, 0.35, seconds=20.0))
    fast = _result("fast", _history(0.6, 0.34, seconds=15.0))
    slow = _result("slow", _history(0.9, 0.8))
    close = _result("close", _history(0.6, 0.45, seconds=15.0))
    lines = summarize({"seed": seed, "fast": fast, "slow": slow, "close": close})
    assert lines == [
        ("fast reached seed's final top-1 error (0.3500) at epoch 2, after 0m32s against seed's 1m24s: 2.62 times sooner; "
         "it ended at 0.3400 after 2 epochs."),
        ("slow did not reach seed's final top-1 error (0.3500); it ended at 0.8000 after 2 epochs. "
         "seed first got that far at epoch 1, after 0m21s, against slow's 0m22s."),
        ("close did not reach seed's final top-1 error (0.3500); it ended at 0.4500 after 2 epochs. "
         "seed first got that far at epoch 3, after 1m3s, against close's 0m32s."),
    ]
    table = recipe_table({"seed": seed, "fast": fast})  # the sentence rounds the speed-up as the table does
    assert f"{table.column('speed-up vs seed')[1]:g} times sooner" in lines[0]


def _timed(result, started, finished, device="AMD EPYC (1 thread)"):
    result.update(started=started, finished=finished)
    result["environment"]["device_name"] = device
    return result


def test_runs_at_once_are_said_to_be_with_their_threads():
    from gnet_lib.training.experiments.comparison import ran_together

    seed = _timed(_result("seed", _history(0.5)), "2026-11-28T10:00:00+00:00", "2026-11-28T10:30:00+00:00")
    fast = _timed(_result("fast", _history(0.4)), "2026-11-28T10:00:00+00:00", "2026-11-28T10:10:00+00:00")
    assert ran_together({"seed": seed, "fast": fast}) == ("both runs at once (their recorded start and end times overlap), "
                                                          "one thread each")
    assert recipe_table({"seed": seed, "fast": fast}).notes[-1] == ran_together({"seed": seed, "fast": fast})
    later = _timed(_result("fast", _history(0.4)), "2026-11-28T10:30:00+00:00", "2026-11-28T10:40:00+00:00")
    assert ran_together({"seed": seed, "fast": later}) == ""  # one began as the other ended: not at once
    assert len(recipe_table({"seed": seed, "fast": later}).notes) == 2
    two = _timed(_result("fast", _history(0.4)), "2026-11-28T10:05:00+00:00", "2026-11-28T10:10:00+00:00",
                 device="AMD EPYC (2 threads)")
    assert ran_together({"seed": seed, "fast": two}) == "both runs at once (their recorded start and end times overlap)"
    assert ran_together({"seed": _result("seed", _history(0.5)), "fast": fast}) == ""  # no recorded times


def _candidate(lr, *errors):
    run = _result("fast", _history(*errors))
    run["recipe"]["lr"] = lr
    run["final"]["train_top1_err"] = errors[-1] / 2
    run["identity"] = {"validation": 20, "seed": 1}
    return run


def test_tuning_table_orders_the_rates_and_marks_the_lowest_final_validation_error():
    runs = {"a": _candidate(0.2, 0.6, 0.31), "b": _candidate(0.05, 0.7, 0.4), "c": _candidate(0.1, 0.5, 0.3)}
    table = tuning_table(runs)
    assert table.column("peak lr") == [0.05, 0.1, 0.2]
    assert table.column("lowest final err") == [False, True, False]
    assert table.column("epoch 2") == [0.4, 0.3, 0.31]
    assert table.column("final train err") == [0.2, 0.15, 0.155]
    assert "validation images held out" in table.notes[0]
    assert "crop_padding" not in table.columns  # only settings that differ get a column
    other = _candidate(0.2, 0.6, 0.2)
    other["recipe"]["crop_padding"] = 0
    runs["a"]["recipe"]["crop_padding"] = runs["b"]["recipe"]["crop_padding"] = runs["c"]["recipe"]["crop_padding"] = 4
    varied = tuning_table({**runs, "d": other})
    assert varied.column("peak lr") == [0.05, 0.1, 0.2, 0.2] and varied.column("crop_padding") == [4, 4, 0, 4]
    assert varied.column("lowest final err") == [False, False, True, False]
    short = {"a": _candidate(0.2, 0.6), "b": _candidate(0.1, 0.7, 0.5)}
    assert tuning_table(short).column("epoch 2") == [0.5, None]
    assert table.column("candidate") == ["b", "c", "a"]


def test_a_tuning_caption_over_candidates_of_two_batch_sizes_names_each():
    # as the stored 6-epoch tuning: one SGD candidate at batch 128, two Adadelta ones at batch 64
    sgd, ada1, ada2 = _candidate(0.05, 0.4), _candidate(1.0, 0.3), _candidate(2.0, 0.31)
    sgd["recipe"]["batch_size"] = 128
    for run in (ada1, ada2):
        run["recipe"]["optimizer"] = "adadelta"
    sgd["recipe"]["optimizer"] = "sgd"
    table = tuning_table({"lr0.05": sgd, "ada-lr1": ada1, "ada-lr2": ada2})
    assert table.column("batch_size") == [128, 64, 64]
    assert table.notes[0].endswith(". By row: lr0.05: batch 128; ada-lr1, ada-lr2: batch 64")
    assert "(batch" not in table.notes[0]
    assert "1 epochs of candidates derived from recipe fast, seed 1" in table.notes[0]  # variants, not the recipe itself
    other_model = _candidate(0.1, 0.3)
    other_model["model"]["name"] = "short3"
    with pytest.raises(ValueError, match="different models"):
        tuning_table({"a": sgd, "b": other_model})


def test_staged_candidates_get_their_resize_stages_in_words():
    short = {"a": _candidate(0.2, 0.6), "b": _candidate(0.1, 0.7, 0.5)}
    staged = _candidate(0.3, 0.6)
    staged["recipe"]["resize_stages"] = [[2, 16]]  # a field that runs stored before it existed lack
    assert tuning_table({**short, "s": staged}).column("resize_stages") == [
        "the images' own size throughout", "the images' own size throughout", "2 epochs at 16x16, then the images' own size"]


def test_stage_times_group_the_epochs_by_image_size():
    history = _history(0.9, 0.8, 0.7, 0.6, 0.5)
    for h, train_s, eval_s in zip(history, (10, 14, 30, 40, 38), (1, 1, 2, 4, 4)):
        h.update(epoch_time_s=train_s, eval_time_s=eval_s, train_images=100)
    run = _result("fast", history)
    run["data"]["image_shape"] = [3, 32, 32]
    run["recipe"]["resize_stages"] = [[2, 16], [1, 24]]
    table = stage_times(run)
    assert table.column("image size") == ["16x16", "24x24", "32x32"] and table.column("epochs") == [2, 1, 2]
    assert table.column("training s per epoch") == [12.0, 30.0, 39.0]
    assert table.column("training images/s") == [8, 3, 3] and table.column("evaluation s per epoch") == [1.0, 2.0, 4.0]
    assert table.column("training cost vs full size") == [round(12 / 39, 2), round(30 / 39, 2), 1.0]
    run["recipe"]["resize_stages"] = [[5, 16]]
    with pytest.raises(ValueError, match="no epoch at the images' own size"):
        stage_times(run)


def test_tuning_table_refuses_runs_scored_on_the_test_set():
    test_run = _result("fast", _history(0.5))
    test_run["recipe"]["lr"] = 0.1
    with pytest.raises(ValueError, match="evaluated on the test set, not on a validation split: x"):
        tuning_table({"x": test_run, "y": _candidate(0.2, 0.4)})


def test_the_stored_comparisons_are_of_the_current_recipes():
    """A recipe changed after its comparison was stored would leave the book showing another recipe's numbers."""
    folders = sorted((Path(__file__).resolve().parents[3] / "results" / "recipes").glob("*/"))
    assert folders, "no stored recipe comparison"
    for folder in folders:
        for name, result in load_folder(folder).items():
            current = json.loads(json.dumps(get_recipe(name).as_dict()))
            assert result["recipe"] == current, f"{folder.name}/{name}.json was made with another {name!r} recipe; rerun gnet compare"


def _tuning(errors, epochs_lr, **recipe):
    lr, batch = epochs_lr
    run = _result("fast", _history(*errors))
    run["recipe"].update({"optimizer": "sgd", "lr": lr, "batch_size": batch, "label_smoothing": 0.0, "crop_padding": 0,
                          **recipe})
    return run


def test_the_tuning_runs_read_across_lengths():
    from gnet_lib.training.experiments.comparison import best_by_length, curve_rises

    tunings = [{"a": _tuning([0.6, 0.5, 0.45], (0.1, 128)), "b": _tuning([0.6, 0.55, 0.4], (0.2, 128))},
               {"c": _tuning([0.6, 0.5, 0.52, 0.38], (0.2, 128), label_smoothing=0.1)}]
    tunings[1]["c"]["recipe"]["resize_stages"] = [[2, 16]]
    table = best_by_length(tunings)
    assert table.column("epochs") == [3, 4] and table.column("candidates") == [2, 1]
    assert table.column("lowest final validation err") == [0.4, 0.38]
    # 100 training images: batch 128 without drop_last is one batch per epoch, with it none
    assert table.column("updates") == [3, 4] and table.column("full-size epochs") == [3, 2]
    tunings[1]["c"]["recipe"].update(batch_size=30, drop_last=True)  # 3 whole batches of 30 per epoch
    assert best_by_length(tunings).column("updates") == [3, 12]
    assert "By row: b: 3 epochs (batch 128); c: 4 epochs (batch 30)" in best_by_length(tunings).notes[0]
    tunings[1]["c"]["recipe"].update(batch_size=128, drop_last=False, resize_stages=[])
    assert best_by_length(tunings).column("reached by") == ["fast: sgd lr 0.2, batch 128, 3 epochs",
                                                            "fast: sgd lr 0.2, batch 128, 4 epochs, label smoothing 0.1"]
    assert curve_rises(tunings) == ["fast: sgd lr 0.2, batch 128, 4 epochs, label smoothing 0.1: 0.5000 -> 0.5200 at epoch 3"]


def test_time_against_the_reference_scales_training_by_training_images_and_evaluation_by_evaluated_ones():
    from gnet_lib.training.experiments.comparison import time_against

    reference = _result("seed", _history(0.3, seconds=99.0))  # 99 + 1 = 100 s on 100 training, 50 test images
    reference["recipe"].update(optimizer="adadelta", lr=1.0)
    run = _result("fast", _history(0.4, seconds=20.0, eval_seconds=2.0))  # 22 s on 80 training, 50 evaluated images
    run["recipe"].update(optimizer="sgd", lr=0.2, batch_size=128)
    run["data"]["train_size"] = 80
    row = time_against([run], reference).rows[0]
    # training 20 s x 100/80 = 25 s; evaluation on as many images as the reference's stays 2 s
    assert row["share of reference time"] == 0.22 and row["share at the reference's image counts"] == 0.27
    run["data"]["test_size"] = 25  # half the reference's evaluated images: evaluation 2 s x 50/25 = 4 s
    assert time_against([run], reference).rows[0]["share at the reference's image counts"] == 0.29


def test_recipe_differences_name_every_setting_that_differs():
    from gnet_lib.training.experiments.comparison import recipe_differences

    a = _tuning([0.4], (0.05, 128), momentum=0.9, crop_padding=4, mean=[0.5, 0.5, 0.5])
    b = _tuning([0.3], (1.0, 64), optimizer="adadelta", momentum=0.0, mean=[0.5, 0.5, 0.5], resize_stages=[[2, 16]])
    assert recipe_differences(a, b) == ["batch_size 128 vs 64", "optimizer sgd vs adadelta", "lr 0.05 vs 1",
                                        "crop_padding 4 vs 0", "momentum 0.9 vs 0",
                                        "resize_stages the images' own size throughout vs 2 epochs at 16x16, then the images' own size"]
    assert recipe_differences(a, a) == []


def test_epoch_times_and_the_epochs_that_began_after_the_others_ended():
    from gnet_lib.training.experiments.comparison import epoch_starts, epoch_times, epochs_after

    slow = _timed(_result("slow", _history(0.5, 0.4, 0.3, seconds=150.0, eval_seconds=30.0)),
                  "2026-11-28T10:00:00+00:00", "2026-11-28T10:09:10+00:00")  # epochs of 190, 180 and 180 s
    slow["history"][0]["epoch_time_s"] = 160.0  # one slower epoch: the table gives the range
    quick = _timed(_result("quick", _history(0.5, 0.4, seconds=100.0, eval_seconds=20.0)),
                   "2026-11-28T10:00:00+00:00", "2026-11-28T10:04:00+00:00")
    table = epoch_times({"slow": slow, "quick": quick})
    assert table.column("training s per epoch") == ["150-160", "100-100"]
    assert table.column("training vs quickest") == [round((160 + 150 + 150) / 3 / 100, 2), 1.0]
    assert table.column("evaluation vs quickest") == [1.5, 1.0]
    assert "recipe slow" in table.notes[0]  # test-set runs keep their recipes' names
    for run in (slow, quick):
        run["identity"] = {"validation": 20, "seed": 1}
    assert "candidates derived from recipe" in epoch_times({"slow": slow, "quick": quick}).notes[0]
    assert [t.strftime("%H:%M:%S") for t in epoch_starts(slow)] == ["10:00:00", "10:03:10", "10:06:10"]
    assert epochs_after(slow, [quick]) == [3]  # epoch 2 began at 10:03:10, before quick ended at 10:04


def test_resize_steps_read_the_curves_where_the_image_size_changes():
    from gnet_lib.training.experiments.comparison import resize_steps

    history = _history(0.6, 0.5, 0.45, 0.46)
    for h, loss in zip(history, (1.5, 1.2, 1.0, 1.1)):
        h["train_loss"] = loss
    run = _result("fast", history)
    run["data"]["image_shape"] = [3, 32, 32]
    run["recipe"]["resize_stages"] = [[2, 16], [1, 24]]
    assert resize_steps(run) == ["fast, epoch 2 -> 3 (16x16 -> 24x24): training loss 1.200 -> 1.000, test error 0.5000 -> 0.4500",
                                 "fast, epoch 3 -> 4 (24x24 -> 32x32): training loss 1.000 -> 1.100, test error 0.4500 -> 0.4600"]
    run["recipe"]["resize_stages"] = []
    assert resize_steps(run) == []
