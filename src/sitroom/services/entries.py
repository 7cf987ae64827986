"""Writes from people, one record at a time or one uploaded file: the same parsing, the same
sinks and the same authorisation (`write_gate`) as a file import, who owns the result and an
audit entry, all in one transaction."""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath, PureWindowsPath

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ..domain.accounts import Sharing, User, Writer, sees_everything
from ..domain.errors import FieldErrors
from ..domain.incidents import IncidentStatus
from ..interchange.records.registry import SCHEMAS
from ..interchange.records.schema import EntryContext, RecordKind
from ..store.account_tables import UserRow
from ..store.engine import UnitOfWork
from ..store.tables import ImportBatchRow, QuarantineRow
from . import audit
from .ingest import import_file
from .queries import QuarantinedRow
from .report import ImportReport
from .sinks import SINKS, Parsed
from .write_gate import WriteGate, allowed_to_write

# Sections are entered one by one too (by coordinators and administrators: write_gate).
ENTRY_KINDS = (
    RecordKind.FIGURES,
    RecordKind.INCIDENTS,
    RecordKind.SECTIONS,
    RecordKind.REQUESTS,
    RecordKind.OFFERS,
)
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]")


@dataclass(slots=True)
class EntryResult:
    ref: str | None = None
    duplicate: bool = False
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def report_record(
    engine: Engine,
    user: User,
    kind: RecordKind,
    cells: dict[str, str],
    *,
    sharing: Sharing = Sharing.RESTRICTED,
    now: datetime | None = None,
    within: UnitOfWork | None = None,
) -> EntryResult:
    """Parse one record as the importer does, check and store it through the importer's sink
    as the user's organisation's, audit it. Every field's mistake is reported, not only the
    first, so a form can show each beside its field. `within` is a caller's unit of work
    that stores several records (and what it adds itself) in one transaction: the caller
    commits, or rolls back on any error."""
    writer = allowed_to_write(Writer.person(user, sharing))
    if kind not in ENTRY_KINDS:
        raise ValueError(f"{kind.value} are defined by import, not entered one by one")
    now = now or datetime.now(UTC)
    schema = SCHEMAS[kind]
    # Who entered it is the signed-in user, whatever the form says.
    cells = {k: v for k, v in cells.items() if k in {c.name for c in schema.columns}}
    if kind is not RecordKind.SECTIONS:
        cells.update(entered_by=user.username, entered_at="")
    try:
        record = schema.parse(cells, EntryContext(user.username, now))
    except FieldErrors as exc:
        return EntryResult(errors=dict(exc.errors))
    with nullcontext(within) if within else UnitOfWork(engine) as uow:
        batch = _batch(uow.session, user, kind, "web form", cells, now)
        gate = WriteGate(uow.session, writer)
        outcome = SINKS[kind](uow.session, batch.id, gate).take([Parsed(1, record, cells)])
        if outcome.refused:
            return EntryResult(errors={r.field: r.reason for r in outcome.refused})
        ref: str = getattr(record, "ref", None) or record.id
        if outcome.duplicate:
            return EntryResult(ref=ref, duplicate=True)
        after = schema.to_cells(record)
        if kind is not RecordKind.SECTIONS:
            after["sharing"] = sharing.value
        audit.record(uow.session, user, "create", kind.value, ref, after=after, now=now)
        if within is None:
            uow.commit()
    return EntryResult(ref=ref)


def _batch(
    session: Session, user: User, kind: RecordKind, name: str, cells: dict[str, str], now: datetime
) -> ImportBatchRow:
    digest = hashlib.sha256(json.dumps(cells, sort_keys=True).encode()).hexdigest()
    batch = ImportBatchRow(
        file_name=name,
        file_sha256=digest,
        record_kind=kind.value,
        file_format="form",
        imported_by=user.username,
        imported_at=now,
        rows_read=1,
        rows_accepted=1,
        rows_duplicate=0,
        rows_rejected=0,
    )
    session.add(batch)
    session.flush()
    return batch


def change_incident_status(
    engine: Engine, user: User, ref: str, status: IncidentStatus, *, now: datetime | None = None
) -> bool:
    """Verify or retract an incident. False when the user cannot see it; NotAllowed when they
    can see but not change it."""
    with UnitOfWork(engine) as uow:
        row = WriteGate(uow.session, Writer.person(user, Sharing.RESTRICTED)).incident_to_change(
            ref
        )
        if row is None:
            return False
        before = {"status": row.status}
        row.status = status.value
        audit.record(
            uow.session,
            user,
            "change",
            "incidents",
            ref,
            before=before,
            after={"status": status.value},
            now=now,
        )
        uow.commit()
    return True


def safe_file_name(name: str) -> str:
    """The last part of whatever path a browser sent, in plain characters: never a path."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    cleaned = _SAFE_NAME.sub("_", base).strip(" .")[:120]
    return cleaned or "upload.csv"


def import_upload(
    engine: Engine,
    user: User,
    file_name: str,
    data: bytes,
    *,
    kind: RecordKind | None = None,
    sharing: Sharing = Sharing.RESTRICTED,
) -> ImportReport:
    """An uploaded file through the importer itself, as the user writes (their organisation
    owns what it stores, `write_gate` checks what it refers to): valid rows are stored,
    rejected rows are quarantined and reported with their line and reason."""
    writer = allowed_to_write(Writer.person(user, sharing))
    name = safe_file_name(file_name)

    def audit_import(session: Session, report: ImportReport) -> None:
        # In the import's own transaction: stored with the rows or not at all.
        summary = {k: v for k, v in report.as_dict().items() if k != "rejections"}
        audit.record(session, user, "import", "batch", str(report.batch_id), after=summary)

    with tempfile.TemporaryDirectory(prefix="sitroom-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        return import_file(
            engine,
            path,
            entered_by=user.username,
            writer=writer,
            kind=kind,
            partial=True,
            before_commit=audit_import,
        )


def batch_owner(session: Session, batch_id: int) -> tuple[str, int | None] | None:
    """Who imported a batch and their organisation: rejected rows go back only to them."""
    row = session.execute(
        select(ImportBatchRow.imported_by, UserRow.organisation_id)
        .outerjoin(UserRow, UserRow.username == ImportBatchRow.imported_by)
        .where(ImportBatchRow.id == batch_id)
    ).first()
    return None if row is None else (row[0], row[1])


def rejected_rows(
    session: Session, user: User, batch_id: int
) -> tuple[RecordKind, list[QuarantinedRow]] | None:
    """The rows of a batch that were refused, for whoever imported it (or a coordinator)."""
    owner = batch_owner(session, batch_id)
    if owner is None:
        return None
    by, organisation = owner
    mine = by == user.username or (
        organisation is not None and organisation == user.organisation_id
    )
    if not (mine or sees_everything(user)):
        return None
    rows = session.scalars(
        select(QuarantineRow).where(QuarantineRow.batch_id == batch_id).order_by(QuarantineRow.line)
    ).all()
    kind = session.scalar(select(ImportBatchRow.record_kind).where(ImportBatchRow.id == batch_id))
    found = [
        QuarantinedRow(q.id, q.batch_id, q.record_kind, q.line, q.field, q.reason, dict(q.raw))
        for q in rows
    ]
    return RecordKind(kind or "figures"), found
