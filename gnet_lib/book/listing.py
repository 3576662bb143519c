"""Show a piece of the library's own source in a notebook, so that a chapter can print code that
is tested instead of a copy of it that could drift.

:func:`source_listing` returns an object that Jupyter, Colab and the rendered book display as a
Python code block (its Markdown view: a fenced block, highlighted by whatever renders it), and a
terminal or a test as the plain source.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from dataclasses import dataclass
from typing import Any

from ..core.errors import UsageError


@dataclass(frozen=True)
class SourceListing:
    """Source code with a Markdown view (a fenced Python block) and a plain-text view."""

    code: str

    def _repr_markdown_(self) -> str:
        fence = "`" * max(3, 1 + max((len(run) for run in re.findall("`+", self.code)), default=0))
        return f"{fence}python\n{self.code}\n{fence}"

    def __repr__(self) -> str:
        return self.code


def source_listing(obj: Any) -> SourceListing:
    """The source of a class, function or method, dedented (a method's too)."""
    try:
        source = inspect.getsource(obj)
    except (OSError, TypeError) as error:
        raise UsageError(f"cannot show the source of {obj!r}: {error}; pass a class, function or method "
                         "defined in a Python file") from None
    return SourceListing(textwrap.dedent(source).rstrip("\n"))
