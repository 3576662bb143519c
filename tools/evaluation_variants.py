#!/usr/bin/env python3
"""Test a stored model in each of gnet_lib.training.experiments.evaluation_variants.VARIANTS and store the result.

    tools/evaluation_variants.py --weights results/weights/FILE.pt --data-dir DIR --output results/evaluation/NAME.json
    tools/evaluation_variants.py --weights ... --data-dir DIR --output EXISTING.json --add "plain in bf16"

The result holds every variant's top-1 error and every test image's prediction, so chapter 6
can compare each variant with plain testing on the same images. With --add, the variants named
are measured on the same weights, data and flip seed and added to an existing result, whose
other variants are kept as they are. Exit codes as gnet's.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gnet_lib.core.errors import UsageError
from gnet_lib.training.data.data import DataUnavailableError, load_data
from gnet_lib.training.experiments.evaluation_variants import VARIANTS, add_variants, evaluate_stored_weights
from gnet_lib.training.results.storage import CheckpointError, read_json, write_json


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--weights", required=True, type=Path)
    parser.add_argument("--data-dir", required=True, help="the data the weights were trained on")
    parser.add_argument("--output", required=True, type=Path)
    parser.add_argument("--seed", type=int, help="seed of the random test-time flip (default: 0; --add reuses the stored one)")
    parser.add_argument("--add", nargs="+", metavar="VARIANT", choices=list(VARIANTS),
                        help="measure these variants and add them to the existing --output")
    args = parser.parse_args(argv)
    try:
        if args.add and args.seed is not None:
            raise UsageError("--add reuses the flip seed the evaluation was made with; leave --seed out")
        if args.add and not args.output.is_file():
            raise UsageError(f"--add adds to an existing result, and {args.output} is not one; leave --add out to "
                             "measure every variant")
        if not args.add and args.output.exists():
            raise UsageError(f"{args.output} exists; delete it to measure again, or --add the variants it lacks")
        data = load_data("cifar10", args.data_dir, download=False)
        if args.add:
            result = add_variants(read_json(args.output), args.weights, data, args.add)
        else:
            result = evaluate_stored_weights(args.weights, data, 0 if args.seed is None else args.seed)
        write_json(args.output, result)
    except UsageError as exc:
        print(f"evaluation_variants: {exc}", file=sys.stderr)
        return 2
    except DataUnavailableError as exc:
        print(f"evaluation_variants: {exc}", file=sys.stderr)
        return 3
    except CheckpointError as exc:
        print(f"evaluation_variants: {exc}", file=sys.stderr)
        return 4
    for name, v in result["variants"].items():
        print(f"{name:>16}: top-1 error {v['top1_err']:.4f}")
    print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
