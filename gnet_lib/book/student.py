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

The edition is built in a temporary folder on the destination's file system and moved into
place only when every notebook succeeded: a broken notebook leaves the destination as it was,
and the error lists every marker problem (notebook, cell, line) at once.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from difflib import SequenceMatcher
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import urlsplit

from ..core.errors import UsageError
from ..training.results.storage import write_text

if TYPE_CHECKING:
    from nbformat import NotebookNode

SOLUTION_BLOCK = re.compile(
    r"^(?P<indent>[ \t]*)# BEGIN SOLUTION \(placeholder: (?P<placeholder>[^\n]+)\)[ \t]*\n(?P<body>.*?)^[ \t]*# END SOLUTION[ \t]*(\n|\Z)",
    re.MULTILINE | re.DOTALL,
)
BEGIN_LINE = re.compile(r"^(?P<indent>[ \t]*)# BEGIN SOLUTION \(placeholder: (?P<placeholder>.+)\)[ \t]*$")
END_LINE = re.compile(r"^[ \t]*# END SOLUTION[ \t]*$")
BEGIN_MARKER = "# BEGIN SOLUTION (placeholder: CODE)"
END_MARKER = "# END SOLUTION"
#: how close (difflib ratio, letters only, any case) a comment must come to a marker to be taken for a misspelled one
NEAR_MISS = 0.85
MARKDOWN_START = ":::{solution-start}"
MARKDOWN_END = ":::{solution-end}"
MARKDOWN_NEAR = re.compile(r":+[ \t]*\{[ \t]*solution[ \t_-]*(start|end)", re.IGNORECASE)
BADGE = re.compile(r"^\[!\[Open in Colab\]\([^)]*\)\]\((?P<url>[^)]*)\)[ \t]*\n?", re.MULTILINE)
COLAB_EXAMPLE = "https://colab.research.google.com/github/OWNER/REPO/blob/main/student"


class _Block(NamedTuple):
    """One marked solution: the indexes of its BEGIN and END lines, and what replaces it."""

    begin: int
    end: int
    indent: str
    placeholder: str


def _resembles(line: str) -> str | None:
    """``"BEGIN"`` or ``"END"`` when the comment on ``line`` looks like that marker, else None."""
    if "#" not in line:
        return None
    letters = re.sub(r"[^a-z]", "", line.split("#", 1)[1].lower())
    for kind, word in (("BEGIN", "beginsolution"), ("END", "endsolution")):
        if any(SequenceMatcher(None, letters[:n], word).ratio() >= NEAR_MISS for n in range(len(word) - 1, len(word) + 2)):
            return kind
    return None


def _misspelled(line: str, kind: str) -> str:
    """What is wrong with a line that looks like a ``kind`` marker without being one."""
    text = line.strip()
    if not text.startswith("#"):
        why = "it is not on a line of its own"
    elif kind == "BEGIN" and text.startswith("# BEGIN SOLUTION") and "(placeholder:" not in text:
        why = "its placeholder is missing"
    else:
        why = "it is not written exactly (spelling, case and spacing count)"
    article, exact = (("a", f"'{BEGIN_MARKER}', CODE being what the student edition shows instead") if kind == "BEGIN"
                      else ("an", f"'{END_MARKER}'"))
    return f"{text!r} looks like {article} {kind} marker but {why}; the exact marker is {exact}, on a line of its own"


def _scan(source: str, where: str) -> tuple[list[_Block], list[str]]:
    """The marked blocks of ``source`` and its marker problems, one message per problem. A misspelled
    marker stands for the one it resembles, so its partner line is not reported as well."""
    blocks: list[_Block] = []
    problems: list[str] = []
    opened: tuple[int, re.Match | None] | None = None
    for index, line in enumerate(source.split("\n")):
        at = f"{where}, line {index + 1}"
        begin = BEGIN_LINE.match(line)
        if begin:
            if opened is not None:
                problems.append(f"{at}: a second '# BEGIN SOLUTION' while the block opened on line {opened[0] + 1} "
                                f"is still open; close that one with '{END_MARKER}' first")
            opened = (index, begin)
        elif END_LINE.match(line):
            if opened is None:
                problems.append(f"{at}: '{END_MARKER}' without a '# BEGIN SOLUTION (placeholder: ...)' above it; "
                                "add the BEGIN marker before the solution code, or remove this line")
            elif opened[1] is not None:
                blocks.append(_Block(opened[0], index, opened[1]["indent"], opened[1]["placeholder"]))
            opened = None
        elif kind := _resembles(line):
            problems.append(f"{at}: {_misspelled(line, kind)}")
            opened = (index, None) if kind == "BEGIN" else None
    if opened is not None and opened[1] is not None:
        problems.append(f"{where}, line {opened[0] + 1}: '# BEGIN SOLUTION (placeholder: ...)' has no matching "
                        f"'{END_MARKER}' below it; add that line after the solution code")
    return blocks, problems


