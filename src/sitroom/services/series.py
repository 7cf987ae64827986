"""Reconciled series: computed from the stored figures for each audience that may see them
(domain.audiences), stored, and recomputed only when the figures that feed a series change.
Reading them back, as one audience sees them, is in `series_reads`."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.orm import Session

from ..analysis import reconcile as rec
from ..domain import audiences
from ..domain.accounts import Sharing
from ..domain.figures import ReportedFigure
from ..domain.measures import Measure
from ..store import mapping
from ..store.analysis_tables import ConflictRow, SeriesDayRow, SeriesRow
from ..store.engine import UnitOfWork
from ..store.tables import FigureRow
from . import queries


@dataclass(frozen=True, slots=True)
class SeriesKey:
    measure: Measure
    place: str
    audience: str


@dataclass(frozen=True, slots=True)
class Refresh:
    computed: list[SeriesKey]
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
    """Recompute, for every audience, each series whose figures changed since it was last
    computed, and drop the audiences a series no longer needs; one commit."""
    now = now or datetime.now(UTC)
    computed: list[SeriesKey] = []
    unchanged = 0
    with UnitOfWork(engine) as uow:
        session = uow.session
        keys = session.execute(select(FigureRow.measure, FigureRow.place).distinct()).all()
        stored = {(s.measure, s.place, s.audience): s for s in session.scalars(select(SeriesRow))}
        for measure_name, place in sorted(keys):
            measure = Measure(measure_name)
            owned = _owned_figures(session, measure, place)
            wanted = audiences.audiences_for((org, sharing) for _, org, sharing in owned)
            for audience, orgs in sorted(wanted.items()):
                figures = [f for f, org, sharing in owned if audiences.includes(orgs, org, sharing)]
                fingerprint = _fingerprint(figures)
                row = stored.get((measure_name, place, audience))
                if row is not None and row.inputs == fingerprint:
                    unchanged += 1
                    continue
                _store(session, row, SeriesKey(measure, place, audience), figures, fingerprint, now)
                computed.append(SeriesKey(measure, place, audience))
            stale = [
                row.id
                for (m, p, audience), row in stored.items()
                if (m, p) == (measure_name, place) and audience not in wanted
            ]
            _drop(session, stale)
        uow.commit()
    return Refresh(computed, unchanged)


def _owned_figures(
    session: Session, measure: Measure, place: str
) -> list[tuple[ReportedFigure, int | None, Sharing]]:
    query = queries.FigureFilter(measure=measure, place=place).apply(select(FigureRow.__table__))
    rows = session.execute(
        query.order_by(FigureRow.period_start, FigureRow.period_end, FigureRow.id)
    ).mappings()
    return [
        (mapping.figure_from_row(row), row["organisation_id"], Sharing(row["sharing"]))
        for row in rows
    ]


def _drop(session: Session, series_ids: list[int]) -> None:
    if not series_ids:
        return
    session.execute(delete(SeriesDayRow).where(SeriesDayRow.series_id.in_(series_ids)))
    session.execute(delete(ConflictRow).where(ConflictRow.series_id.in_(series_ids)))
    session.execute(delete(SeriesRow).where(SeriesRow.id.in_(series_ids)))


def _store(
    session: Session,
    row: SeriesRow | None,
    key: SeriesKey,
    figures: list[ReportedFigure],
    fingerprint: str,
    now: datetime,
) -> None:
    measure = key.measure
    if row is None:
        row = SeriesRow(
            measure=measure.value,
            place=key.place,
            audience=key.audience,
            nature=measure.nature.value,
            inputs=fingerprint,
            computed_at=now,
        )
        session.add(row)
    row.figure_count, row.inputs, row.computed_at = len(figures), fingerprint, now
    row.first_day, row.last_day, row.reason = None, None, None
    session.flush()
    session.execute(delete(SeriesDayRow).where(SeriesDayRow.series_id == row.id))
    session.execute(delete(ConflictRow).where(ConflictRow.series_id == row.id))
    if not figures:
        # An audience that sees none of this series' figures: kept so that readers know
        # the series is empty for them rather than falling back to a wider audience.
        return
    first = min(f.period_start for f in figures)
    last = max(f.period_end for f in figures)
    result = rec.reconcile([reconcile_input(f) for f in figures], measure.nature, first, last)
    row.first_day, row.last_day = (None, None) if result.is_empty else (first, last)
    row.reason = result.reason
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
