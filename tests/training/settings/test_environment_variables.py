"""Environment variables: read in one module, each listed in the README, switches checked."""

import json
import re
from pathlib import Path

import pytest

from gnet_lib.core.errors import UsageError
from gnet_lib.training.results.results import default_results_dir, output_results_dir
from gnet_lib.training.settings import environment_variables as ev

ROOT = Path(__file__).resolve().parents[3]
READ = re.compile(r"""(environ(\.get)?\s*[\[(]\s*|getenv\(\s*)["']GNET_""")


def test_no_other_module_or_notebook_reads_a_gnet_variable():
    readers = [p.relative_to(ROOT) for p in (ROOT / "gnet_lib").rglob("*.py") if READ.search(p.read_text())]
    assert readers == [], readers
    for path in (ROOT / "notebooks").glob("*.ipynb"):
        code = ["".join(c["source"]) for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
        assert not any(READ.search(c) for c in code), path.name


def test_the_readme_lists_every_variable():
    readme = (ROOT / "README.md").read_text()
    assert all(f"| `{name}` |" in readme for name in ev.VARIABLES)


def test_switches_take_0_or_1_and_refuse_anything_else(monkeypatch):
    monkeypatch.delenv("GNET_FULL", raising=False)
    assert ev.flag("GNET_FULL", default=True) and not ev.flag("GNET_FULL", default=False)
    monkeypatch.setenv("GNET_FULL", "0")
    assert not ev.flag("GNET_FULL", default=True)
    monkeypatch.setenv("GNET_FULL", "1")
    assert ev.flag("GNET_FULL", default=False)
    monkeypatch.setenv("GNET_FULL", "yes")
    with pytest.raises(UsageError, match=r"GNET_FULL='yes': set it to 1 \(on\) or 0 \(off\)"):
        ev.flag("GNET_FULL", default=False)
    with pytest.raises(KeyError, match="GNET_NOSUCH is not one of"):
        ev.flag("GNET_NOSUCH", default=False)


def test_the_book_and_the_commands_use_the_same_results_folder_when_it_is_set(monkeypatch, tmp_path):
    monkeypatch.setenv("GNET_RESULTS", str(tmp_path))
    assert default_results_dir() == output_results_dir() == tmp_path
    monkeypatch.delenv("GNET_RESULTS")
    assert output_results_dir() == Path("results")
    assert default_results_dir() != tmp_path


def test_the_ablation_command_writes_where_gnet_results_points(monkeypatch, tmp_path):
    from gnet_lib.cli import build_parser

    monkeypatch.setenv("GNET_RESULTS", str(tmp_path))
    assert build_parser().parse_args(["ablation"]).results_dir == str(tmp_path)
    monkeypatch.delenv("GNET_RESULTS")
    assert build_parser().parse_args(["ablation"]).results_dir == "results"
