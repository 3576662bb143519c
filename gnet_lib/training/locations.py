"""Where the package lies on disk, and the checkout around it when it runs from one."""

from __future__ import annotations

from pathlib import Path

#: The ``gnet_lib`` folder (in a checkout, or in an installed package's site-packages).
PACKAGE_DIR = Path(__file__).resolve().parents[1]
#: The folder above it: a checkout's root when gnet_lib runs from a clone or an editable install.
CHECKOUT_DIR = PACKAGE_DIR.parent
#: The checkout's committed results (absent for an installed package).
CHECKOUT_RESULTS = CHECKOUT_DIR / "results"
#: The copy of the committed results an installed package carries (absent in a checkout).
PACKAGED_RESULTS = PACKAGE_DIR / "stored_results"
