"""A large CSV file in blocks of whole lines, for readers that take a column at a time.

Only files with no quote and no carriage return anywhere qualify (`splits_on_lines`): in those,
every newline ends a row and every comma ends a cell, exactly as the csv module reads them, so
a block's lines are its rows and line numbers stay exact. A block that is not valid UTF-8 is
read row by row by `csv_format` as before.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from .csv_format import read_part
from .table import RawRow
from .text_checks import MAX_CELL_CHARS

BLOCK_BYTES = 2 << 20

# The control characters a cell may not hold (text_checks), as bytes: in UTF-8 they stand
# only for themselves. Newlines end lines, and these files hold no carriage return.
_CONTROL_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


@dataclass(slots=True)
class Block:
    first_line: int
    """The file's line number of the block's first line."""
    lines: list[str] = field(default_factory=list)
    """The block's lines without their newline: each one row (or blank), valid UTF-8."""
    rows: list[RawRow] = field(default_factory=list)
    """Rows read one by one, when the block is not clean text; `lines` is then empty."""
    position: int = 0
    """Bytes of the file read so far."""
    controls: bool = True
    """False when no line holds a control character other than tab, so per line checks for
    them can be skipped."""


def splits_on_lines(stream: BinaryIO) -> bool:
    """True when the file holds no quote and no carriage return, and is not UTF-16. The
    stream is left where it was (a reader may be part-way through it)."""
    where = stream.tell()
    stream.seek(0)
    try:
        head = stream.read(4)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return False
        stream.seek(0)
        while chunk := stream.read(BLOCK_BYTES):
            if b'"' in chunk or b"\r" in chunk:
                return False
        return True
    finally:
        stream.seek(where)


def blocks(stream: BinaryIO, header: list[str], size: int | None = None) -> Iterator[Block]:
    """The data rows of a file for which `splits_on_lines` holds, after its header line."""
    size = size or BLOCK_BYTES
    stream.seek(0)
    position = len(stream.readline())
    line, first = 2, True
    while data := stream.read(size):
        if not data.endswith(b"\n"):
            data += stream.readline()
        position += len(data)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        lines = text.split("\n") if text is not None else []
        if text is not None and text.endswith("\n"):
            lines.pop()
        # The first line may be an HXL hashtag row; csv_format decides, unless it is too long
        # or holds a NUL, when only the csv module can tell how it splits.
        awkward = first and bool(lines) and (len(lines[0]) > MAX_CELL_CHARS or "\0" in lines[0])
        if text is None or awkward:
            rows = read_part(data.decode("utf-8", "surrogateescape"), header, line, first=first)
            count = data.count(b"\n") + (not data.endswith(b"\n"))
            yield Block(line, rows=rows, position=position)
        else:
            if first and lines and lines[0].startswith("#"):
                lines[0] = ""  # an HXL hashtag row: part of the header, so skipped as blank
            count = len(lines)
            # Deleting them copies the block, but at a fraction of a regular expression's cost.
            controls = len(data.translate(None, _CONTROL_BYTES)) != len(data)
            yield Block(line, lines=lines, position=position, controls=controls)
        line += count
        first = False