def _replace_blocks(source: str, blocks: list[_Block]) -> str:
    """``source`` with each block replaced by ``# YOUR CODE HERE`` and its placeholder."""
    lines = source.split("\n")
    out: list[str] = []
    start = 0
    for block in blocks:
        out += lines[start:block.begin]
        out += [f"{block.indent}# YOUR CODE HERE", f"{block.indent}{block.placeholder}"]
        start = block.end + 1
    out += lines[start:]
    return "\n".join(out).rstrip("\n")


def strip_solutions(source: str, where: str = "cell") -> str:
    """Replace each marked solution block of ``source`` by its placeholder."""
    blocks, problems = _scan(source, where)
    if problems:
        raise UsageError("\n".join(problems))
    return _replace_blocks(source, blocks)


def solution_bodies(source: str) -> list[str]:
    """The code inside each marked block (what the student edition must not contain)."""
    return [m["body"] for m in SOLUTION_BLOCK.finditer(source)]


def student_notebook(nb: NotebookNode, name: str = "notebook", colab_base: str | None = None) -> NotebookNode:
    """A student copy of one notebook (the input is not changed); every problem found is in the UsageError."""
    # nbformat is imported where it is used: the rest of the command line also runs on
    # machines that have only torch and its plotting stack (the bare GPU machine).
    import nbformat

    out = nbformat.v4.new_notebook(metadata=dict(nb.metadata))
    out.metadata["gnet"] = {"edition": "student"}
    problems: list[str] = []
    solution_start: str | None = None
    for index, cell in enumerate(nb.cells):
        where = f"{name}, cell {index + 1}" + (f" (id {cell['id']})" if "id" in cell else "")
        if cell.cell_type == "markdown":
            is_marker, solution_start = _solution_marker(cell.source.lstrip(), where, solution_start, problems)
            if is_marker or solution_start is not None:
                continue
            new = nbformat.v4.new_markdown_cell(_badge(cell.source, name, colab_base))
        elif cell.cell_type == "code":
            new = _student_code_cell(cell, where, problems)
        else:
            new = nbformat.v4.new_raw_cell(cell.source)
        new["id"] = cell.get("id", new["id"])
        out.cells.append(new)
    if solution_start is not None:
        problems.append(f"{solution_start}: a '{MARKDOWN_START}' cell has no '{MARKDOWN_END}' cell after it; add one "
                        "after the solution's explanation")
    if problems:
        raise UsageError("\n".join(problems))
    return out


def _solution_marker(head: str, where: str, open_at: str | None, problems: list[str]) -> tuple[bool, str | None]:
    """Whether a markdown cell (its text ``head``) is a solution marker, which the student edition
    drops, and where the solution explanation open after it started (``None``: none is open)."""
    if head.startswith(MARKDOWN_START):
        if open_at is not None:
            problems.append(f"{where}: a second '{MARKDOWN_START}' while the one in {open_at} is "
                            f"still open; add a '{MARKDOWN_END}' cell before this one")
        return True, where
    if head.startswith(MARKDOWN_END):
        if open_at is None:
            problems.append(f"{where}: '{MARKDOWN_END}' without a '{MARKDOWN_START}' cell before it; "
                            "add the start cell or remove this one")
        return True, None
    if MARKDOWN_NEAR.match(head):
        problems.append(f"{where}: {head.splitlines()[0]!r} looks like a solution marker cell but is "
                        f"misspelled; the exact first lines are '{MARKDOWN_START} LABEL' and '{MARKDOWN_END}'")
        return True, open_at
    return False, open_at


def _student_code_cell(cell: NotebookNode, where: str, problems: list[str]) -> NotebookNode:
    """The student copy of a code cell: solution blocks replaced by their placeholders, the tag
    ``solution`` by ``placeholder``, outputs dropped."""
    import nbformat

    source, tags = cell.source, list(cell.metadata.get("tags", []))
    blocks, found = _scan(source, where)
    problems += found
    if "solution" in tags:
        if not blocks and not found:
            problems.append(f"{where}: a cell tagged 'solution' has no '# BEGIN SOLUTION' block; mark the "
                            f"solution code with '{BEGIN_MARKER}' and '{END_MARKER}', or remove the tag")
        source = _replace_blocks(source, blocks)
        tags = [("placeholder" if t == "solution" else t) for t in tags]
    elif blocks:
        problems.append(f"{where}: a solution block in a cell not tagged 'solution'; add the tag 'solution' "
                        "to the cell (its metadata 'tags'), or the solution would reach the students")
    new = nbformat.v4.new_code_cell(source)
    if tags:
        new.metadata["tags"] = tags
    return new


