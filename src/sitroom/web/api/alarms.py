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

router = APIRouter(tags=["alarms"])


class ErrorOut(BaseModel):
    error: str
    fields: dict[str, str] | None = None


ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Not signed in"},
    403: {"model": ErrorOut, "description": "Not allowed, or the CSRF token is missing"},
    422: {"model": ErrorOut, "description": "A parameter or field is not valid"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "No such alarm for the caller"}
}


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
    def of(cls, alarm_id: int, a: Alarm) -> AlarmOut:
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
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


Place = Annotated[
    str | None,
    Query(max_length=64, description="A section or site, or a country with every place in it"),
]


@router.get("/alarms", summary="Alarms, open ones by default, newest day first", responses=ERRORS)
def get_alarms(
    session: SessionDep,
    user: CurrentUser,
    state: Annotated[list[AlarmState] | None, Query()] = None,
    level: AlarmLevel | None = None,
    measure: Measure | None = None,
    place: Place = None,
    start: Annotated[date | None, Query(description="Alarms on or after this day")] = None,
    end: Annotated[date | None, Query(description="Alarms on or before this day")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 500,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
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
def get_alarm(session: SessionDep, user: CurrentUser, alarm_id: int) -> AlarmOut:
    found = alarms.read_alarm(session, alarm_id, readers=audiences_of(user))
    if found is None:
        raise HTTPException(404, f"there is no alarm {alarm_id}")
    return AlarmOut.of(alarm_id, found)


@router.post(
    "/alarms/{alarm_id}/acknowledge",
    summary="Acknowledge an alarm: it has been seen, and why it stays open",
    responses={**ERRORS, **NOT_FOUND},
)
def acknowledge(engine: EngineDep, user: Writer, alarm_id: int, body: ReasonIn) -> AlarmOut:
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
def close(engine: EngineDep, user: Writer, alarm_id: int, body: ReasonIn) -> AlarmOut:
    changed = _apply(
        lambda: alarms.close(engine, alarm_id, by=user.username, reason=body.reason, actor=user),
        alarm_id,
    )
    return AlarmOut.of(alarm_id, changed)


def _apply(change: Callable[[], Alarm], alarm_id: int) -> Alarm:
    try:
        changed = change()
    except alarms.NoSuchAlarm:
        raise HTTPException(404, f"there is no alarm {alarm_id}") from None
    return changed
