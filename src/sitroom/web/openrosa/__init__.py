"""The OpenRosa 1.0 server that ODK Collect and KoboCollect talk to, under /openrosa: the form
list, form downloads with their manifest and media, and submissions. Answers are OpenRosa XML
with the X-OpenRosa-Version header, and none of these routes is part of the JSON API's
OpenAPI schema."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response

from ...field.forms import field_forms
from ...services.accounts import DEFAULT_HASHER
from ...services.field_devices import DeviceCheck
from .replies import OpenRosaError, message_reply
from .routes import router


def install(app: FastAPI) -> None:
    # The XLSForms are converted when the app is made: a broken form stops the start, not a
    # phone's first request.
    field_forms()
    app.state.field_devices = DeviceCheck(getattr(app.state, "hasher", DEFAULT_HASHER))

    @app.exception_handler(OpenRosaError)
    async def openrosa_error(request: Request, exc: OpenRosaError) -> Response:
        del request
        return message_reply(exc.status, str(exc), headers=exc.headers)

    app.include_router(router)
