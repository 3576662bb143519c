"""A small table type for notebooks and the terminal: plain text, Markdown and HTML views.

Kept deliberately tiny (no pandas dependency): rows are dictionaries, columns are chosen
and ordered explicitly, integers get thousands separators.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any


def format_cell(value: Any) -> str:
    """How one cell is shown: ``1234567`` -> ``1,234,567``; tuples as ``64x56x56``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e5 else f"{value:,.0f}"
    if isinstance(value, tuple):
        return "x".join(str(v) for v in value)
    return str(value)


@dataclass
class Table:
    """Rows (dicts) shown through a fixed list of columns."""

    columns: Sequence[str]
    rows: list[dict[str, Any]]
    title: str = ""
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)

    def __getitem__(self, index: int) -> dict[str, Any]:
        return self.rows[index]

    def column(self, name: str) -> list[Any]:
        """All values of one column, in row order."""
        return [row.get(name) for row in self.rows]

    def where(self, **conditions: Any) -> list[dict[str, Any]]:
        """Rows whose fields equal all the given values."""
        return [row for row in self.rows if all(row.get(k) == v for k, v in conditions.items())]

    def _cells(self) -> list[list[str]]:
        return [[format_cell(row.get(col)) for col in self.columns] for row in self.rows]

    def to_text(self) -> str:
        cells = self._cells()
        widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(self.columns)]

        def line(values: Iterable[str]) -> str:
            parts = []
            for value, width in zip(values, widths):
                numeric = value.replace(",", "").replace(".", "").lstrip("+-").isdigit()
                parts.append(value.rjust(width) if numeric else value.ljust(width))
            return "  ".join(parts).rstrip()

        out = [self.title] if self.title else []
        out.append(line(self.columns))
        out.append("  ".join("-" * w for w in widths))
        out.extend(line(r) for r in cells)
        out.extend(self.notes)
        return "\n".join(out)

    def to_markdown(self) -> str:
        out = [f"**{self.title}**", ""] if self.title else []
        out.append("| " + " | ".join(self.columns) + " |")
        out.append("|" + "|".join("---" for _ in self.columns) + "|")
        out.extend("| " + " | ".join(r) + " |" for r in self._cells())
        out.extend(["", *self.notes] if self.notes else [])
        return "\n".join(out)

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(c)}</th>" for c in self.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in r) + "</tr>" for r in self._cells()
        )
        caption = f"<caption>{html.escape(self.title)}</caption>" if self.title else ""
        notes = "".join(f"<p>{html.escape(n)}</p>" for n in self.notes)
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{notes}"

    def __repr__(self) -> str:
        return self.to_text()
