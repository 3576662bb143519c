"""Code cells run the way Jupyter shows them, in any Python: the book's live chapters run their
cells with this module in the reader's browser (Pyodide, standard library only), and the tests run
the same cells with it in CPython and compare with the outputs the notebooks store.

:func:`run_cell` executes one cell in a namespace kept from cell to cell and returns its outputs
in order: printed text (consecutive prints merged, as Jupyter's stream output), objects passed to
``display``, the value of a last bare expression, and an error (its type and message) that stops
the cell. A value is shown by its ``repr`` and, where it has one, its ``_repr_html_``.

:func:`live_cells` says which cells of a notebook can run live: run in order here, a cell that
needs what the browser lacks fails, and so does every later cell that needs its variables.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import traceback
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

#: The cell tag of cells that run live in the rendered book.
LIVE_TAG = "live"
#: Cells with these tags never run live (the Colab install cell).
NEVER_LIVE = ("colab-install",)
#: The file name errors give for a cell's code.
CELL = "<cell>"


@dataclass(frozen=True)
class Output:
    """One output of a cell: ``kind`` is "stream", "display", "result" or "error"."""

    kind: str
    text: str
    html: str | None = None


def _shown(kind: str, value: Any) -> Output:
    html = getattr(value, "_repr_html_", None)
    return Output(kind, repr(value), html() if callable(html) else None)


def _error_text(exc: BaseException) -> str:
    """The error as the reader needs it: its type and message, and the line of the cell it came from."""
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    lines = [frame.lineno for frame in traceback.extract_tb(exc.__traceback__) if frame.filename == CELL]
    return f"{text}\n(line {lines[-1]} of the cell)" if lines and not isinstance(exc, SyntaxError) else text


class _Outputs(io.TextIOBase):
    """Collects a cell's outputs; as its stdout, it merges consecutive prints into one stream."""

    def __init__(self) -> None:
        self.items: list[Output] = []

    def write(self, text: str) -> int:
        if self.items and self.items[-1].kind == "stream":
            self.items[-1] = Output("stream", self.items[-1].text + text)
        elif text:
            self.items.append(Output("stream", text))
        return len(text)

    def display(self, *values: Any) -> None:
        self.items += [_shown("display", v) for v in values]


def run_cell(source: str, namespace: dict[str, Any]) -> list[Output]:
    """Execute ``source`` in ``namespace`` and return its outputs, as Jupyter would show them."""
    outputs = _Outputs()
    namespace["display"] = outputs.display
    try:
        tree = ast.parse(source, CELL)
        last = end if tree.body and isinstance(end := tree.body[-1], ast.Expr) else None
        if last is not None:
            tree.body.pop()
        with contextlib.redirect_stdout(outputs):
            exec(compile(tree, CELL, "exec"), namespace)  # noqa: S102 (running the reader's cell is the point)
            value = eval(compile(ast.Expression(last.value), CELL, "eval"), namespace) if last else None
    except Exception as exc:  # noqa: BLE001 (any error of the reader's code is shown, as Jupyter does)
        outputs.items.append(Output("error", _error_text(exc)))
        return outputs.items
    if value is not None:
        outputs.items.append(_shown("result", value))
    return outputs.items


def run_cell_json(source: str, namespace: dict[str, Any]) -> str:
    """:func:`run_cell`'s outputs as JSON (a list of objects with ``kind``, ``text``, ``html``): the
    form the page's JavaScript reads."""
    return json.dumps([asdict(o) for o in run_cell(source, namespace)])


def stored_outputs(cell: dict[str, Any]) -> list[Output]:
    """A notebook cell's stored outputs in the same form (streams merged, images left out)."""
    items = _Outputs()
    for out in cell.get("outputs", []):
        if out["output_type"] == "stream" and out.get("name") == "stdout":
            items.write("".join(out["text"]))
        elif out["output_type"] in ("display_data", "execute_result"):
            data = out.get("data", {})
            if "text/plain" in data and "image/png" not in data:
                html = "".join(data["text/html"]) if "text/html" in data else None
                kind = "result" if out["output_type"] == "execute_result" else "display"
                items.items.append(Output(kind, "".join(data["text/plain"]), html))
        elif out["output_type"] == "error":
            items.items.append(Output("error", f"{out['ename']}: {out['evalue']}"))
    return items.items


def live_cells(cells: Iterable[dict[str, Any]]) -> list[bool]:
    """For each cell of a notebook, whether it runs live here: a code cell, not the install cell,
    that runs in order without an error and gives exactly its stored outputs (so a figure cell,
    whose stored output is an image, never does). Only live cells run before a cell in the browser,
    so a cell that is not live leaves nothing behind for the cells after it, not even the names it
    bound before it failed."""
    namespace: dict[str, Any] = {"__name__": "__main__"}
    verdicts = []
    for cell in cells:
        tags = cell.get("metadata", {}).get("tags", [])
        source = "".join(cell.get("source", ""))
        if cell.get("cell_type") != "code" or any(t in tags for t in NEVER_LIVE) or source.lstrip().startswith("%"):
            verdicts.append(False)
            continue
        has_image = any("image/png" in out.get("data", {}) for out in cell.get("outputs", []))
        before = dict(namespace)
        outputs = run_cell(source, namespace)
        live = not has_image and outputs == stored_outputs(cell) and not any(o.kind == "error" for o in outputs)
        if not live:  # the browser never runs this cell: what it bound before failing is not there either
            namespace.clear()
            namespace.update(before)
        verdicts.append(live)
    return verdicts
