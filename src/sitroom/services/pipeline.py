"""The live pipeline: from figures that changed to series, alarms and notifications.

A write that changes figures marks the series it touched stale in its own transaction
(`store.staleness`, through the unit of work). The work is then done one *series group* at a
time (`series_plan`: a country with its sections, a site's occupancy with its arrivals), the
unit that is reconciled together: `refresh_group` recomputes the group for every audience,
reruns detection on what it recomputed, stores the alarms, deletes the marks it consumed and
records the run, in one transaction. Running it twice changes nothing the second time. Who
calls it — a worker taking jobs from the PostgreSQL queue, the thread `sitroom serve` runs on
SQLite, or a command draining what is pending — is in `services.jobs`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, Engine, delete, func, select, text, tuple_, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from ..domain.measures import Measure
from ..store.analysis_tables import AlarmRow
from ..store.engine import UnitOfWork
from ..store.pipeline_tables import PipelineRunRow, StaleSeriesRow
from ..store.tables import FigureRow
from . import detection, series, series_plan

MAX_ATTEMPTS = 3
"""A group that fails this many times is left aside (dead letter) until someone retries it."""
BACKOFF_SECONDS = (2, 8, 30)
"""How long to wait before each retry of a failed group."""


def group_key(group: series_plan.SeriesGroup) -> str:
    """A group's name in queues and records: its first member (a country before its
    sections, a stock before its inflow), as "measure/place"."""
    measure, place = group.members[0]
    return f"{measure.value}/{place}"


def plan_for(session: Session, series: set[tuple[str, str]]) -> list[series_plan.SeriesGroup]:
    """The groups that hold these (measure, place) series, with every member. A group never
    crosses a country, and ties series of one measure (a country and its sections) or a
    stock and its inflow, so only those countries' figures of those measures are read (the
    `(measure, country, …)` index); one query, and one for the countries."""
    if not series:
        return []
    countries = _countries_of(session, {p for _, p in series})
    measures = {m for m, _ in series}
    if measures & _TIED:
        measures |= _TIED
    found = session.execute(
        select(FigureRow.measure, FigureRow.place, FigureRow.place_kind, FigureRow.country)
        .where(FigureRow.measure.in_(sorted(measures)), FigureRow.country.in_(sorted(countries)))
        .distinct()
    ).all()
    return series_plan.plan((m, p, kind, c) for m, p, kind, c in found)


_TIED = {series_plan.STOCK.value, series_plan.INFLOW.value}


def _countries_of(session: Session, places: set[str]) -> set[str]:
    if not places:
        return set()
    query = select(FigureRow.country).where(FigureRow.place.in_(sorted(places))).distinct()
    return set(session.scalars(query))


def pending_groups(
    session: Session, *, now: datetime | None = None, after: int | None = None
) -> list[str]:
    """The keys of the groups with marks ready to work on (not failed too often, not waiting
    out a back-off), or only with marks newer than the mark id `after`; one query for the
    marks, and the planning of their countries and measures if there are any."""
    now = now or datetime.now(UTC)
    ready = (
        select(StaleSeriesRow.measure, StaleSeriesRow.place)
        .where(
            StaleSeriesRow.attempts < MAX_ATTEMPTS,
            (StaleSeriesRow.retry_at.is_(None)) | (StaleSeriesRow.retry_at <= now),
        )
        .distinct()
    )
    if after is not None:
        ready = ready.where(StaleSeriesRow.id > after)
    marked = {(m, p) for m, p in session.execute(ready)}
    return _keys_of(session, marked) if marked else []


def newest_mark(session: Session) -> int:
    """The id of the newest stale mark (0 when none was ever written): a cheap way to see
    whether anything was written since last looked."""
    return int(session.scalar(select(func.max(StaleSeriesRow.id))) or 0)


def _keys_of(session: Session, marked: set[tuple[str, str]]) -> list[str]:
    groups = plan_for(session, marked)
    keys = []
    for group in groups:
        if marked & {(m.value, p) for m, p in group.members}:
            keys.append(group_key(group))
    # A series whose figures are all gone has no group: its marks make a group of its own.
    grouped = {(m.value, p) for g in groups for m, p in g.members}
    keys += sorted(f"{m}/{p}" for m, p in marked - grouped)
    return keys


@dataclass(frozen=True, slots=True)
class GroupOutcome:
    key: str
    series_computed: int
    alarm_ids: list[int]
    run_id: int | None
    marks_consumed: int


def _find_group(session: Session, key: str) -> series_plan.SeriesGroup:
    measure, _, place = key.partition("/")
    for group in plan_for(session, {(measure, place)}):
        if group_key(group) == key:
            return group
    return series_plan.SeriesGroup(series_plan.Tie.ALONE, ((Measure(measure), place),))


def _lock_group(session: Session, key: str) -> None:
    """PostgreSQL: one run of a group at a time, whoever runs it (an advisory lock held until
    the transaction ends; it blocks no writer of figures). SQLite has no such lock: a run
    computes outside its write transaction and gives way if another run of the group
    committed meanwhile (`_superseded`)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})


