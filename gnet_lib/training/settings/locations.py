"""Where the package lies on disk, and the checkout around it when it runs from one."""

from __future__ import annotations

import os
from pathlib import Path

#: The ``gnet_lib`` folder (in a checkout, or in an installed package's site-packages).
PACKAGE_DIR = Path(__file__).resolve().parents[2]
#: The folder above it: a checkout's root when gnet_lib runs from a clone or an editable install.
CHECKOUT_DIR = PACKAGE_DIR.parent
#: The checkout's committed results (absent for an installed package).
CHECKOUT_RESULTS = CHECKOUT_DIR / "results"
#: The copy of the committed results an installed package carries (absent in a checkout).
PACKAGED_RESULTS = PACKAGE_DIR / "stored_results"

#: Where commands keep run folders (checkpoints, logs) unless told otherwise, from the working folder.
DEFAULT_RUNS = Path("runs")
#: The folder of a results folder that holds trained weights (fp16 files named after their run).
WEIGHTS_FOLDER = "weights"
#: Where commands look for datasets (and download torchvision's) unless told otherwise.
DEFAULT_DATA = Path("data")


def data_root(data_dir: str | os.PathLike[str] | None) -> Path:
    """The data folder a command reads: ``data_dir`` as given (``~`` expanded), else :data:`DEFAULT_DATA`."""
    return Path(data_dir or DEFAULT_DATA).expanduser()
