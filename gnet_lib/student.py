"""The student edition: the book's notebooks with every solution taken out.

In the instructor notebooks (the repository's), a solution lives in a code cell tagged
``solution`` between two marker lines::

    # BEGIN SOLUTION (placeholder: width_4e = ...)
    width_4e = m4e.n1x1 + m4e.n3x3 + m4e.n5x5 + m4e.pool_proj
    # END SOLUTION

and its explanation sits between the markdown cells ``:::{solution-start}`` and
``:::{solution-end}`` (a collapsed dropdown in the rendered book). The student edition keeps the
prose, the exercises and the check cells, replaces each marked block by ``# YOUR CODE HERE``
and its placeholder, drops the solution explanations and clears every output. Cells keep
their ids, so a solution can be put back where it came from.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import UsageError
from .storage import write_text

if TYPE_CHECKING:
    from nbformat import NotebookNode

SOLUTION_BLOCK = re.compile(
    r"^(?P<indent>[ \t]*)# BEGIN SOLUTION \(placeholder: (?P<placeholder>[^\n]+)\)[ \t]*\n(?P<body>.*?)^[ \t]*# END SOLUTION[ \t]*(\n|\Z)",
    re.MULTILINE | re.DOTALL,
)
BADGE = re.compile(r"^\[!\[Open in Colab\]\([^)]*\)\]\((?P<url>[^)]*)\)[ \t]*\n?", re.MULTILINE)


def strip_solutions(source: str, where: str = "cell") -> str:
    """Replace each marked solution block of ``source`` by its placeholder."""

    def replace(match: re.Match) -> str:
        indent = match["indent"]
        return f"{indent}# YOUR CODE HERE\n{indent}{match['placeholder']}\n"

    stripped = SOLUTION_BLOCK.sub(replace, source)
    if "BEGIN SOLUTION" in stripped or "END SOLUTION" in stripped:
        raise UsageError(f"{where}: a '# BEGIN SOLUTION (placeholder: ...)' line has no matching '# END SOLUTION'")
    return stripped.rstrip("\n")


def solution_bodies(source: str) -> list[str]:
    """The code inside each marked block (what the student edition must not contain)."""
    return [m["body"] for m in SOLUTION_BLOCK.finditer(source)]


def student_notebook(nb: NotebookNode, name: str = "notebook", colab_base: str | None = None) -> NotebookNode:
    """A student copy of one notebook (the input is not changed)."""
    # nbformat is imported where it is used: the rest of the command line also runs on
    # machines that have only torch and its plotting stack (the bare GPU machine).
    import nbformat

    out = nbformat.v4.new_notebook(metadata=dict(nb.metadata))
    out.metadata["gnet"] = {"edition": "student"}
    in_solution = False
    for index, cell in enumerate(nb.cells):
        where = f"{name}, cell {index}"
        source = cell.source
        if cell.cell_type == "markdown":
            if source.lstrip().startswith(":::{solution-start}"):
                in_solution = True
                continue
            if source.lstrip().startswith(":::{solution-end}"):
                in_solution = False
                continue
            if in_solution:
                continue
            new = nbformat.v4.new_markdown_cell(_badge(source, name, colab_base))
        elif cell.cell_type == "code":
            tags = list(cell.metadata.get("tags", []))
            if "solution" in tags:
                if not solution_bodies(source):
                    raise UsageError(f"{where}: a cell tagged 'solution' has no '# BEGIN SOLUTION' block")
                source = strip_solutions(source, where)
                tags = [("placeholder" if t == "solution" else t) for t in tags]
            elif "BEGIN SOLUTION" in source:
                raise UsageError(f"{where}: a solution block in a cell not tagged 'solution'")
            new = nbformat.v4.new_code_cell(source)
            if tags:
                new.metadata["tags"] = tags
        else:
            new = nbformat.v4.new_raw_cell(source)
        new["id"] = cell.get("id", new["id"])
        out.cells.append(new)
    if in_solution:
        raise UsageError(f"{name}: a ':::{{solution-start}}' cell has no ':::{{solution-end}}'")
    return out


def _badge(source: str, name: str, colab_base: str | None) -> str:
    """Point the Colab badge at the student copy, or drop it (it would open the solutions)."""
    if colab_base is None:
        return re.sub(r"\n{3,}", "\n\n", BADGE.sub("", source))
    return BADGE.sub(lambda m: m[0].replace(m["url"], f"{colab_base.rstrip('/')}/{name}"), source)


def make_student_edition(source_dir: str | Path = "notebooks", destination: str | Path = "student",
                         colab_base: str | None = None) -> list[Path]:
    """Write the student edition of every notebook in ``source_dir`` into ``destination``."""
    source_dir, destination = Path(source_dir), Path(destination)
    notebooks = sorted(source_dir.glob("*.ipynb"))
    if not notebooks:
        raise UsageError(f"no notebooks (*.ipynb) in {source_dir}")
    if destination.resolve() == source_dir.resolve():
        raise UsageError("the student edition must go to another folder than the instructor notebooks")
    import nbformat

    written = []
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        student = student_notebook(nb, path.name, colab_base)
        nbformat.validate(student)
        target = destination / path.name
        write_text(target, nbformat.writes(student) + "\n")
        written.append(target)
    return written
