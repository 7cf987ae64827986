"""CSV (and HXL-tagged CSV): streamed in constant memory, written with a header row."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator
from typing import BinaryIO, Protocol

from .table import Column, RawRow, ReadError, RowSource
from .text_checks import MAX_CELL_CHARS, cell_problem, check_cells, row_is_clean

# The csv module refuses fields past its limit with an error it recovers from; keep the limit
# just above what a cell may hold so an oversized field rejects one row, not the file.
csv.field_size_limit(MAX_CELL_CHARS * 4)


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
    if any(cell_problem(name) for name in header):
        text.detach()
        raise ReadError("the header row is not readable text; is this a CSV file in UTF-8?")
    return RowSource(header=header, rows=_rows(reader, header), release=text.detach)


class _LineReader(Protocol):
    line_num: int

    def __next__(self) -> list[str]: ...


def _rows(reader: _LineReader, header: list[str]) -> Iterator[RawRow]:
    first = True
    while True:
        start = reader.line_num + 1
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
        # "\n" is whitespace, so the joined row is blank exactly when every cell is.
        joined = "\n".join(values)
        if not joined.strip():
            continue
        if len(values) == len(header) and row_is_clean(joined):
            # The usual row: check_cells would find nothing, so skip its cell-by-cell pass.
            yield RawRow(start, dict(zip(header, values, strict=True)), None, "")
            continue
        cells, problem, field = check_cells(header, values)
        yield RawRow(line=start, cells=cells, problem=problem, problem_field=field)


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
        writer.writerow([row.get(c.name, "") for c in columns])
    text.flush()
    text.detach()
