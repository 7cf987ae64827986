"""Which series a transaction made stale. Whatever writes figures notes the series it touched
on its session (`note_changed_series`); the unit of work writes the marks just before it
commits (`write_marks`), so they are stored with the figures or not at all, and no write
service has to remember a second step."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session

from .pipeline_tables import StaleSeriesRow

_KEY = "sitroom.stale_series"


def note_changed_series(session: Session, series: Iterable[tuple[str, str]]) -> None:
    """Remember that the figures of these (measure, place) series changed in this session."""
    session.info.setdefault(_KEY, set()).update(series)


def write_marks(session: Session, *, now: datetime | None = None) -> int:
    """Store a mark for every series noted since the last commit; how many were written."""
    noted: set[tuple[str, str]] = session.info.pop(_KEY, set())
    if not noted:
        return 0
    at = now or datetime.now(UTC)
    session.execute(
        insert(StaleSeriesRow),
        [
            {"measure": measure, "place": place, "marked_at": at, "attempts": 0}
            for measure, place in sorted(noted)
        ],
    )
    return len(noted)


def forget_noted(session: Session) -> None:
    """A rolled-back transaction changed nothing: drop what it noted."""
    session.info.pop(_KEY, None)
