"""Reporting forms and the import page. A refused form comes back with every mistake beside
its field and everything typed kept; nothing is stored until all of it is right."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from ...domain.accounts import Sharing, can_write
from ...domain.incidents import Confidence, IncidentCategory
from ...domain.measures import Measure, Qualifier
from ...domain.sources import SourceKind
from ...interchange.records.schema import RecordKind
from ...services import access, entries, queries
from ...services.accounts import NotAllowed
from ..api.writes import ACCEPTED_UPLOADS
from ..deps import CurrentAuth, EngineDep, SessionDep, SettingsDep
from .common import form_fields, render

router = APIRouter()


def _choices(session: Any, auth: CurrentAuth) -> dict[str, Any]:
    return {
        "sections": queries.list_sections(session),
        "sites": [o.record for o in access.sites(session, auth.user)],
        "categories": list(IncidentCategory),
        "measures": list(Measure),
        "qualifiers": list(Qualifier),
        "source_kinds": list(SourceKind),
        "confidences": list(Confidence),
        "sharings": list(Sharing),
    }


def _require_writer(auth: CurrentAuth) -> None:
    if not can_write(auth.user):
        raise NotAllowed(f"a {auth.user.role.value} can read but not report")


@router.get("/report")
def report_page(request: Request, auth: CurrentAuth, session: SessionDep) -> Response:
    _require_writer(auth)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M+00:00")
    context = {**_choices(session, auth), "form": "", "values": {"occurred_at": now}, "errors": {}}
    return render(request, "report.html", auth, context)


async def _report(
    request: Request,
    auth: CurrentAuth,
    engine: EngineDep,
    session: SessionDep,
    which: str,
    kind: RecordKind,
    cells: dict[str, str],
    values: dict[str, str],
    *,
    target: str,
    rename: dict[str, str] | None = None,
) -> Response:
    _require_writer(auth)
    sharing = Sharing.SHARED if values.get("sharing") == "shared" else Sharing.RESTRICTED
    result = await run_in_threadpool(
        entries.report_record, engine, auth.user, kind, cells, sharing=sharing
    )
    if result.ok:
        return RedirectResponse(f"{target}?stored={quote(result.ref or '')}", status_code=303)
    # The form's own names for the figure's fields (an occupancy's "day" is its period_start).
    errors = {(rename or {}).get(k, k): v for k, v in result.errors.items()}
    context = {**_choices(session, auth), "form": which, "values": values, "errors": errors}
    return render(request, "report.html", auth, context, status_code=422)


@router.post("/report/incident")
async def report_incident(
    request: Request, auth: CurrentAuth, engine: EngineDep, session: SessionDep
) -> Response:
    values = await form_fields(request)
    cells = {**values, "source_kind": values.get("source_kind") or "web_form"}
    cells["source_url"] = values.get("source_url") or "sitroom web form"
    return await _report(
        request,
        auth,
        engine,
        session,
        "incident",
        RecordKind.INCIDENTS,
        cells,
        values,
        target="/incidents",
    )


@router.post("/report/figure")
async def report_figure(
    request: Request, auth: CurrentAuth, engine: EngineDep, session: SessionDep
) -> Response:
    values = await form_fields(request)
    cells = {**values, "source_kind": values.get("source_kind") or "web_form"}
    cells["source_url"] = values.get("source_url") or "sitroom web form"
    return await _report(
        request,
        auth,
        engine,
        session,
        "figure",
        RecordKind.FIGURES,
        cells,
        values,
        target="/figures",
    )


@router.post("/report/occupancy")
async def report_occupancy(
    request: Request, auth: CurrentAuth, engine: EngineDep, session: SessionDep
) -> Response:
    values = await form_fields(request)
    site_id = values.get("site", "")
    if access.site(session, auth.user, site_id) is None:
        values_errors = {"site": "choose one of the reception sites listed"}
        context = {**_choices(session, auth), "form": "occupancy", "values": values}
        return render(
            request, "report.html", auth, {**context, "errors": values_errors}, status_code=422
        )
    cells = {
        "measure": Measure.OCCUPANCY.value,
        "place": site_id,
        "period_start": values.get("day", ""),
        "value": values.get("occupancy", ""),
        "qualifier": values.get("qualifier") or "exact",
        "source_kind": "web_form",
        "source_url": values.get("source_url") or "sitroom web form",
        "note": values.get("note", ""),
    }
    rename = {"period_start": "day", "value": "occupancy", "place": "site"}
    return await _report(
        request,
        auth,
        engine,
        session,
        "occupancy",
        RecordKind.FIGURES,
        cells,
        values,
        target="/sites",
        rename=rename,
    )


@router.get("/import")
def import_page(request: Request, auth: CurrentAuth) -> Response:
    _require_writer(auth)
    context = {"report": None, "kinds": list(RecordKind), "sharings": list(Sharing)}
    return render(request, "import.html", auth, context)


@router.post("/import")
async def import_file_page(
    request: Request,
    auth: CurrentAuth,
    engine: EngineDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File()],
    kind: Annotated[str, Form(max_length=16)] = "",
    sharing: Annotated[str, Form(max_length=16)] = "restricted",
) -> Response:
    _require_writer(auth)
    context: dict[str, Any] = {"kinds": list(RecordKind), "sharings": list(Sharing)}
    media = (file.content_type or "application/octet-stream").split(";")[0].strip().lower()
    data = await file.read(settings.max_upload_bytes + 1)
    error = None
    if media not in ACCEPTED_UPLOADS:
        error = f"cannot import {media}: choose a CSV or XLSX file"
    elif len(data) > settings.max_upload_bytes:
        error = "the file is too large: split it"
    if error:
        context.update(report=None, error=error)
        return render(request, "import.html", auth, context, status_code=422)
    record_kind = RecordKind(kind) if kind in {k.value for k in RecordKind} else None
    share = Sharing.SHARED if sharing == "shared" else Sharing.RESTRICTED
    report = await run_in_threadpool(
        entries.import_upload,
        engine,
        auth.user,
        file.filename or "upload.csv",
        data,
        kind=record_kind,
        sharing=share,
    )
    context.update(report=report, error=report.error)
    return render(request, "import.html", auth, context, status_code=422 if report.error else 200)
