"""Reconciled series: computed from the stored figures for each audience that may see them
(domain.audiences), stored, and recomputed only when the figures that feed a series change.
Reading them back, as one audience sees them, is in `series_reads`."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.orm import Session

from ..analysis import reconcile as rec
from ..domain import audiences
from ..domain.accounts import Sharing
from ..domain.figures import ReportedFigure
from ..domain.measures import Measure
from ..domain.places import PlaceKind
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


@dataclass(frozen=True, slots=True)
class _Group:
    """Places whose series are computed together: a country with its border sections when
    both are reported for a measure (so that the sections add up to the country), or one
    place alone."""

    measure: Measure
    places: tuple[str, ...]
    country: str | None = None


def refresh_series(engine: Engine, *, now: datetime | None = None) -> Refresh:
    """Recompute, for every audience, each series whose figures changed since it was last
    computed, and drop the audiences a series no longer needs; one commit."""
    now = now or datetime.now(UTC)
    computed: list[SeriesKey] = []
    unchanged = 0
    with UnitOfWork(engine) as uow:
        session = uow.session
        stored = {(s.measure, s.place, s.audience): s for s in session.scalars(select(SeriesRow))}
        for group in _groups(session):
            owned = _owned_figures(session, group.measure, group.places)
            wanted = audiences.audiences_for((org, sharing) for _, org, sharing in owned)
            for audience, orgs in sorted(wanted.items()):
                figures = [f for f, org, sharing in owned if audiences.includes(orgs, org, sharing)]
                fingerprint = _fingerprint(figures)
                rows = {p: stored.get((group.measure.value, p, audience)) for p in group.places}
                if all(row is not None and row.inputs == fingerprint for row in rows.values()):
                    unchanged += len(rows)
                    continue
                results = _reconcile(group, figures)
                counts = Counter(f.place for f in figures)
                for place, row in rows.items():
                    key = SeriesKey(group.measure, place, audience)
                    found = results.get(place)
                    _store(session, row, key, found, counts[place], fingerprint, now)
                    computed.append(key)
            stale = [
                row.id
                for (m, p, audience), row in stored.items()
                if m == group.measure.value and p in group.places and audience not in wanted
            ]
            _drop(session, stale)
        uow.commit()
    return Refresh(computed, unchanged)


def _groups(session: Session) -> list[_Group]:
    found = session.execute(
        select(FigureRow.measure, FigureRow.place, FigureRow.place_kind, FigureRow.country)
        .distinct()
        .order_by(FigureRow.measure, FigureRow.place)
    ).all()
    present = {(measure, place) for measure, place, _, _ in found}
    members: dict[tuple[str, str], list[str]] = {}
    for measure, place, kind, country in found:
        if kind == PlaceKind.SECTION.value and (measure, country) in present:
            members.setdefault((measure, country), []).append(place)
    in_a_group = {(m, section) for (m, _), sections in members.items() for section in sections}
    groups = []
    for measure, place, _, _ in found:
        if (measure, place) in members:
            places = (place, *members[(measure, place)])
            groups.append(_Group(Measure(measure), places, country=place))
        elif (measure, place) not in in_a_group:
            groups.append(_Group(Measure(measure), (place,)))
    return groups


def _reconcile(group: _Group, figures: list[ReportedFigure]) -> dict[str, rec.ReconciledSeries]:
    """The series of every place of the group that has figures (the others get none)."""
    by_place: dict[str, list[ReportedFigure]] = {}
    for f in figures:
        by_place.setdefault(f.place, []).append(f)
    if not by_place:
        return {}
    nature = group.measure.nature
    first = min(f.period_start for f in figures)
    last = max(f.period_end for f in figures)
    country = group.country
    sections = {p: fs for p, fs in by_place.items() if p != country}
    if country is None or country not in by_place or not sections:
        return {
            p: rec.reconcile([reconcile_input(f) for f in fs], nature, *_span(fs))
            for p, fs in by_place.items()
        }
    # Sections need not cover the whole border: what the country reports beyond them goes to
    # an unattributed remainder instead of being forced onto the sections.
    joint = rec.reconcile_hierarchy(
        [reconcile_input(f) for f in by_place[country]],
        {p: [reconcile_input(f) for f in fs] for p, fs in sections.items()},
        nature,
        first,
        last,
        sections_complete=False,
    )
    # Each conflict is stored once, on the most specific series it concerns.
    on_sections = {_conflict_key(c) for p in sections for c in joint.sections[p].conflicts}
    country_only = tuple(c for c in joint.country.conflicts if _conflict_key(c) not in on_sections)
    return {
        country: replace(joint.country, conflicts=country_only),
        **{p: joint.sections[p] for p in sections},
    }


def _span(figures: list[ReportedFigure]) -> tuple[date, date]:
    return min(f.period_start for f in figures), max(f.period_end for f in figures)


def _conflict_key(conflict: rec.Conflict) -> tuple[object, ...]:
    return (conflict.kind, conflict.winner_ids, conflict.loser_ids, conflict.detail)


def _owned_figures(
    session: Session, measure: Measure, places: tuple[str, ...]
) -> list[tuple[ReportedFigure, int | None, Sharing]]:
    query = queries.FigureFilter(measure=measure).apply(select(FigureRow.__table__))
    query = query.where(FigureRow.place.in_(places))
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
    result: rec.ReconciledSeries | None,
    figure_count: int,
    fingerprint: str,
    now: datetime,
) -> None:
    """Write one series; `result` None when the audience sees none of its figures: the row is
    kept, empty, so that readers know the series is empty for them rather than falling back
    to a wider audience."""
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
    row.figure_count = figure_count
    row.inputs, row.computed_at = fingerprint, now
    row.first_day, row.last_day, row.reason = None, None, None
    session.flush()
    session.execute(delete(SeriesDayRow).where(SeriesDayRow.series_id == row.id))
    session.execute(delete(ConflictRow).where(ConflictRow.series_id == row.id))
    if result is None:
        return
    if not result.is_empty:
        row.first_day, row.last_day = result.dates[0], result.dates[-1]
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
