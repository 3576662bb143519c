"""Provenance a reader can read: which hardware, which precision, which torch, which day.

A result file records everything about its run, including the machine's local paths and the
git commit; those mean nothing to a reader of the book, so what is shown is built only from
the fields named here, never from paths or commit hashes. The files keep the full record.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ...core.tables import Table


def run_date(result: dict[str, Any]) -> str:
    """The day (UTC) a result was finished, ``YYYY-MM-DD``."""
    stamp = result.get("finished") or result.get("date") or result.get("started")
    return stamp[:10] if stamp else "date not recorded"


def precision(environment: dict[str, Any]) -> str:
    """The arithmetic a training run used, from what its environment recorded (a result read with
    :func:`gnet_lib.training.results.results.load_result` records it in the current form)."""
    return environment.get("precision", "precision not recorded")


def provenance(result: dict[str, Any]) -> str:
    """``"<device>, <precision>, torch <version>, <date>"`` for a training result."""
    env = result["environment"]
    return f"{env['device_name']}, {precision(env)}, torch {env['torch']}, {run_date(result)}"


#: What the benchmark's plain loop is (``gnet_lib.training.experiments.bench``), for a caption.
PLAIN_LOOP = ("plain loop: source 000's pipeline, PIL images one at a time through a DataLoader (flip, to tensor, "
              "normalise per image), fp32, NCHW; both loops train with Adadelta on synthetic CIFAR-shaped images")


def code_state(environment: dict[str, Any]) -> str:
    """Whether the code that measured was committed as it ran (a ``+dirty`` commit had uncommitted
    changes), without the hash."""
    commit = environment.get("git_commit")
    if not commit:
        return "not recorded"
    return "uncommitted changes" if commit.endswith("+dirty") else "committed"


def bench_table(benches: Iterable[dict[str, Any]]) -> Table:
    """Benchmark results (``python -m gnet_lib bench``), one row per loop measured: the plain loop,
    the engine in fp32 with the NCHW layout where the file has it, and the engine as configured for
    the device; each row's rate against the row above it (same device and batch), and the device,
    torch version, state of the code and date of each measurement. A field the file does not
    record says so."""
    rows = []
    for b in benches:
        env = b["environment"]
        common = {"device": env["device_name"], "torch": env["torch"], "code": code_state(env), "date": run_date(b),
                  "model": b["model"], "batch": b["batch_size"]}
        loops = [("plain loop", "fp32", "NCHW", "no", b["plain_best"])]
        if b.get("engine_fp32_nchw_images_per_s"):
            loops.append(("engine", "fp32", "NCHW", "yes" if b["compile"] else "no", max(b["engine_fp32_nchw_images_per_s"])))
        loops.append(("engine", b.get("precision", "not recorded"), "channels-last", "yes" if b["compile"] else "no",
                      b["engine_best"]))
        previous = None
        for loop, arithmetic, layout, compiled, rate in loops:
            rows.append({**common, "loop": loop, "precision": arithmetic, "layout": layout, "compile": compiled,
                         "images/s": rate, "x row above": round(rate / previous, 2) if previous else None})
            previous = rate
    notes = [PLAIN_LOOP,
             ("engine: gnet_lib's training loop; the files record neither its layout (the engine's default is channels-last) "
              "nor whether it replayed the step as a CUDA graph"),
             "images/s: the best of the file's rounds; x row above: against the row above, same device and batch"]
    return Table(("device", "torch", "code", "date", "model", "batch", "loop", "precision", "layout", "compile", "images/s",
                  "x row above"), rows, title="Training throughput: a plain PyTorch loop against the engine", notes=notes)
