"""Child processes worked through in parallel, one at a time per slot (a device, a CPU core).

The one runner behind ``gnet ablation --devices`` (a slot per GPU) and the mid-scale queue
(``tools/midscale_queue.py``, a slot per CPU core): each slot's worker takes the next item from a
shared queue, turns it into a :class:`Job` for its slot, runs it as a child process with its
output in a log file, and takes the next. On an interrupt no new job starts and the running
children are stopped; a training child checkpoints every finished epoch, so running the same
command again resumes.
"""

from __future__ import annotations

import queue
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

Item = TypeVar("Item")
Slot = TypeVar("Slot")


@dataclass(frozen=True)
class Job:
    """One child process: its name in the log, what it runs where (``where``, for the log), its
    command line, the file its output goes to, and its environment (``None``: this process's)."""

    label: str
    where: str
    command: list[str]
    log_path: Path
    env: Mapping[str, str] | None = None


def _run_child(job: Job, stop: threading.Event, lock: threading.Lock, running: list[subprocess.Popen[bytes]]) -> int:
    """Run ``job``'s child to its end and return its exit code; it joins ``running`` (so an error
    elsewhere can stop it), and a child started just as another worker failed is stopped at once."""
    job.log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(job.log_path, "a") as out, subprocess.Popen(
        job.command, stdout=out, stderr=subprocess.STDOUT, env=None if job.env is None else dict(job.env)
    ) as proc:
        with lock:
            running.append(proc)
            if stop.is_set():
                proc.terminate()
        return proc.wait()


def run_jobs(items: Sequence[Item], slots: Sequence[Slot], make_job: Callable[[Item, Slot], Job | None],
             log: Callable[[str], None]) -> list[str]:
    """Run ``make_job(item, slot)`` for every item, one child at a time on each slot, the slots in
    parallel; ``make_job`` returning ``None`` skips an item (it says why itself). Returns the jobs
    that failed, as ``"label (exit code N)"``. An interrupt (or any error in a worker) stops the
    running children and starts no new one, then propagates."""
    todo: queue.SimpleQueue[Item] = queue.SimpleQueue()
    for item in items:
        todo.put(item)
    stop, lock = threading.Event(), threading.Lock()
    running: list[subprocess.Popen[bytes]] = []
    failures: list[str] = []

    def worker(slot: Slot) -> None:
        while not stop.is_set():
            try:
                item = todo.get_nowait()
            except queue.Empty:
                return
            job = make_job(item, slot)
            if job is None:
                continue
            log(f"{job.label}: {job.where} (log: {job.log_path})")
            code = _run_child(job, stop, lock, running)
            if code == 0:
                log(f"{job.label}: done")
            else:
                log(f"{job.label}: failed with exit code {code} (see {job.log_path})")
                failures.append(f"{job.label} (exit code {code})")

    with ThreadPoolExecutor(max_workers=len(slots)) as pool:
        futures = [pool.submit(worker, slot) for slot in slots]
        try:
            finished, _ = wait(futures, return_when=FIRST_EXCEPTION)
            for future in finished:  # the first worker to fail stops all, whichever slot it had
                future.result()
        except BaseException:
            with lock:
                stop.set()
                for proc in running:
                    proc.terminate()
            raise
    return failures
