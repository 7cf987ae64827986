"""Reading stored records: figures (with their correction chain), incidents, sites, sections."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request

from ...interchange.records.figures import figure_cells
from ...interchange.records.places import section_cells
from ...interchange.records.schema import RecordKind
from ...services import access, queries
from ..deps import CurrentUser, SessionDep, SettingsDep
from ..errors import error_docs
from ..params import (
    CategoryQuery,
    CountryQuery,
    DayQuery,
    FormatQuery,
    Limit,
    MeasureQuery,
    Offset,
    PlaceQuery,
    Ref,
    StatusQuery,
)
from . import models
from .common import DOWNLOADS_DOC, export, page_json, record_json

router = APIRouter(tags=["records"])


def _upper(value: str | None) -> str | None:
    return value.upper() if value else None


@router.get(
    "/figures",
    summary="Reported figures the caller may see, newest period first",
    response_model=models.listing(RecordKind.FIGURES, paged=True),
    responses=DOWNLOADS_DOC,
)
def list_figures(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    measure: MeasureQuery = None,
    country: CountryQuery = None,
    place: PlaceQuery = None,
    start: DayQuery = None,
    end: DayQuery = None,
    limit: Limit = 100,
    offset: Offset = 0,
    fmt: FormatQuery = None,
) -> Any:
    where = queries.FigureFilter(measure, _upper(country), _upper(place), start, end)
    if fmt is not None:
        return export(RecordKind.FIGURES, fmt, access.iter_figures(session, user, where), "figures")
    page = access.figures(session, user, where, limit=limit, offset=offset)
    names = access.organisation_names(session)
    return page_json(request, RecordKind.FIGURES, page, names, settings)


@router.get(
    "/figures/{ref}",
    summary="One figure with its source and correction history",
    response_model=models.FigureWithHistory,
    responses=error_docs(404),
)
def get_figure(ref: Ref, session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    chain = access.figure_chain(session, user, ref)
    if not chain:
        raise HTTPException(404, f"no figure {ref!r} that you may see")
    names = access.organisation_names(session)
    figure = next(o for o in chain if o.record.ref == ref)
    return {
        "figure": record_json(RecordKind.FIGURES, figure, names),
        "history": [record_json(RecordKind.FIGURES, o, names) for o in chain],
    }


@router.get(
    "/incidents",
    summary="Border incidents the caller may see, newest first",
    response_model=models.listing(RecordKind.INCIDENTS, paged=True),
    responses=DOWNLOADS_DOC,
)
def list_incidents(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    country: CountryQuery = None,
    section: PlaceQuery = None,
    category: CategoryQuery = None,
    status: StatusQuery = None,
    start: DayQuery = None,
    end: DayQuery = None,
    limit: Limit = 100,
    offset: Offset = 0,
    fmt: FormatQuery = None,
) -> Any:
    where = access.IncidentFilter(_upper(country), _upper(section), category, status, start, end)
    if fmt is not None:
        records = access.iter_incidents(session, user, where)
        return export(RecordKind.INCIDENTS, fmt, records, "incidents")
    page = access.incidents(session, user, where, limit=limit, offset=offset)
    names = access.organisation_names(session)
    return page_json(request, RecordKind.INCIDENTS, page, names, settings)


@router.get(
    "/incidents/totals",
    summary="What visible incidents add up to per day and section",
    response_model=list[models.FigureCells],
)
def incident_totals(
    session: SessionDep,
    user: CurrentUser,
    country: CountryQuery = None,
    section: PlaceQuery = None,
    start: DayQuery = None,
    end: DayQuery = None,
) -> list[dict[str, str]]:
    where = access.IncidentFilter(_upper(country), _upper(section), None, None, start, end)
    return [figure_cells(f) for f in access.incident_totals(session, user, where)]


@router.get(
    "/incidents/{ref}",
    summary="One incident",
    response_model=models.RECORDS[RecordKind.INCIDENTS],
    responses=error_docs(404),
)
def get_incident(ref: Ref, session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    found = access.incident(session, user, ref)
    if found is None:
        raise HTTPException(404, f"no incident {ref!r} that you may see")
    return record_json(RecordKind.INCIDENTS, found, access.organisation_names(session))


@router.get(
    "/sites",
    summary="Reception sites the caller may see",
    response_model=models.listing(RecordKind.SITES, paged=False),
    responses=DOWNLOADS_DOC,
)
def list_sites(
    session: SessionDep, user: CurrentUser, country: CountryQuery = None, fmt: FormatQuery = None
) -> Any:
    found = access.sites(session, user, _upper(country))
    if fmt is not None:
        return export(RecordKind.SITES, fmt, (o.record for o in found), "sites")
    names = access.organisation_names(session)
    return {"items": [record_json(RecordKind.SITES, o, names) for o in found]}


@router.get(
    "/sections",
    summary="Border sections (geography is shared with everyone)",
    response_model=models.listing(RecordKind.SECTIONS, paged=False),
    responses=DOWNLOADS_DOC,
)
def list_sections(
    session: SessionDep, _user: CurrentUser, country: CountryQuery = None, fmt: FormatQuery = None
) -> Any:
    found = queries.list_sections(session, _upper(country))
    if fmt is not None:
        return export(RecordKind.SECTIONS, fmt, found, "sections")
    return {"items": [section_cells(s) for s in found]}
