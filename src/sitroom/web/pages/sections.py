"""Border sections on the administration page: coordinators and administrators define them,
administrators delete those nothing refers to; both through the API's services."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from ...interchange.records.places import SECTION_COLUMNS
from ...interchange.records.schema import RecordKind
from ...services import entries, sections
from ...services.write_gate import SECTIONS_NEED_A_COORDINATOR
from ..deps import CurrentAuth, EngineDep, SessionDep
from .admin import page
from .common import form_fields

router = APIRouter()

_FIELDS = {c.name for c in SECTION_COLUMNS}


@router.post("/admin/sections")
async def add_section(
    request: Request, auth: CurrentAuth, engine: EngineDep, session: SessionDep
) -> Response:
    cells = {k: v for k, v in (await form_fields(request)).items() if k in _FIELDS}
    result = await run_in_threadpool(
        entries.report_record, engine, auth.user, RecordKind.SECTIONS, cells
    )
    if result.ok:
        return RedirectResponse("/admin", status_code=303)
    reasons = "; ".join(f"{field}: {why}" for field, why in result.errors.items())
    status = 403 if result.errors.get("id") == SECTIONS_NEED_A_COORDINATOR else 422
    return page(
        request, auth, session, error=f"the section was not stored: {reasons}", status_code=status
    )


@router.post("/admin/sections/{section_id}/delete")
def delete_section(
    request: Request, section_id: str, auth: CurrentAuth, engine: EngineDep, session: SessionDep
) -> Response:
    try:
        found = sections.delete_section(engine, auth.user, section_id)
    except sections.SectionInUse as exc:
        return page(request, auth, session, error=str(exc), status_code=409)
    if not found:
        return page(
            request, auth, session, error=f"no border section {section_id}", status_code=404
        )
    return RedirectResponse("/admin", status_code=303)
