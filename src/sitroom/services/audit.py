"""The audit trail: every write use case adds its entry in its own transaction, before commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.accounts import User, sees_everything
from ..store.account_tables import AuditRow


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    record_kind: str
    record_ref: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    note: str


def record(
    session: Session,
    actor: User | None,
    action: str,
    record_kind: str,
    record_ref: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
    now: datetime | None = None,
) -> None:
    """Add an entry to the caller's transaction: it is stored if and only if the change is."""
    session.add(
        AuditRow(
            at=now or datetime.now(UTC),
            actor=actor.username if actor else "system",
            organisation_id=actor.organisation_id if actor else None,
            action=action,
            record_kind=record_kind,
            record_ref=record_ref[:64],
            before=before,
            after=after,
            note=note[:2000],
        )
    )


def list_entries(
    session: Session, viewer: User, *, limit: int = 100, offset: int = 0
) -> list[AuditEntry]:
    """Coordinators and admins read the whole trail; others the entries of their organisation."""
    query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit).offset(offset)
    if not sees_everything(viewer):
        query = query.where(AuditRow.organisation_id == viewer.organisation_id)
    return [
        AuditEntry(
            r.id,
            r.at,
            r.actor,
            r.action,
            r.record_kind,
            r.record_ref,
            r.before,
            r.after,
            r.note,
        )
        for r in session.scalars(query)
    ]
