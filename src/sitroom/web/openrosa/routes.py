"""The OpenRosa routes, thin over services.field: Collect asks for the form list, downloads
each form with its manifest and choice lists, checks with HEAD where to submit and how much,
then POSTs each filled form as multipart: `xml_submission_file` and its photos."""

from __future__ import annotations

import hashlib

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy import Engine
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from ...domain.accounts import can_write
from ...field.attachments import AttachmentRefused, AttachmentStore, StoredFile
from ...field.forms import FieldForm, field_forms
from ...field.instance import MAX_INSTANCE_BYTES, InstanceRefused, parse_instance
from ...services import field, field_reads
from ...services.accounts import NotAllowed
from ..deps import EngineDep, SessionDep, SettingsDep
from ..settings import WebSettings
from .auth import FieldDevice
from .replies import (
    OPENROSA_HEADERS,
    XML,
    OpenRosaError,
    form_list,
    manifest,
    message_reply,
    xml_reply,
)

router = APIRouter(prefix="/openrosa", include_in_schema=False)

INSTANCE_PART = "xml_submission_file"
MAX_PARTS = 50


def _base(request: Request) -> str:
    return str(request.url_for("openrosa_form_list")).removesuffix("/formList")


def _form(form_id: str) -> FieldForm:
    form = field_forms().get(form_id)
    if form is None:
        raise OpenRosaError(404, f"sitroom has no form {form_id!r}")
    return form


@router.get("/formList", name="openrosa_form_list")
def get_form_list(request: Request, device: FieldDevice) -> Response:
    del device  # signing in is what lists the forms
    return xml_reply(form_list(list(field_forms().values()), _base(request)))


@router.get("/forms/{form_id}/form.xml")
def get_form(form_id: str, device: FieldDevice) -> Response:
    del device
    # Byte for byte what the form list's hash was computed on.
    return Response(_form(form_id).xml, media_type=XML, headers=OPENROSA_HEADERS)


@router.get("/forms/{form_id}/manifest")
def get_manifest(
    request: Request, form_id: str, device: FieldDevice, session: SessionDep
) -> Response:
    form = _form(form_id)
    files = []
    for name in form.media:
        data = field_reads.media_file(session, device, name) or b""
        files.append((name, hashlib.md5(data, usedforsecurity=False).hexdigest()))
    return xml_reply(manifest(files, f"{_base(request)}/forms/{form_id}/media"))


@router.get("/forms/{form_id}/media/{name}")
def get_media(form_id: str, name: str, device: FieldDevice, session: SessionDep) -> Response:
    form = _form(form_id)
    data = field_reads.media_file(session, device, name) if name in form.media else None
    if data is None:
        raise OpenRosaError(404, f"the form {form_id!r} has no file {name!r}")
    return Response(data, media_type="text/csv; charset=utf-8", headers=OPENROSA_HEADERS)


def _accept(settings: WebSettings) -> dict[str, str]:
    # The whole request's cap (web.limits.BodyLimit): Collect splits a report whose files add
    # up to more over several requests, each with the same form data.
    return {**OPENROSA_HEADERS, "X-OpenRosa-Accept-Content-Length": str(settings.max_upload_bytes)}


@router.head("/submission")
def head_submission(device: FieldDevice, settings: SettingsDep) -> Response:
    del device
    return Response(status_code=204, headers=_accept(settings))


@router.post("/submission")
async def post_submission(
    request: Request, device: FieldDevice, engine: EngineDep, settings: SettingsDep
) -> Response:
    if not can_write(device.user):
        raise OpenRosaError(
            403, f"a {device.user.role.value} cannot report; ask for the reporter role"
        )
    store = AttachmentStore(settings.field_dir / "attachments", settings.field_max_attachment_bytes)
    files: list[StoredFile] = []
    try:
        async with request.form(max_files=MAX_PARTS, max_fields=MAX_PARTS) as form:
            xml = await _instance_bytes(form.get(INSTANCE_PART))
            instance = parse_instance(xml)
            for key, part in form.multi_items():
                if key == INSTANCE_PART or not isinstance(part, UploadFile):
                    continue
                stored = await run_in_threadpool(
                    store.receive, part.filename or key, part.content_type or "", part.file
                )
                files.append(stored)
        outcome = await run_in_threadpool(
            field.receive_submission, engine, device, field_forms(), instance, xml, files
        )
    except BaseException as exc:
        # Nothing of a refused or broken report stays: not its rows, not its new files.
        await _forget(engine, store, files)
        refusal = _refusal(exc)
        if refusal is None:
            raise
        raise refusal from None
    return message_reply(201, outcome.message, headers=_accept(settings))


def _refusal(exc: BaseException) -> OpenRosaError | None:
    """The OpenRosa answer for what went wrong with a report; None for a fault of sitroom's."""
    if isinstance(exc, ClientDisconnect):
        return OpenRosaError(400, "the upload broke off: nothing was stored, send it again")
    if isinstance(exc, StarletteHTTPException):  # a malformed multipart body
        return OpenRosaError(400, f"the submission is not readable multipart: {exc.detail}")
    if isinstance(exc, AttachmentRefused):
        return OpenRosaError(413 if exc.too_large else 400, str(exc))
    if isinstance(exc, InstanceRefused):
        return OpenRosaError(400, str(exc))
    if isinstance(exc, field.SubmissionRefused):
        return OpenRosaError(exc.status, str(exc))
    if isinstance(exc, NotAllowed):
        return OpenRosaError(403, str(exc))
    return None


async def _instance_bytes(part: object) -> bytes:
    if isinstance(part, UploadFile):
        data = await part.read(MAX_INSTANCE_BYTES + 1)
    elif isinstance(part, str):
        data = part.encode()
    else:
        raise InstanceRefused(f"the submission has no {INSTANCE_PART} part")
    return data


async def _forget(engine: Engine, store: AttachmentStore, files: list[StoredFile]) -> None:
    if files:
        digests = [f.sha256 for f in files]
        used = await run_in_threadpool(field_reads.stored_digests, engine, digests)
        store.forget(files, used)
