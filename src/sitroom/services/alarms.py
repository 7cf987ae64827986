"""Alarms as people handle them: list, acknowledge (who and why), close."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import ColumnElement, Engine, false, select, tuple_
from sqlalchemy.orm import Session

from ..domain import audiences
from ..domain.alarms import Alarm, AlarmLevel, AlarmState
from ..domain.errors import InvalidValue
from ..domain.measures import Measure
from ..interchange.cap import (
    alarm_identifier,
    alarm_to_cap,
    alert_reference,
    msg_type_for,
    validate_cap,
)
from ..interchange.cap_area import area_for_country, area_for_section
from ..store.analysis_tables import AlarmRow
from ..store.engine import UnitOfWork
from . import queries, series_reads


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
    session: Session,
    *,
    readers: Sequence[str],
    states: tuple[AlarmState, ...] = (AlarmState.NEW, AlarmState.ACKNOWLEDGED),
    limit: int | None = None,
) -> list[tuple[int, Alarm]]:
    """The alarms raised on the series `readers` (audiences, best first) see; newest first.
    Two queries."""
    shown = raised_on(series_reads.visible_series(session, readers))
    query = (
        select(AlarmRow)
        .where(AlarmRow.state.in_([s.value for s in states]), shown)
        .order_by(AlarmRow.day.desc(), AlarmRow.place, AlarmRow.id)
        .limit(limit)
    )
    return [(row.id, _alarm(row)) for row in session.scalars(query)]


def raised_on(seen: Mapping[tuple[Measure, str], series_reads.SeriesEntry]) -> ColumnElement[bool]:
    """The alarms raised on these series (each in the audience it is read in), as a WHERE
    clause."""
    if not seen:
        return false()
    return tuple_(AlarmRow.measure, AlarmRow.place, AlarmRow.audience).in_(
        [(m.value, p, entry.audience) for (m, p), entry in seen.items()]
    )


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


@dataclass(frozen=True, slots=True)
class CapFile:
    path: Path
    problems: list[str]


def write_cap(
    engine: Engine,
    folder: Path,
    *,
    sender: str,
    now: datetime,
    everything: bool = False,
    readers: Sequence[str] = audiences.EVERYTHING,
) -> list[CapFile]:
    """One CAP 1.2 file per alarm that `readers` see (by default the operator's: every figure,
    restricted ones included): an Alert when new, an Update once acknowledged, a Cancel once
    closed (the later two reference the Alert, sent when the alarm was raised). Each file is
    checked against the OASIS schema and CAP's own rules; problems are returned, not hidden."""
    states = tuple(AlarmState) if everything else (AlarmState.NEW, AlarmState.ACKNOWLEDGED)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with Session(engine) as session:
        sections = {s.id: s for s in queries.list_sections(session)}
        found = list_alarms(session, readers=readers, states=states)
    for _, alarm in found:
        section = sections.get(alarm.place)
        area = area_for_section(section) if section else area_for_country(alarm.place[:2])
        msg_type = msg_type_for(alarm)
        references = (
            []
            if msg_type == "Alert"
            else [alert_reference(alarm, sender=sender, sent=alarm.raised_at)]
        )
        sent = alarm.raised_at if msg_type == "Alert" else now
        document = alarm_to_cap(alarm, sender=sender, area=area, sent=sent, references=references)
        path = folder / f"{alarm_identifier(alarm, msg_type)}.xml"
        path.write_bytes(document)
        written.append(CapFile(path, validate_cap(document)))
    return written
