#!/usr/bin/env python3
"""Re-encode a JPEG image folder (e.g. the CIFAR-10 mirror) at a lower JPEG quality.

    tools/reencode_jpeg.py SOURCE DEST --quality 50

DEST gets the same train/<class>/* and test/<class>/* files, re-encoded with Pillow at the
given quality and 4:2:0 chroma subsampling, and a reencoded.json marker; results on it are
filed under their own dataset key (cifar10-jpeg-q50). See gnet_lib.training.data.reencode. Exit codes: 0
done, 2 bad arguments (the message says what to fix), 130 interrupted (nothing is left behind;
run the same command again).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gnet_lib.core.errors import UsageError
from gnet_lib.training.data.reencode import reencode_folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", type=Path, help="a JPEG image folder with train/ and test/")
    parser.add_argument("destination", type=Path, help="the folder to create (must not exist)")
    parser.add_argument("--quality", type=int, required=True, help="JPEG quality, 1 to 95 (the mirror is 75)")
    args = parser.parse_args(argv)
    try:
        reencode_folder(args.source, args.destination, args.quality)
    except UsageError as exc:
        print(f"reencode_jpeg: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nreencode_jpeg: interrupted; nothing was kept. Run the same command again.", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
