"""The student edition: no solution code left, runs top to bottom, and solutions fit back in."""

import ast
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import is_appendix
from IPython.core.inputtransformer2 import TransformerManager
from nbclient import NotebookClient

from gnet_lib.book.student import make_student_edition, solution_bodies, strip_solutions

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
#: the chapters that need no training and no PyTorch model: their student editions are executed too
ANALYTIC_CHAPTERS = ("01_inception_idea.ipynb", "02_shapes_and_padding.ipynb", "03_counting_cost.ipynb")
#: the chapters (``NN_name``), which end with exercises, and the appendices (``aN_name``), which have none
CHAPTERS = sorted(p.name for p in NOTEBOOKS.glob("[0-9]*.ipynb"))
APPENDICES = sorted(p.name for p in NOTEBOOKS.glob("a[0-9]*.ipynb"))


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    folder = tmp_path_factory.mktemp("student")
    make_student_edition(NOTEBOOKS, folder)
    return folder


def _instructor():
    return {p.name: nbformat.read(p, as_version=4) for p in sorted(NOTEBOOKS.glob("*.ipynb"))}


def test_strip_solutions_keeps_indentation_and_placeholder():
    src = "x = 1\n    # BEGIN SOLUTION (placeholder: y = ...)\n    y = secret()\n    # END SOLUTION\nz = 2"
    assert strip_solutions(src) == "x = 1\n    # YOUR CODE HERE\n    y = ...\nz = 2"
    with pytest.raises(ValueError, match="no matching"):
        strip_solutions("# BEGIN SOLUTION (placeholder: y = ...)\ny = 1\n")


def test_no_solution_code_in_the_student_edition(edition):
    for name, nb in _instructor().items():
        student_text = (edition / name).read_text()
        assert "BEGIN SOLUTION" not in student_text and "solution-start" not in student_text
        lines = [line.strip() for cell in nb.cells if cell.cell_type == "code"
                 for body in solution_bodies(cell.source) for line in body.splitlines()]
        assert bool(lines) != is_appendix(name), f"{name}: a chapter has solutions, an appendix none"
        for line in lines:
            if len(line) >= 20:
                assert json.dumps(line)[1:-1] not in student_text, (name, line)
        student = nbformat.read(edition / name, as_version=4)
        assert all(not c.get("outputs") for c in student.cells if c.cell_type == "code")
        assert "Open in Colab" not in student.cells[0].source


def test_badges_can_point_to_a_published_student_copy(tmp_path):
    make_student_edition(NOTEBOOKS, tmp_path, colab_base="https://colab.example/student")
    first = nbformat.read(tmp_path / "01_inception_idea.ipynb", as_version=4).cells[0].source
    assert "(https://colab.example/student/01_inception_idea.ipynb)" in first


def test_refuses_to_overwrite_the_instructor_notebooks():
    with pytest.raises(ValueError, match="another folder"):
        make_student_edition(NOTEBOOKS, NOTEBOOKS)


