"""Reconciled series: computed from the stored figures for each audience that may see them
(domain.audiences), stored, and recomputed only when the figures that feed a series change.
Reading them back, as one audience sees them, is in `series_reads`."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.orm import Session

from ..analysis import reconcile as rec
from ..domain import audiences
from ..domain.accounts import Sharing
from ..domain.bounds import DateWindow, window_at
from ..domain.figures import ReportedFigure
from ..domain.measures import Measure
from ..domain.series import SeriesDay, StoredSeries
from ..store import mapping
from ..store.analysis_tables import ConflictRow, SeriesDayRow, SeriesRow
from ..store.engine import UnitOfWork
from ..store.tables import FigureRow
from . import series_plan


@dataclass(frozen=True, slots=True)
class SeriesKey:
    measure: Measure
    place: str
    audience: str


@dataclass(frozen=True, slots=True)
class Refresh:
    computed: list[SeriesKey]
    unchanged: int


def _fingerprint(figures: Iterable[ReportedFigure], broken: Iterable[str] = ()) -> str:
    refs = sorted([*(f.ref for f in figures), *broken])
    return hashlib.blake2b("\n".join(refs).encode(), digest_size=16).hexdigest()


def refresh_series(engine: Engine, *, now: datetime | None = None) -> Refresh:
    """Recompute, for every audience, each series whose figures changed since it was last
    computed, and drop the audiences a series no longer needs; one commit. A series that
    cannot be computed is stored with the reason (`SeriesRow.failure`), and every other
    series is computed all the same."""
    now = now or datetime.now(UTC)
    computed: list[SeriesKey] = []
    unchanged = 0
    with UnitOfWork(engine) as uow:
        session = uow.session
        stored = {(s.measure, s.place, s.audience): s for s in session.scalars(select(SeriesRow))}
        groups = plan_groups(session)
        # A series none of whose figures is stored any more (`sitroom check` quarantined
        # them) goes with them.
        present = {(m.value, p) for group in groups for m, p in group.members}
        _drop(session, [row.id for (m, p, _), row in stored.items() if (m, p) not in present])
        for group in groups:
            done = refresh_group(session, group, stored, now)
            computed += done.computed
            unchanged += done.unchanged
        uow.commit()
    return Refresh(computed, unchanged)


def plan_groups(session: Session) -> list[series_plan.SeriesGroup]:
    """The groups of every series that has figures; one query."""
    found = session.execute(
        select(
            FigureRow.measure, FigureRow.place, FigureRow.place_kind, FigureRow.country
        ).distinct()
    ).all()
    return series_plan.plan((m, p, kind, c) for m, p, kind, c in found)


def stored_rows(
    session: Session, group: series_plan.SeriesGroup
) -> dict[tuple[str, str, str], SeriesRow]:
    """The stored series of a group's members, every audience, by (measure, place, audience)."""
    members = {(m.value, p) for m, p in group.members}
    query = select(SeriesRow).where(
        SeriesRow.measure.in_({m for m, _ in members}),
        SeriesRow.place.in_({p for _, p in members}),
    )
    return {
        (s.measure, s.place, s.audience): s
        for s in session.scalars(query)
        if (s.measure, s.place) in members
    }


@dataclass(frozen=True, slots=True)
class AudienceResults:
    """One audience's recomputed series of a group, not yet stored."""

    audience: str
    fingerprint: str
    results: dict[series_plan.SeriesId, rec.ReconciledSeries]
    counts: Counter[series_plan.SeriesId]
    failure: str | None  # why the group could not be computed for this audience


@dataclass(frozen=True, slots=True)
class ComputedGroup:
    group: series_plan.SeriesGroup
    changed: list[AudienceResults]
    unchanged: int
    gone: list[int]  # stored series of audiences the group no longer needs


def compute_group(
    session: Session,
    group: series_plan.SeriesGroup,
    stored: dict[tuple[str, str, str], SeriesRow],
    *,
    window: DateWindow | None = None,
) -> ComputedGroup:
    """Reconcile a group's series for each audience whose figures changed; reads only, so a
    caller can compute outside its write transaction. A group that cannot be computed carries
    the reason instead of results; the other groups are not affected."""
    window = window or window_at(datetime.now(UTC))
    changed: list[AudienceResults] = []
    unchanged = 0
    owned, unreadable = _owned_figures(session, group.members)
    wanted = audiences.audiences_for(
        [(org, sharing) for _, org, sharing in owned]
        + [(org, sharing) for _, org, sharing in unreadable]
    )
    for audience, orgs in sorted(wanted.items()):
        figures = [f for f, org, sharing in owned if audiences.includes(orgs, org, sharing)]
        broken = [why for why, org, sharing in unreadable if audiences.includes(orgs, org, sharing)]
        fingerprint = _fingerprint(figures, broken)
        rows = [stored.get((m.value, p, audience)) for m, p in group.members]
        # A failed series is tried again: the window moves on, the code may be fixed.
        if all(
            row is not None and row.inputs == fingerprint and row.failure is None for row in rows
        ):
            unchanged += len(rows)
            continue
        results, failure = _reconciled(group, figures, broken, window)
        counts = Counter((f.measure, f.place) for f in figures)
        changed.append(AudienceResults(audience, fingerprint, results, counts, failure))
    members = {(m.value, p) for m, p in group.members}
    gone = [
        row.id
        for (m, p, audience), row in stored.items()
        if (m, p) in members and audience not in wanted
    ]
    return ComputedGroup(group, changed, unchanged, gone)


