"""The alarms page: every alarm the reader may see, filtered by level, place, state, measure
and day; reporters and analysts acknowledge or close one with a reason (services.alarms
records who and when, and audits it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, TypeVar

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from ...domain.accounts import can_write
from ...domain.alarms import AlarmLevel, AlarmState
from ...domain.audiences import audiences_of
from ...domain.errors import InvalidValue
from ...domain.measures import Measure
from ...services import alarms
from ...services.accounts import NotAllowed
from ..deps import CurrentAuth, EngineDep, SessionDep
from ..params import RowId
from .common import query_string, render

router = APIRouter()
PAGE = 100
T = TypeVar("T")
Field = Annotated[str | None, Query(max_length=40)]


@router.get("/alarms")
def alarms_page(
    request: Request,
    auth: CurrentAuth,
    session: SessionDep,
    level: Field = None,
    state: Annotated[str, Query(pattern="^(open|new|acknowledged|closed|any)$")] = "open",
    measure: Field = None,
    place: Annotated[str | None, Query(max_length=64)] = None,
    start: Field = None,
    end: Field = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    error: Annotated[str | None, Query(max_length=300)] = None,
) -> Response:
    # The filter form sends every field, the unused ones empty: empty means "any".
    where = alarms.AlarmFilter(
        _states(state),
        _parsed(AlarmLevel, level, "level"),
        _parsed(Measure, measure, "measure"),
        place.strip().upper() or None if place else None,
        _parsed(date.fromisoformat, start, "from"),
        _parsed(date.fromisoformat, end, "to"),
    )
    found = alarms.list_alarms(
        session, readers=audiences_of(auth.user), where=where, limit=PAGE + 1, offset=offset
    )
    params = {
        "level": where.level.value if where.level else None,
        "state": state,
        "measure": where.measure.value if where.measure else None,
        "place": where.place,
        "start": where.start,
        "end": where.end,
    }
    context = {
        "alarms": found[:PAGE],
        "params": params,
        "levels": list(AlarmLevel),
        "measures": list(Measure),
        "query": query_string(params),
        "next": query_string(params, offset=offset + PAGE) if len(found) > PAGE else None,
        "error": error,
    }
    return render(request, "alarms.html", auth, context)


def _parsed(kind: Callable[[str], T], value: str | None, name: str) -> T | None:
    if not value or not value.strip():
        return None
    try:
        return kind(value.strip())
    except ValueError:
        raise InvalidValue(f"the {name} filter {value!r} is not one sitroom knows") from None


def _states(choice: str) -> tuple[AlarmState, ...]:
    if choice == "open":
        return alarms.OPEN
    if choice == "any":
        return tuple(AlarmState)
    return (AlarmState(choice),)


@router.post("/alarms/{alarm_id}/acknowledge")
def acknowledge(
    auth: CurrentAuth,
    engine: EngineDep,
    alarm_id: RowId,
    reason: Annotated[str, Form(max_length=2000)] = "",
    back: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    return _change(
        auth,
        back,
        lambda by: alarms.acknowledge(engine, alarm_id, by=by, reason=reason, actor=auth.user),
    )


@router.post("/alarms/{alarm_id}/close")
def close(
    auth: CurrentAuth,
    engine: EngineDep,
    alarm_id: RowId,
    reason: Annotated[str, Form(max_length=2000)] = "",
    back: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    def apply(by: str) -> object:
        if not reason.strip():
            raise InvalidValue("say why the alarm is closed")
        return alarms.close(engine, alarm_id, by=by, reason=reason, actor=auth.user)

    return _change(auth, back, apply)


def _change(auth: CurrentAuth, back: str, apply: Callable[[str], object]) -> Response:
    if not can_write(auth.user):
        raise NotAllowed(
            f"a {auth.user.role.value} can read alarms but not acknowledge or close them"
        )
    # Back to the filtered list the form was on; only a query string of this page.
    target = "/alarms" + (f"?{back}" if back and "/" not in back and "\\" not in back else "")
    try:
        apply(auth.user.username)
    except InvalidValue as exc:
        joiner = "&" if "?" in target else "?"
        return RedirectResponse(f"{target}{joiner}{query_string({'error': str(exc)})}", 303)
    return RedirectResponse(target, status_code=303)
