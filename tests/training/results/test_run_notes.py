"""Readable provenance: device, precision, torch and date, never local paths or commit hashes."""

import re

from gnet_lib.training.results.run_notes import bench_table, code_state, precision, provenance, run_date

ENV = {"device": "cpu", "device_name": "Some CPU (2 threads)", "torch": "2.5.0", "torchvision": "0.20.0",
       "platform": "Linux-6.1-x86_64", "git_commit": "0123456789abcdef0123456789abcdef01234567+dirty"}
RESULT = {"config": {"data_dir": "/root/data/cifar10", "run_dir": "/work/main/runs/seed"},
          "data": {"source": "image folder /tmp/cifar/cifar10-jpeg"},
          "environment": {**ENV, "precision": "fp32"}, "started": "2026-01-02T10:00:00+00:00",
          "finished": "2026-01-03T01:00:00+00:00"}
BENCH = {"model": "googlenet", "batch_size": 64, "environment": ENV, "date": "2026-02-03T04:05:06+00:00",
         "plain_best": 10.0, "engine_best": 15.0, "ratio": 1.5, "compile": False}


def _has_path_or_hash(text: str) -> bool:
    return bool(re.search(r"(^|\s)/\w|[0-9a-f]{12,}", text))


def test_run_date_prefers_the_finish():
    assert run_date(RESULT) == "2026-01-03"
    assert run_date(BENCH) == "2026-02-03"
    assert run_date({}) == "date not recorded"


def test_precision_from_what_the_run_recorded():
    assert precision({"precision": "bf16"}) == "bf16"
    assert precision({"device": "cuda"}) == "precision not recorded"  # older files: see results.migrate


def test_provenance_names_device_precision_torch_and_date_only():
    line = provenance(RESULT)
    assert line == "Some CPU (2 threads), fp32, torch 2.5.0, 2026-01-03"
    assert not _has_path_or_hash(line)


def test_bench_table_has_no_paths_or_hashes():
    table = bench_table([BENCH])
    assert table[0]["date"] == "2026-02-03" and table[0]["torch"] == "2.5.0"
    assert not _has_path_or_hash(table.to_text())
    assert _has_path_or_hash("commit " + ENV["git_commit"]) and _has_path_or_hash("at /root/data")


def test_bench_table_splits_the_gain_where_the_file_has_the_fp32_nchw_engine():
    older = bench_table([BENCH])  # an older file: no precision, no fp32 NCHW row
    assert older.column("loop") == ["plain loop", "engine"] and older.column("precision") == ["fp32", "not recorded"]
    assert older.column("x row above") == [None, 1.5] and older[0]["code"] == "uncommitted changes"
    newer = {**BENCH, "precision": "bf16", "engine_best": 30.0, "engine_fp32_nchw_images_per_s": [19.0, 20.0], "compile": True,
             "environment": {**ENV, "git_commit": "0123456789abcdef0123456789abcdef01234567"}}
    table = bench_table([newer])
    assert table.column("loop") == ["plain loop", "engine", "engine"]
    assert table.column("precision") == ["fp32", "fp32", "bf16"] and table.column("layout") == ["NCHW", "NCHW", "channels-last"]
    assert table.column("images/s") == [10.0, 20.0, 30.0] and table.column("x row above") == [None, 2.0, 1.5]
    assert table.column("compile") == ["no", "yes", "yes"] and set(table.column("code")) == {"committed"}
    assert "PIL images one at a time" in table.notes[0]


def test_the_state_of_the_code_without_its_hash():
    assert code_state({"git_commit": "abc+dirty"}) == "uncommitted changes"
    assert code_state({"git_commit": "abc"}) == "committed" and code_state({}) == "not recorded"
