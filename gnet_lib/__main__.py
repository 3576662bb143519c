"""``python -m gnet_lib``: see :mod:`gnet_lib.cli`."""

import sys

from .cli import main

sys.exit(main())
