"""What analysis derived: reconciled series, conflicts between sources, and the situation at
a glance that the map page draws (alarms: `alarms`)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from ...domain.audiences import audiences_of
from ...domain.measures import Measure
from ...domain.series import StoredConflict
from ...services import series_reads, situation
from ...services.as_of import situation_as_of
from ...services.freshness import freshness
from ..cache import SituationCache
from ..deps import CurrentUser, SessionDep
from ..errors import error_docs
from ..params import DayQuery, MeasureQuery, PlaceQuery, RequiredPlace
from . import models

router = APIRouter(tags=["analysis"])


def conflict_json(c: StoredConflict) -> dict[str, Any]:
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
            f"no reconciled series for {measure.value} at {place.upper()} "
            f"(series and alarms {freshness(session).sentence()})",
        )
    return {
        "measure": found.measure.value,
        "place": found.place,
        "nature": found.nature.value,
        "computed_at": found.computed_at.isoformat(),
        "freshness": situation.freshness_json(freshness(session)),
        "reason": found.reason,
        "failure": found.failure,
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
    "/series/failed",
    summary="The series that could not be computed, and why",
    response_model=list[models.FailedSeries],
)
def get_failed_series(session: SessionDep, user: CurrentUser) -> list[dict[str, Any]]:
    return [
        {"measure": f.measure.value, "place": f.place, "failure": f.failure}
        for f in series_reads.failed_series(session, audiences_of(user))
    ]


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


@router.get(
    "/situation",
    summary="What the situation map shows, as the caller may see it",
    # Served as the bytes the cache keeps; the model documents them (and the contract test
    # checks them against it).
    response_class=Response,
    responses={200: {"model": models.SituationOut, "content": {"application/json": {}}}},
)
def get_situation(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    # The situation as it was on this day: recomputed from the figures published and whose
    # period had ended by then (docs/live.md).
    as_of: DayQuery = None,
) -> Response:
    if as_of is not None:
        # A past day's picture is recomputed on each request: it is asked for now and then,
        # not polled by every open map.
        body = json.dumps(situation_as_of(session, user, as_of).as_json()).encode()
        return Response(body, media_type="application/json")
    cache: SituationCache = request.app.state.situation_cache

    def compute() -> bytes:
        return json.dumps(situation.situation(session, user).as_json()).encode()

    return Response(cache.get(user, compute), media_type="application/json")
