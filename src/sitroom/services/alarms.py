"""Alarms as people handle them: list, acknowledge (who and why), close."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ..domain.alarms import Alarm, AlarmLevel, AlarmState
from ..domain.errors import InvalidValue
from ..domain.measures import Measure
from ..store.analysis_tables import AlarmRow
from ..store.engine import UnitOfWork


def _alarm(row: AlarmRow) -> Alarm:
    return Alarm(
        measure=Measure(row.measure),
        place=row.place,
        day=row.day,
        method=row.method,
        observed=row.observed,
        expected=row.expected,
        threshold=row.threshold,
        level=AlarmLevel(row.level),
        raised_at=row.raised_at,
        probability=row.probability,
        state=AlarmState(row.state),
        acknowledged_by=row.acknowledged_by,
        acknowledged_reason=row.acknowledged_reason,
        closed_by=row.closed_by,
    )


def list_alarms(
    session: Session, *, states: tuple[AlarmState, ...] = (AlarmState.NEW, AlarmState.ACKNOWLEDGED)
) -> list[tuple[int, Alarm]]:
    query = (
        select(AlarmRow)
        .where(AlarmRow.state.in_([s.value for s in states]))
        .order_by(AlarmRow.day.desc(), AlarmRow.place, AlarmRow.id)
    )
    return [(row.id, _alarm(row)) for row in session.scalars(query)]


def acknowledge(engine: Engine, alarm_id: int, *, by: str, reason: str) -> Alarm:
    return _change(engine, alarm_id, lambda alarm: alarm.acknowledge(by, reason))


def close(engine: Engine, alarm_id: int, *, by: str) -> Alarm:
    return _change(engine, alarm_id, lambda alarm: alarm.close(by))


def _change(engine: Engine, alarm_id: int, change: Callable[[Alarm], Alarm]) -> Alarm:
    with UnitOfWork(engine) as uow:
        row = uow.session.get(AlarmRow, alarm_id)
        if row is None:
            raise InvalidValue(f"there is no alarm {alarm_id}")
        changed = change(_alarm(row))
        row.state = changed.state.value
        row.acknowledged_by, row.acknowledged_reason = (
            changed.acknowledged_by,
            changed.acknowledged_reason,
        )
        row.closed_by = changed.closed_by
        uow.commit()
    return changed
