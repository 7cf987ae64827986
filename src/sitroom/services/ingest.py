"""Import a file of records: every row accepted, a duplicate, or rejected — in one transaction."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from ..domain.accounts import Writer
from ..domain.errors import FieldErrors, filed_reason
from ..interchange.records.registry import SCHEMAS, closest_kind, guess_kind
from ..interchange.records.schema import EntryContext, RecordKind, RecordSchema
from ..interchange.registry import detect_format, reader_for
from ..interchange.table import RawRow, ReadError, RowSource
from ..store.bulk import insert_new, roomy_cache
from ..store.engine import UnitOfWork
from ..store.tables import ImportBatchRow, QuarantineRow
from . import ingest_columns
from .report import ImportReport, Rejection
from .sinks import SINKS, Parsed
from .write_gate import WriteGate

Progress = Callable[[int, int], None]
"""Called with (rows read so far, bytes read so far)."""

BeforeCommit = Callable[[Session, ImportReport], None]
"""Called inside the import's transaction just before it commits: what the caller adds there
(who owns the rows, an audit entry) is stored with them or not at all."""

CHUNK_ROWS = 5000


def import_file(
    engine: Engine,
    path: Path,
    *,
    entered_by: str,
    writer: Writer | None = None,
    kind: RecordKind | None = None,
    partial: bool = False,
    now: datetime | None = None,
    progress: Progress | None = None,
    before_commit: BeforeCommit | None = None,
) -> ImportReport:
    """Read every row of `path`. Without `partial`, any rejected row means nothing is stored;
    with it, valid rows are stored and rejected ones kept in the quarantine. Either way the
    report lists every rejected row with its line, field and reason. Rows are checked and
    owned as `writer` may (`write_gate`); without one, as the operator named `entered_by`."""
    writer = writer or Writer.operator(entered_by)
    report = ImportReport(file_name=path.name)
    try:
        digest = _sha256(path)
        with path.open("rb") as stream:
            return _import_stream(
                engine,
                stream,
                report,
                digest,
                writer=writer,
                kind=kind,
                partial=partial,
                now=now or datetime.now(UTC),
                progress=progress,
                before_commit=before_commit,
            )
    except ReadError as exc:
        report.error = str(exc)
        return report
    except OSError as exc:
        report.error = f"cannot read {path}: {exc.strerror or exc}"
        return report


def _import_stream(
    engine: Engine,
    stream: BinaryIO,
    report: ImportReport,
    digest: str,
    *,
    writer: Writer,
    kind: RecordKind | None,
    partial: bool,
    now: datetime,
    progress: Progress | None,
    before_commit: BeforeCommit | None,
) -> ImportReport:
    fmt = detect_format(report.file_name, stream.read(8))
    stream.seek(0)
    source = reader_for(fmt)(stream)
    report.file_format = fmt.value
    try:
        return _store_rows(
            engine,
            stream,
            source,
            report,
            digest,
            kind=kind,
            partial=partial,
            writer=writer,
            now=now,
            progress=progress,
            before_commit=before_commit,
        )
    finally:
        source.release()


def _store_rows(
    engine: Engine,
    stream: BinaryIO,
    source: RowSource,
    report: ImportReport,
    digest: str,
    *,
    writer: Writer,
    kind: RecordKind | None,
    partial: bool,
    now: datetime,
    progress: Progress | None,
    before_commit: BeforeCommit | None,
) -> ImportReport:
    kind = kind or guess_kind(source.header)
    if kind is None:
        closest = closest_kind(source.header)
        raise ReadError(
            "cannot tell which kind of records the file holds from its header "
            f"({', '.join(source.header[:8])}); name it with --kind. The closest is "
            f"{closest.value}, which also needs: "
            f"{', '.join(SCHEMAS[closest].missing_columns(source.header))}"
        )
    schema = SCHEMAS[kind]
    report.kind = kind.value
    if missing := schema.missing_columns(source.header):
        raise ReadError(
            f"the header lacks {_counted(len(missing), 'required column')} of {kind.value}: "
            f"{', '.join(missing)}"
        )
    if unknown := schema.unknown_columns(source.header):
        report.notes.append(f"columns ignored (not part of {kind.value}): {', '.join(unknown)}")
    context = EntryContext(entered_by=writer.name, entered_at=now)
    with UnitOfWork(engine) as uow:
        batch = ImportBatchRow(
            file_name=report.file_name[:260],
            file_sha256=digest,
            record_kind=kind.value,
            file_format=report.file_format,
            imported_by=writer.name,
            imported_at=now,
            rows_read=0,
            rows_accepted=0,
            rows_duplicate=0,
            rows_rejected=0,
        )
        uow.session.add(batch)
        uow.session.flush()
        report.batch_id = batch.id
        gate = WriteGate(uow.session, writer)
        with roomy_cache(uow.session):
            # The column path splits lines on commas; a ';' file goes row by row.
            if source.delimiter == "," and ingest_columns.qualifies(
                kind, report.file_format, source.header, stream
            ):
                ingest_columns.store_incidents(
                    uow.session,
                    stream,
                    source.header,
                    report,
                    batch_id=batch.id,
                    gate=gate,
                    context=context,
                    parse_row=lambda raw: _parse(raw, schema, context, report),
                    reject=lambda line, field, why, cells: _reject(report, line, field, why, cells),
                    progress=progress,
                )
            else:
                _row_by_row(gate, stream, source, report, schema, context, progress)
        if report.rejected and not partial:
            return report  # leaving the unit of work rolls everything back
        _quarantine(uow.session, report, batch.id, kind)
        uow.session.execute(
            update(ImportBatchRow)
            .where(ImportBatchRow.id == batch.id)
            .values(
                rows_read=report.read,
                rows_accepted=report.accepted,
                rows_duplicate=report.duplicate,
                rows_rejected=report.rejected,
            )
        )
        if before_commit is not None:
            before_commit(uow.session, report)
        uow.commit()
        report.committed = True
    return report


def _row_by_row(
    gate: WriteGate,
    stream: BinaryIO,
    source: RowSource,
    report: ImportReport,
    schema: RecordSchema[Any],
    context: EntryContext,
    progress: Progress | None,
) -> None:
    assert report.batch_id is not None
    session = gate.session
    sink = SINKS[schema.kind](session, report.batch_id, gate)
    # Only a file exported from the quarantine has rows that can resolve quarantined ones.
    resolves = "quarantine_id" in source.header
    for chunk in _chunks(source.rows, CHUNK_ROWS):
        parsed: list[Parsed] = []
        for raw in chunk:
            report.read += 1
            item = _parse(raw, schema, context, report)
            if item is not None:
                parsed.append(item)
        outcome = sink.take(parsed)
        report.accepted += outcome.accepted
        report.duplicate += outcome.duplicate
        cells_by_line = {p.line: p.cells for p in parsed}
        for refused in outcome.refused:
            _reject(
                report, refused.line, refused.field, refused.reason, cells_by_line[refused.line]
            )
        if resolves:
            stored = [cells_by_line[n] for n in outcome.stored_lines]
            _resolve_quarantine(session, stored, context.entered_at)
        if progress:
            progress(report.read, _position(stream))


def _parse(
    raw: RawRow,
    schema: RecordSchema[Any],
    context: EntryContext,
    report: ImportReport,
) -> Parsed | None:
    if raw.problem is not None:
        _reject(report, raw.line, raw.problem_field, raw.problem, raw.cells)
        return None
    try:
        record = schema.parse(raw.cells, context)
    except FieldErrors as exc:
        first, reason = filed_reason(exc.errors)
        _reject(report, raw.line, first, reason, raw.cells)
        return None
    return Parsed(raw.line, record, raw.cells)


def _counted(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _reject(
    report: ImportReport, line: int, field: str, reason: str, cells: dict[str, str]
) -> None:
    report.rejected += 1
    report.rejections.append(Rejection(line, field, reason, cells))


def _quarantine(session: Session, report: ImportReport, batch_id: int, kind: RecordKind) -> None:
    """Keep each rejected row. A row of a fix file (exported from the quarantine) that is
    still wrong replaces the quarantined row it came from instead of joining it."""
    again = {
        int(text): r
        for r in report.rejections
        if (text := r.cells.get("quarantine_id", "")).isascii() and text.isdigit()
    }
    waiting: set[int] = set()
    if again:
        waiting = set(
            session.scalars(
                select(QuarantineRow.id).where(
                    QuarantineRow.id.in_(list(again)),
                    QuarantineRow.record_kind == kind.value,
                    QuarantineRow.resolved_at.is_(None),
                )
            )
        )
    for kept_id in waiting:
        r = again[kept_id]
        session.execute(
            update(QuarantineRow)
            .where(QuarantineRow.id == kept_id)
            .values(
                batch_id=batch_id,
                line=r.line,
                raw=_as_received(r.cells),
                field=r.field,
                reason=r.reason,
            )
        )
    taken = {id(again[kept_id]) for kept_id in waiting}
    rows = [
        (
            _digest_of(kind, _as_received(r.cells), r.line),
            batch_id,
            kind.value,
            r.line,
            json.dumps(_as_received(r.cells)),
            r.field,
            r.reason,
        )
        for r in report.rejections
        if id(r) not in taken
    ]
    # ASCII JSON keeps undecodable bytes as escapes, so the raw row can be written back out
    # byte for byte. A rejected row imported again is the same quarantined row, not a second.
    insert_new(
        session,
        "quarantine",
        ("ref", "batch_id", "record_kind", "line", "raw", "field", "reason"),
        rows,
    )


def _as_received(cells: dict[str, str]) -> dict[str, str]:
    """A row's own cells, without the columns the quarantine export adds."""
    return {k: v for k, v in cells.items() if k not in ("quarantine_id", "rejected_because")}


def _resolve_quarantine(session: Session, cells: list[dict[str, str]], now: datetime) -> None:
    ids = [int(c["quarantine_id"]) for c in cells if c.get("quarantine_id", "").isdigit()]
    if ids:
        session.execute(
            update(QuarantineRow)
            .where(QuarantineRow.id.in_(ids), QuarantineRow.resolved_at.is_(None))
            .values(resolved_at=now)
        )


def _digest_of(kind: RecordKind, cells: dict[str, str], line: int) -> str:
    text = json.dumps([kind.value, line if not cells else None, sorted(cells.items())])
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _chunks(rows: Iterator[RawRow], size: int) -> Iterator[list[RawRow]]:
    chunk: list[RawRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _position(stream: BinaryIO) -> int:
    try:
        return stream.tell()
    except (OSError, ValueError):
        return 0


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