class GroupFailed(RuntimeError):
    """A series group whose figures the analysis could not turn into series."""


def refresh_group(engine: Engine, key: str, *, now: datetime | None = None) -> GroupOutcome:
    """Bring one group up to date with its figures, for every audience, and detect on what
    changed; one commit. The reconciliation and the detection run before the transaction's
    first write, so on SQLite the database is locked only while the results are stored.
    Idempotent: a second run finds nothing to compute."""
    started = datetime.now(UTC)
    now = now or started
    with UnitOfWork(engine) as uow:
        session = uow.session
        _lock_group(session, key)
        group = _find_group(session, key)
        members = [(m.value, p) for m, p in group.members]
        marks = _marks_of(session, members)
        stored = series.stored_rows(session, group)
        computed = series.compute_group(session, group, stored)
        if failures := [r.failure for r in computed.changed if r.failure is not None]:
            # A poison group: its marks stay, so the queue retries it and, after its
            # attempts, leaves it in the failed jobs with the reason; the others go on.
            raise GroupFailed(failures[0])
        found = [
            (result.audience, alarm)
            for result in computed.changed
            for (measure, place), reconciled in result.results.items()
            for alarm in detection.find_alarms(
                series.as_stored(measure, place, reconciled, now), now=now
            )[0]
        ]
        # The writes: the first one takes SQLite's write lock, so nothing commits in between.
        _delete_marks(session, [mark_id for mark_id, _ in marks])
        if _superseded(session, key, started):
            return GroupOutcome(key, 0, [], None, 0)  # leaving the unit of work rolls back
        done = series.store_group(session, computed, stored, now)
        existing = {detection.alarm_key(a): a for a in _alarms_of(session, members)}
        changed = detection.store_alarms(session, found, existing).changed
        session.flush()
        alarm_ids = sorted({row.id for row in changed})
        run_id = None
        if marks or done.computed:
            run = PipelineRunRow(
                group_key=key,
                started_at=started,
                finished_at=datetime.now(UTC),
                figures_up_to=max(at for _, at in marks) if marks else None,
                series_computed=len(done.computed),
                alarm_ids=alarm_ids,
                notified_at=None if alarm_ids else started,
            )
            session.add(run)
            session.flush()
            run_id = run.id
        uow.commit()
    return GroupOutcome(key, len(done.computed), alarm_ids, run_id, len(marks))


def _superseded(session: Session, key: str, started: datetime) -> bool:
    """SQLite: whether another run of the group finished after this one started (it read
    figures at least as new; what this one computed may be older). On PostgreSQL the advisory
    lock already keeps runs of a group apart, and workers' clocks may differ."""
    if session.get_bind().dialect.name == "postgresql":
        return False
    later = select(PipelineRunRow.id).where(
        PipelineRunRow.group_key == key, PipelineRunRow.finished_at > started
    )
    return session.execute(later.limit(1)).first() is not None


def _marks_of(session: Session, members: Sequence[tuple[str, str]]) -> list[tuple[int, datetime]]:
    """The group's marks as they are now, by id; a mark written later stays for the next run."""
    condition = _member_condition(StaleSeriesRow.measure, StaleSeriesRow.place, members)
    query = select(StaleSeriesRow.id, StaleSeriesRow.marked_at).where(condition)
    return [(mark_id, at) for mark_id, at in session.execute(query)]