def store_group(
    session: Session,
    computed: ComputedGroup,
    stored: dict[tuple[str, str, str], SeriesRow],
    now: datetime,
) -> Refresh:
    """Write what `compute_group` found; no commit (the caller's unit of work does)."""
    keys: list[SeriesKey] = []
    for found in computed.changed:
        for measure, place in computed.group.members:
            key = SeriesKey(measure, place, found.audience)
            row = stored.get((measure.value, place, found.audience))
            result = found.results.get((measure, place))
            count = found.counts[(measure, place)] + (found.failure is not None)
            _store(session, row, key, result, count, found.fingerprint, now, found.failure)
            keys.append(key)
    _drop(session, computed.gone)
    return Refresh(keys, computed.unchanged)


def refresh_group(
    session: Session,
    group: series_plan.SeriesGroup,
    stored: dict[tuple[str, str, str], SeriesRow],
    now: datetime,
) -> Refresh:
    """Recompute one group's series for each audience whose figures changed, and drop the
    audiences it no longer needs; no commit (the caller's unit of work does)."""
    computed = compute_group(session, group, stored, window=window_at(now))
    return store_group(session, computed, stored, now)


def as_stored(
    measure: Measure, place: str, result: rec.ReconciledSeries, now: datetime
) -> StoredSeries:
    """A reconciled series as the read model has it once stored (for detection on series
    not stored yet, or never: a past day's picture)."""
    days = [
        SeriesDay(
            day,
            float(result.estimate[i]),
            float(result.lower80[i]),
            float(result.upper80[i]),
            float(result.lower95[i]),
            float(result.upper95[i]),
            result.marks[i].value,
            tuple(result.shaped_by[i]),
        )
        for i, day in enumerate(result.dates)
    ]
    return StoredSeries(measure, place, measure.nature, days, [], now, result.reason)


def _reconciled(
    group: series_plan.SeriesGroup,
    figures: list[ReportedFigure],
    broken: list[str],
    window: DateWindow,
) -> tuple[dict[series_plan.SeriesId, rec.ReconciledSeries], str | None]:
    """The group's series, or why they could not be computed: one bad figure or one failure
    of the analysis stops this group only."""
    if broken:
        return {}, f"{broken[0]}; run `sitroom check` to quarantine what breaks the rules"
    try:
        return series_plan.reconcile_group(group, figures, window=window), None
    except series_plan.SeriesRefused as exc:
        return {}, f"{exc}; run `sitroom check` to quarantine what breaks the rules"
    except Exception as exc:  # whatever one series hits, the others go on
        return {}, f"the reconciliation failed ({type(exc).__name__}: {exc})"


def _owned_figures(
    session: Session, members: tuple[series_plan.SeriesId, ...]
) -> tuple[list[tuple[ReportedFigure, int | None, Sharing]], list[tuple[str, int | None, Sharing]]]:
    """The figures of a group's series with their owner and sharing; one query. Stored rows
    that no longer make a figure (stored before a rule existed) come second, as the reason."""
    wanted = {(m.value, p) for m, p in members}
    query = (
        select(FigureRow.__table__)
        .where(
            FigureRow.measure.in_({m for m, _ in wanted}),
            FigureRow.place.in_({p for _, p in wanted}),
        )
        .order_by(FigureRow.period_start, FigureRow.period_end, FigureRow.id)
    )
    owned: list[tuple[ReportedFigure, int | None, Sharing]] = []
    unreadable: list[tuple[str, int | None, Sharing]] = []
    for row in session.execute(query).mappings():
        if (row["measure"], row["place"]) not in wanted:
            continue
        try:
            figure = mapping.figure_from_row(row)
        except ValueError as exc:
            unreadable.append(
                (
                    f"figure {row['ref']} cannot be read ({exc})",
                    row["organisation_id"],
                    Sharing(row["sharing"]),
                )
            )
            continue
        owned.append((figure, row["organisation_id"], Sharing(row["sharing"])))
    return owned, unreadable


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
    failure: str | None = None,
) -> None:
    """Write one series; `result` None when the audience sees none of its figures: the row is
    kept, empty, so that readers know the series is empty for them rather than falling back
    to a wider audience; or when it could not be computed, and `failure` says why."""
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
    row.first_day, row.last_day, row.reason, row.failure = None, None, None, failure
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
