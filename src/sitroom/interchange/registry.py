"""The formats sitroom reads and writes, looked up by name or by what a file looks like."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from pathlib import PurePath
from typing import BinaryIO

from .csv_format import read_csv, write_csv, write_hxl
from .json_format import write_json
from .table import Column, ReadError, RowSource
from .xlsx_format import read_xlsx, write_xlsx

Reader = Callable[[BinaryIO], RowSource]
Writer = Callable[[Iterable[dict[str, str]], list[Column], BinaryIO], None]


class Format(enum.StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"
    HXL = "hxl"


READERS: dict[Format, Reader] = {
    Format.CSV: read_csv,
    Format.HXL: read_csv,
    Format.XLSX: read_xlsx,
}

WRITERS: dict[Format, Writer] = {
    Format.CSV: write_csv,
    Format.HXL: write_hxl,
    Format.XLSX: write_xlsx,
    Format.JSON: write_json,
}

MEDIA_TYPES: dict[Format, str] = {
    Format.CSV: "text/csv; charset=utf-8",
    Format.HXL: "text/csv; charset=utf-8",
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    Format.JSON: "application/json",
}


def detect_format(name: str, head: bytes) -> Format:
    """Trust the content over the name: a workbook starts as a ZIP archive does."""
    if head.startswith(b"PK\x03\x04"):
        return Format.XLSX
    suffix = PurePath(name).suffix.lower().lstrip(".")
    if suffix == "xlsx":
        raise ReadError("the file is named .xlsx but is not a workbook (no ZIP signature)")
    if suffix in ("", "csv", "txt", "hxl", "tsv"):
        return Format.CSV
    raise ReadError(f"cannot import .{suffix} files: use CSV or XLSX")


def reader_for(fmt: Format) -> Reader:
    try:
        return READERS[fmt]
    except KeyError:
        raise ReadError(f"{fmt.value} is an export format only; import CSV or XLSX") from None
