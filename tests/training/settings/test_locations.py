"""Where the package and its checkout lie: the book reads the checkout's results, and provenance
names the checkout's commit."""

import re
from pathlib import Path

from gnet_lib.training.gpu.campaign import book_results_folders
from gnet_lib.training.results.provenance import git_commit
from gnet_lib.training.results.results import default_results_dir
from gnet_lib.training.settings import locations

CHECKOUT = Path(__file__).resolve().parents[3]


def test_the_locations_are_the_checkouts():
    assert locations.PACKAGE_DIR == CHECKOUT / "gnet_lib"
    assert locations.CHECKOUT_DIR == CHECKOUT and (CHECKOUT / "pyproject.toml").is_file()
    assert locations.CHECKOUT_RESULTS == CHECKOUT / "results"


def test_the_book_reads_the_checkouts_results_when_nothing_else_is_said(monkeypatch):
    monkeypatch.delenv("GNET_RESULTS", raising=False)
    assert default_results_dir() == CHECKOUT / "results"
    assert (default_results_dir() / "bench").is_dir()
    assert CHECKOUT / "results" in book_results_folders()


def test_provenance_names_the_checkouts_commit():
    assert re.fullmatch(r"[0-9a-f]{40}(\+dirty)?", git_commit())


def test_the_data_folder_is_the_one_named_or_the_default(tmp_path, monkeypatch):
    from gnet_lib.training.settings.locations import DEFAULT_DATA, data_root

    monkeypatch.setenv("HOME", str(tmp_path))
    assert data_root(None) == DEFAULT_DATA and data_root("") == DEFAULT_DATA
    assert data_root("~/cifar") == tmp_path / "cifar"
    assert data_root(tmp_path / "x") == tmp_path / "x"
