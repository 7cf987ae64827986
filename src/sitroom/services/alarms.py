"""Alarms as people handle them: list, acknowledge (who and why), close."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import ColumnElement, Engine, false, or_, select, tuple_
from sqlalchemy.orm import Session

from ..domain import audiences
from ..domain.accounts import User
from ..domain.alarm_levels import Counted, SectionLevel, levels_by_place, section_level
from ..domain.alarms import Alarm, AlarmLevel, AlarmState
from ..domain.audiences import audiences_of
from ..domain.errors import InvalidValue
from ..domain.measures import Measure
from ..domain.places import BorderSection
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
from . import audit, queries, series_reads


def alarm_of(row: AlarmRow) -> Alarm:
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
        acknowledged_at=row.acknowledged_at,
        closed_at=row.closed_at,
        closed_reason=row.closed_reason,
    )


OPEN = (AlarmState.NEW, AlarmState.ACKNOWLEDGED)


class NoSuchAlarm(InvalidValue):
    """No alarm with this id, or none the person may see: the same answer for both."""


@dataclass(frozen=True, slots=True)
class AlarmFilter:
    """`place` is a section or site, or a country with every place in it."""

    states: tuple[AlarmState, ...] = OPEN
    level: AlarmLevel | None = None
    measure: Measure | None = None
    place: str | None = None
    start: date | None = None
    end: date | None = None

    def where(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = [AlarmRow.state.in_([s.value for s in self.states])]
        if self.level is not None:
            found.append(AlarmRow.level == self.level.value)
        if self.measure is not None:
            found.append(AlarmRow.measure == self.measure.value)
        if self.place:
            found.append(
                or_(AlarmRow.place == self.place, AlarmRow.place.startswith(f"{self.place}-"))
                if len(self.place) == 2
                else AlarmRow.place == self.place
            )
        if self.start is not None:
            found.append(AlarmRow.day >= self.start)
        if self.end is not None:
            found.append(AlarmRow.day <= self.end)
        return found


def list_alarms(
    session: Session,
    *,
    readers: Sequence[str],
    states: tuple[AlarmState, ...] = OPEN,
    limit: int | None = None,
    offset: int = 0,
    where: AlarmFilter | None = None,
) -> list[tuple[int, Alarm]]:
    """The alarms raised on the series `readers` (audiences, best first) see; newest first.
    `where` replaces `states` when given. Two queries."""
    where = where or AlarmFilter(states=states)
    shown = raised_on(series_reads.visible_series(session, readers))
    query = (
        select(AlarmRow)
        .where(shown, *where.where())
        .order_by(AlarmRow.day.desc(), AlarmRow.place, AlarmRow.id)
        .limit(limit)
        .offset(offset)
    )
    return [(row.id, alarm_of(row)) for row in session.scalars(query)]


def raised_on(seen: Mapping[tuple[Measure, str], series_reads.SeriesEntry]) -> ColumnElement[bool]:
    """The alarms raised on these series (each in the audience it is read in), as a WHERE
    clause."""
    if not seen:
        return false()
    return tuple_(AlarmRow.measure, AlarmRow.place, AlarmRow.audience).in_(
        [(m.value, p, entry.audience) for (m, p), entry in seen.items()]
    )


def section_levels(
    session: Session,
    sections: Sequence[BorderSection],
    *,
    readers: Sequence[str],
    on: date | None = None,
) -> dict[str, SectionLevel]:
    """Each section's alarm level as `readers` see it on day `on` (today when None), by the
    rule the map and the report share (domain.alarm_levels). Two queries."""
    seen = series_reads.visible_series(session, readers)
    query = select(AlarmRow.place, AlarmRow.day, AlarmRow.level, AlarmRow.state).where(
        raised_on(seen), *AlarmFilter(end=on).where()
    )
    levels = levels_by_place(
        (Counted(p, d, AlarmLevel(lv), AlarmState(st)) for p, d, lv, st in session.execute(query)),
        on=on,
    )
    with_series = {place for _, place in seen}
    return {s.id: section_level(s.id, s.country, levels, with_series) for s in sections}


def acknowledge(
    engine: Engine,
    alarm_id: int,
    *,
    by: str,
    reason: str,
    actor: User | None = None,
    now: datetime | None = None,
) -> Alarm:
    """`actor` is the signed-in person (who must see the alarm); None is the operator's CLI."""
    at = now or datetime.now(UTC)
    return _change(
        engine, alarm_id, lambda a: a.acknowledge(by, reason, at=at), actor, "acknowledge", at
    )


