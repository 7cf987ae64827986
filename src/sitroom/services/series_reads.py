"""Reconciled series and their conflicts as an audience sees them (domain.audiences): for
each series, the first audience of the reader's list that was computed, never a wider one.
The read model itself (StoredSeries, SeriesDay, StoredConflict) is in domain.series, so that
charts and the report can take it without importing services."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from ..domain.measures import Measure, Nature
from ..domain.series import SeriesDay, StoredConflict, StoredSeries
from ..store.analysis_tables import ConflictRow, SeriesDayRow, SeriesRow


@dataclass(frozen=True, slots=True)
class FailedSeries:
    measure: Measure
    place: str
    failure: str


@dataclass(frozen=True, slots=True)
class SeriesEntry:
    """One series as a reader sees it, without its days."""

    id: int
    measure: Measure
    place: str
    audience: str
    nature: Nature
    first_day: date | None
    last_day: date | None


def visible_series(
    session: Session,
    readers: Sequence[str],
    *,
    measure: Measure | None = None,
    place: str | None = None,
) -> dict[tuple[Measure, str], SeriesEntry]:
    """Per measure and place, the series the readers' audiences (best first) should see;
    series that hold none of the figures they may see are left out. One query."""
    query = select(SeriesRow).where(SeriesRow.audience.in_(list(readers)))
    if measure is not None:
        query = query.where(SeriesRow.measure == measure.value)
    if place is not None:
        query = query.where(SeriesRow.place == place)
    rank = {audience: i for i, audience in enumerate(readers)}
    best: dict[tuple[Measure, str], SeriesRow] = {}
    for row in session.scalars(query):
        key = (Measure(row.measure), row.place)
        if key not in best or rank[row.audience] < rank[best[key].audience]:
            best[key] = row
    return {
        key: _entry(row)
        for key, row in sorted(best.items(), key=lambda item: (item[0][1], item[0][0].value))
        if row.figure_count > 0
    }


def _entry(row: SeriesRow) -> SeriesEntry:
    return SeriesEntry(
        row.id,
        Measure(row.measure),
        row.place,
        row.audience,
        Nature(row.nature),
        row.first_day,
        row.last_day,
    )


def read_series(
    session: Session,
    measure: Measure,
    place: str,
    *,
    readers: Sequence[str],
    start: date | None = None,
    end: date | None = None,
) -> StoredSeries | None:
    """One series as `readers` (audiences, best first) see it, or None if they see none."""
    entry = visible_series(session, readers, measure=measure, place=place).get((measure, place))
    return None if entry is None else load_series(session, entry, start=start, end=end)


def load_series(
    session: Session, entry: SeriesEntry, *, start: date | None = None, end: date | None = None
) -> StoredSeries:
    row = session.get(SeriesRow, entry.id)
    if row is None:
        raise LookupError(f"series {entry.id} is gone")
    # Plain rows, not ORM objects: a long series is read whole, often (detection, charts).
    d = SeriesDayRow.__table__.c
    query = (
        select(d.day, d.estimate, d.lower80, d.upper80, d.lower95, d.upper95, d.mark, d.shaped_by)
        .where(d.series_id == row.id)
        .order_by(d.day)
    )
    if start is not None:
        query = query.where(d.day >= start)
    if end is not None:
        query = query.where(d.day <= end)
    days = [
        SeriesDay(day, estimate, lo80, hi80, lo95, hi95, mark, tuple(shaped_by))
        for day, estimate, lo80, hi80, lo95, hi95, mark, shaped_by in session.execute(query)
    ]
    return StoredSeries(
        entry.measure,
        entry.place,
        entry.nature,
        days,
        _conflicts(session, [entry]),
        row.computed_at,
        row.reason,
        row.failure,
    )


def failed_series(session: Session, readers: Sequence[str]) -> list[FailedSeries]:
    """The series the readers would see that could not be computed, and why."""
    entries = visible_series(session, readers)
    if not entries:
        return []
    ids = [e.id for e in entries.values()]
    query = select(SeriesRow).where(SeriesRow.id.in_(ids), SeriesRow.failure.is_not(None))
    found = [
        FailedSeries(Measure(r.measure), r.place, r.failure or "") for r in session.scalars(query)
    ]
    return sorted(found, key=lambda f: (f.place, f.measure.value))


def series_of(session: Session, members: Sequence[tuple[str, str]]) -> list[SeriesEntry]:
    """The stored series with figures of these (measure, place), every audience: what a
    pipeline run detects on after recomputing a group."""
    if not members:
        return []
    query = select(SeriesRow).where(
        tuple_(SeriesRow.measure, SeriesRow.place).in_(list(members)),
        SeriesRow.figure_count > 0,
        SeriesRow.first_day.is_not(None),
    )
    query = query.order_by(SeriesRow.place, SeriesRow.measure, SeriesRow.audience)
    return [_entry(row) for row in session.scalars(query)]


def every_series(session: Session, *, nature: Nature | None = None) -> list[SeriesEntry]:
    """Every stored series with figures, of every audience: for the jobs that derive more
    from each (detection), which keep the audience on what they derive."""
    query = select(SeriesRow).where(SeriesRow.figure_count > 0, SeriesRow.first_day.is_not(None))
    if nature is not None:
        query = query.where(SeriesRow.nature == nature.value)
    query = query.order_by(SeriesRow.place, SeriesRow.measure, SeriesRow.audience)
    return [_entry(row) for row in session.scalars(query)]


def list_conflicts(
    session: Session,
    *,
    readers: Sequence[str],
    measure: Measure | None = None,
    place: str | None = None,
) -> list[StoredConflict]:
    """The conflicts of every series the readers see. Two queries."""
    entries = visible_series(session, readers, measure=measure, place=place)
    return _conflicts(session, list(entries.values()))


def _conflicts(session: Session, entries: list[SeriesEntry]) -> list[StoredConflict]:
    by_id = {e.id: e for e in entries}
    if not by_id:
        return []
    query = (
        select(ConflictRow).where(ConflictRow.series_id.in_(list(by_id))).order_by(ConflictRow.id)
    )
    found = [
        StoredConflict(
            by_id[c.series_id].measure,
            by_id[c.series_id].place,
            c.kind,
            tuple(c.winner_refs),
            tuple(c.loser_refs),
            c.gap,
            c.rule,
            c.detail,
        )
        for c in session.scalars(query)
    ]
    return sorted(found, key=lambda c: (c.place, c.measure.value))
