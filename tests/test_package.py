"""The package's structure, drawn from its imports: the layers point one way, the core needs no
PyTorch, no circle, no import hidden in a function."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest
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


#: The package's layers, lowest first: a module imports from its own layer and the ones below only.
#: The package root, ``cli`` and ``__main__`` sit above them all.
LAYERS = ("core", "model", "training", "book", "exercises")
#: The checkers of the analytic chapters, which answer in the browser: the core is all they need.
CORE_ONLY = {"gnet_lib.exercises.ch1", "gnet_lib.exercises.ch2", "gnet_lib.exercises.ch3"}
ALLOWED_FOR_CORE_ONLY = {"gnet_lib.exercises.checks"}


def layer_of(module: str) -> int:
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else len(LAYERS)


def against_the_direction(graph: dict[str, set[str]]) -> list[str]:
    """Every import that points up the layers (or out of the core, for the core-only checkers)."""
    wrong = []
    for module, targets in sorted(graph.items()):
        for target in sorted(targets):
            if layer_of(target) > layer_of(module):
                wrong.append(f"{module} -> {target}")
            elif module in CORE_ONLY and layer_of(target) > 0 and target not in ALLOWED_FOR_CORE_ONLY:
                wrong.append(f"{module} -> {target} (a core-only checker)")
    return wrong


def test_the_direction_check_finds_an_import_against_it():
    assert against_the_direction({"gnet_lib.core.a": {"gnet_lib.model.b"}}) == ["gnet_lib.core.a -> gnet_lib.model.b"]
    assert against_the_direction({"gnet_lib.training.a": {"gnet_lib.book.plots"}}) != []
    assert against_the_direction({"gnet_lib.exercises.ch2": {"gnet_lib.training.settings.recipes"}}) != []
    assert against_the_direction({"gnet_lib.cli": {"gnet_lib.training.a"}, "gnet_lib.model.b": {"gnet_lib.core.version"}}) == []


def test_every_import_points_down_the_layers():
    graph, _ = import_graph()
    assert all(layer_of(m) < len(LAYERS) or m.count(".") <= 1 for m in graph), "a module outside the layers"
    assert against_the_direction(graph) == []


#: The training layers, lowest first; packages on one level do not import each other.
TRAINING_LEVELS = {"settings": 0, "data": 1, "results": 1, "engine": 2, "experiments": 3, "analysis": 4, "gpu": 4}


def training_package(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[1] == "training" else None


def against_the_training_levels(graph: dict[str, set[str]]) -> list[str]:
    """Every import inside ``gnet_lib.training`` that points up its levels or across to a sibling."""
    wrong = []
    for module, targets in sorted(graph.items()):
        mine = training_package(module)
        for target in sorted(targets):
            theirs = training_package(target)
            if mine and theirs and theirs != mine and TRAINING_LEVELS[theirs] >= TRAINING_LEVELS[mine]:
                wrong.append(f"{module} -> {target}")
    return wrong


def test_the_training_level_check_finds_an_import_up_or_across():
    assert against_the_training_levels({"gnet_lib.training.engine.a": {"gnet_lib.training.gpu.b"}}) != []
    assert against_the_training_levels({"gnet_lib.training.data.a": {"gnet_lib.training.results.b"}}) != []
    assert against_the_training_levels({"gnet_lib.training.settings": {"gnet_lib.training.gpu.campaign"}}) != []
    assert against_the_training_levels({"gnet_lib.training.engine.a": {"gnet_lib.training.gpu"}}) != []
    assert against_the_training_levels({"gnet_lib.training.gpu.a": {"gnet_lib.training.settings.b",
                                                                     "gnet_lib.training.gpu.c"}}) == []


def test_the_training_modules_sit_in_its_level_packages_and_import_down_them():
    graph, _ = import_graph()
    training = {m: p for m, p in _modules().items() if m.startswith("gnet_lib.training.")}
    assert {m.split(".")[2] for m, p in training.items() if p.name == "__init__.py"} == set(TRAINING_LEVELS)
    assert [m for m, p in training.items() if p.parent.name == "training"] == []  # no module outside a level
    between = [(m, t) for m, ts in graph.items() for t in ts
               if training_package(m) and training_package(t) and training_package(m) != training_package(t)]
    assert len(between) > 50  # the check sees the imports between the packages (two-dot relative ones included)
    assert against_the_training_levels(graph) == []


def _third_party_imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"gnet_lib"}


def test_the_core_and_its_checkers_import_only_the_standard_library():
    modules = _modules()
    core = [m for m in modules if layer_of(m) == 0] + sorted(CORE_ONLY | ALLOWED_FOR_CORE_ONLY)
    assert len(core) > 15
    found = {m: _third_party_imports(modules[m]) for m in core}
    assert {m: names for m, names in found.items() if names} == {}


_WITHOUT_TORCH = """
import importlib, importlib.abc, pkgutil, sys

