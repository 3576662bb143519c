"""Re-execute notebooks in place, so that their stored outputs are what the code gives now.

    python tools/execute_notebooks.py notebooks/03_counting_cost.ipynb [...]

Run it from the repository root with the project's environment. Chapter 5 reads CIFAR-10 from
``GNET_CIFAR10_DIR`` when that is set (the book's stored outputs come from real data); nbval
then checks the stored outputs against a fresh run (``make test``).
"""

import sys

import nbformat
from nbclient import NotebookClient

for path in sys.argv[1:]:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=1800, kernel_name="python3", resources={"metadata": {"path": "notebooks"}}).execute()
    nbformat.write(nb, path)
    print("executed", path)
