"""What analysis derived: reconciled series, conflicts between sources, and the situation at
a glance that the map page draws (alarms: `alarms`)."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from ...domain.audiences import audiences_of
from ...domain.measures import Measure
from ...services import series_reads, situation
from ..cache import SituationCache
from ..deps import CurrentUser, SessionDep

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


@router.get("/series", summary="The reconciled daily series of one measure and place")
def get_series(
    session: SessionDep,
    user: CurrentUser,
    measure: Measure,
    place: Annotated[str, Query(max_length=64)],
    start: date | None = None,
    end: date | None = None,
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


@router.get("/conflicts", summary="Figures that contradict each other, per series")
def get_conflicts(
    session: SessionDep,
    user: CurrentUser,
    measure: Measure | None = None,
    place: Annotated[str | None, Query(max_length=64)] = None,
) -> list[dict[str, Any]]:
    found = series_reads.list_conflicts(
        session,
        readers=audiences_of(user),
        measure=measure,
        place=place.upper() if place else None,
    )
    return [conflict_json(c) for c in found]


@router.get("/situation", summary="What the situation map shows, as the caller may see it")
def get_situation(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    cache: SituationCache = request.app.state.situation_cache

    def compute() -> bytes:
        return json.dumps(situation.situation(session, user).as_json()).encode()

    return Response(cache.get(user, compute), media_type="application/json")
