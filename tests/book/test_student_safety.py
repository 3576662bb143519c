"""`gnet student` on broken input: a UsageError (exit 2) that says where and how to fix it, and
nothing written: the destination stays as it was and no temporary folder is left behind."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import nbformat
import pytest

from gnet_lib.book import student
from gnet_lib.cli import main

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
BLOCK = "# BEGIN SOLUTION (placeholder: y = ...)\ny = 6 * 7\n# END SOLUTION"


def _code(source: str, tagged: bool = True) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    if tagged:
        cell.metadata["tags"] = ["solution"]
    return cell


def _write(folder: Path, name: str, *cells: nbformat.NotebookNode) -> Path:
    """A small notebook: a title cell, then ``cells``."""
    folder.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title"), *cells])
    nbformat.write(nb, folder / name)
    return folder / name


def _tree(root: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) under ``root``."""
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None) for p in sorted(root.rglob("*"))}


def _student(capsys, *args: str) -> tuple[int, str]:
    code = main(["student", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """Two valid small notebooks."""
    folder = tmp_path / "src"
    _write(folder, "a.ipynb", _code(BLOCK))
    _write(folder, "b.ipynb", _code("x = 1", tagged=False), _code(BLOCK))
    return folder


def _refused(capsys, tmp_path: Path, *args: str) -> str:
    """Run `gnet student`, expect exit 2 and no change anywhere under ``tmp_path``; the message."""
    before = _tree(tmp_path)
    code, message = _student(capsys, *args)
    assert code == 2, message
    assert "Traceback" not in message
    assert _tree(tmp_path) == before
    return message


def test_valid_notebooks_are_written(capsys, tmp_path, source):
    code, message = _student(capsys, source, tmp_path / "out" / "student")
    assert code == 0, message
    assert "2 notebooks written" in message
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["student"]
    text = (tmp_path / "out" / "student" / "a.ipynb").read_text()
    assert "# YOUR CODE HERE" in text and "6 * 7" not in text


def test_an_update_keeps_other_files_and_leaves_no_temporary_folder(capsys, tmp_path, source):
    dest = tmp_path / "student"
    dest.mkdir()
    (dest / "README.md").write_text("published copy\n")
    (dest / "a.ipynb").write_text("old edition")
    code, message = _student(capsys, source, dest)
    assert code == 0, message
    assert sorted(p.name for p in dest.iterdir()) == ["README.md", "a.ipynb", "b.ipynb"]
    assert (dest / "README.md").read_text() == "published copy\n"
    assert "# YOUR CODE HERE" in (dest / "a.ipynb").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src", "student"]


def test_invalid_json_names_the_file_and_writes_nothing(capsys, tmp_path, source):
    (source / "c.ipynb").write_text('{"cells": [')
    message = _refused(capsys, tmp_path, source, tmp_path / "student")
    assert f"{source / 'c.ipynb'} cannot be read as a notebook" in message
    assert "is unchanged" in message


@pytest.mark.parametrize("text", ["[]", '{"nbformat": 4, "nbformat_minor": 5}', "\udcff"])
def test_json_that_is_no_notebook_names_the_file(capsys, tmp_path, source, text):
    (source / "c.ipynb").write_bytes(text.encode("utf-8", "surrogateescape"))
    message = _refused(capsys, tmp_path, source, tmp_path / "student")
    assert f"{source / 'c.ipynb'} cannot be read as a notebook" in message


def test_a_broken_notebook_leaves_an_older_edition_as_it_was(capsys, tmp_path):
    src = tmp_path / "src"
    shutil.copytree(NOTEBOOKS, src, ignore=shutil.ignore_patterns("*.cfg"))
    dest = tmp_path / "student"
    assert main(["student", str(src), str(dest)]) == 0
    capsys.readouterr()
    nb = nbformat.read(src / "03_counting_cost.ipynb", as_version=4)
    index, cell = next((i, c) for i, c in enumerate(nb.cells) if "solution" in c.metadata.get("tags", []))
    cell.source = cell.source.replace("# END SOLUTION", "# End Solution")
    nbformat.write(nb, src / "03_counting_cost.ipynb")
    (src / "01_inception_idea.ipynb").write_text("not json")
    message = _refused(capsys, tmp_path, src, dest)
    line = cell.source.split("\n").index("# End Solution") + 1
    assert f"03_counting_cost.ipynb, cell {index + 1} (id {cell['id']}), line {line}: '# End Solution'" in message
    assert "01_inception_idea.ipynb cannot be read as a notebook" in message


@pytest.mark.parametrize("end", ["# END SOLUTON", "# end solution", "#END SOLUTION", "  #  END  SOLUTION", "# ENDSOLUTION"])
def test_a_misspelled_end_marker_is_named_with_the_exact_one(capsys, tmp_path, source, end):
    _write(source, "c.ipynb", _code("x = 1", tagged=False), _code(BLOCK.replace("# END SOLUTION", end)))
    message = _refused(capsys, tmp_path, source, tmp_path / "student")
    assert "c.ipynb, cell 3 (id " in message and f"line 3: {end.strip()!r} looks like an END marker" in message
    assert "the exact marker is '# END SOLUTION'" in message
    assert "BEGIN" not in message.split("looks like")[0] and "no matching" not in message


@pytest.mark.parametrize("begin, why", [
    ("# BEGIN SOLUTON (placeholder: y = ...)", "it is not written exactly"),
    ("# begin solution (placeholder: y = ...)", "it is not written exactly"),
    ("# BEGIN SOLUTION", "its placeholder is missing"),
])
def test_a_misspelled_begin_marker_is_named_with_the_exact_one(capsys, tmp_path, source, begin, why):
    _write(source, "c.ipynb", _code(BLOCK.replace("# BEGIN SOLUTION (placeholder: y = ...)", begin)))
    message = _refused(capsys, tmp_path, source, tmp_path / "student")
    assert f"line 1: {begin!r} looks like a BEGIN marker but {why}" in message
    assert "'# BEGIN SOLUTION (placeholder: CODE)'" in message
    assert "without a" not in message


def test_a_marker_after_code_must_be_on_its_own_line(capsys, tmp_path, source):
    _write(source, "c.ipynb", _code(BLOCK.replace("\n# END SOLUTION", "  # END SOLUTION")))
    message = _refused(capsys, tmp_path, source, tmp_path / "student")
    assert "line 2: 'y = 6 * 7  # END SOLUTION' looks like an END marker but it is not on a line of its own" in message


def test_a_begin_without_its_end(capsys, tmp_path, source):
    _write(source, "c.ipynb", _code("# BEGIN SOLUTION (placeholder: y = ...)\ny = 6 * 7"))
    message = _refused(capsys, tmp_path, source, tmp_path / "student")
    assert "c.ipynb, cell 2" in message
    assert "line 1: '# BEGIN SOLUTION (placeholder: ...)' has no matching '# END SOLUTION' below it" in message


def test_an_end_without_its_begin(capsys, tmp_path, source):
    _write(source, "c.ipynb", _code(BLOCK + "\nz = 1\n# END SOLUTION"))
    message = _refused(capsys, tmp_path, source, tmp_path / "student")
    assert "line 5: '# END SOLUTION' without a '# BEGIN SOLUTION (placeholder: ...)' above it" in message


def test_a_begin_inside_an_open_block(capsys, tmp_path, source):
    _write(source, "c.ipynb", _code("# BEGIN SOLUTION (placeholder: x = ...)\n" + BLOCK))
    message = _refused(capsys, tmp_path, source, tmp_path / "student")
    assert "line 2: a second '# BEGIN SOLUTION' while the block opened on line 1 is still open" in message


def test_a_near_miss_in_an_untagged_cell_is_caught(capsys, tmp_path, source):
    _write(source, "c.ipynb", _code(BLOCK.replace("BEGIN", "BEGN"), tagged=False))
    message = _refused(capsys, tmp_path, source, tmp_path / "student")
    assert "line 1: '# BEGN SOLUTION (placeholder: y = ...)' looks like a BEGIN marker" in message


def test_every_problem_of_every_notebook_is_listed(capsys, tmp_path, source):
    _write(source, "c.ipynb", _code(BLOCK.replace("END", "ED")), _code("# END SOLUTION"))
    _write(source, "d.ipynb", nbformat.v4.new_markdown_cell(":::{solution-end}\n:::"), _code("y = 1"))
    message = _refused(capsys, tmp_path, source, tmp_path / "student")
    assert "c.ipynb, cell 2" in message and "c.ipynb, cell 3" in message
    assert "d.ipynb, cell 2 (id " in message and "':::{solution-end}' without a ':::{solution-start}' cell" in message
    assert "d.ipynb, cell 3" in message and "has no '# BEGIN SOLUTION' block" in message


def test_markdown_solution_markers(capsys, tmp_path, source):
    md = nbformat.v4.new_markdown_cell
    _write(source, "c.ipynb", md(":::{solution-start} ex-1\n:class: dropdown\n:::"), md("explained"),
           md("::: {Solution-End}\n:::"))
    message = _refused(capsys, tmp_path, source, tmp_path / "student")
    assert "c.ipynb, cell 4 (id " in message and "'::: {Solution-End}' looks like a solution marker cell" in message
    assert "c.ipynb, cell 2 (id " in message and "a ':::{solution-start}' cell has no ':::{solution-end}'" in message


@pytest.mark.parametrize("url, why", [
    ("colab.example/student", "does not start with http:// or https://"),
    ("ftp://colab.example/student", "does not start with http:// or https://"),
    ("https://", "has no host name"),
    ("https://colab.example/student?x=1", "has a ?query or #fragment"),
    ("https://colab.example/my student", "contains spaces"),
    ("http://[::1/student", "cannot be parsed (Invalid IPv6 URL)"),
])
def test_colab_base_must_be_an_http_url(capsys, tmp_path, source, url, why):
    message = _refused(capsys, tmp_path, source, tmp_path / "student", "--colab-base", url)
    assert f"--colab-base {url!r} is not a folder URL: it {why}" in message
    assert "e.g. --colab-base https://colab.research.google.com/github/" in message


def test_colab_base_over_http_is_accepted(capsys, tmp_path, source):
    code, message = _student(capsys, source, tmp_path / "student", "--colab-base", "HTTP://colab.example/s/")
    assert code == 0, message


def test_a_destination_that_is_a_file(capsys, tmp_path, source):
    (tmp_path / "student").write_text("keep me")
    message = _refused(capsys, tmp_path, source, tmp_path / "student")
    assert f"the destination {tmp_path / 'student'} is a file, not a folder" in message


def test_a_destination_below_a_file(capsys, tmp_path, source):
    (tmp_path / "plain").write_text("keep me")
    message = _refused(capsys, tmp_path, source, tmp_path / "plain" / "student")
    assert f"{tmp_path / 'plain'} is a file, not a folder" in message


def test_a_notebook_name_taken_by_a_folder(capsys, tmp_path, source):
    (tmp_path / "student" / "a.ipynb").mkdir(parents=True)
    message = _refused(capsys, tmp_path, source, tmp_path / "student")
    assert f"{tmp_path / 'student' / 'a.ipynb'} is a folder" in message


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder(capsys, tmp_path, source):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        message = _refused(capsys, tmp_path, source, locked / "student")
    finally:
        locked.chmod(0o755)
    assert f"the folder {locked} is read-only" in message


def test_a_folder_that_refuses_writes(capsys, tmp_path, source, monkeypatch):
    monkeypatch.setattr(student.os, "access", lambda path, mode: False)
    message = _refused(capsys, tmp_path, source, tmp_path / "out" / "student")
    assert f"cannot write the student edition to {tmp_path / 'out' / 'student'}: the folder {tmp_path} is read-only" in message


def test_a_file_system_that_refuses_the_temporary_folder(capsys, tmp_path, source, monkeypatch):
    def refuse(**kwargs):
        raise PermissionError(13, "Permission denied", kwargs["dir"])

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    message = _refused(capsys, tmp_path, source, tmp_path / "student")
    assert f"cannot write the student edition to {tmp_path / 'student'}: Permission denied in {tmp_path}" in message


def test_an_unexpected_failure_also_writes_nothing(capsys, tmp_path, source, monkeypatch):
    dest = tmp_path / "student"
    assert main(["student", str(source), str(dest)]) == 0
    writes = []

    def fail_second(path, text):
        writes.append(path)
        if len(writes) == 2:
            raise OSError(28, "No space left on device")
        Path(path).write_text(text)

    monkeypatch.setattr(student, "write_text", fail_second)
    before = _tree(tmp_path)
    assert main(["student", str(source), str(dest)]) == 1
    assert "No space left on device" in capsys.readouterr().err
    assert _tree(tmp_path) == before
