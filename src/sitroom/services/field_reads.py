"""What the phones' side reads: the choice lists each person's forms offer, what a user's
phones sent, and which attachment files stored reports refer to. Reads only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from ..domain.accounts import User
from ..domain.countries import country_name
from ..field.choices import choices_csv, vocabulary_lists
from ..store.field_tables import FieldAttachmentRow, FieldDeviceRow, FieldSubmissionRow
from ..store.tables import SectionRow
from . import access
from .field_devices import Device


def media_file(session: Session, device: Device, name: str) -> bytes | None:
    """A choice list as the phone's user may see it; None for a name no form reads."""
    fixed = vocabulary_lists()
    if name in fixed:
        return choices_csv(fixed[name])
    if name == "sections.csv":
        return choices_csv(_sections(session))
    sites = [
        (s.record.id, f"{s.record.name} ({s.record.id})")
        for s in access.sites(session, device.user)
    ]
    if name == "sites.csv":
        return choices_csv(sites)
    if name == "places.csv":
        sections = _sections(session)
        countries = sorted({code.split("-")[0] for code, _ in sections + sites})
        named = [(c, f"{country_name(c)} ({c})") for c in countries]
        return choices_csv(named + sections + sites)
    return None


def _sections(session: Session) -> list[tuple[str, str]]:
    rows = session.execute(select(SectionRow.id, SectionRow.name).order_by(SectionRow.id))
    return [(ident, f"{name} ({ident})") for ident, name in rows]


def stored_digests(engine: Engine, digests: list[str]) -> set[str]:
    """Which of these files a stored submission refers to (a read: the others may go)."""
    with Session(engine) as session:
        found = session.scalars(
            select(FieldAttachmentRow.sha256).where(FieldAttachmentRow.sha256.in_(digests))
        )
        return set(found)


@dataclass(frozen=True, slots=True)
class SubmissionSummary:
    instance_id: str
    form_id: str
    device: str
    received_at: datetime
    status: str
    batch_id: int | None
    files: int


def recent_submissions(session: Session, user: User, limit: int = 20) -> list[SubmissionSummary]:
    """What the user's phones sent last, with where a held report waits."""
    files = (
        select(func.count())
        .where(FieldAttachmentRow.submission_id == FieldSubmissionRow.id)
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            FieldSubmissionRow.instance_id,
            FieldSubmissionRow.form_id,
            FieldDeviceRow.name,
            FieldSubmissionRow.received_at,
            FieldSubmissionRow.status,
            FieldSubmissionRow.batch_id,
            files,
        )
        .join(FieldDeviceRow, FieldDeviceRow.id == FieldSubmissionRow.device_id)
        .where(FieldDeviceRow.user_id == user.id)
        .order_by(FieldSubmissionRow.received_at.desc(), FieldSubmissionRow.id.desc())
        .limit(limit)
    )
    return [SubmissionSummary(*row) for row in rows]