def _delete_marks(session: Session, ids: list[int]) -> None:
    session.execute(delete(StaleSeriesRow).where(StaleSeriesRow.id.in_(ids)))


def _member_condition(
    measure: InstrumentedAttribute[str],
    place: InstrumentedAttribute[str],
    members: Sequence[tuple[str, str]],
) -> ColumnElement[bool]:
    return tuple_(measure, place).in_(list(members))


def _alarms_of(session: Session, members: Sequence[tuple[str, str]]) -> list[AlarmRow]:
    condition = _member_condition(AlarmRow.measure, AlarmRow.place, members)
    return list(session.scalars(select(AlarmRow).where(condition)))


def record_failure(engine: Engine, key: str, error: str, *, now: datetime | None = None) -> int:
    """Count a failed attempt on the group's marks, keep the error and set the back-off; the
    attempts so far."""
    now = now or datetime.now(UTC)
    with UnitOfWork(engine) as uow:
        group = _find_group(uow.session, key)
        members = [(m.value, p) for m, p in group.members]
        condition = _member_condition(StaleSeriesRow.measure, StaleSeriesRow.place, members)
        attempts = (
            uow.session.scalar(select(func.max(StaleSeriesRow.attempts)).where(condition)) or 0
        ) + 1
        wait = BACKOFF_SECONDS[min(attempts, len(BACKOFF_SECONDS)) - 1]
        uow.session.execute(
            update(StaleSeriesRow)
            .where(condition)
            .values(attempts=attempts, error=error[:2000], retry_at=now + timedelta(seconds=wait))
        )
        uow.commit()
    return attempts


@dataclass(frozen=True, slots=True)
class FailedGroup:
    key: str
    attempts: int
    error: str
    marked_at: datetime


def failed_groups(session: Session) -> list[FailedGroup]:
    """Groups left aside after MAX_ATTEMPTS failures (the dead letter of the in-process
    runner), with their last error."""
    rows = session.execute(
        select(
            StaleSeriesRow.measure,
            StaleSeriesRow.place,
            func.max(StaleSeriesRow.attempts),
            func.max(StaleSeriesRow.error),
            func.min(StaleSeriesRow.marked_at),
        )
        .where(StaleSeriesRow.attempts >= MAX_ATTEMPTS)
        .group_by(StaleSeriesRow.measure, StaleSeriesRow.place)
    ).all()
    by_key: dict[str, FailedGroup] = {}
    for measure, place, attempts, error, marked_at in rows:
        for key in _keys_of(session, {(measure, place)}):
            by_key.setdefault(key, FailedGroup(key, attempts, error or "", marked_at))
    return sorted(by_key.values(), key=lambda f: f.key)


def retry_group(engine: Engine, key: str) -> int:
    """Give a failed group its attempts back; how many marks were reset."""
    with UnitOfWork(engine) as uow:
        group = _find_group(uow.session, key)
        members = [(m.value, p) for m, p in group.members]
        condition = _member_condition(StaleSeriesRow.measure, StaleSeriesRow.place, members)
        result = uow.session.execute(
            update(StaleSeriesRow).where(condition).values(attempts=0, error=None, retry_at=None)
        )
        uow.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


@dataclass(slots=True)
class Drained:
    groups: int = 0
    series_computed: int = 0
    alarm_ids: list[int] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def drain(
    engine: Engine,
    *,
    on_error: Callable[[str, BaseException], None] | None = None,
    now: datetime | None = None,
) -> Drained:
    """Work through every pending group here and now (the in-process runner and the commands
    that need current series). A group that fails is counted against its marks and skipped:
    it never blocks the others."""
    drained = Drained()
    with Session(engine) as session:
        keys = pending_groups(session, now=now)
    for key in keys:
        try:
            outcome = refresh_group(engine, key, now=now)
        except Exception as exc:  # a poison group must not stop the others
            record_failure(engine, key, f"{type(exc).__name__}: {exc}")
            drained.failed.append((key, f"{type(exc).__name__}: {exc}"))
            if on_error is not None:
                on_error(key, exc)
            continue
        drained.groups += 1
        drained.series_computed += outcome.series_computed
        drained.alarm_ids += outcome.alarm_ids
    return drained