def close(
    engine: Engine,
    alarm_id: int,
    *,
    by: str,
    reason: str = "",
    actor: User | None = None,
    now: datetime | None = None,
) -> Alarm:
    at = now or datetime.now(UTC)
    return _change(engine, alarm_id, lambda a: a.close(by, reason, at=at), actor, "close", at)


def _change(
    engine: Engine,
    alarm_id: int,
    change: Callable[[Alarm], Alarm],
    actor: User | None,
    action: str,
    at: datetime,
) -> Alarm:
    with UnitOfWork(engine) as uow:
        row = uow.session.get(AlarmRow, alarm_id)
        if row is None or (
            actor is not None and not _visible(uow.session, row, audiences_of(actor))
        ):
            # The same answer for an alarm that does not exist and one the actor may not see.
            raise NoSuchAlarm(f"there is no alarm {alarm_id}")
        before = alarm_of(row)
        changed = change(before)
        row.state = changed.state.value
        row.acknowledged_by, row.acknowledged_reason, row.acknowledged_at = (
            changed.acknowledged_by,
            changed.acknowledged_reason,
            changed.acknowledged_at,
        )
        row.closed_by, row.closed_reason, row.closed_at = (
            changed.closed_by,
            changed.closed_reason,
            changed.closed_at,
        )
        audit.record(
            uow.session,
            actor,
            f"alarm.{action}",
            "alarm",
            str(alarm_id),
            before={"state": before.state.value},
            after={"state": changed.state.value},
            note=f"by {changed.closed_by or changed.acknowledged_by}: "
            f"{changed.closed_reason or changed.acknowledged_reason or ''}",
            now=at,
        )
        uow.commit()
    return changed


def read_alarm(session: Session, alarm_id: int, *, readers: Sequence[str]) -> Alarm | None:
    """One alarm if `readers` see it. Two queries."""
    row = session.get(AlarmRow, alarm_id)
    return alarm_of(row) if row is not None and _visible(session, row, readers) else None


def _visible(session: Session, row: AlarmRow, readers: Sequence[str]) -> bool:
    seen = series_reads.visible_series(
        session, readers, measure=Measure(row.measure), place=row.place
    )
    return seen_in(seen, row)


def seen_in(seen: Mapping[tuple[Measure, str], series_reads.SeriesEntry], row: AlarmRow) -> bool:
    """Whether the alarm was raised on one of these series, in the audience it is read in (not
    another audience's copy): `raised_on` for one alarm in Python."""
    entry = seen.get((Measure(row.measure), row.place))
    return entry is not None and entry.audience == row.audience


@dataclass(frozen=True, slots=True)
class CapFile:
    path: Path
    problems: list[str]


@dataclass(frozen=True, slots=True)
class CapAlert:
    alarm_id: int
    alarm: Alarm
    identifier: str
    document: bytes


def cap_alerts(
    session: Session,
    *,
    readers: Sequence[str],
    states: tuple[AlarmState, ...],
    sender: str,
    now: datetime,
    limit: int | None = None,
) -> list[CapAlert]:
    """Each alarm `readers` see as a CAP 1.2 document, newest day first: an Alert when new, an
    Update once acknowledged, a Cancel once closed (the later two reference the Alert, sent
    when the alarm was raised, and are sent when the alarm changed; `now` if that is not
    known). Three queries."""
    sections = {s.id: s for s in queries.list_sections(session)}
    found = list_alarms(session, readers=readers, states=states, limit=limit)
    made = []
    for alarm_id, alarm in found:
        section = sections.get(alarm.place)
        area = area_for_section(section) if section else area_for_country(alarm.place[:2])
        msg_type = msg_type_for(alarm)
        references = (
            []
            if msg_type == "Alert"
            else [alert_reference(alarm, sender=sender, sent=alarm.raised_at)]
        )
        changed = alarm.closed_at or alarm.acknowledged_at or now
        sent = alarm.raised_at if msg_type == "Alert" else changed
        document = alarm_to_cap(alarm, sender=sender, area=area, sent=sent, references=references)
        made.append(CapAlert(alarm_id, alarm, alarm_identifier(alarm, msg_type), document))
    return made


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
    restricted ones included), as `cap_alerts` makes them. Each file is checked against the
    OASIS schema and CAP's own rules; problems are returned, not hidden."""
    states = tuple(AlarmState) if everything else OPEN
    folder.mkdir(parents=True, exist_ok=True)
    with Session(engine) as session:
        alerts = cap_alerts(session, readers=readers, states=states, sender=sender, now=now)
    written = []
    for alert in alerts:
        path = folder / f"{alert.identifier}.xml"
        path.write_bytes(alert.document)
        written.append(CapFile(path, validate_cap(alert.document)))
    return written
