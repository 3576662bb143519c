"""Damaged stored files: every loader of result and benchmark files refuses them with a usage
error that names the file and says how to replace it, never a traceback."""

import json
from pathlib import Path

import pytest

from gnet_lib.cli import main
from gnet_lib.core.errors import UsageError
from gnet_lib.training.gpu.campaign import CampaignSettings, run_campaign
from gnet_lib.training.results.results import (
    load_bench,
    load_folder,
    load_result,
    load_results,
    reusable_result,
)

BOOK_RESULTS = Path(__file__).resolve().parents[3] / "results"
GOOD_RESULT = BOOK_RESULTS / "cifar10-jpeg" / "seed" / "5000x1000-e4-s1" / "googlenet.json"
GOOD_BENCH = BOOK_RESULTS / "bench" / "cuda-googlenet-b64.json"
PROTOCOL = "5000x1000-e4-s1"


def _edited(path: Path, **changes) -> bytes:
    return json.dumps({**json.loads(path.read_text()), **changes}).encode()


def _broken_results() -> dict[str, tuple[bytes, str]]:
    """Each kind of damage: the file's bytes, and what the error says about them."""
    good = json.loads(GOOD_RESULT.read_text())
    first_epoch = good["history"][0]
    return {
        "a number": (b"5", "holds 5, not a result object"),
        "null": (b"null", "holds null, not a result object"),
        "a list": (b"[]", "holds [], not a result object"),
        "binary garbage": (bytes(range(256)) * 4, "is not a text file"),
        "truncated": (GOOD_RESULT.read_bytes()[: len(GOOD_RESULT.read_bytes()) // 2], "is not valid JSON"),
        "empty": (b"", "is not valid JSON"),
        "an empty history": (_edited(GOOD_RESULT, history=[]), "has no epochs in its history"),
        "a history that is no list": (_edited(GOOD_RESULT, history="none"), "as history, not a list of epochs"),
        "an epoch without its times": (
            _edited(GOOD_RESULT, history=[{k: v for k, v in first_epoch.items() if k != "eval_time_s"}]),
            "lacks eval_time_s in history[0]"),
        "a final without its errors": (_edited(GOOD_RESULT, final={"epoch": 4}), "lacks test_top1_err, test_top5_err in final"),
        "a text where a number goes": (_edited(GOOD_RESULT, wall_time_s="long"), 'holds "long" as wall_time_s, not a number'),
        "a section that is no object": (_edited(GOOD_RESULT, model=3), "holds 3 as model, not an object"),
        "missing sections": (json.dumps({"model": {}}).encode(), "lacks config"),
    }


BROKEN = _broken_results()


def _store(folder: Path, content: bytes, model: str = "googlenet") -> Path:
    path = folder / "synthetic" / "seed" / PROTOCOL / f"{model}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def _names_the_file_and_the_fix(message: str, path: Path, words: str) -> None:
    assert str(path) in message and words in message and "delete it" in message, message


def test_every_committed_result_and_benchmark_passes_the_checks():
    files = [p for p in BOOK_RESULTS.rglob("*.json") if not {"bench", "evaluation"} & set(p.relative_to(BOOK_RESULTS).parts)]
    assert len(files) > 20
    for path in files:
        load_result(path)
    for path in sorted((BOOK_RESULTS / "bench").glob("*-googlenet-b*.json")):
        load_bench(path)


def test_every_committed_test_time_evaluation_agrees_with_its_predictions():
    """The evaluations of stored weights (results/evaluation): each variant's error is what its
    stored predictions and the stored labels give, on the whole test split."""
    from gnet_lib.training.results.class_strings import decode_labels

    files = sorted((BOOK_RESULTS / "evaluation").glob("*.json"))
    assert files
    for path in files:
        result = json.loads(path.read_text())
        labels = decode_labels(result["labels"], result["num_classes"])
        assert len(labels) == result["data"]["test_images"] == 10_000
        for name, variant in result["variants"].items():
            predicted = decode_labels(variant["predictions"], result["num_classes"])
            assert len(predicted) == len(labels), (path, name)
            wrong = sum(p != y for p, y in zip(predicted, labels))
            assert variant["top1_err"] == round(wrong / len(labels), 6), (path, name)


@pytest.mark.parametrize("kind", BROKEN)
def test_a_damaged_result_is_a_usage_error_naming_it_in_every_loader(kind, tmp_path):
    content, words = BROKEN[kind]
    path = _store(tmp_path, content)
    for load in (lambda: load_result(path), lambda: load_folder(path.parent),
                 lambda: load_results(tmp_path, "synthetic", "seed", PROTOCOL),
                 lambda: reusable_result(path, {"model": "googlenet"})):
        with pytest.raises(UsageError) as caught:
            load()
        _names_the_file_and_the_fix(str(caught.value), path, words)


def test_the_ablation_loader_names_the_command_that_remakes_the_file(tmp_path):
    path = _store(tmp_path, b"5", model="short3")
    with pytest.raises(UsageError, match=r"python -m gnet_lib ablation --dataset synthetic --recipe seed --models short3"):
        load_results(tmp_path, "synthetic", "seed", PROTOCOL)
    assert path.exists()  # named, never deleted


def test_a_result_file_that_is_not_there_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="there is no result file"):
        load_result(tmp_path / "none.json")


@pytest.mark.parametrize("kind", ["a number", "null", "binary garbage", "truncated", "an empty history",
                                  "a final without its errors"])
def test_the_table_command_exits_2_naming_a_damaged_file(kind, tmp_path, capsys):
    path = _store(tmp_path, BROKEN[kind][0])
    assert main(["ablation", "--table-only", "--dataset", "synthetic", "--results-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    _names_the_file_and_the_fix(err, path, BROKEN[kind][1])
    assert "Traceback" not in err


BROKEN_BENCH = {
    "truncated": (GOOD_BENCH.read_bytes()[:200], "is not valid JSON"),
    "a number": (b"5", "holds 5, not a benchmark object"),
    "no rate": (json.dumps({"model": "googlenet", "batch_size": 64}).encode(), "lacks engine_best, plain_best"),
    "a zero rate": (_edited(GOOD_BENCH, engine_best=0), "not a positive rate"),
    "binary garbage": (bytes(range(128, 256)), "is not a text file"),
}


@pytest.mark.parametrize("kind", BROKEN_BENCH)
def test_a_damaged_benchmark_is_a_usage_error_naming_it(kind, tmp_path):
    content, words = BROKEN_BENCH[kind]
    path = tmp_path / "cuda-googlenet-b64.json"
    path.write_bytes(content)
    with pytest.raises(UsageError) as caught:
        load_bench(path)
    _names_the_file_and_the_fix(str(caught.value), path, words)
    assert "gnet_lib bench" in str(caught.value)


def test_the_campaign_stops_at_a_damaged_stored_benchmark_before_any_work(tmp_path, capsys, monkeypatch):
    book = tmp_path / "book"  # the book's results folder, where the plan's benchmark is read
    path = book / "bench" / "cuda-googlenet-b64.json"
    path.parent.mkdir(parents=True)
    path.write_bytes(BROKEN_BENCH["truncated"][0])
    monkeypatch.setenv("GNET_RESULTS", str(book))
    args = ["campaign", "--dry-run", "--results-dir", str(tmp_path / "r"), "--runs-dir", str(tmp_path / "u")]
    assert main(args) == 2
    err = capsys.readouterr().err
    _names_the_file_and_the_fix(err, path, "is not valid JSON")
    assert "Traceback" not in err
    assert not (tmp_path / "r").exists() and not (tmp_path / "u").exists()


def test_the_campaign_stops_at_a_damaged_probe_report_before_any_work(tmp_path, capsys):
    path = tmp_path / "probe.json"
    for content, words in ((b'{"format": "gnet-gpu-pro', "cannot be read"), (b'{"format": "other"}', "is not a probe report"),
                           (b'{"format": "gnet-gpu-probe-1", "date": "x", "environment": {}, "settings": {}}',
                            "lacks settings.reference")):
        path.write_bytes(content)
        args = ["campaign", "--dry-run", "--results-dir", str(tmp_path / "r"), "--runs-dir", str(tmp_path / "u"),
                "--probe", str(path)]
        assert main(args) == 2
        err = capsys.readouterr().err
        assert str(path) in err and words in err and "tools/gpu_probe.py" in err and "Traceback" not in err
    assert not (tmp_path / "r").exists()


def test_the_campaign_stops_at_a_damaged_stored_result_before_training(tmp_path):
    results = tmp_path / "r"
    path = results / "synthetic" / "seed" / "32x10-e1-s1-b16-fp32-nobiasgrad" / "short3.json"
    path.parent.mkdir(parents=True)
    path.write_bytes(BROKEN["an empty history"][0])
    with pytest.raises(UsageError) as caught:
        run_campaign(CampaignSettings(dry_run=True, results_dir=results, runs_dir=tmp_path / "u"), print)
    _names_the_file_and_the_fix(str(caught.value), path, "has no epochs in its history")
    assert not (tmp_path / "u").exists()
