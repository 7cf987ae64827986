"""Checks that every reader applies to cell text, whatever the file format."""

from __future__ import annotations

import re

MAX_CELL_CHARS = 10_000

_UNDECODABLE = re.compile("[\udc80-\udcff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Either of the above, so a clean row (nearly every row) is cleared with one scan of its text.
_ANY_PROBLEM = re.compile("[\udc80-\udcff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def cell_problem(text: str) -> str | None:
    """Why a cell's text cannot be stored as it is, or None when it can."""
    if _UNDECODABLE.search(text):
        return "is not UTF-8 text; save the file as UTF-8 (CSV UTF-8 in spreadsheet programs)"
    if _CONTROL.search(text):
        return "contains a control character (binary data?)"
    if len(text) > MAX_CELL_CHARS:
        return f"is longer than {MAX_CELL_CHARS} characters"
    return None


def row_is_clean(joined: str) -> bool:
    """True when no cell of a row, given as its cells joined with "\\n", has a problem.
    "\\n" is allowed in a cell, so joining neither hides nor adds one; and a joined text no
    longer than a cell may be holds no cell that is too long. False means: look cell by cell."""
    return len(joined) <= MAX_CELL_CHARS and not _ANY_PROBLEM.search(joined)


def check_cells(header: list[str], values: list[str]) -> tuple[dict[str, str], str | None, str]:
    """Pair cells with the header; say what is wrong with the row if anything is."""
    while len(values) > len(header) and values[-1] == "":
        values = values[:-1]
    if len(values) > len(header):
        return {}, f"has {len(values)} cells but the header names {len(header)} columns", "(row)"
    cells = dict(zip(header, values, strict=False))
    if row_is_clean("\n".join(cells.values())):
        return cells, None, ""
    for name, text in cells.items():
        problem = cell_problem(text)
        if problem:
            return cells, f"{name} {problem}", name
    return cells, None, ""
