"""Phones sign in with HTTP Basic and the app credentials their user made (services
.field_devices), over HTTPS only: Collect sends Basic credentials only over HTTPS, and so
does sitroom take them. Behind a TLS proxy, `sitroom serve --trusted-proxy` lets the
proxy's X-Forwarded-Proto say that the phone used HTTPS."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from fastapi import Depends, Request

from ...services.field_devices import Device, DeviceCheck
from ..deps import EngineDep, SettingsDep
from .replies import OpenRosaError

REALM = "sitroom"
CHALLENGE = {"WWW-Authenticate": f'Basic realm="{REALM}", charset="UTF-8"'}


def _credentials(header: str) -> tuple[str, str] | None:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        text = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    login, sep, password = text.partition(":")
    return (login, password) if sep else None


def field_device(request: Request, engine: EngineDep, settings: SettingsDep) -> Device:
    # A plain def: FastAPI runs it in the thread pool, where argon2's check does not hold up
    # the event loop.
    if request.url.scheme != "https" and not settings.field_over_http:
        raise OpenRosaError(403, "sitroom takes reports from phones over HTTPS only")
    credentials = _credentials(request.headers.get("authorization", ""))
    if credentials is None:
        raise OpenRosaError(401, "sign in with this phone's sitroom credentials", CHALLENGE)
    check: DeviceCheck = request.app.state.field_devices
    device = check.device(engine, *credentials)
    if device is None:
        raise OpenRosaError(
            401, "these phone credentials are unknown, revoked or no longer valid", CHALLENGE
        )
    return device


FieldDevice = Annotated[Device, Depends(field_device)]
