"""Reports from phones over OpenRosa: each submission becomes sitroom records through
`entries.report_record` — the same parser, sinks, ownership and audit as a web form — stored
with the submission (its phone, GPS point and times) and its files in one transaction. A
submission whose records fail the checks is kept whole, its records waiting in the quarantine
with the reasons, for its organisation to fix. One instance ID is stored once: a resend
changes nothing, a changed body under the same ID is refused."""

from __future__ import annotations

import hashlib
import json
import logging
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from ..field.attachments import StoredFile
from ..field.forms import FieldForm
from ..field.instance import FieldInstance
from ..field.records import FieldEntry, field_entries
from ..store.engine import UnitOfWork
from ..store.field_tables import FieldAttachmentRow, FieldSubmissionRow
from ..store.tables import ImportBatchRow, QuarantineRow
from . import audit, entries
from .field_devices import Device

log = logging.getLogger(__name__)
SQLITE_ATTEMPTS = 8


class SubmissionRefused(Exception):
    """Nothing was stored; `status` is the HTTP status, the message is for the phone."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(slots=True)
class SubmissionOutcome:
    status: str  # stored | quarantined | already
    records: list[tuple[str, str]] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)

    @property
    def message(self) -> str:
        if self.status == "already":
            return "sitroom already has this report: nothing was stored twice"
        if self.status == "quarantined":
            why = "; ".join(f"{k}: {v}" for k, v in self.reasons.items())
            return f"received, but held for a fix in the quarantine: {why}"
        return f"stored {len(self.records)} record(s) in sitroom"


def receive_submission(
    engine: Engine,
    device: Device,
    forms: Mapping[str, FieldForm],
    instance: FieldInstance,
    xml: bytes,
    files: list[StoredFile],
    *,
    now: datetime | None = None,
) -> SubmissionOutcome:
    form = forms.get(instance.form_id)
    if form is None:
        raise SubmissionRefused(400, f"sitroom has no form {instance.form_id!r}")
    if instance.version != form.version:
        raise SubmissionRefused(
            400,
            f"this report was filled in version {instance.version or '(none)'} of "
            f"{form.title!r}; sitroom takes version {form.version}: get the form again",
        )
    now = now or datetime.now(UTC)
    digest = hashlib.sha256(xml).hexdigest()
    for attempt in range(SQLITE_ATTEMPTS):
        try:
            return _receive(engine, device, instance, xml, digest, files, now)
        except IntegrityError:
            # The same report arrived twice at once and the other copy won: a resend.
            return _receive(engine, device, instance, xml, digest, files, now)
        except OperationalError as exc:
            # SQLite refuses at once (without waiting) a transaction that read and then
            # wants to write while another holds the write lock; nothing was stored, so the
            # whole report is tried again.
            if "database is locked" not in str(exc.orig) or attempt == SQLITE_ATTEMPTS - 1:
                raise
            time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
    raise AssertionError("unreachable")


def _receive(
    engine: Engine,
    device: Device,
    instance: FieldInstance,
    xml: bytes,
    digest: str,
    files: list[StoredFile],
    now: datetime,
) -> SubmissionOutcome:
    with UnitOfWork(engine) as uow:
        session = uow.session
        known = session.scalars(
            select(FieldSubmissionRow).where(FieldSubmissionRow.instance_id == instance.instance_id)
        ).first()
        if known is not None:
            outcome = _resent(session, device, known, digest, files, now)
            uow.commit()
            if outcome is None:
                raise SubmissionRefused(
                    409,
                    f"sitroom already has a different report {instance.instance_id}: "
                    "a report cannot be changed by sending it again",
                )
            return outcome
        wanted = field_entries(instance)
        results = [
            entries.report_record(engine, device.user, e.kind, e.cells, now=now, within=uow)
            for e in wanted
        ]
        if all(r.ok for r in results):
            records = [(e.kind.value, r.ref or "") for e, r in zip(wanted, results, strict=True)]
            outcome = SubmissionOutcome("stored", records)
            batch_id = None
        else:
            # Nothing of a refused report is stored: its records wait together for a fix.
            session.rollback()
            reasons = {k: v for r in results for k, v in r.errors.items()}
            batch_id = _quarantine(session, device, instance, wanted, results, now)
            outcome = SubmissionOutcome("quarantined", reasons=reasons)
        row = _submission(device, instance, xml, digest, outcome, batch_id, now)
        session.add(row)
        session.flush()
        _attach(session, row.id, files)
        after = {"form": instance.form_id, "status": outcome.status, "device": device.login}
        audit.record(
            session,
            device.user,
            "receive",
            "field_submission",
            instance.instance_id,
            after=after,
            now=now,
        )
        uow.commit()
    return outcome


def _resent(
    session: Session,
    device: Device,
    known: FieldSubmissionRow,
    digest: str,
    files: list[StoredFile],
    now: datetime,
) -> SubmissionOutcome | None:
    """A report sitroom has: the same body from the same person adds only files not yet
    received (Collect splits a large report over several requests); anything else is refused
    and logged."""
    if known.xml_sha256 != digest or known.submitted_by != device.user.username:
        log.warning("refused a changed resend of %s from %s", known.instance_id, device.login)
        audit.record(
            session,
            device.user,
            "refuse",
            "field_submission",
            known.instance_id,
            after={"reason": "changed body under a stored instance ID", "sha256": digest},
            now=now,
        )
        return None
    have = set(
        session.scalars(
            select(FieldAttachmentRow.name).where(FieldAttachmentRow.submission_id == known.id)
        )
    )
    _attach(session, known.id, [f for f in files if f.name not in have])
    return SubmissionOutcome("already", [(r[0], r[1]) for r in known.records])


def _attach(session: Session, submission_id: int, files: list[StoredFile]) -> None:
    seen: set[str] = set()
    for f in files:
        if f.name in seen:
            continue
        seen.add(f.name)
        session.add(
            FieldAttachmentRow(
                submission_id=submission_id,
                name=f.name,
                media_type=f.media_type,
                size=f.size,
                sha256=f.sha256,
            )
        )


def _submission(
    device: Device,
    instance: FieldInstance,
    xml: bytes,
    digest: str,
    outcome: SubmissionOutcome,
    batch_id: int | None,
    now: datetime,
) -> FieldSubmissionRow:
    point = instance.point("location")
    return FieldSubmissionRow(
        instance_id=instance.instance_id,
        form_id=instance.form_id,
        form_version=instance.version,
        device_id=device.id,
        submitted_by=device.user.username,
        organisation_id=device.user.organisation_id,
        received_at=now,
        xml_sha256=digest,
        xml=xml.decode("utf-8", errors="replace"),
        status=outcome.status,
        records=[list(r) for r in outcome.records],
        batch_id=batch_id,
        started_at=instance.moment("start"),
        ended_at=instance.moment("end"),
        phone_id=instance.text("deviceid")[:120] or None,
        lat=point.lat if point else None,
        lon=point.lon if point else None,
        altitude=point.altitude if point else None,
        accuracy=point.accuracy if point else None,
    )


def _quarantine(
    session: Session,
    device: Device,
    instance: FieldInstance,
    wanted: list[FieldEntry],
    results: list[entries.EntryResult],
    now: datetime,
) -> int:
    """One quarantined row per record of the report, in a batch of the phone's user, so the
    organisation sees it where it sees its rejected imports."""
    refused = sum(1 for r in results if not r.ok)
    batch = ImportBatchRow(
        file_name=f"phone report {instance.instance_id}"[:260],
        file_sha256=hashlib.sha256(instance.instance_id.encode()).hexdigest(),
        record_kind=wanted[0].kind.value,
        file_format="openrosa",
        imported_by=device.user.username,
        imported_at=now,
        rows_read=len(wanted),
        rows_accepted=0,
        rows_duplicate=0,
        rows_rejected=refused,
    )
    session.add(batch)
    session.flush()
    for line, (entry, result) in enumerate(zip(wanted, results, strict=True), start=1):
        if result.ok:
            name, reason = "", "held back: another record of the same report was refused"
        else:
            name = next(iter(result.errors))
            reason = "; ".join(f"{k}: {v}" for k, v in result.errors.items())
        key = json.dumps([instance.instance_id, line])
        session.add(
            QuarantineRow(
                ref=hashlib.sha256(key.encode()).hexdigest()[:40],
                batch_id=batch.id,
                record_kind=entry.kind.value,
                line=line,
                raw=entry.cells,
                field=name[:64],
                reason=reason,
            )
        )
    return batch.id
