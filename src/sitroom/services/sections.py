"""Border sections an administrator deletes: only one nothing refers to, audited."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, exists, select
from sqlalchemy.orm import Session

from ..domain.accounts import Sharing, User, Writer
from ..interchange.records.places import SECTION_COLUMNS
from ..store.analysis_tables import AlarmRow, ForecastRow, SeriesRow
from ..store.engine import UnitOfWork
from ..store.tables import FigureRow, IncidentRow
from . import audit
from .write_gate import WriteGate

_SECTION_FIELDS = tuple(c.name for c in SECTION_COLUMNS)


class SectionInUse(Exception):
    """A section that records still refer to: deleting it would orphan them."""


def _users(session: Session, section_id: str) -> list[str]:
    """What refers to the section, in one query."""
    checks = {
        "incidents": exists().where(IncidentRow.section == section_id),
        "figures": exists().where(FigureRow.place == section_id),
        "series": exists().where(SeriesRow.place == section_id),
        "alarms": exists().where(AlarmRow.place == section_id),
        "forecasts": exists().where(ForecastRow.place == section_id),
    }
    found = session.execute(select(*(c.label(name) for name, c in checks.items()))).one()
    return [name for name, used in zip(checks, found, strict=True) if used]


def delete_section(
    engine: Engine, user: User, section_id: str, *, now: datetime | None = None
) -> bool:
    """Delete a section nothing refers to. False when there is none; NotAllowed for anyone
    but an administrator; SectionInUse when records refer to it."""
    with UnitOfWork(engine) as uow:
        gate = WriteGate(uow.session, Writer.person(user, Sharing.SHARED))
        row = gate.section_to_delete(section_id)
        if row is None:
            return False
        if users := _users(uow.session, section_id):
            raise SectionInUse(
                f"{section_id} is referred to by stored {', '.join(users)}: "
                "it stays as long as they do"
            )
        before = {name: getattr(row, name) for name in _SECTION_FIELDS}
        uow.session.delete(row)
        audit.record(uow.session, user, "delete", "sections", section_id, before=before, now=now)
        uow.commit()
    return True