def _run(nb, allow_errors):
    NotebookClient(nb, timeout=900, kernel_name="python3", allow_errors=allow_errors,
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    return nb


def _errors(nb):
    return [(i, o.ename, o.evalue) for i, c in enumerate(nb.cells) if c.cell_type == "code"
            for o in c.get("outputs", []) if o.output_type == "error"]


def _checks(nb):
    return [c for c in nb.cells if "check" in c.metadata.get("tags", [])]


def _parse(source: str) -> ast.Module:
    """A code cell as Python, its IPython magics (``%pip``) turned into the calls IPython makes of them."""
    return ast.parse(TransformerManager().transform_cell(source))


def _bound(source: str) -> set[str]:
    """The names a cell binds at its top level (assignments, definitions, imports, loop targets)."""
    names = set()
    for node in _parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        else:
            names |= {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return names


def _loaded(source: str) -> set[str]:
    return {n.id for n in ast.walk(_parse(source)) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _checked_name(source: str) -> str | None:
    """The name a check cell passes to ``check``, if the cell is (an import and) one ``check("N.K", name)``."""
    body = [n for n in _parse(source).body if not isinstance(n, ast.ImportFrom)]
    call = body[0].value if len(body) == 1 and isinstance(body[0], ast.Expr) else None
    if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "check" and len(call.args) == 2:
        return getattr(call.args[1], "id", None)
    return None


def not_answered_problems(student, instructor) -> list[str]:
    """Why the student edition could fail other than by "not answered yet", read from the code alone.

    A name a placeholder cell binds (in either edition) holds a different value for the student;
    it may be read only by a check cell that passes it to ``check``, which raises
    NotImplementedError for an unanswered ``...`` (and a skeleton class raises it when built). Every
    other cell is the instructor's, which nbval runs without error. So if no other cell reads such
    a name, the edition's only errors are one NotImplementedError per check cell."""
    solutions = {c.get("id"): c.source for c in instructor.cells if "solution" in c.metadata.get("tags", [])}
    problems, changed = [], set()
    for index, cell in enumerate(student.cells):
        if cell.cell_type != "code":
            continue
        tags = cell.metadata.get("tags", [])
        if "placeholder" in tags:
            changed |= _bound(cell.source) | _bound(solutions[cell.get("id")])
        elif "check" in tags:
            name = _checked_name(cell.source)
            if name not in changed:
                problems.append(f"cell {index}: a check cell that does not pass an unanswered name to check()")
        elif read := _loaded(cell.source) & changed:
            problems.append(f"cell {index} reads {sorted(read)}, which the student edition leaves unanswered")
    return problems


def test_the_static_check_finds_a_cell_that_reads_an_unanswered_name():
    def nb(*cells):
        notebook = nbformat.v4.new_notebook()
        for source, tags, ident in cells:
            cell = nbformat.v4.new_code_cell(source)
            cell.metadata["tags"], cell["id"] = tags, ident
            notebook.cells.append(cell)
        return notebook

    instructor = nb(("x = 2 * 3", ["solution"], "a"), ('check("1.1", x)', ["check"], "b"), ("print(x + 1)", [], "c"))
    student = nb(("x = ...", ["placeholder"], "a"), ('check("1.1", x)', ["check"], "b"), ("print(x + 1)", [], "c"))
    assert not_answered_problems(student, instructor) == ["cell 2 reads ['x'], which the student edition leaves unanswered"]
    student.cells[2].source = instructor.cells[2].source = "print(1)"
    assert not_answered_problems(student, instructor) == []
    student.cells[1].source = 'check("1.1", y)'
    assert "does not pass an unanswered name" in not_answered_problems(student, instructor)[0]


def test_every_notebook_is_a_chapter_or_an_appendix():
    assert CHAPTERS and sorted(CHAPTERS + APPENDICES) == sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))


@pytest.mark.parametrize("name", APPENDICES)
def test_an_appendix_has_no_exercises_and_its_student_edition_is_its_text(edition, name):
    instructor = nbformat.read(NOTEBOOKS / name, as_version=4)
    student = nbformat.read(edition / name, as_version=4)
    assert not _checks(instructor) and not any("solution" in c.metadata.get("tags", []) for c in instructor.cells)
    assert [c.source for c in student.cells[1:]] == [c.source for c in instructor.cells[1:]]
    assert all(not c.get("outputs") for c in student.cells if c.cell_type == "code")


@pytest.mark.parametrize("name", CHAPTERS)
def test_the_student_edition_can_fail_only_where_an_answer_is_missing(edition, name):
    """Read from the code: the student edition's only errors are its unanswered checks."""
    student = nbformat.read(edition / name, as_version=4)
    assert not_answered_problems(student, nbformat.read(NOTEBOOKS / name, as_version=4)) == []
    assert bool(_checks(student)) != is_appendix(name), "a chapter has exercise checks, an appendix none"


@pytest.mark.slow
@pytest.mark.parametrize("name", ANALYTIC_CHAPTERS)
def test_student_edition_runs_with_only_not_answered_errors(edition, name):
    """The static check above, confirmed by running the student editions of the analytic chapters
    (seconds each; chapters 4-6 train or build models and are executed once per test run, by nbval)."""
    nb = _run(nbformat.read(edition / name, as_version=4), allow_errors=True)
    errors = _errors(nb)
    assert errors and all(ename == "NotImplementedError" for _, ename, _ in errors), errors
    assert len(errors) == len(_checks(nb))


@pytest.mark.parametrize("name", CHAPTERS)
def test_putting_the_solutions_back_gives_the_instructor_notebook_again(edition, name):
    """With its solution cells restored, a student notebook's code is the instructor's, cell for
    cell; nbval and the Colab-like test execute that notebook and require every check to pass,
    so it is not executed a third time here."""
    instructor = nbformat.read(NOTEBOOKS / name, as_version=4)
    solutions = {c["id"]: c.source for c in instructor.cells if "solution" in c.metadata.get("tags", [])}
    nb = nbformat.read(edition / name, as_version=4)
    restored = 0
    for cell in nb.cells:
        if cell.get("id") in solutions:
            cell.source = solutions[cell["id"]]
            restored += 1
    assert restored == len(solutions)
    assert (restored > 0) != is_appendix(name), "a chapter has solutions, an appendix none"

    def code(notebook):
        return [(c.get("id"), c.source) for c in notebook.cells if c.cell_type == "code"
                and "colab-install" not in c.metadata.get("tags", [])]

    assert code(nb) == code(instructor)
    verdicts = [o["data"]["text/plain"] for c in _checks(instructor) for o in c.outputs if o.output_type == "execute_result"]
    assert len(verdicts) == len(_checks(instructor)) and all(v.startswith("✓") for v in verdicts), verdicts


def test_the_command_line_loads_without_nbformat():
    """The bare GPU machine has torch and its plotting stack only: `gnet campaign` must start there."""
    code = "import sys; sys.modules['nbformat'] = None; import gnet_lib.cli; print('loaded')"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "loaded"
