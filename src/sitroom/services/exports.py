"""Export stored records in any writable format, streamed from the database."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ..interchange.records.registry import SCHEMAS
from ..interchange.records.schema import RecordKind
from ..interchange.registry import WRITERS, Format
from ..interchange.table import Column
from . import assist_reads, queries


def export_records(
    engine: Engine,
    kind: RecordKind,
    fmt: Format,
    out: BinaryIO,
    where: queries.FigureFilter | None = None,
) -> int:
    """Write every stored record of `kind` (figures narrowed by `where`); return the count."""
    schema = SCHEMAS[kind]
    count = 0
    with Session(engine) as session:

        def cells() -> Iterator[dict[str, str]]:
            nonlocal count
            for record in LOADERS[kind](session, where or queries.FigureFilter()):
                count += 1
                yield schema.to_cells(record)

        WRITERS[fmt](cells(), schema.columns, out)
    return count


RecordLoader = Callable[[Session, queries.FigureFilter], Iterable[object]]

LOADERS: dict[RecordKind, RecordLoader] = {
    RecordKind.FIGURES: queries.iter_figures,
    RecordKind.INCIDENTS: lambda session, _where: queries.iter_incidents(session),
    RecordKind.SITES: lambda session, _where: queries.list_sites(session),
    RecordKind.SECTIONS: lambda session, _where: queries.list_sections(session),
    RecordKind.REQUESTS: lambda session, _where: assist_reads.every_request(session),
    RecordKind.OFFERS: lambda session, _where: assist_reads.every_offer(session),
}


def write_quarantine(rows: list[queries.QuarantinedRow], kind: RecordKind, path: Path) -> None:
    """Quarantined rows as they came in, with their id and the reason, ready to be fixed."""
    columns = [
        Column("quarantine_id", "#meta+id+quarantine"),
        *SCHEMAS[kind].columns,
        Column("rejected_because", "#meta+reason"),
    ]
    cells = (
        {
            **row.cells,
            "quarantine_id": str(row.id),
            "rejected_because": f"{row.field}: {row.reason}",
        }
        for row in rows
    )
    with path.open("wb") as out:
        WRITERS[Format.CSV](cells, columns, out)
