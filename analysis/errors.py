"""The one exception type that bad input raises.

Its message is a single line naming the file, the row and the column, so that
an analyst sees what to fix without a traceback.
"""
from __future__ import annotations

from pathlib import Path

from analysis.paths import ROOT


def _display_path(path: str | Path) -> str:
    p = Path(path)
    try:
        return str(p.resolve().relative_to(ROOT))
    except ValueError:
        return str(p)


def clip(value: object, limit: int = 40) -> str:
    """A value as an error message shows it: repr for text, one line, at most ``limit`` characters."""
    text = repr(value) if isinstance(value, str) else str(value)
    text = text.replace("\n", "\\n").replace("\r", "\\r")
    return text if len(text) <= limit else text[: limit - 1] + "…"


class DataError(Exception):
    """Bad input: ``file: row N, column "C": message``."""

    def __init__(self, file: str | Path, message: str, row: int | None = None,
                 column: str | None = None):
        self.file = _display_path(file)
        self.row = row
        self.column = column
        self.message = message
        loc = []
        if row is not None:
            loc.append(f"row {row}")
        if column is not None:
            loc.append(f'column "{column}"')
        head = self.file + (": " + ", ".join(loc) if loc else "")
        super().__init__(f"{head}: {message}")

