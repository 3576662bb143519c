"""The chapters the way Colab runs them: gnet_lib installed as a package (not this checkout), the
notebook in a folder outside the checkout, no ``GNET_*`` variables, no CIFAR copy. Every chapter's
imports load there; the chapters that read data or stored results are executed there in full (the
others run the same code wherever they are, and nbval executes them once per test run).

The environment is a fresh virtual environment holding only the wheel built from this checkout's
tracked files; the third-party packages (torch, jupyter, ...) come from the project's environment
through a path file, so nothing is downloaded. The executed notebooks must raise no error, every
exercise check must pass, and the chapters that read stored results must find them.
"""

import ast
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
#: the chapters that train on CIFAR-10 where they find it, and say so when they fall back
DATA_CHAPTERS = [n for n in NOTEBOOKS if "book_data(" in (ROOT / "notebooks" / n).read_text()]
#: the chapters whose run depends on where they run: they read data or stored results (from the
#: installed package on Colab). They are executed here as on Colab; the others run the same code
#: wherever they run, so nbval's one execution covers them, and here they are only imported.
PLACE_CHAPTERS = [n for n in NOTEBOOKS
                  if any(call in (ROOT / "notebooks" / n).read_text() for call in ("book_data(", "default_results_dir("))]

RUNNER = """
import sys
import nbformat
from nbclient import NotebookClient

source, target = sys.argv[1], sys.argv[2]
nb = nbformat.read(source, as_version=4)
NotebookClient(nb, timeout=1800, kernel_name="colab-like", resources={"metadata": {"path": "."}}).execute()
nbformat.write(nb, target)
"""


def _sh(*args: str, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(args, capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, f"{' '.join(args)}\n{done.stdout}\n{done.stderr}"
    return done


def _tracked_copy(target: Path) -> Path:
    """The checkout's tracked files (what a clone of the repository holds), copied to ``target``."""
    files = _sh("git", "ls-files", "-z", cwd=ROOT).stdout.split("\0")
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    return target


@pytest.fixture(scope="module")
def colab(tmp_path_factory) -> dict:
    """A fresh environment with the package installed from a wheel, and a folder to run in."""
    base = tmp_path_factory.mktemp("colab")
    source = _tracked_copy(base / "clone")
    _sh(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
        str(source), "-w", str(base / "dist"))
    venv = base / "venv"
    _sh(sys.executable, "-m", "venv", "--without-pip", str(venv))
    python = venv / "bin" / "python"
    site = Path(_sh(str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip())
    (site / "project_packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    wheel = next((base / "dist").glob("gnet_lib-*.whl"))
    _sh(sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", "--target", str(site), str(wheel))
    kernel = venv / "share" / "jupyter" / "kernels" / "colab-like"
    kernel.mkdir(parents=True)
    (kernel / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "colab-like", "language": "python"}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("GNET_") and k != "PYTHONPATH"}
    content = base / "content"
    content.mkdir()
    return {"python": python, "site": site, "env": env, "content": content}


def test_the_package_comes_from_the_wheel_with_the_stored_results(colab):
    code = ("import gnet_lib, gnet_lib.training.results.results as r; print(gnet_lib.__file__); print(r.default_results_dir())")
    lines = _sh(str(colab["python"]), "-c", code, cwd=colab["content"], env=colab["env"]).stdout.split()
    assert Path(lines[0]).is_relative_to(colab["site"])
    results = Path(lines[1])
    assert results == colab["site"] / "gnet_lib" / "stored_results"
    tracked = _sh("git", "ls-files", "results", cwd=ROOT).stdout.split()
    stored = sorted(Path(name).relative_to("results") for name in tracked)
    shipped = sorted(p.relative_to(results) for p in results.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    assert stored and shipped == stored


def test_the_install_cell_installs_the_books_extra():
    """On Colab the first code cell installs the package with the extra chapter 4 needs."""
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert "book = [" in pyproject and "torchinfo" in pyproject
    for name in NOTEBOOKS:
        cells = [c for c in nbformat.read(ROOT / "notebooks" / name, as_version=4).cells if c.cell_type == "code"]
        assert '%pip install --quiet "gnet_lib[book] @ git+https://' in cells[0].source, name


def _imports(notebook: Path) -> list[str]:
    """Every import statement of a notebook's code cells."""
    statements = []
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type == "code" and not cell.source.lstrip().startswith("%"):
            tree = ast.parse(TransformerManager().transform_cell(cell.source))
            statements += [ast.unparse(n) for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    return statements


def test_every_chapter_is_tested_here_or_needs_only_its_imports():
    assert PLACE_CHAPTERS and set(DATA_CHAPTERS) <= set(PLACE_CHAPTERS) and len(PLACE_CHAPTERS) < len(NOTEBOOKS)
    assert all(_imports(ROOT / "notebooks" / n) for n in NOTEBOOKS)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_everything_the_chapter_imports_comes_with_the_package(colab, name):
    """What a chapter imports (the package's modules, the ``[book]`` extra) loads on Colab."""
    code = "\n".join(_imports(ROOT / "notebooks" / name)) + "\nimport gnet_lib; print(gnet_lib.__file__)"
    out = _sh(str(colab["python"]), "-c", code, cwd=colab["content"], env=colab["env"]).stdout
    assert Path(out.split()[-1]).is_relative_to(colab["site"])


@pytest.mark.parametrize("name", PLACE_CHAPTERS)
def test_the_chapter_runs_as_on_colab(colab, name):
    folder = colab["content"] / name.removesuffix(".ipynb")
    folder.mkdir()
    shutil.copy(ROOT / "notebooks" / name, folder / name)
    _sh(str(colab["python"]), "-c", RUNNER, name, f"executed-{name}", cwd=folder, env=colab["env"], timeout=3600)
    nb = nbformat.read(folder / f"executed-{name}", as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    text = "\n".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in outputs)
    assert not [o for o in outputs if o.output_type == "error"]
    assert "stored yet" not in text
    verdicts = [o["data"]["text/plain"] for c in nb.cells if "check" in c.metadata.get("tags", [])
                for o in c.outputs if o.output_type == "execute_result"]
    assert all(v.startswith("✓") for v in verdicts), verdicts
    if name in DATA_CHAPTERS:
        assert "CIFAR-10 is not available here" in text and "uses synthetic CIFAR-shaped data" in text
