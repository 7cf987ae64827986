"""Run surge detection on the reconciled series and keep the alarms; running it twice on the
same data raises nothing new. Each audience's series gets its own alarms (an alarm shows what
the figures behind it showed); the run reports those on the series of every figure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import numpy as np
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ..analysis.detect.registry import get_detector
from ..analysis.detect.result import CountSeries, DetectionResult, Level
from ..domain import audiences
from ..domain.alarms import Alarm, AlarmLevel, AlarmState
from ..domain.measures import Measure, Nature
from ..domain.series import StoredSeries
from ..store.analysis_tables import AlarmRow
from ..store.engine import UnitOfWork
from . import series_reads

DEFAULT_METHODS = ("border",)


@dataclass(frozen=True, slots=True)
class Skipped:
    measure: Measure
    place: str
    method: str
    reason: str


@dataclass(frozen=True, slots=True)
class DetectionRun:
    raised: list[Alarm]
    already_known: int
    skipped: list[Skipped]


AlarmKey = tuple[str, str, str, date, str]
"""(measure, place, audience, day, method): one alarm."""


@dataclass(slots=True)
class Detected:
    """What detection did on some series: alarms raised (reported: those on the series of
    every figure), rows added or changed (every audience), and what was already known."""

    raised: list[Alarm] = field(default_factory=list)
    already_known: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    changed: list[AlarmRow] = field(default_factory=list)


def run_detection(
    engine: Engine,
    *,
    methods: tuple[str, ...] = DEFAULT_METHODS,
    since: date | None = None,
    now: datetime | None = None,
) -> DetectionRun:
    """Every flow series, every method; alarms on or after `since`. One commit."""
    with UnitOfWork(engine) as uow:
        session = uow.session
        existing = {alarm_key(a): a for a in session.scalars(select(AlarmRow))}
        entries = series_reads.every_series(session, nature=Nature.FLOW)
        found = detect_on(
            session, entries, existing, methods=methods, since=since, now=now or datetime.now(UTC)
        )
        uow.commit()
    return DetectionRun(found.raised, found.already_known, found.skipped)


def detect_on(
    session: Session,
    entries: Sequence[series_reads.SeriesEntry],
    existing: dict[AlarmKey, AlarmRow],
    *,
    methods: tuple[str, ...] = DEFAULT_METHODS,
    since: date | None = None,
    now: datetime,
) -> Detected:
    """Run the methods on these series and store what they find in `session` (no commit): a
    new alarm is added, a known one whose numbers moved (its figures changed) is updated."""
    found = Detected()
    for entry in entries:
        if entry.nature is not Nature.FLOW:
            continue
        series = series_reads.load_series(session, entry)
        # The run reports on the series of every figure; narrower audiences' alarms are
        # stored for their readers without being counted twice.
        reported = entry.audience == audiences.ALL
        alarms, skipped = find_alarms(series, methods=methods, since=since, now=now)
        if reported:
            found.skipped += skipped
        stored = store_alarms(session, [(entry.audience, a) for a in alarms], existing)
        found.changed += stored.changed
        if reported:
            found.already_known += stored.already_known
            found.raised += stored.raised
    session.flush()
    return found


def store_alarms(
    session: Session, alarms: Sequence[tuple[str, Alarm]], existing: dict[AlarmKey, AlarmRow]
) -> Detected:
    """Keep these (audience, alarm) in `session` (no commit): a new one is added, a known one
    whose numbers moved (its figures changed) is updated, the others are already known."""
    found = Detected()
    for audience, alarm in alarms:
        key = (alarm.measure.value, alarm.place, audience, alarm.day, alarm.method)
        known = existing.get(key)
        if known is not None:
            found.already_known += 1
            if _moved(known, alarm):
                _update(known, alarm)
                found.changed.append(known)
            continue
        row = _row(alarm, audience)
        existing[key] = row
        session.add(row)
        found.changed.append(row)
        found.raised.append(alarm)
    return found


def find_alarms(
    series: StoredSeries,
    *,
    methods: tuple[str, ...] = DEFAULT_METHODS,
    since: date | None = None,
    now: datetime,
) -> tuple[list[Alarm], list[Skipped]]:
    """The alarms the methods raise on one series, on or after `since`, and the methods that
    could not judge it (with why). No database."""
    if series.nature is not Nature.FLOW or not series.days:
        return [], []
    counts = CountSeries.of(
        np.array([d.estimate for d in series.days]),
        dates=np.array([d.day for d in series.days], dtype="datetime64[D]"),
        lower=np.array([d.lower95 for d in series.days]),
        upper=np.array([d.upper95 for d in series.days]),
    )
    start = _first_index(series, since)
    alarms: list[Alarm] = []
    skipped: list[Skipped] = []
    for name in methods:
        try:
            result = get_detector(name)(counts, start=start)
        except Exception as exc:  # one series' failure must not stop the others
            why = f"detection failed ({type(exc).__name__}: {exc})"
            skipped.append(Skipped(series.measure, series.place, name, why))
            continue
        if result.reason and not result.alarm.any():
            skipped.append(Skipped(series.measure, series.place, name, result.reason))
        alarms += _alarms(series, name, result, now)
    return alarms, skipped


def alarm_key(row: AlarmRow) -> AlarmKey:
    return (row.measure, row.place, row.audience, row.day, row.method)


def _moved(row: AlarmRow, alarm: Alarm) -> bool:
    return (row.observed, row.expected, row.threshold, row.level, row.probability) != (
        alarm.observed,
        alarm.expected,
        alarm.threshold,
        alarm.level.value,
        alarm.probability,
    )


def _update(row: AlarmRow, alarm: Alarm) -> None:
    row.observed, row.expected, row.threshold = alarm.observed, alarm.expected, alarm.threshold
    row.level, row.probability = alarm.level.value, alarm.probability


def _first_index(series: StoredSeries, since: date | None) -> int | None:
    if since is None:
        return None
    for index, day in enumerate(series.days):
        if day.day >= since:
            return index
    return len(series.days)


def _alarms(
    series: StoredSeries, method: str, result: DetectionResult, now: datetime
) -> list[Alarm]:
    alarms = []
    for k in np.flatnonzero(result.alarm & result.defined):
        position = int(result.index[k])
        graded = result.level is not None and int(result.level[k]) < Level.RED
        probability = None if result.probability is None else float(result.probability[k])
        alarms.append(
            Alarm(
                measure=series.measure,
                place=series.place,
                day=series.days[position].day,
                method=method,
                observed=float(result.observed[k]),
                expected=float(result.expected[k]),
                threshold=float(result.upperbound[k]),
                level=AlarmLevel.AMBER if graded else AlarmLevel.RED,
                raised_at=now,
                probability=probability,
            )
        )
    return alarms


def _row(alarm: Alarm, audience: str) -> AlarmRow:
    return AlarmRow(
        measure=alarm.measure.value,
        place=alarm.place,
        audience=audience,
        day=alarm.day,
        method=alarm.method,
        observed=alarm.observed,
        expected=alarm.expected,
        threshold=alarm.threshold,
        level=alarm.level.value,
        probability=alarm.probability,
        raised_at=alarm.raised_at,
        state=AlarmState.NEW.value,
    )
