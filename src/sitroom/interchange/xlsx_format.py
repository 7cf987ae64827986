"""XLSX workbooks: the first sheet, read row by row in read-only mode; written write-only."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time
from typing import Any, BinaryIO

from .table import Column, RawRow, ReadError, RowSource, typed_cell
from .text_checks import check_cells

# A workbook is a ZIP: refuse one that would inflate past these bounds before opening it.
# The sizes are those the archive declares, and they hold: Python's zipfile never inflates a
# member past its declared size (a lying header gives a short, failing read, not a bomb).
MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
# Real workbooks compress about tenfold; a large one compressing far better is a bomb.
MAX_COMPRESSION_RATIO = 200
RATIO_CHECKED_FROM_BYTES = 64 * 1024 * 1024
# Each part on its own. openpyxl streams a sheet's rows but holds every shared string in
# memory at about twice its XML size, and parses styles, the workbook and the rest whole: a
# 483 MB shared-strings part once took 113 s of CPU and 1.1 GB while passing the total bound.
# A 20 MiB upload of real records needs far less than these.
MAX_SHEET_BYTES = 256 * 1024 * 1024
MAX_SHARED_STRINGS_BYTES = 48 * 1024 * 1024
MAX_OTHER_PART_BYTES = 8 * 1024 * 1024


def part_limit(name: str) -> int:
    """How far one member of the workbook may inflate."""
    if name.startswith("xl/worksheets/") and name.endswith(".xml"):
        return MAX_SHEET_BYTES
    if name == "xl/sharedStrings.xml":
        return MAX_SHARED_STRINGS_BYTES
    return MAX_OTHER_PART_BYTES


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MiB"


def _refuse_bombs(stream: BinaryIO) -> None:
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
    except (zipfile.BadZipFile, OSError) as exc:
        raise ReadError(f"not an XLSX workbook (not a valid ZIP archive: {exc})") from None
    finally:
        stream.seek(0)
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise ReadError("not an XLSX workbook: the ZIP archive holds no spreadsheet")
    total = sum(m.file_size for m in members)
    packed = max(sum(m.compress_size for m in members), 1)
    too_dense = total > RATIO_CHECKED_FROM_BYTES and total / packed > MAX_COMPRESSION_RATIO
    if total > MAX_UNCOMPRESSED_BYTES or too_dense:
        raise ReadError("the workbook would inflate to an unsafe size; refusing to open it")
    for member in members:
        if member.file_size > part_limit(member.filename):
            raise ReadError(
                f"the workbook would inflate to an unsafe size: its part {member.filename[:80]} "
                f"holds {_mib(member.file_size)}, more than the "
                f"{_mib(part_limit(member.filename))} allowed; split the file"
            )


def read_xlsx(stream: BinaryIO) -> RowSource:
    # openpyxl takes half a second to import: load it only when a workbook is read or written.
    from openpyxl import load_workbook

    _refuse_bombs(stream)
    try:
        book = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise ReadError(f"the workbook cannot be opened: {exc}") from None
    sheet = book.worksheets[0] if book.worksheets else None
    if sheet is None:
        raise ReadError("the workbook has no sheet")
    rows = sheet.iter_rows(values_only=True)
    try:
        first = next(rows)
    except StopIteration:
        raise ReadError("the first sheet is empty: there is no header row") from None
    header = [_text(v).strip().lower() for v in first]
    while header and header[-1] == "":
        header.pop()
    if not header:
        raise ReadError("the first sheet's first row is empty: there is no header row")
    return RowSource(header=header, rows=_rows(rows, header))


def _rows(rows: Iterator[tuple[Any, ...]], header: list[str]) -> Iterator[RawRow]:
    for number, values in enumerate(rows, start=2):
        texts = [_text(v) for v in values]
        if number == 2 and texts and texts[0].startswith("#"):
            continue
        if not any(t.strip() for t in texts):
            continue
        cells, problem, field = check_cells(header, texts)
        yield RawRow(line=number, cells=cells, problem=problem, problem_field=field)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# Control characters XML 1.0 cannot hold: a stored note with one (a web form accepts what a
# file did) is written with U+FFFD in its place rather than failing the whole download.
_UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def write_xlsx(rows: Iterable[dict[str, str]], columns: list[Column], out: BinaryIO) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("data")
    sheet.append([c.name for c in columns])
    for row in rows:
        cells = []
        for column in columns:
            value = typed_cell(row.get(column.name, ""), column.kind)
            if isinstance(value, str):
                value = _UNWRITABLE.sub("\ufffd", value)
            cell = WriteOnlyCell(sheet, value)
            if cell.data_type == "f":
                # Text such as "=0" or "=HYPERLINK(...)" is data, never a formula: a workbook
                # must not compute what a source typed, and must read back as it was.
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    book.save(out)
