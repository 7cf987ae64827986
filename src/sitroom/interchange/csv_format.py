"""CSV (and HXL-tagged CSV): streamed in constant memory, written with a header row."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator
from typing import BinaryIO, Protocol

from .table import Column, RawRow, ReadError, RowSource
from .text_checks import MAX_CELL_CHARS, cell_problem, check_cells, row_is_clean

# The csv module refuses fields past its limit with an error it recovers from; keep the limit
# just above what a cell may hold so an oversized field rejects one row, not the file.
csv.field_size_limit(MAX_CELL_CHARS * 4)

# A spreadsheet opening a CSV runs a cell that starts with = + - @ (or a tab or CR before one)
# as a formula. The writer puts an apostrophe before such a cell, as spreadsheets themselves
# do, and before one that already starts with apostrophes and then such a character, so that
# the reader can take exactly one apostrophe off and get the stored text back. Plain numbers
# such as -27.5 are not formulas and are written as they are.
_FORMULA_START = re.compile("'*[=+\\-@\t\r]")
_NEUTRALISED = re.compile("'+[=+\\-@\t\r]")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def neutralise(text: str) -> str:
    """The cell as the CSV writer writes it: never read as a formula by a spreadsheet."""
    if _FORMULA_START.match(text) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def restore(text: str) -> str:
    """Undo `neutralise`: the text as it was stored."""
    return text[1:] if _NEUTRALISED.match(text) else text


def _encoding(head: bytes) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "utf-8-sig"


def read_csv(stream: BinaryIO) -> RowSource:
    head = stream.read(4)
    stream.seek(0)
    # surrogateescape keeps undecodable bytes as markers, so one badly encoded row is
    # rejected with its line number instead of the decoder stopping the whole file.
    text = io.TextIOWrapper(stream, encoding=_encoding(head), errors="surrogateescape", newline="")
    reader = csv.reader(text)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        text.detach()
        raise ReadError("the file is empty: there is no header row") from None
    except (csv.Error, UnicodeError) as exc:
        text.detach()
        raise ReadError(f"the header row cannot be read: {exc}") from None
    delimiter = ","
    if len(header) == 1 and ";" in header[0]:
        # What spreadsheet programs write where the comma is the decimal mark (Lithuanian,
        # Latvian, Polish and most European locales): read it the same way.
        delimiter = ";"
        header = [name.strip().lower() for name in next(csv.reader([header[0]], delimiter=";"))]
        reader = csv.reader(text, delimiter=";")
    if any(cell_problem(name) for name in header):
        text.detach()
        raise ReadError("the header row is not readable text; is this a CSV file in UTF-8?")
    # A reader started after the header counts lines from 0: `offset` puts the header back.
    offset = 1 if delimiter == ";" else 0
    return RowSource(
        header=header,
        rows=_rows(reader, header, offset=offset),
        release=text.detach,
        delimiter=delimiter,
    )


def read_part(text: str, header: list[str], first_line: int, *, first: bool) -> list[RawRow]:
    """The rows of `text`, a run of whole rows of a CSV file starting at line `first_line`."""
    reader = csv.reader(io.StringIO(text, newline=""))
    return list(_rows(reader, header, offset=first_line - 1, first=first))


def read_line(line: int, text: str, header: list[str]) -> RawRow | None:
    """One physical line of a file known to hold no quotes and no CR, as `_rows` reads it."""
    try:
        values = next(csv.reader([text]))
    except csv.Error as exc:
        return RawRow(line=line, problem=f"cannot be split into cells: {exc}")
    except StopIteration:
        return None
    return raw_row(line, values, header)


class _LineReader(Protocol):
    line_num: int

    def __next__(self) -> list[str]: ...


def _rows(
    reader: _LineReader, header: list[str], *, offset: int = 0, first: bool = True
) -> Iterator[RawRow]:
    """`offset`: lines of the file before the reader's first (a reader over part of a file);
    `first`: the reader's first row may be an HXL hashtag row."""
    while True:
        start = reader.line_num + 1 + offset
        try:
            values = next(reader)
        except StopIteration:
            return
        except (csv.Error, UnicodeError) as exc:
            yield RawRow(line=start, problem=f"cannot be split into cells: {exc}")
            continue
        if first and values and values[0].startswith("#"):
            # An HXL hashtag row under the header: part of the header, not data.
            first = False
            continue
        first = False
        row = raw_row(start, values, header)
        if row is not None:
            yield row


def raw_row(line: int, values: list[str], header: list[str]) -> RawRow | None:
    """One row's cells as read from a CSV file, paired with the header; None for a blank row."""
    # "\n" is whitespace, so the joined row is blank exactly when every cell is.
    joined = "\n".join(values)
    if not joined.strip():
        return None
    if "'" in joined:
        values = [restore(v) for v in values]
        joined = "\n".join(values)
    if len(values) == len(header) and row_is_clean(joined):
        # The usual row: check_cells would find nothing, so skip its cell-by-cell pass.
        return RawRow(line, dict(zip(header, values, strict=True)), None, "")
    cells, problem, field = check_cells(header, values)
    return RawRow(line=line, cells=cells, problem=problem, problem_field=field)


def write_csv(rows: Iterable[dict[str, str]], columns: list[Column], out: BinaryIO) -> None:
    _write(rows, columns, out, hashtags=False)


def write_hxl(rows: Iterable[dict[str, str]], columns: list[Column], out: BinaryIO) -> None:
    _write(rows, columns, out, hashtags=True)


def _write(
    rows: Iterable[dict[str, str]], columns: list[Column], out: BinaryIO, *, hashtags: bool
) -> None:
    # Stored text is clean UTF-8; only quarantined rows carry undecodable bytes, and those are
    # written back exactly as they arrived.
    text = io.TextIOWrapper(
        out, encoding="utf-8", errors="surrogateescape", newline="", write_through=True
    )
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow([c.name for c in columns])
    if hashtags:
        writer.writerow([c.hxl for c in columns])
    for row in rows:
        writer.writerow([neutralise(row.get(c.name, "")) for c in columns])
    text.flush()
    text.detach()
