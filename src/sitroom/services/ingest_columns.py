"""A large incidents CSV imported a column at a time, with the row importer's exact outcome.

`ingest` hands over files that qualify (incidents, CSV without quotes or carriage returns,
one column per field name). Blocks of lines are split and checked a column at a time
(`records.incident_columns`); a row those checks have any doubt about goes through the row
parser, so it is accepted or rejected with the same line, field and reason as before. Every
stored row then goes in through one staged insert (`store.bulk.staged_insert`), in the
import's one transaction.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import BinaryIO

# polars' allocator (jemalloc) keeps freed pages for ten seconds by default: over a long import
# that holds every block's memory at once. Hand them back at once instead (read when polars is
# first loaded, so only if nothing loaded it before).
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")
# The blocks are stored by a thread of their own (store.bulk) that keeps a core busy: a polars
# pool as large as the machine would fight it for that core (measured: 16 s instead of 20 s
# for a million rows on two cores with a pool of one).
os.environ.setdefault("POLARS_MAX_THREADS", str(max(1, (os.cpu_count() or 2) - 1)))

import polars as pl
from sqlalchemy.orm import Session

from ..domain.incidents import Incident
from ..interchange.csv_blocks import Block, blocks, splits_on_lines
from ..interchange.csv_format import read_line
from ..interchange.records.incident_columns import SCHEMA, STORED, parse_columns
from ..interchange.records.incidents import COLUMNS
from ..interchange.records.schema import EntryContext, RecordKind
from ..interchange.table import RawRow
from ..interchange.text_checks import MAX_CELL_CHARS
from ..store import mapping
from ..store.bulk import Staged, staged_insert
from .parsed import Parsed
from .report import ImportReport
from .write_gate import WriteGate

ParseRow = Callable[[RawRow], Parsed | None]
"""The row parser: the row as a record, or None once it has been rejected in the report."""
Reject = Callable[[int, str, str, dict[str, str]], None]
Progress = Callable[[int, int], None]

_KNOWN = {c.name for c in COLUMNS}
_STORED = len(STORED)


def qualifies(kind: RecordKind, file_format: str, header: list[str], stream: BinaryIO) -> bool:
    """Whether the file can go the column way: incidents in a CSV that splits on its lines,
    every required column present, no column named twice, no quarantine rows to resolve."""
    names = [name for name in header if name in _KNOWN]
    return (
        kind is RecordKind.INCIDENTS
        and file_format == "csv"
        and "quarantine_id" not in header
        and len(set(header)) == len(header)
        and all(c.name in names for c in COLUMNS if c.required)
        and splits_on_lines(stream)
    )


def store_incidents(
    session: Session,
    stream: BinaryIO,
    header: list[str],
    report: ImportReport,
    *,
    batch_id: int,
    gate: WriteGate,
    context: EntryContext,
    parse_row: ParseRow,
    reject: Reject,
    progress: Progress | None,
) -> None:
    """Read, check and store every row; count each in `report` as the row importer would.
    The column checks take only sections the writer may use (`gate`); every other row goes
    through the row parser and `gate.check`, a block at a time."""
    sections = gate.places().sections
    organisation, sharing, scope = gate.owner
    owner = (
        pl.lit(organisation, pl.Int64()).alias("organisation_id"),
        pl.lit(sharing, pl.String()).alias("sharing"),
        pl.lit(scope, pl.String()).alias("scope"),
    )
    columns = (*STORED, *mapping.OWNER_COLUMNS)
    staged: Staged | None = None
    offered = 0
    try:
        for block in blocks(stream, header):
            if staged is None:
                staged = staged_insert(
                    session, "incidents", columns, batch_id, rows=_expected_rows(stream, block)
                )
            fast, rows = _split(block, header, context, sections)
            parsed: list[Parsed] = []
            for raw in sorted(rows, key=lambda r: r.line):
                report.read += 1
                if (item := parse_row(raw)) is not None:
                    parsed.append(item)
            refused = {r.line: r for r in gate.check(RecordKind.INCIDENTS, parsed)}
            slow: list[tuple[object, ...]] = []
            for item in parsed:
                if (no := refused.get(item.line)) is not None:
                    reject(item.line, no.field, no.reason, item.cells)
                    continue
                incident: Incident = item.record
                values = mapping.incident_values(incident, batch_id)
                slow.append((item.line, *values[:2], values[2].isoformat(), *values[3:_STORED]))
            report.read += fast.height
            frame = pl.concat(
                [fast, pl.DataFrame(slow, schema={"line": pl.Int64(), **SCHEMA}, orient="row")]
            )
            if slow:
                frame = frame.sort("line")
            staged.add(frame.select(*STORED, *owner))
            offered += frame.height
            if progress:
                progress(report.read, block.position)
    except BaseException:
        if staged is not None:
            staged.abandon()
        raise
    inserted = staged.finish() if staged is not None else 0
    report.accepted += inserted
    report.duplicate += offered - inserted


def _expected_rows(stream: BinaryIO, first: Block) -> int:
    """About how many rows the file holds, judging by its first block."""
    here = stream.tell()
    size = stream.seek(0, 2)
    stream.seek(here)
    rows = len(first.lines) + len(first.rows)
    return int(size * rows / max(first.position, 1))


def _split(
    block: Block, header: list[str], context: EntryContext, sections: frozenset[str]
) -> tuple[pl.DataFrame, list[RawRow]]:
    """The block's rows stored the column way (with their `line`), and those for the row
    parser."""
    if not block.lines:
        return pl.DataFrame(schema={"line": pl.Int64(), **SCHEMA}), block.rows
    lines = _lines(block, len(header))
    usual = lines.get_column("usual")
    cells = lines.filter(usual).select(
        pl.col("pos"), *(_cell(i).alias(name) for i, name in enumerate(header) if name in _KNOWN)
    )
    parsed = parse_columns(cells, context, sections)
    doubtful = lines.get_column("pos").filter(~usual).to_list() + parsed.doubtful
    rows = [
        row
        for pos in doubtful
        if (row := read_line(block.first_line + pos, block.lines[pos], header)) is not None
    ]
    fast = parsed.stored.select(
        (pl.col("pos").cast(pl.Int64) + block.first_line).alias("line"), *STORED
    )
    return fast, rows


def _lines(block: Block, columns: int) -> pl.DataFrame:
    """The block's lines that are not blank, by their place (`pos`) in the block: their
    `cells`, split at commas, and whether the line is `usual` enough to be read the column
    way."""
    text = pl.col("text")
    return (
        pl.LazyFrame({"text": block.lines})
        .with_row_index("pos")
        # One field more than the header names: it is there only when the line has a comma too
        # many, as the last one is there only when the line has enough.
        .with_columns(text.str.split_exact(",", columns).alias("cells"))
        # Only commas and whitespace: a blank row, which is not read. (Python's whitespace also
        # has \x1c-\x1f; a line with those is a control-character line, left to the parser.)
        .filter(~text.str.contains(r"^[\s,]*$"))
        .with_columns(
            (
                _cell(columns - 1).is_not_null()
                & _cell(columns).is_null()
                & (text.str.len_chars() <= MAX_CELL_CHARS)
                & ~text.str.contains(_odd_cell(block))
            ).alias("usual")
        )
        .collect()
    )


def _cell(index: int) -> pl.Expr:
    """The line's cell at `index` (from 0), null when it has fewer commas than that."""
    return pl.col("cells").struct.field(f"field_{index}")


def _odd_cell(block: Block) -> str:
    """A control character (the row parser names the cell), or a cell starting with an
    apostrophe, which may be one the writer neutralised; the first only when the block holds
    any."""
    apostrophe = r"(?:^|,)'"
    return rf"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|{apostrophe}" if block.controls else apostrophe
