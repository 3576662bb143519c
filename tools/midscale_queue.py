#!/usr/bin/env python3
"""Work through the mid-scale protocol's runs (gnet_lib.training.midscale.RUNS), one per CPU core.

    tools/midscale_queue.py --data-dir DIR --work ~/gnet-runs/midscale [--cores 0 1]

Each run is `python -m gnet_lib ablation ...` with one thread, pinned to its core with
`taskset` and lowered with `nice`, so that two single-thread runs share a 2-core machine with
other work. Results go to WORK/results, checkpoints to WORK/runs, logs to WORK/logs/LABEL.log.
A finished run is skipped, an interrupted one resumes from its last epoch: after any stop,
start the same command again. Runs on a re-encoded copy of the data (`data_variant`) read
VARIANTS/<variant> (made by tools/reencode_jpeg.py) and are skipped while it is missing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gnet_lib.training.midscale import RUNS, MidscaleRun, cannot_run_here
from gnet_lib.training.provenance import cpu_has_native_bf16


def command(run: MidscaleRun, core: int, data_dir: str, work: Path) -> list[str]:
    """The pinned, lowered command line of one run."""
    return ["nice", "-n", "19", "taskset", "-c", str(core), sys.executable, "-m", "gnet_lib", "ablation",
            *run.cli_args(data_dir), "--results-dir", str(work / "results"), "--runs-dir", str(work / "runs")]


def data_for(run: MidscaleRun, data_dir: str, variants: Path) -> str | None:
    if run.data_variant is None:
        return data_dir
    folder = variants / run.data_variant
    return str(folder) if folder.is_dir() else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", required=True, help="the CIFAR-10 image folder (train/ and test/)")
    parser.add_argument("--work", type=Path, default=Path.home() / "gnet-runs" / "midscale")
    parser.add_argument("--variants", type=Path, help="folder of re-encoded copies (default: WORK/data-variants)")
    parser.add_argument("--cores", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--only", nargs="+", metavar="LABEL", help="just these runs (labels as in the log names)")
    parser.add_argument("--list", action="store_true", help="print the runs in order and stop")
    args = parser.parse_args()
    runs = [r for r in RUNS if args.only is None or r.label in args.only]
    if args.list:
        for i, r in enumerate(runs, 1):
            print(f"{i:>2}. {r.label:<24} {r.purpose}")
        return 0
    native = cpu_has_native_bf16()
    refused = [(r, why) for r in runs if (why := cannot_run_here(r, native))]
    for r, why in refused:
        print(f"{r.label}: not started: {why}", flush=True)
    runs = [r for r in runs if not cannot_run_here(r, native)]
    variants = args.variants or args.work / "data-variants"
    (args.work / "logs").mkdir(parents=True, exist_ok=True)
    lock = threading.Lock()
    pending = list(runs)
    if refused and not runs:
        return 2
    failed: list[str] = []
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}

    def worker(core: int) -> None:
        while True:
            with lock:
                if not pending:
                    return
                run = pending.pop(0)
            data_dir = data_for(run, args.data_dir, variants)
            if data_dir is None:
                print(f"{run.label}: skipped, {variants / str(run.data_variant)} does not exist yet", flush=True)
                continue
            print(f"{run.label}: core {core}, log {args.work / 'logs' / (run.label + '.log')}", flush=True)
            with open(args.work / "logs" / f"{run.label}.log", "a") as log:
                code = subprocess.call(command(run, core, data_dir, args.work), stdout=log, stderr=subprocess.STDOUT, env=env)
            print(f"{run.label}: exit {code}", flush=True)
            if code != 0:
                failed.append(run.label)

    threads = [threading.Thread(target=worker, args=(core,)) for core in args.cores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failed:
        print(f"failed: {', '.join(failed)} (see their logs)", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
