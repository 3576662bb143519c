"""Provenance a reader can read: which hardware, which precision, which torch, which day.

A result file records everything about its run, including the machine's local paths and the
git commit; those mean nothing to a reader of the book, so what is shown is built only from
the fields named here, never from paths or commit hashes. The files keep the full record.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..core.tables import Table


def run_date(result: dict[str, Any]) -> str:
    """The day (UTC) a result was finished, ``YYYY-MM-DD``."""
    stamp = result.get("finished") or result.get("date") or result.get("started")
    return stamp[:10] if stamp else "date not recorded"


def precision(environment: dict[str, Any]) -> str:
    """The arithmetic a training run used, from what its environment recorded (a result read with
    :func:`gnet_lib.training.results.load_result` records it in the current form)."""
    return environment.get("precision", "precision not recorded")


def provenance(result: dict[str, Any]) -> str:
    """``"<device>, <precision>, torch <version>, <date>"`` for a training result."""
    env = result["environment"]
    return f"{env['device_name']}, {precision(env)}, torch {env['torch']}, {run_date(result)}"


def bench_table(benches: Iterable[dict[str, Any]]) -> Table:
    """Benchmark results (``python -m gnet_lib bench``): the engine against a plain loop, with
    the device, torch version and date of each measurement."""
    rows = [{"device": b["environment"]["device_name"], "torch": b["environment"]["torch"], "date": run_date(b),
             "model": b["model"], "batch": b["batch_size"], "plain loop images/s": b["plain_best"],
             "engine images/s": b["engine_best"], "engine / plain": b["ratio"]} for b in benches]
    columns = ("device", "torch", "date", "model", "batch", "plain loop images/s", "engine images/s", "engine / plain")
    return Table(columns, rows, title="Training throughput: the engine against a plain PyTorch loop")
