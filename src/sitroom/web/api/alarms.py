"""Alarms as people handle them: list with filters, one alarm, acknowledge and close with a
reason (who and when are recorded and audited). Everyone reads the alarms of the series they
may see; reporters, analysts, coordinators and admins may acknowledge and close them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field

from ...domain.alarms import Alarm, AlarmLevel, AlarmState
from ...domain.audiences import audiences_of
from ...domain.measures import Measure
from ...services import alarms
from ..deps import CurrentUser, EngineDep, SessionDep, Writer
from ..errors import error_docs
from ..params import BODY_TEXT, AlarmStates, DayQuery, MeasureQuery, Offset, PlaceQuery, RowId

router = APIRouter(tags=["alarms"])


# The one error body of web/errors.py; 401/422/503 come with the /api router.
ERRORS: dict[int | str, dict[str, Any]] = error_docs(403)
NOT_FOUND: dict[int | str, dict[str, Any]] = error_docs(404)


class AlarmOut(BaseModel):
    id: int
    measure: Measure
    place: str
    day: date
    method: str
    level: AlarmLevel
    state: AlarmState
    observed: float
    expected: float
    threshold: float
    raised_at: datetime
    acknowledged_by: str | None
    acknowledged_reason: str | None
    acknowledged_at: datetime | None
    closed_by: str | None
    closed_reason: str | None
    closed_at: datetime | None

    @classmethod
    def of(cls, alarm_id: RowId, a: Alarm) -> AlarmOut:
        return cls(
            id=alarm_id,
            measure=a.measure,
            place=a.place,
            day=a.day,
            method=a.method,
            level=a.level,
            state=a.state,
            observed=a.observed,
            expected=a.expected,
            threshold=a.threshold,
            raised_at=a.raised_at,
            acknowledged_by=a.acknowledged_by,
            acknowledged_reason=a.acknowledged_reason,
            acknowledged_at=a.acknowledged_at,
            closed_by=a.closed_by,
            closed_reason=a.closed_reason,
            closed_at=a.closed_at,
        )


class ReasonIn(BaseModel):
    reason: Annotated[str, Field(min_length=1, max_length=2000, pattern=BODY_TEXT)]


Place = PlaceQuery


@router.get("/alarms", summary="Alarms, open ones by default, newest day first", responses=ERRORS)
def get_alarms(
    session: SessionDep,
    user: CurrentUser,
    state: AlarmStates = None,
    level: AlarmLevel | None = None,
    measure: MeasureQuery = None,
    place: Place = None,
    start: DayQuery = None,
    end: DayQuery = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 500,
    offset: Offset = 0,
) -> list[AlarmOut]:
    where = alarms.AlarmFilter(
        states=tuple(state) if state else alarms.OPEN,
        level=level,
        measure=measure,
        place=place.strip().upper() or None if place else None,
        start=start,
        end=end,
    )
    found = alarms.list_alarms(
        session, readers=audiences_of(user), where=where, limit=limit, offset=offset
    )
    return [AlarmOut.of(alarm_id, a) for alarm_id, a in found]


@router.get("/alarms/{alarm_id}", summary="One alarm", responses={**ERRORS, **NOT_FOUND})
def get_alarm(session: SessionDep, user: CurrentUser, alarm_id: RowId) -> AlarmOut:
    found = alarms.read_alarm(session, alarm_id, readers=audiences_of(user))
    if found is None:
        raise HTTPException(404, f"there is no alarm {alarm_id}")
    return AlarmOut.of(alarm_id, found)


@router.post(
    "/alarms/{alarm_id}/acknowledge",
    summary="Acknowledge an alarm: it has been seen, and why it stays open",
    responses={**ERRORS, **NOT_FOUND},
)
def acknowledge(engine: EngineDep, user: Writer, alarm_id: RowId, body: ReasonIn) -> AlarmOut:
    changed = _apply(
        lambda: alarms.acknowledge(
            engine, alarm_id, by=user.username, reason=body.reason, actor=user
        ),
        alarm_id,
    )
    return AlarmOut.of(alarm_id, changed)


@router.post(
    "/alarms/{alarm_id}/close",
    summary="Close an alarm, saying why",
    responses={**ERRORS, **NOT_FOUND},
)
def close(engine: EngineDep, user: Writer, alarm_id: RowId, body: ReasonIn) -> AlarmOut:
    changed = _apply(
        lambda: alarms.close(engine, alarm_id, by=user.username, reason=body.reason, actor=user),
        alarm_id,
    )
    return AlarmOut.of(alarm_id, changed)


def _apply(change: Callable[[], Alarm], alarm_id: RowId) -> Alarm:
    try:
        changed = change()
    except alarms.NoSuchAlarm:
        raise HTTPException(404, f"there is no alarm {alarm_id}") from None
    return changed
