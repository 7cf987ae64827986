"""What analysis derived: reconciled series, conflicts between sources, alarms, and the
situation at a glance that the map page draws."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from ...domain.alarms import AlarmState
from ...domain.audiences import audiences_of
from ...domain.measures import Measure
from ...services import alarms, series_reads, situation
from ..cache import SituationCache
from ..deps import CurrentUser, SessionDep
from ..errors import error_docs
from ..params import AlarmStates, DayQuery, MeasureQuery, PlaceQuery, RequiredPlace
from . import models

router = APIRouter(tags=["analysis"])


def conflict_json(c: series_reads.StoredConflict) -> dict[str, Any]:
    return {
        "measure": c.measure.value,
        "place": c.place,
        "kind": c.kind,
        "winners": list(c.winners),
        "losers": list(c.losers),
        "gap": c.gap,
        "rule": c.rule,
        "detail": c.detail,
    }


@router.get(
    "/series",
    summary="The reconciled daily series of one measure and place",
    response_model=models.Series,
    responses=error_docs(404),
)
def get_series(
    session: SessionDep,
    user: CurrentUser,
    measure: Measure,
    place: RequiredPlace,
    start: DayQuery = None,
    end: DayQuery = None,
) -> dict[str, Any]:
    found = series_reads.read_series(
        session, measure, place.upper(), readers=audiences_of(user), start=start, end=end
    )
    if found is None:
        raise HTTPException(
            404,
            f"no reconciled series for {measure.value} at {place.upper()}: run `sitroom series`",
        )
    return {
        "measure": found.measure.value,
        "place": found.place,
        "nature": found.nature.value,
        "computed_at": found.computed_at.isoformat(),
        "reason": found.reason,
        "days": [
            {
                "day": d.day.isoformat(),
                "estimate": d.estimate,
                "lower80": d.lower80,
                "upper80": d.upper80,
                "lower95": d.lower95,
                "upper95": d.upper95,
                "mark": d.mark,
            }
            for d in found.days
        ],
        "conflicts": [conflict_json(c) for c in found.conflicts],
    }


@router.get(
    "/conflicts",
    summary="Figures that contradict each other, per series",
    response_model=list[models.Conflict],
)
def get_conflicts(
    session: SessionDep,
    user: CurrentUser,
    measure: MeasureQuery = None,
    place: PlaceQuery = None,
) -> list[dict[str, Any]]:
    found = series_reads.list_conflicts(
        session,
        readers=audiences_of(user),
        measure=measure,
        place=place.upper() if place else None,
    )
    return [conflict_json(c) for c in found]


@router.get("/alarms", summary="Alarms, open ones by default", response_model=list[models.AlarmOut])
def get_alarms(
    session: SessionDep,
    user: CurrentUser,
    state: AlarmStates = None,
    measure: MeasureQuery = None,
    place: PlaceQuery = None,
) -> list[dict[str, Any]]:
    states = tuple(state) if state else (AlarmState.NEW, AlarmState.ACKNOWLEDGED)
    found = [
        (alarm_id, a)
        for alarm_id, a in alarms.list_alarms(session, readers=audiences_of(user), states=states)
        if (measure is None or a.measure is measure) and (not place or a.place == place.upper())
    ]
    return [
        {
            "id": alarm_id,
            "measure": a.measure.value,
            "place": a.place,
            "day": a.day.isoformat(),
            "method": a.method,
            "level": a.level.value,
            "state": a.state.value,
            "observed": a.observed,
            "expected": a.expected,
            "threshold": a.threshold,
            "acknowledged_by": a.acknowledged_by,
        }
        for alarm_id, a in found
    ]


@router.get(
    "/situation",
    summary="What the situation map shows, as the caller may see it",
    # Served as the bytes the cache keeps; the model documents them (and the contract test
    # checks them against it).
    response_class=Response,
    responses={200: {"model": models.SituationOut, "content": {"application/json": {}}}},
)
def get_situation(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    cache: SituationCache = request.app.state.situation_cache

    def compute() -> bytes:
        return json.dumps(situation.situation(session, user).as_json()).encode()

    return Response(cache.get(user, compute), media_type="application/json")
