"""JSON out: an array of objects, numbers as numbers, empty cells as null."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import BinaryIO

from .table import Column, typed_record


def write_json(rows: Iterable[dict[str, str]], columns: list[Column], out: BinaryIO) -> None:
    out.write(b"[")
    for index, row in enumerate(rows):
        record = typed_record(row, columns)
        out.write((b",\n" if index else b"\n") + json.dumps(record, ensure_ascii=False).encode())
    out.write(b"\n]\n")
