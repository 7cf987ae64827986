"""Reporting: figures, incidents, a site's occupancy, border sections and whole files, each
through the importer's parsing and sinks, checked by `services.write_gate` (one validation
and authorisation path); refusals are 422 with a reason per field."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, StrictFloat, StrictInt

from ...domain.accounts import Sharing
from ...domain.incidents import IncidentStatus
from ...domain.measures import Measure
from ...interchange.records.schema import RecordKind
from ...services import access, entries, exports, sections
from ...services.accounts import NotAllowed
from ...services.write_gate import SECTIONS_NEED_A_COORDINATOR
from ..deps import EngineDep, SessionDep, SettingsDep, Writer
from ..errors import WRITE_ERRORS, error_docs
from ..params import BODY_TEXT, IsoDate, PlaceId, Ref, RowId
from . import models

router = APIRouter(tags=["reporting"], responses=WRITE_ERRORS)
DUPLICATE_DOC: dict[int | str, dict[str, Any]] = {
    200: {"model": models.Stored, "description": "Already stored: nothing was added"}
}

Text = Annotated[str, Field(max_length=2000, pattern=BODY_TEXT)]
# Numbers as JSON has them: pydantic would otherwise read `false` as 0 (found by bench/fuzz).
JsonNumber = StrictInt | StrictFloat
ACCEPTED_UPLOADS = frozenset(
    {
        "text/csv",
        "text/plain",
        "application/csv",
        "application/octet-stream",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
)


class FigureIn(BaseModel):
    measure: Text
    place: Text
    period_start: Text
    period_end: Text = ""
    value: str | JsonNumber = Field(union_mode="left_to_right")
    qualifier: Text = "exact"
    source_kind: Text = "web_form"
    source_url: Text = "sitroom web form"
    source_organisation: Text = ""
    source_published: Text = ""
    corrects: Text = ""
    note: Text = ""
    sharing: Sharing = Sharing.RESTRICTED


class IncidentIn(BaseModel):
    occurred_at: Text
    section: Text
    category: Text
    persons: str | StrictInt = Field(union_mode="left_to_right")
    minors: str | StrictInt = "0"
    lon: str | JsonNumber = ""
    lat: str | JsonNumber = ""
    nationalities: Text = ""
    description: Text = ""
    status: Text = "reported"
    confidence: Text = "medium"
    external_ref: Text = ""
    source_kind: Text = "web_form"
    source_url: Text = "sitroom web form"
    source_organisation: Text = ""
    source_published: Text = ""
    sharing: Sharing = Sharing.RESTRICTED


class OccupancyIn(BaseModel):
    day: Annotated[date, IsoDate]
    occupancy: StrictInt = Field(ge=0, le=10_000_000)
    capacity: StrictInt | None = Field(default=None, ge=0, le=10_000_000)
    qualifier: Text = "exact"
    source_url: Text = "sitroom web form"
    note: Text = ""
    sharing: Sharing = Sharing.RESTRICTED


class SectionIn(BaseModel):
    id: Text
    country: Text
    neighbour: Text
    name: Text
    length_km: str | float = Field(union_mode="left_to_right")
    line: Text = ""


class StatusIn(BaseModel):
    status: IncidentStatus


def cells_of(model: BaseModel) -> dict[str, str]:
    return {
        k: ("" if v is None else str(v)) for k, v in model.model_dump(exclude={"sharing"}).items()
    }


def _answer(result: entries.EntryResult, kind: str) -> Response:
    if not result.ok:
        reasons = "; ".join(f"{k}: {v}" for k, v in result.errors.items())
        return JSONResponse(
            {"error": f"the {kind} was not stored: {reasons}", "fields": dict(result.errors)},
            status_code=422,
        )
    status = 200 if result.duplicate else 201
    return JSONResponse({"ref": result.ref, "duplicate": result.duplicate}, status_code=status)


@router.post(
    "/figures",
    status_code=201,
    summary="Report a figure",
    response_model=models.Stored,
    responses=DUPLICATE_DOC,
)
def post_figure(body: FigureIn, engine: EngineDep, user: Writer) -> Response:
    result = entries.report_record(
        engine, user, RecordKind.FIGURES, cells_of(body), sharing=body.sharing
    )
    return _answer(result, "figure")


@router.post(
    "/incidents",
    status_code=201,
    summary="Report a border incident",
    response_model=models.Stored,
    responses=DUPLICATE_DOC,
)
def post_incident(body: IncidentIn, engine: EngineDep, user: Writer) -> Response:
    result = entries.report_record(
        engine, user, RecordKind.INCIDENTS, cells_of(body), sharing=body.sharing
    )
    return _answer(result, "incident")


@router.post(
    "/incidents/{ref}/status",
    summary="Verify or retract an incident",
    response_model=models.StatusChanged,
    responses=error_docs(404),
)
def post_incident_status(ref: Ref, body: StatusIn, engine: EngineDep, user: Writer) -> Any:
    if not entries.change_incident_status(engine, user, ref, body.status):
        raise HTTPException(404, f"no incident {ref!r} that you may see")
    return {"ref": ref, "status": body.status.value}


@router.post(
    "/sites/{site_id}/occupancy",
    status_code=201,
    summary="Report a site's occupancy",
    response_model=models.Stored,
    responses={**DUPLICATE_DOC, **error_docs(404)},
)
def post_occupancy(
    site_id: PlaceId, body: OccupancyIn, engine: EngineDep, session: SessionDep, user: Writer
) -> Response:
    if access.site(session, user, site_id.upper()) is None:
        raise HTTPException(404, f"no reception site {site_id!r} that you may see")
    results = []
    values = [(Measure.OCCUPANCY, body.occupancy)]
    if body.capacity is not None:
        values.append((Measure.CAPACITY, body.capacity))
    for measure, value in values:
        cells = {
            "measure": measure.value,
            "place": site_id.upper(),
            "period_start": body.day.isoformat(),
            "value": str(value),
            "qualifier": body.qualifier,
            "source_kind": "web_form",
            "source_url": body.source_url,
            "note": body.note,
        }
        result = entries.report_record(
            engine, user, RecordKind.FIGURES, cells, sharing=body.sharing
        )
        if not result.ok:
            return _answer(result, f"{measure.value} figure")
        results.append(result)
    return _answer(results[0], "occupancy")


@router.post(
    "/sections",
    status_code=201,
    summary="Define a border section (coordinators)",
    response_model=models.Stored,
    responses={**DUPLICATE_DOC, **error_docs(403)},
)
def post_section(body: SectionIn, engine: EngineDep, user: Writer) -> Response:
    result = entries.report_record(engine, user, RecordKind.SECTIONS, cells_of(body))
    if result.errors.get("id") == SECTIONS_NEED_A_COORDINATOR:
        raise NotAllowed(SECTIONS_NEED_A_COORDINATOR)
    return _answer(result, "section")


@router.delete(
    "/sections/{section_id}",
    status_code=204,
    summary="Delete an unused border section (admin)",
    response_class=Response,
    responses=error_docs(403, 404, 409),
)
def delete_section(section_id: PlaceId, engine: EngineDep, user: Writer) -> Response:
    try:
        found = sections.delete_section(engine, user, section_id.upper())
    except sections.SectionInUse as exc:
        return JSONResponse({"error": str(exc)}, status_code=409)
    if not found:
        raise HTTPException(404, f"no border section {section_id!r}")
    return Response(status_code=204)


@router.post(
    "/imports",
    summary="Import a CSV or XLSX file; rows are reported one by one",
    response_model=models.ImportReport,
    responses=error_docs(415),
)
async def post_import(
    engine: EngineDep,
    settings: SettingsDep,
    user: Writer,
    file: Annotated[UploadFile, File(description="CSV, HXL or XLSX")],
    kind: Annotated[RecordKind | None, Form()] = None,
    sharing: Annotated[Sharing, Form()] = Sharing.RESTRICTED,
) -> Response:
    media = (file.content_type or "application/octet-stream").split(";")[0].strip().lower()
    if media not in ACCEPTED_UPLOADS:
        raise HTTPException(415, f"cannot import {media}: send a CSV or XLSX file")
    data = await file.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        raise HTTPException(413, "the file is too large: split it")
    # In the thread pool: a large file takes seconds to check and store, and the event loop
    # must go on serving everyone else meanwhile.
    report = await run_in_threadpool(
        entries.import_upload,
        engine,
        user,
        file.filename or "upload.csv",
        data,
        kind=kind,
        sharing=sharing,
    )
    status = 422 if report.error else 200
    body = report.as_dict()
    body["rejected_rows"] = None
    if report.error:
        # The refusal's usual shape, with the report beside it.
        body["error"] = f"the file was not imported: {report.error}"
        body["fields"] = {"file": report.error}
    if report.rejected and report.batch_id is not None:
        body["rejected_rows"] = f"/api/imports/{report.batch_id}/rejected"
    return JSONResponse(body, status_code=status)


@router.get(
    "/imports/{batch_id}/rejected",
    summary="An import's rejected rows as CSV, to fix",
    response_class=Response,
    responses={
        200: {
            "description": "The rows as CSV",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        },
        **error_docs(404),
    },
)
def get_rejected(batch_id: RowId, session: SessionDep, user: Writer) -> Response:
    found = entries.rejected_rows(session, user, batch_id)
    if found is None:
        raise HTTPException(404, f"no import {batch_id} of yours")
    kind, rows = found
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rejected.csv"
        exports.write_quarantine(rows, kind, path)
        data = path.read_bytes()
    return Response(
        data,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="rejected-{batch_id}.csv"'},
    )