def _badge(source: str, name: str, colab_base: str | None) -> str:
    """Point the Colab badge at the student copy, or drop it (it would open the solutions)."""
    if colab_base is None:
        return re.sub(r"\n{3,}", "\n\n", BADGE.sub("", source))
    return BADGE.sub(lambda m: m[0].replace(m["url"], f"{colab_base.rstrip('/')}/{name}"), source)


def _colab_base_problem(url: str) -> str | None:
    """Why ``url`` is no http(s) folder URL that a notebook name can follow, or None if it is one."""
    if any(c.isspace() for c in url):
        return "it contains spaces"
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError as exc:
        return f"it cannot be parsed ({exc})"
    if parts.scheme.lower() not in ("http", "https"):
        return "it does not start with http:// or https://"
    if not host:
        return "it has no host name"
    if parts.query or parts.fragment:
        return "it has a ?query or #fragment, which the notebook's name cannot follow"
    return None


def _check_colab_base(url: str) -> None:
    """A UsageError unless ``url`` is an http(s) folder URL."""
    why = _colab_base_problem(url)
    if why is not None:
        raise UsageError(f"--colab-base {url!r} is not a folder URL: {why}; give the http(s) address of the folder "
                         f"where the student notebooks are published, e.g. --colab-base {COLAB_EXAMPLE}")


def _build_anchor(destination: Path, names: list[str]) -> Path:
    """The existing, writable folder that holds the temporary build: ``destination`` itself if it
    exists, else its nearest existing parent (where it is then created)."""
    if destination.exists() and not destination.is_dir():
        raise UsageError(f"the destination {destination} is a file, not a folder; give a folder for the student "
                         "edition (it is created if missing)")
    if destination.is_dir():
        for name in names:
            if (destination / name).is_dir():
                raise UsageError(f"{destination / name} is a folder, but the student edition writes the notebook "
                                 f"{name} there; move that folder away or give another destination")
        anchor = destination
    else:
        anchor = next(p for p in Path(os.path.abspath(destination)).parents if p.exists())
        if not anchor.is_dir():
            raise UsageError(f"cannot create the destination {destination}: {anchor} is a file, not a folder; "
                             "give a destination outside it")
    if not os.access(anchor, os.W_OK | os.X_OK):
        raise UsageError(f"cannot write the student edition to {destination}: the folder {anchor} is read-only; "
                         "give a destination you can write to, or make that folder writable")
    return anchor


def _student_text(path: Path, colab_base: str | None) -> str:
    """The student edition of the notebook at ``path``, as the text to write."""
    import nbformat
    from nbformat import reader

    try:
        nb = nbformat.convert(reader.reads(path.read_text(encoding="utf-8")), 4)
        nbformat.validate(nb)
    except (OSError, ValueError, AttributeError, TypeError, nbformat.ValidationError) as exc:
        detail = (str(exc).strip().splitlines() or [""])[0]
        raise UsageError(f"{path} cannot be read as a notebook ({type(exc).__name__}: {detail}); fix the file "
                         "(it must be a Jupyter notebook in UTF-8 JSON) or move it out of the folder") from None
    student = student_notebook(nb, path.name, colab_base)
    nbformat.validate(student)
    return nbformat.writes(student) + "\n"


def make_student_edition(source_dir: str | Path = "notebooks", destination: str | Path = "student",
                         colab_base: str | None = None) -> list[Path]:
    """Write the student edition of every notebook in ``source_dir`` into ``destination``: all of
    it, or nothing when a notebook is broken (the UsageError then lists every problem)."""
    source_dir, destination = Path(source_dir), Path(destination)
    if colab_base is not None:
        _check_colab_base(colab_base)
    notebooks = sorted(source_dir.glob("*.ipynb"))
    if not notebooks:
        raise UsageError(f"no notebooks (*.ipynb) in {source_dir}")
    if destination.resolve() == source_dir.resolve():
        raise UsageError("the student edition must go to another folder than the instructor notebooks")
    anchor = _build_anchor(destination, [p.name for p in notebooks])
    try:
        work = Path(tempfile.mkdtemp(prefix=".gnet-student-", suffix=".tmp", dir=anchor))
    except OSError as exc:
        raise UsageError(f"cannot write the student edition to {destination}: {exc.strerror} in {anchor}; give a "
                         "destination you can write to") from None
    try:
        edition = work / "edition"
        edition.mkdir()
        problems: list[str] = []
        for path in notebooks:
            try:
                write_text(edition / path.name, _student_text(path, colab_base))
            except UsageError as exc:
                problems.append(str(exc))
        if problems:
            listed = "\n".join(f"  {line}" for problem in problems for line in problem.splitlines())
            raise UsageError(f"the student edition was not written ({destination} is unchanged); fix these "
                             f"notebooks and run again:\n{listed}")
        if destination.is_dir():
            for built in sorted(edition.iterdir()):
                os.replace(built, destination / built.name)
        else:
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.replace(edition, destination)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return [destination / path.name for path in notebooks]
