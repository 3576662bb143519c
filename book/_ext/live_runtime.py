"""Sphinx extension for this book: ship the live chapters' runtime with the built book.

The pages load ``_static/live.js``, which runs the code cells tagged ``live`` in Pyodide. At the
end of an HTML build this copies into ``_static/``: the script and its style sheet, Pyodide's core
(installed by ``make book`` from the npm registry into ``book/live/node_modules``), and a zip of
the torch-free part of gnet_lib that the live cells import. Nothing is fetched at build time
beyond that install, and a reader's browser fetches nothing from outside the book.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from sphinx.errors import ExtensionError

BOOK = Path(__file__).resolve().parents[1]
PYODIDE = BOOK / "live" / "node_modules" / "pyodide"
#: Pyodide's core: the loader, the interpreter, the standard library and the package index.
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
PACKAGE = BOOK.parent / "gnet_lib"
#: What the live cells import: the package root, the core, the checkers of chapters 1-3 and the runner.
LIVE_MODULES = ("__init__.py", "core", "exercises/__init__.py", "exercises/checks.py",
                "exercises/ch1.py", "exercises/ch2.py", "exercises/ch3.py", "book/__init__.py", "book/live.py")


def _package_files() -> list[Path]:
    files = []
    for name in LIVE_MODULES:
        path = PACKAGE / name
        files += sorted(path.glob("*.py")) if path.is_dir() else [path]
    return files


def write_package_zip(target: Path) -> None:
    """The live part of gnet_lib as a zip whose paths start with ``gnet_lib/``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in _package_files():
            zf.write(path, path.relative_to(PACKAGE.parent).as_posix())


def copy_runtime(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    missing = [name for name in PYODIDE_FILES if not (PYODIDE / name).is_file()]
    if missing:
        raise ExtensionError(f"the live chapters' runtime is missing ({', '.join(missing)} in {PYODIDE}); "
                             "run `make book`, which installs it with npm ci in book/live")
    static = Path(app.outdir) / "_static"
    (static / "pyodide").mkdir(parents=True, exist_ok=True)
    for name in PYODIDE_FILES:
        shutil.copy2(PYODIDE / name, static / "pyodide" / name)
    for name in ("live.js", "live.css"):
        shutil.copy2(BOOK / "_static" / name, static / name)
    write_package_zip(static / "live" / "gnet_lib.zip")


def setup(app):
    app.add_js_file("live.js", type="module")
    app.add_css_file("live.css")
    app.connect("build-finished", copy_runtime)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
