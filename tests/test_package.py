"""The package's structure, drawn from its imports: no circle, no import hidden in a function."""

import ast
from pathlib import Path

import tomllib

PACKAGE = Path(__file__).resolve().parents[1] / "gnet_lib"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _targets(node: ast.ImportFrom, module: str, is_package: bool, known: set[str]) -> list[str]:
    """The package modules a ``from ... import ...`` statement loads."""
    if node.level == 0:
        base = node.module or ""
        if not base.startswith("gnet_lib"):
            return []
    else:
        anchor = module.split(".") if is_package else module.split(".")[:-1]
        anchor = anchor[: len(anchor) - (node.level - 1)]
        base = ".".join(anchor + ([node.module] if node.module else []))
    names = [f"{base}.{alias.name}" for alias in node.names]
    return [n for n in names if n in known] or [base]


def import_graph() -> tuple[dict[str, set[str]], list[str]]:
    """Edges module -> package modules it imports, and every import made inside a function."""
    modules = _modules()
    graph: dict[str, set[str]] = {m: set() for m in modules}
    hidden = []
    for module, path in modules.items():
        tree = ast.parse(path.read_text())
        functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        inside = {id(n) for f in functions for n in ast.walk(f)}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                targets = _targets(node, module, path.name == "__init__.py", set(modules))
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name.startswith("gnet_lib")]
            else:
                continue
            targets = [t for t in targets if t in modules and t != module]
            graph[module].update(targets)
            if targets and id(node) in inside:
                hidden.append(f"{module}:{node.lineno}")
    return graph, hidden


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle of ``graph`` (as a path that returns to its start), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_cycle_finder_finds_a_circle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_the_graph_sees_relative_and_package_imports():
    graph, _ = import_graph()
    assert "gnet_lib.architectures" in graph["gnet_lib.models"]
    assert "gnet_lib.exercises.checks" in graph["gnet_lib.exercises.ch1"]
    assert "gnet_lib.plots.charts" in graph["gnet_lib.plots"]


def test_no_import_circle_in_the_package():
    graph, _ = import_graph()
    # the package root imports its public API; edges into it would be circles by definition
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))


def test_no_package_import_hidden_in_a_function():
    _, hidden = import_graph()
    assert hidden == []


def test_every_subpackage_is_listed_for_the_wheel():
    """pyproject.toml lists the packages (so that the stored results can travel as one); a new
    subpackage left off the list would be missing from every installed copy."""
    listed = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    found = {_module_name(p) for p in PACKAGE.rglob("__init__.py")}
    assert set(listed) == found | {"gnet_lib.stored_results"}


def _version() -> str:
    return ast.literal_eval(ast.parse((PACKAGE / "version.py").read_text()).body[-1].value)


def test_the_version_is_written_once_and_named_everywhere_it_is_published():
    """The build reads the version from gnet_lib/version.py; the changelog's newest entry and the
    citation file name the same version."""
    project = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text())
    assert "version" not in project["project"] and project["project"]["dynamic"] == ["version"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "gnet_lib.version.__version__"}
    changelog = (PACKAGE.parent / "CHANGELOG.md").read_text()
    newest = next(line for line in changelog.splitlines() if line.startswith("## "))
    assert newest.split()[1] == _version()
    citation = (PACKAGE.parent / "CITATION.cff").read_text()
    assert f"\nversion: {_version()}\n" in citation


def test_the_licence_file_matches_the_declared_licence():
    project = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT"
    assert (PACKAGE.parent / "LICENSE").read_text().startswith("MIT License\n")
    assert "license:\n  - MIT\n  - CC-BY-4.0\n" in (PACKAGE.parent / "CITATION.cff").read_text()


def test_the_book_text_has_its_own_licence_named_in_the_footer():
    text = (PACKAGE.parent / "LICENSE-TEXT.md").read_text()
    assert "CC BY 4.0" in text and "creativecommons.org/licenses/by/4.0" in text
    config = (PACKAGE.parent / "_config.yml").read_text()
    footer = next(line for line in config.splitlines() if line.startswith("copyright:"))
    assert "CC BY 4.0" in footer and "MIT" in footer
