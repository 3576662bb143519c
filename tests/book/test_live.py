"""Live cells: one runner for the browser and CPython, and the tags of the analytic chapters."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from gnet_lib.book.live import LIVE_TAG, Output, live_cells, run_cell, stored_outputs

ROOT = Path(__file__).resolve().parents[2]
ANALYTIC = ["01_inception_idea.ipynb", "02_shapes_and_padding.ipynb", "03_counting_cost.ipynb"]


class Html:
    def __repr__(self):
        return "Html()"

    def _repr_html_(self):
        return "<b>html</b>"


def test_a_cell_shows_prints_displays_and_its_last_value_in_order():
    ns = {"Html": Html}
    out = run_cell("print('a')\nprint('b')\ndisplay(Html())\nprint('c')\nx = 2\nx * 21", ns)
    assert out == [Output("stream", "a\nb\n"), Output("display", "Html()", "<b>html</b>"), Output("stream", "c\n"),
                   Output("result", "42")]
    assert ns["x"] == 2 and run_cell("x + 1", ns) == [Output("result", "3")]
    assert run_cell("y = 1", ns) == [] and run_cell("None", ns) == []


def test_an_error_stops_the_cell_and_is_shown_by_type_and_message():
    out = run_cell("print('before')\n1 / 0\nprint('after')", {})
    assert out == [Output("stream", "before\n"), Output("error", "ZeroDivisionError: division by zero\n(line 2 of the cell)")]
    assert "SyntaxError" in run_cell("def f(:", {})[0].text


def test_stored_outputs_read_as_the_runner_gives_them():
    cell = {"cell_type": "code", "source": "print(1)\nHtml()", "outputs": [
        {"output_type": "stream", "name": "stdout", "text": ["1\n"]},
        {"output_type": "execute_result", "data": {"text/plain": ["Html()"], "text/html": ["<b>html</b>"]}}]}
    assert stored_outputs(cell) == run_cell(cell["source"], {"Html": Html})


def test_a_cell_is_live_only_when_it_gives_its_stored_outputs_and_no_figure():
    def code(source, *outputs):
        return {"cell_type": "code", "source": source, "metadata": {}, "outputs": list(outputs)}

    printed = {"output_type": "stream", "name": "stdout", "text": ["2\n"]}
    figure = {"output_type": "display_data", "data": {"image/png": "..", "text/plain": ["<Figure>"]}}
    cells = [{"cell_type": "markdown", "source": "text"}, code("a = 1"), code("print(a + 1)", printed),
             code("print(a + 2)", printed), code("import no_such_module"), code("fig = 1", figure),
             code("%pip install x"), code("a", {"output_type": "execute_result", "data": {"text/plain": ["1"]}})]
    assert live_cells(cells) == [False, True, True, False, False, False, False, True]


def test_a_cell_after_a_failed_one_cannot_use_what_the_failed_one_bound_before_failing():
    """The browser runs only live cells: a cell that fails half-way (a figure cell whose plotting
    import fails after a first line ran) binds nothing for the cells after it."""
    printed = {"output_type": "stream", "name": "stdout", "text": ["3\n"]}
    cells = [{"cell_type": "code", "source": "a = 3\nimport no_such_module", "metadata": {}, "outputs": []},
             {"cell_type": "code", "source": "print(a)", "metadata": {}, "outputs": [printed]},
             {"cell_type": "code", "source": "a = 3", "metadata": {}, "outputs": []},
             {"cell_type": "code", "source": "print(a)", "metadata": {}, "outputs": [printed]}]
    assert live_cells(cells) == [False, False, True, True]


def test_the_analytic_chapters_tags_are_what_the_browser_can_run():
    """The tags are checked by running every cell under the browser's rule (standard library and
    gnet_lib only) and comparing with the stored outputs."""
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "live_cells.py"), "--check",
                           *(str(ROOT / "notebooks" / n) for n in ANALYTIC)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("name", ANALYTIC)
def test_most_of_an_analytic_chapter_and_every_exercise_check_run_live(name):
    cells = [c for c in json.loads((ROOT / "notebooks" / name).read_text())["cells"] if c["cell_type"] == "code"]
    live = [c for c in cells if LIVE_TAG in c["metadata"].get("tags", [])]
    checks = [c for c in cells if "check" in c["metadata"].get("tags", [])]
    assert len(live) > len(cells) / 2
    assert checks and all(LIVE_TAG in c["metadata"]["tags"] for c in checks)


def test_no_other_chapter_is_tagged_live():
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        if path.name not in ANALYTIC:
            cells = json.loads(path.read_text())["cells"]
            assert all(LIVE_TAG not in c.get("metadata", {}).get("tags", []) for c in cells), path.name


def test_every_module_the_live_runtime_ships_exists():
    """The book's build zips these paths for the browser; a moved module (gnet_lib/version.py went
    to gnet_lib/core/) must fail here, not at the end of a three-minute build."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("live_runtime", ROOT / "book" / "_ext" / "live_runtime.py")
    runtime = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(runtime)
    missing = [name for name in runtime.LIVE_MODULES if not (runtime.PACKAGE / name).exists()]
    assert not missing, missing
    assert "gnet_lib/core/version.py" in {p.relative_to(ROOT).as_posix() for p in runtime._package_files()}
