"""The first-contact probe on a GPU machine (2.5 minutes by default): see gnet_lib.training.gpu.probe.

    PYTHONPATH=. python3 tools/gpu_probe.py --output $OUT/gpu-probe.json

The report is rewritten after each section, so a command stopped at its limit still returns what
was measured. Commit it as results/bench/gpu-probe.json: the campaign's plan reads it from there.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gnet_lib.core.errors import UsageError
from gnet_lib.training.gpu.probe import GROUP_MODELS, ProbeSettings, run_probe


def parse(argv: list[str]) -> ProbeSettings:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--output", required=True, type=Path, help="the JSON report (rewritten after each section)")
    p.add_argument("--minutes", type=float, default=2.5, help="no section starts after this many minutes (default: 2.5)")
    p.add_argument("--device", default="cuda", help="default: cuda")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--steps", type=int, default=60, help="timed steps per measurement (default: 60)")
    p.add_argument("--epoch-steps", type=int, default=30, help="steps per synthetic epoch (default: 30)")
    p.add_argument("--eval-images", type=int, default=10_000)
    p.add_argument("--models", nargs="+", default=list(GROUP_MODELS), help="the variants trained as one group")
    p.add_argument("--naive", default="naive", help="the model whose cost decides the window (default: naive)")
    p.add_argument("--reference", default="googlenet", help="the model of the A/B and the checks (default: googlenet)")
    a = p.parse_args(argv)
    for option, value in (("--batch-size", a.batch_size), ("--steps", a.steps), ("--epoch-steps", a.epoch_steps),
                          ("--eval-images", a.eval_images), ("--minutes", a.minutes)):
        if not value > 0:
            raise UsageError(f"{option} must be positive, got {value}")
    if a.epoch_steps * a.batch_size < 10:
        raise UsageError("an epoch of --epoch-steps batches of --batch-size images needs at least 10 images, one per class")
    return ProbeSettings(a.output, a.device, a.batch_size, a.steps, a.epoch_steps, a.eval_images, tuple(a.models),
                         a.naive, a.minutes, a.reference)


def main(argv: list[str] | None = None) -> int:
    try:
        settings = parse(sys.argv[1:] if argv is None else argv)
    except UsageError as exc:
        print(f"gpu_probe: {exc}", file=sys.stderr)
        return 2
    report = run_probe(settings, log=lambda line: print(line, flush=True))
    print(f"gpu_probe: report in {settings.output}; skipped: {', '.join(report['skipped']) or 'nothing'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
