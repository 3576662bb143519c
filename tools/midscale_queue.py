#!/usr/bin/env python3
"""Work through the mid-scale protocol's runs (gnet_lib.training.experiments.midscale.RUNS), one per CPU core.

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
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gnet_lib.training.experiments.job_queue import Job, run_jobs
from gnet_lib.training.experiments.midscale import RUNS, MidscaleRun, cannot_run_here
from gnet_lib.training.results.provenance import cpu_has_native_bf16


def command(run: MidscaleRun, core: int, data_dir: str, work: Path) -> list[str]:
    """The pinned, lowered command line of one run."""
    return ["nice", "-n", "19", "taskset", "-c", str(core), sys.executable, "-m", "gnet_lib", "ablation",
            *run.cli_args(data_dir), "--results-dir", str(work / "results"), "--runs-dir", str(work / "runs")]


def data_for(run: MidscaleRun, data_dir: str, variants: Path) -> str | None:
    if run.data_variant is None:
        return data_dir
    folder = variants / run.data_variant
    return str(folder) if folder.is_dir() else None


def runnable(runs: list[MidscaleRun]) -> list[MidscaleRun]:
    """The runs this CPU can make; each refused one is named with the reason."""
    native = cpu_has_native_bf16()
    kept = []
    for run in runs:
        why = cannot_run_here(run, native)
        if why:
            print(f"{run.label}: not started: {why}", flush=True)
        else:
            kept.append(run)
    return kept


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
    todo = runnable(runs)
    if runs and not todo:
        return 2
    variants = args.variants or args.work / "data-variants"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}

    def job(run: MidscaleRun, core: int) -> Job | None:
        data_dir = data_for(run, args.data_dir, variants)
        if data_dir is None:
            print(f"{run.label}: skipped, {variants / str(run.data_variant)} does not exist yet", flush=True)
            return None
        return Job(run.label, f"core {core}", command(run, core, data_dir, args.work),
                   args.work / "logs" / f"{run.label}.log", env)

    failed = run_jobs(todo, args.cores, job, lambda line: print(line, flush=True))
    if failed:
        print(f"failed: {', '.join(failed)} (see their logs)", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
