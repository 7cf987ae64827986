"""The user's phones: app credentials for ODK Collect or KoboCollect, made here and shown once
as text and as a QR code that configures Collect, revocable; and what the phones last sent."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from ...domain.errors import InvalidValue
from ...field.collect_settings import collect_settings, qr_svg, settings_payload
from ...services import field_devices, field_reads
from ...services.field_devices import NewDevice
from ..deps import CurrentAuth, EngineDep, HasherDep, SessionDep
from .common import render

router = APIRouter()


def _page(
    request: Request,
    auth: CurrentAuth,
    session: SessionDep,
    *,
    made: NewDevice | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    server = str(request.url_for("openrosa_form_list")).removesuffix("/formList")
    context: dict[str, object] = {
        "devices": field_devices.list_devices(session, auth.user),
        "submissions": field_reads.recent_submissions(session, auth.user),
        "server": server,
        "made": made,
        "error": error,
    }
    if made is not None:
        project = f"sitroom · {auth.user.username}"
        settings = collect_settings(server, made.device.login, made.password, project)
        context["qr"] = qr_svg(settings_payload(settings))
    return render(request, "phones.html", auth, context, status_code=status_code)


@router.get("/phones")
def phones_page(request: Request, auth: CurrentAuth, session: SessionDep) -> Response:
    return _page(request, auth, session)


@router.post("/phones")
async def add_phone(
    request: Request,
    auth: CurrentAuth,
    engine: EngineDep,
    session: SessionDep,
    hasher: HasherDep,
    name: Annotated[str, Form(max_length=120)] = "",
) -> Response:
    made = await run_in_threadpool(
        lambda: field_devices.create_device(engine, auth.user, name, hasher=hasher)
    )
    # Shown on this response only: the database keeps the password's hash.
    return _page(request, auth, session, made=made, status_code=201)


@router.post("/phones/{device_id}/revoke")
def revoke_phone(
    request: Request, device_id: int, auth: CurrentAuth, engine: EngineDep, session: SessionDep
) -> Response:
    try:
        field_devices.revoke_device(engine, auth.user, device_id)
    except InvalidValue as exc:
        return _page(request, auth, session, error=str(exc), status_code=404)
    return RedirectResponse("/phones", status_code=303)
