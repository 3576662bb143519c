"""A small table type for notebooks and the terminal: plain text, Markdown and HTML views.

Kept deliberately tiny (no pandas dependency): rows are dictionaries, columns are chosen
and ordered explicitly, integers get thousands separators.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any


def half_up(value: float, digits: int = 3) -> str:
    """``value`` written with ``digits`` decimals, a half rounded up: ``0.5625`` -> ``"0.563"``,
    ``0.6`` -> ``"0.600"``. Python's own formatting rounds a half to even (``f"{0.5625:.3f}"`` is
    ``"0.562"``); the book rounds every printed share the one way readers learnt at school. The
    float is read as its shortest decimal form, so a share computed as ``0.6125`` rounds to 0.613."""
    return str(Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def format_cell(value: Any, spec: str = "") -> str:
    """How one cell is shown: ``1234567`` -> ``1,234,567``; tuples as ``64x56x56``. ``spec``, a
    format specification such as ``".3f"``, overrides the default for a float (a ratio column
    then shows ``1.000``, not ``1``; whole numbers in the same column keep their separators)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if spec and isinstance(value, float):
        return format(value, spec)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e5 else f"{value:,.0f}"
    if isinstance(value, tuple):
        return "x".join(str(v) for v in value)
    return str(value)


def looks_numeric(text: str) -> bool:
    """Whether a formatted cell reads as a number (``1,234``, ``-0.25``, ``+3.1``), so that it is
    right-aligned in every view."""
    return text.replace(",", "").replace(".", "").lstrip("+-").isdigit()


@dataclass
class Table:
    """Rows (dicts) shown through a fixed list of columns; ``formats`` gives a column a format
    specification of its own (``{"ratio": ".3f"}``), so that its numbers all show as many decimals."""

    columns: Sequence[str]
    rows: list[dict[str, Any]]
    title: str = ""
    notes: list[str] = field(default_factory=list)
    formats: Mapping[str, str] = field(default_factory=dict)

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
        return [[format_cell(row.get(col), self.formats.get(col, "")) for col in self.columns] for row in self.rows]

    def to_text(self) -> str:
        cells = self._cells()
        widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(self.columns)]

        def line(values: Iterable[str]) -> str:
            parts = []
            for value, width in zip(values, widths):
                parts.append(value.rjust(width) if looks_numeric(value) else value.ljust(width))
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
        """The table as HTML: class ``gnet-table``, numeric cells and the headers of numeric
        columns marked ``num`` (the book's stylesheet right-aligns them and pads every cell)."""
        cells = self._cells()
        numeric = [bool(cells) and all(looks_numeric(r[i]) or not r[i] for r in cells) for i in range(len(self.columns))]

        def cell(tag: str, text: str, is_number: bool) -> str:
            return f'<{tag} class="num">{html.escape(text)}</{tag}>' if is_number else f"<{tag}>{html.escape(text)}</{tag}>"

        head = "".join(cell("th", c, numeric[i]) for i, c in enumerate(self.columns))
        body = "".join("<tr>" + "".join(cell("td", v, looks_numeric(v)) for v in r) + "</tr>" for r in cells)
        caption = f"<caption>{html.escape(self.title)}</caption>" if self.title else ""
        notes = "".join(f"<p>{html.escape(n)}</p>" for n in self.notes)
        return (f'<table class="gnet-table">{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
                f"{notes}")

    def __repr__(self) -> str:
        return self.to_text()
