"""Run surge detection on the reconciled series and keep the alarms; running it twice on the
same data raises nothing new. Each audience's series gets its own alarms (an alarm shows what
the figures behind it showed); the run reports those on the series of every figure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np
from sqlalchemy import Engine, select

from ..analysis.detect.registry import get_detector
from ..analysis.detect.result import CountSeries, DetectionResult, Level
from ..domain import audiences
from ..domain.alarms import Alarm, AlarmLevel, AlarmState
from ..domain.measures import Measure, Nature
from ..store.analysis_tables import AlarmRow
from ..store.engine import UnitOfWork
from . import series_reads
from .series_reads import StoredSeries

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


def run_detection(
    engine: Engine,
    *,
    methods: tuple[str, ...] = DEFAULT_METHODS,
    since: date | None = None,
    now: datetime | None = None,
) -> DetectionRun:
    """Every flow series, every method; alarms on or after `since`. One commit."""
    detectors = {name: get_detector(name) for name in methods}
    now = now or datetime.now(UTC)
    raised: list[Alarm] = []
    skipped: list[Skipped] = []
    known = 0
    with UnitOfWork(engine) as uow:
        session = uow.session
        existing = {
            (a.measure, a.place, a.audience, a.day, a.method)
            for a in session.scalars(select(AlarmRow))
        }
        for entry in series_reads.every_series(session, nature=Nature.FLOW):
            series = series_reads.load_series(session, entry)
            if not series.days:
                continue
            counts = CountSeries.of(
                np.array([d.estimate for d in series.days]),
                dates=np.array([d.day for d in series.days], dtype="datetime64[D]"),
                lower=np.array([d.lower95 for d in series.days]),
                upper=np.array([d.upper95 for d in series.days]),
            )
            start = _first_index(series, since)
            # The run reports on the series of every figure; narrower audiences' alarms are
            # stored for their readers without being counted twice.
            reported = entry.audience == audiences.ALL
            for name, detector in detectors.items():
                try:
                    result = detector(counts, start=start)
                except Exception as exc:  # one series' failure must not stop the others
                    if reported:
                        why = f"detection failed ({type(exc).__name__}: {exc})"
                        skipped.append(Skipped(series.measure, series.place, name, why))
                    continue
                if reported and result.reason and not result.alarm.any():
                    skipped.append(Skipped(series.measure, series.place, name, result.reason))
                for alarm in _alarms(series, name, result, now):
                    key = (alarm.measure.value, alarm.place, entry.audience, alarm.day, name)
                    if key in existing:
                        known += int(reported)
                        continue
                    existing.add(key)
                    session.add(_row(alarm, entry.audience))
                    if reported:
                        raised.append(alarm)
        uow.commit()
    return DetectionRun(raised, known, skipped)


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
