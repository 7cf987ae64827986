"""Pages that show: the situation map, one series, and the figures, incidents and sites tables.
Each runs a fixed number of queries whatever the data size (tests/web counts them)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ...charts import series_svg
from ...domain.alarms import AlarmState
from ...domain.audiences import audiences_of
from ...domain.incidents import IncidentCategory, IncidentStatus
from ...domain.measures import Measure
from ...domain.series import StoredSeries
from ...services import access, alarms, queries, series_reads, situation
from ...services.as_of import situation_as_of
from ...services.freshness import freshness
from ..deps import CurrentAuth, SessionDep
from ..params import (
    PageCategory,
    PageCountry,
    PageDay,
    PageMeasure,
    PageNote,
    PageOffset,
    PagePlace,
    PageStatus,
)
from .common import query_string, render

router = APIRouter()

PAGE = 50


def _upper(value: str | None) -> str | None:
    return value.strip().upper() or None if value else None


@router.get("/")
def situation_page(
    request: Request, auth: CurrentAuth, session: SessionDep, as_of: PageDay = None
) -> Response:
    if as_of is not None:
        picture = situation_as_of(session, auth.user, as_of)
    else:
        picture = situation.situation(session, auth.user)
    return render(request, "situation.html", auth, {"situation": picture})


def _chart(found: StoredSeries | None, figures: list[Any], raised: list[Any]) -> str:
    if found is None or not found.days:
        return ""
    title = f"{found.measure.value} — {found.place}"
    return series_svg(found, figures, raised, title=title, width=960, height=320)


@router.get("/series")
def series_page(
    request: Request,
    auth: CurrentAuth,
    session: SessionDep,
    measure: PageMeasure = None,
    place: PagePlace = None,
    offset: PageOffset = 0,
) -> Response:
    place = _upper(place)
    if measure is None or place is None:
        index = situation.series_index(session, auth.user)
        return render(request, "series_index.html", auth, {"index": index})
    readers = audiences_of(auth.user)
    found = series_reads.read_series(session, measure, place, readers=readers)
    where = queries.FigureFilter(measure=measure, place=place)
    page = access.figures(session, auth.user, where, limit=200, offset=offset)
    raised = [
        a
        for _id, a in alarms.list_alarms(session, readers=readers, states=tuple(AlarmState))
        if a.place == place and a.measure is measure
    ]
    chart = _chart(found, [o.record for o in page.items], raised)
    context = {
        "measure": measure,
        "place": place,
        "series": found,
        "chart": chart,
        "page": page,
        "alarms": raised,
        "owners": access.organisation_names(session),
        "freshness": freshness(session),
    }
    return render(request, "series.html", auth, context)


@router.get("/figures")
def figures_page(
    request: Request,
    auth: CurrentAuth,
    session: SessionDep,
    measure: PageMeasure = None,
    country: PageCountry = None,
    place: PagePlace = None,
    start: PageDay = None,
    end: PageDay = None,
    offset: PageOffset = 0,
) -> Response:
    where = queries.FigureFilter(measure, _upper(country), _upper(place), start, end)
    page = access.figures(session, auth.user, where, limit=PAGE, offset=offset)
    incident_where = access.IncidentFilter(
        _upper(country), _upper(place) if place and len(place) > 2 else None, None, None, start, end
    )
    totals = access.incident_totals(session, auth.user, incident_where, limit=PAGE)
    params = {
        "measure": measure.value if measure else None,
        "country": _upper(country),
        "place": _upper(place),
        "start": start,
        "end": end,
    }
    context = {
        "page": page,
        "totals": totals,
        "params": params,
        "measures": list(Measure),
        "query": query_string(params),
        "next": query_string(params, offset=offset + PAGE) if page.more else None,
        "owners": access.organisation_names(session),
    }
    return render(request, "figures.html", auth, context)


@router.get("/incidents")
def incidents_page(
    request: Request,
    auth: CurrentAuth,
    session: SessionDep,
    country: PageCountry = None,
    section: PagePlace = None,
    category: PageCategory = None,
    status: PageStatus = None,
    start: PageDay = None,
    end: PageDay = None,
    stored: PageNote = None,
    offset: PageOffset = 0,
) -> Response:
    where = access.IncidentFilter(_upper(country), _upper(section), category, status, start, end)
    page = access.incidents(session, auth.user, where, limit=PAGE, offset=offset)
    params = {
        "country": _upper(country),
        "section": _upper(section),
        "category": category.value if category else None,
        "status": status.value if status else None,
        "start": start,
        "end": end,
    }
    context = {
        "page": page,
        "params": params,
        "categories": list(IncidentCategory),
        "statuses": list(IncidentStatus),
        "query": query_string(params),
        "next": query_string(params, offset=offset + PAGE) if page.more else None,
        "stored": stored,
        "owners": access.organisation_names(session),
    }
    return render(request, "incidents.html", auth, context)


@router.get("/sites")
def sites_page(
    request: Request, auth: CurrentAuth, session: SessionDep, country: PageCountry = None
) -> Response:
    lines = situation.site_lines(session, auth.user)
    wanted = _upper(country)
    if wanted:
        lines = [s for s in lines if s["country"] == wanted]
    context = {
        "sites": lines,
        "params": {"country": wanted},
        "query": query_string({"country": wanted}),
    }
    return render(request, "sites.html", auth, context)
