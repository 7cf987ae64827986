"""What readers yield and writers take: rows of text keyed by column, with their line numbers."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field


class ReadError(ValueError):
    """The file as a whole cannot be read (empty, not a workbook, no header); nothing was read."""


class CellKind(enum.StrEnum):
    """How a column's text is typed where a format has types (JSON numbers, XLSX cells)."""

    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    hxl: str
    required: bool = False
    kind: CellKind = CellKind.TEXT
    description: str = ""


@dataclass(frozen=True, slots=True)
class RawRow:
    """One data row as read: cells by header name, or the reason it could not be split into
    cells at all (a broken quote, a field over the size limit)."""

    line: int
    cells: dict[str, str] = field(default_factory=dict)
    problem: str | None = None
    problem_field: str = "(row)"


@dataclass(slots=True)
class RowSource:
    """A file opened for reading: its header and an iterator over its data rows."""

    header: list[str]
    rows: Iterator[RawRow]
    release: Callable[[], object] = lambda: None
    """Lets go of the file without closing it: the caller opened it and closes it."""
    delimiter: str = ","
    """What separates a CSV file's cells: "," or, as some spreadsheet locales write, ";"."""


def typed_cell(text: str, kind: CellKind) -> str | int | float | None:
    """A cell's text as the typed value formats with types (JSON, XLSX) should hold."""
    if text == "":
        return None
    if kind is CellKind.INTEGER:
        return int(text)
    if kind is CellKind.NUMBER:
        number = float(text)
        return int(number) if number.is_integer() else number
    return text


def typed_record(row: dict[str, str], columns: list[Column]) -> dict[str, str | int | float | None]:
    """A row as formats with types hold it: numbers as numbers, empty cells as null."""
    return {c.name: typed_cell(row.get(c.name, ""), c.kind) for c in columns}
