"""Tag the code cells of the analytic chapters that run live in the rendered book, or check the tags.

    python tools/live_cells.py notebooks/01_inception_idea.ipynb [...]          # write the tags
    python tools/live_cells.py --check notebooks/01_inception_idea.ipynb [...]  # exit 1 if one is wrong

The reader's browser runs Python with the standard library and gnet_lib only (Pyodide's core, no
PyTorch, no numpy, no matplotlib). This script runs each notebook's cells in order under the same
rule (any other import fails) with :func:`gnet_lib.book.live.live_cells`: a cell is live when it
runs there and prints exactly its stored outputs. Run it after re-executing a chapter.
"""

import importlib.abc
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


class BrowserImports(importlib.abc.MetaPathFinder):
    """Refuses every import that the browser's Python cannot make: anything but the standard library
    and gnet_lib."""

    def find_spec(self, name, path=None, target=None):
        top = name.split(".")[0]
        if top not in sys.stdlib_module_names and top != "gnet_lib":
            raise ModuleNotFoundError(f"No module named {name!r} (the book's browser Python has only the "
                                      "standard library and gnet_lib)", name=name)


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [Path(a) for a in argv if a != "--check"]
    if not paths:
        print(__doc__)
        return 2
    sys.meta_path.insert(0, BrowserImports())
    from gnet_lib.book.live import LIVE_TAG, live_cells

    wrong = []
    for path in paths:
        nb = json.loads(path.read_text())
        for index, (cell, live) in enumerate(zip(nb["cells"], live_cells(nb["cells"]), strict=True)):
            tags = cell.setdefault("metadata", {}).get("tags", [])
            if (LIVE_TAG in tags) != live:
                wrong.append(f"{path.name}, cell {index}: {'runs' if live else 'does not run'} live but is "
                             f"{'not ' if live else ''}tagged {LIVE_TAG!r}")
                cell["metadata"]["tags"] = [t for t in tags if t != LIVE_TAG] + ([LIVE_TAG] if live else [])
                if not cell["metadata"]["tags"]:
                    del cell["metadata"]["tags"]
        if not check:
            path.write_text(json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n")
    if check and wrong:
        print("\n".join(wrong + ["retag with: python tools/live_cells.py NOTEBOOK..."]))
        return 1
    print(f"{'checked' if check else 'tagged'} {len(paths)} notebook(s); {len(wrong)} tag(s) {'wrong' if check else 'changed'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
