"""Reconciled series: computed from the stored figures, stored, and recomputed only when the
figures that feed a series change."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.orm import Session

from ..analysis import reconcile as rec
from ..domain.figures import ReportedFigure
from ..domain.measures import Measure, Nature
from ..store.analysis_tables import ConflictRow, SeriesDayRow, SeriesRow
from ..store.engine import UnitOfWork
from ..store.tables import FigureRow
from . import queries


@dataclass(frozen=True, slots=True)
class SeriesDay:
    day: date
    estimate: float
    lower80: float
    upper80: float
    lower95: float
    upper95: float
    mark: str
    shaped_by: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StoredConflict:
    measure: Measure
    place: str
    kind: str
    winners: tuple[str, ...]
    losers: tuple[str, ...]
    gap: float
    rule: str
    detail: str


@dataclass(frozen=True, slots=True)
class StoredSeries:
    measure: Measure
    place: str
    nature: Nature
    days: list[SeriesDay]
    conflicts: list[StoredConflict]
    computed_at: datetime
    reason: str | None


@dataclass(frozen=True, slots=True)
class Refresh:
    computed: list[tuple[Measure, str]]
    unchanged: int


def reconcile_input(figure: ReportedFigure) -> rec.Figure:
    published = figure.source.published
    return rec.Figure(
        id=figure.ref,
        start=figure.period_start,
        end=figure.period_end,
        value=figure.value,
        qualifier=figure.qualifier,
        source_rank=figure.source.kind.rank,
        # "2021-07" sorts as the month's first day: enough to tell later from earlier.
        published=date.fromisoformat((published + "-01-01")[:10]) if published else None,
        source=figure.source.organisation or figure.source.reference,
        corrects=figure.corrects,
    )


def _fingerprint(figures: Iterable[ReportedFigure]) -> str:
    refs = sorted(f.ref for f in figures)
    return hashlib.blake2b("\n".join(refs).encode(), digest_size=16).hexdigest()


def refresh_series(engine: Engine, *, now: datetime | None = None) -> Refresh:
    """Recompute every series whose figures changed since it was last computed; one commit."""
    now = now or datetime.now(UTC)
    computed: list[tuple[Measure, str]] = []
    unchanged = 0
    with UnitOfWork(engine) as uow:
        session = uow.session
        keys = session.execute(select(FigureRow.measure, FigureRow.place).distinct()).all()
        stored = {(s.measure, s.place): s for s in session.scalars(select(SeriesRow))}
        for measure_name, place in sorted(keys):
            measure = Measure(measure_name)
            where = queries.FigureFilter(measure=measure, place=place)
            figures = queries.list_figures(session, where)
            fingerprint = _fingerprint(figures)
            row = stored.get((measure_name, place))
            if row is not None and row.inputs == fingerprint:
                unchanged += 1
                continue
            _store(session, row, measure, place, figures, fingerprint, now)
            computed.append((measure, place))
        uow.commit()
    return Refresh(computed, unchanged)


def _store(
    session: Session,
    row: SeriesRow | None,
    measure: Measure,
    place: str,
    figures: list[ReportedFigure],
    fingerprint: str,
    now: datetime,
) -> None:
    first = min(f.period_start for f in figures)
    last = max(f.period_end for f in figures)
    result = rec.reconcile([reconcile_input(f) for f in figures], measure.nature, first, last)
    if row is None:
        row = SeriesRow(
            measure=measure.value,
            place=place,
            nature=measure.nature.value,
            inputs=fingerprint,
            computed_at=now,
        )
        session.add(row)
    row.first_day, row.last_day = (None, None) if result.is_empty else (first, last)
    row.inputs, row.computed_at, row.reason = fingerprint, now, result.reason
    session.flush()
    session.execute(delete(SeriesDayRow).where(SeriesDayRow.series_id == row.id))
    session.execute(delete(ConflictRow).where(ConflictRow.series_id == row.id))
    if not result.is_empty:
        session.execute(
            insert(SeriesDayRow),
            [
                {
                    "series_id": row.id,
                    "day": day,
                    "estimate": float(result.estimate[i]),
                    "lower80": float(result.lower80[i]),
                    "upper80": float(result.upper80[i]),
                    "lower95": float(result.lower95[i]),
                    "upper95": float(result.upper95[i]),
                    "mark": result.marks[i].value,
                    "shaped_by": list(result.shaped_by[i]),
                }
                for i, day in enumerate(result.dates)
            ],
        )
    if result.conflicts:
        session.execute(
            insert(ConflictRow),
            [
                {
                    "series_id": row.id,
                    "kind": c.kind.value,
                    "winner_refs": list(c.winner_ids),
                    "loser_refs": list(c.loser_ids),
                    "gap": float(c.gap),
                    "rule": c.rule,
                    "detail": c.detail,
                }
                for c in result.conflicts
            ],
        )


def read_series(
    session: Session,
    measure: Measure,
    place: str,
    start: date | None = None,
    end: date | None = None,
) -> StoredSeries | None:
    row = session.scalars(
        select(SeriesRow).where(SeriesRow.measure == measure.value, SeriesRow.place == place)
    ).first()
    if row is None:
        return None
    query = select(SeriesDayRow).where(SeriesDayRow.series_id == row.id).order_by(SeriesDayRow.day)
    if start is not None:
        query = query.where(SeriesDayRow.day >= start)
    if end is not None:
        query = query.where(SeriesDayRow.day <= end)
    days = [
        SeriesDay(
            d.day,
            d.estimate,
            d.lower80,
            d.upper80,
            d.lower95,
            d.upper95,
            d.mark,
            tuple(d.shaped_by),
        )
        for d in session.scalars(query)
    ]
    return StoredSeries(
        measure,
        place,
        Nature(row.nature),
        days,
        list_conflicts(session, series_id=row.id),
        row.computed_at,
        row.reason,
    )


def list_conflicts(session: Session, *, series_id: int | None = None) -> list[StoredConflict]:
    query = (
        select(ConflictRow, SeriesRow.measure, SeriesRow.place)
        .join(SeriesRow, ConflictRow.series_id == SeriesRow.id)
        .order_by(SeriesRow.place, SeriesRow.measure, ConflictRow.id)
    )
    if series_id is not None:
        query = query.where(ConflictRow.series_id == series_id)
    return [
        StoredConflict(
            Measure(measure),
            place,
            c.kind,
            tuple(c.winner_refs),
            tuple(c.loser_refs),
            c.gap,
            c.rule,
            c.detail,
        )
        for c, measure, place in session.execute(query)
    ]