class NoTorch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("torch", "torchvision"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)

sys.meta_path.insert(0, NoTorch())
import gnet_lib, gnet_lib.core
for info in pkgutil.iter_modules(gnet_lib.core.__path__):
    importlib.import_module(f"gnet_lib.core.{info.name}")
from gnet_lib import MODEL_NAMES, layer_table
from gnet_lib.exercises import chapter_exercises, check
import gnet_lib.book.plots
assert not any(m.split(".")[0] in ("torch", "torchvision") for m in sys.modules)
print(len(MODEL_NAMES), layer_table("inception-v1", aux_logits=False).total_params)
print(sorted(ex for ch in "123" for ex in chapter_exercises(ch)) == sorted(
    ex for ch in "123" for ex in chapter_exercises(ch) if check(ex, 1) is not None))
try:
    gnet_lib.build_model
except ModuleNotFoundError as exc:
    print("build_model:", exc)
"""


def test_the_core_the_analytic_checkers_and_the_figures_work_without_torch():
    """The live chapters run where PyTorch is not installed: every core module, the layer table,
    the checkers of chapters 1-3 and the figures import and answer with torch and torchvision
    made impossible to import; the PyTorch names fail with the usual ModuleNotFoundError."""
    done = subprocess.run([sys.executable, "-c", _WITHOUT_TORCH], capture_output=True, text=True,
                          cwd=PACKAGE.parent, env={"PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg"})
    assert done.returncode == 0, done.stderr
    count, params = done.stdout.split("\n")[0].split()
    assert int(count) == 9 and int(params) > 6_000_000
    assert done.stdout.split("\n")[1] == "True"
    assert "build_model: No module named 'torch'" in done.stdout


def test_the_roots_torch_names_are_loaded_when_first_used():
    import gnet_lib
    from gnet_lib.model.builder import GoogLeNet
    from gnet_lib.model.by_name import build_model

    assert gnet_lib.build_model is build_model and gnet_lib.GoogLeNet is GoogLeNet
    assert set(gnet_lib.TORCH_NAMES) <= set(gnet_lib.__all__)
    assert all(layer_of(m) == LAYERS.index("model") for m in gnet_lib.TORCH_NAMES.values())
    with pytest.raises(AttributeError, match="no attribute 'buildmodel'"):
        gnet_lib.buildmodel  # noqa: B018


def test_the_cycle_finder_finds_a_circle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_the_graph_sees_relative_and_package_imports():
    graph, _ = import_graph()
    assert "gnet_lib.core.architectures" in graph["gnet_lib.model.by_name"]
    assert "gnet_lib.exercises.checks" in graph["gnet_lib.exercises.ch1"]
    assert "gnet_lib.book.plots.charts" in graph["gnet_lib.book.plots"]


def test_no_import_circle_in_the_package():
    graph, _ = import_graph()
    # the package root imports its public API; edges into it would be circles by definition
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))


def test_no_package_import_hidden_in_a_function():
    _, hidden = import_graph()
    assert hidden == []


#: The modules that load others by name when first used (the root's PyTorch names, the command
#: line's engine, a chapter's checkers); all three sit at or above what they load.
LOADS_BY_NAME = {"gnet_lib", "gnet_lib.cli", "gnet_lib.exercises"}


def loads_by_name(source: str) -> list[int]:
    """The lines of ``source`` that import a module by a name computed at run time
    (``importlib.import_module``, ``__import__``), which the import graph cannot see."""
    calls = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call)]
    return [c.lineno for c in calls if isinstance(c.func, (ast.Attribute, ast.Name))
            and (c.func.attr if isinstance(c.func, ast.Attribute) else c.func.id) in ("import_module", "__import__")]


def test_the_finder_sees_imports_by_name():
    source = "import importlib\nx = 1\nm = importlib.import_module('gnet_lib.training.settings.recipes')\nn = __import__('os')\n"
    assert loads_by_name(source) == [3, 4]
    assert loads_by_name("from importlib import import_module\nimport_module(name)\n") == [2]


def test_only_the_top_modules_import_by_name():
    """An import by name escapes the direction check, so only the modules that sit above what they
    load may use one."""
    found = {m for m, p in _modules().items() if loads_by_name(p.read_text())}
    assert found <= LOADS_BY_NAME, f"imports by name outside {sorted(LOADS_BY_NAME)}: {sorted(found - LOADS_BY_NAME)}"


def test_every_subpackage_is_listed_for_the_wheel():
    """pyproject.toml lists the packages (so that the stored results can travel as one); a new
    subpackage left off the list would be missing from every installed copy."""
    listed = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    found = {_module_name(p) for p in PACKAGE.rglob("__init__.py")}
    assert set(listed) == found | {"gnet_lib.stored_results"}


def _version() -> str:
    return ast.literal_eval(ast.parse((PACKAGE / "core" / "version.py").read_text()).body[-1].value)


def test_the_version_is_written_once_and_named_everywhere_it_is_published():
    """The build reads the version from gnet_lib/core/version.py; the changelog's newest entry and the
    citation file name the same version."""
    project = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text())
    assert "version" not in project["project"] and project["project"]["dynamic"] == ["version"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "gnet_lib.core.version.__version__"}
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


def _imported_top_names(folders: tuple[str, ...]) -> set[str]:
    """The top-level names of every module imported anywhere in ``folders`` (at any depth)."""
    names: set[str] = set()
    for folder in folders:
        for path in (PACKAGE.parent / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    names.update(a.name.split(".")[0] for a in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names.add(node.module.split(".")[0])
    return names


def _canonical(distribution: str) -> str:
    return distribution.lower().replace("_", "-").replace(".", "-")


def _declared_distributions() -> set[str]:
    """What pyproject.toml (dependencies and extras) and requirements.txt name."""
    import re

    project = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text())["project"]
    lines = [*project["dependencies"], *(d for extra in project["optional-dependencies"].values() for d in extra)]
    lines += [line for line in (PACKAGE.parent / "requirements.txt").read_text().splitlines()
              if line.strip() and not line.startswith(("#", "-"))]
    return {_canonical(re.split(r"[<>=!~\[ ;]", line.strip(), maxsplit=1)[0]) for line in lines}


def test_every_imported_package_is_declared():
    """A package the library, its tools, tests or book extensions import comes from a distribution
    that pyproject.toml or requirements.txt names, not only as another package's dependency."""
    from importlib.metadata import packages_distributions

    providers = packages_distributions()
    ours = {"gnet_lib", "conftest", "live_runtime", "unique_scripts", "tests"}
    third_party = {n for n in _imported_top_names(("gnet_lib", "tools", "tests", "book/_ext"))
                   if n not in sys.stdlib_module_names and n not in ours}
    assert {"torch", "PIL", "yaml"} <= third_party  # the walk sees imports at every depth
    declared = _declared_distributions()
    undeclared = {n: providers.get(n) for n in third_party
                  if not any(_canonical(d) in declared for d in providers.get(n, [n]))}
    assert not undeclared, f"imported but not declared (module: distributions): {undeclared}"


#: The longest a function of the library, its tools or the book's extensions may be, in lines.
LONGEST_FUNCTION = 50


def functions_over(limit: int, source: str) -> list[tuple[str, int]]:
    """The functions of ``source`` longer than ``limit`` lines (docstring included), with their length."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno is not None:
            length = node.end_lineno - node.lineno + 1
            if length > limit:
                found.append((node.name, length))
    return found


def test_the_length_finder_sees_a_long_function():
    body = "\n".join(f"    x{i} = {i}" for i in range(LONGEST_FUNCTION))
    assert functions_over(LONGEST_FUNCTION, f"def long():\n{body}\n") == [("long", LONGEST_FUNCTION + 1)]
    assert functions_over(LONGEST_FUNCTION, "def short():\n    return 1\n") == []


def test_no_function_is_over_fifty_lines():
    root = PACKAGE.parent
    paths = [*PACKAGE.rglob("*.py"), *(root / "tools").glob("*.py"), *(root / "book" / "_ext").glob("*.py")]
    long = {f"{p.relative_to(root)}: {name} ({n} lines)" for p in paths
            for name, n in functions_over(LONGEST_FUNCTION, p.read_text())}
    assert not long, sorted(long)
