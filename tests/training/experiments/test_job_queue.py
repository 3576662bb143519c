"""The runner of child processes behind `gnet ablation --devices` and the mid-scale queue."""

import sys
import threading
import time

import pytest

from gnet_lib.training.experiments.job_queue import Job, run_jobs


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def test_every_item_runs_once_on_some_slot_and_failures_are_named(tmp_path):
    seen: list[tuple[str, str]] = []
    lock = threading.Lock()

    def job(item: str, slot: str) -> Job | None:
        with lock:
            seen.append((item, slot))
        if item == "skip":
            return None
        code = "import sys; print('ran'); sys.exit(3)" if item == "bad" else "print('ran')"
        return Job(item, f"on {slot}", _python(code), tmp_path / "logs" / f"{item}.log")

    lines: list[str] = []
    failures = run_jobs(["a", "bad", "skip", "b"], ["slot0", "slot1"], job, lines.append)
    assert failures == ["bad (exit code 3)"]
    assert sorted(item for item, _ in seen) == ["a", "b", "bad", "skip"]
    assert {slot for _, slot in seen} <= {"slot0", "slot1"}
    for item in ("a", "b", "bad"):
        assert (tmp_path / "logs" / f"{item}.log").read_text() == "ran\n"
    assert not (tmp_path / "logs" / "skip.log").exists()
    assert any(line.startswith("a: on slot") and "(log: " in line for line in lines)
    assert "a: done" in lines and any(line.startswith("bad: failed with exit code 3") for line in lines)


def test_the_slots_run_side_by_side(tmp_path):
    def job(item: int, slot: int) -> Job:
        return Job(str(item), f"slot {slot}", _python("import time; time.sleep(1.0)"), tmp_path / f"{item}.log")

    start = time.perf_counter()
    assert run_jobs([1, 2], [0, 1], job, lambda line: None) == []
    assert time.perf_counter() - start < 1.9  # two one-second children at once, not one after the other


def test_an_error_stops_the_running_children_and_starts_no_new_one(tmp_path):
    started = threading.Event()

    def job(item: str, slot: int) -> Job:
        if item == "broken":
            started.wait(10)
            raise RuntimeError("a worker failed")
        if item == "long":
            started.set()
            return Job(item, "slot", _python("import time; time.sleep(30)"), tmp_path / "long.log")
        return Job(item, "slot", _python("print('never')"), tmp_path / f"{item}.log")

    begin = time.perf_counter()
    with pytest.raises(RuntimeError, match="a worker failed"):
        run_jobs(["long", "broken", "later"], [0, 1], job, lambda line: None)
    assert time.perf_counter() - begin < 15  # the 30-second child was stopped
    assert not (tmp_path / "later.log").exists()
