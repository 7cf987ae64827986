"""One shape for every refusal, and the handlers that give it.

Under /api every 4xx and 5xx answer is `{"error": "<a sentence a person can act on>",
"fields": {"<parameter or field>": "<what is wrong with it>"}}` (`fields` is empty when no one
field is to blame); elsewhere the same sentence is an HTML page. The OpenAPI document lists
these answers for every operation (`API_ERRORS` on the API's router, `error_docs` for the
statuses a route adds), so a new route is documented by being added.

A database that cannot be reached (PostgreSQL stopped, SQLite locked past its timeout) is a
503 with a Retry-After, not a 500."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from ..domain.errors import AlreadyExists, FieldErrors, InvalidValue, NotFound
from ..services.accounts import NotAllowed
from ..services.tokens import TokenRefused
from .deps import BadCsrf, NotSignedIn
from .login_gate import GateFull
from .password_checks import Throttled

RETRY_AFTER_SECONDS = 30
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
log = logging.getLogger(__name__)


class ErrorBody(BaseModel):
    """What every refusal under /api says."""

    error: str = Field(description="What went wrong, and what to do about it")
    fields: dict[str, str] = Field(
        description="Per parameter or body field, what is wrong with it (may be empty)"
    )


STATUS_MEANINGS: dict[int, str] = {
    400: "The request cannot be read",
    401: "Not signed in: no valid session or API token",
    403: "Signed in, but not allowed to do this",
    404: "Nothing of that id that the caller may see",
    405: "The path exists, but not with this method: see the Allow header",
    409: "It conflicts with what is stored (a name already taken)",
    413: "The request body is too large",
    415: "The uploaded file is not of a type sitroom imports",
    422: "A parameter or field is not valid: `fields` says which and why",
    429: "Too many failed attempts: wait as the Retry-After header says",
    503: "The database cannot be reached: try again later",
}


def error_docs(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these refusals, each with the one error body."""
    docs: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        entry: dict[str, Any] = {"model": ErrorBody, "description": STATUS_MEANINGS[status]}
        if status in (429, 503):
            entry["headers"] = {
                "Retry-After": {
                    "description": "Seconds to wait before trying again",
                    "schema": {"type": "integer"},
                }
            }
        docs[status] = entry
    return docs


# Every API operation may answer these: an unreadable request (a NUL in the path, a broken
# form body), no credentials, a bad parameter, the database away.
API_ERRORS = error_docs(400, 401, 422, 503)
WRITE_ERRORS = error_docs(403, 413)


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api")


def error_response(
    request: Request,
    status: int,
    message: str,
    fields: dict[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    if is_api(request):
        body = ErrorBody(error=message, fields=fields or {}).model_dump()
        return JSONResponse(body, status_code=status, headers=headers)
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(
        request,
        "error.html",
        {"status": status, "message": message, "user": None},
        status_code=status,
        headers=headers,
    )


def _field_name(location: tuple[Any, ...]) -> str:
    # ("query", "limit") -> "limit"; ("body", "persons") -> "persons"; ("body",) -> "request"
    return ".".join(str(p) for p in location[1:]) or "request"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        if is_api(request):
            return error_response(request, 401, str(exc))
        target = request.url.path if request.method == "GET" else "/"
        return RedirectResponse(f"/login?next={target}", status_code=303)

    @app.exception_handler(NotAllowed)
    async def not_allowed(request: Request, exc: NotAllowed) -> Response:
        return error_response(request, 403, str(exc))

    @app.exception_handler(TokenRefused)
    async def token_refused(request: Request, exc: TokenRefused) -> Response:
        return error_response(request, 403, str(exc))

    @app.exception_handler(GateFull)
    async def gate_full(request: Request, exc: GateFull) -> Response:
        return error_response(request, 503, str(exc), headers={"retry-after": "5"})

    @app.exception_handler(Throttled)
    async def throttled(request: Request, exc: Throttled) -> Response:
        return error_response(request, 429, str(exc), headers={"retry-after": str(exc.seconds)})

    @app.exception_handler(BadCsrf)
    async def bad_csrf(request: Request, exc: BadCsrf) -> Response:
        return error_response(request, 403, str(exc))

    @app.exception_handler(FieldErrors)
    async def field_errors(request: Request, exc: FieldErrors) -> Response:
        return error_response(request, 422, str(exc), fields=exc.errors)

    @app.exception_handler(InvalidValue)
    async def invalid(request: Request, exc: InvalidValue) -> Response:
        status = (
            404 if isinstance(exc, NotFound) else 409 if isinstance(exc, AlreadyExists) else 422
        )
        return error_response(request, status, str(exc))

    @app.exception_handler(RequestValidationError)
    async def validation(request: Request, exc: RequestValidationError) -> Response:
        fields: dict[str, str] = {}
        for problem in exc.errors():
            name = _field_name(tuple(problem.get("loc", ())))
            fields.setdefault(name, str(problem.get("msg", "")))
        message = "; ".join(f"{k}: {v}" for k, v in fields.items())
        return error_response(request, 422, f"the request is not valid: {message}", fields)

    @app.exception_handler(DataError)
    async def data_error(request: Request, exc: DataError) -> Response:
        # A value the database cannot hold that got past validation: the caller's input, so a
        # 422, never a 500.
        del exc
        return error_response(
            request, 422, "a value holds characters or a size the database refuses"
        )

    async def unavailable(request: Request, exc: Exception) -> Response:
        # The driver's text names the server and its address: for the log, not the caller.
        log.warning("database unavailable for %s %s: %s", request.method, request.url.path, exc)
        return error_response(
            request,
            503,
            "the database cannot be reached just now: try again in a minute, and tell the "
            "administrator if it lasts",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    for kind in (OperationalError, InterfaceError, PoolTimeout):
        app.add_exception_handler(kind, unavailable)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = str(exc.detail)
        if exc.status_code in (404, 405) and message in ("Not Found", "Method Not Allowed"):
            where = "/api/docs" if is_api(request) else "the menu"
            message = f"{request.method} {request.url.path} is not a page or call here: see {where}"
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(sorted(_allowed_methods(request)))
        return error_response(request, exc.status_code, message, headers=headers)


def _allowed_methods(request: Request) -> set[str]:
    """Every method some route takes at this path. Starlette's own Allow names only the
    first route that matched the path (GET /api/figures, not POST /api/figures beside it), so
    each method is tried against the routes as the router itself would."""
    routes = request.app.router.routes
    return {
        method
        for method in HTTP_METHODS
        if any(r.matches({**request.scope, "method": method})[0] is Match.FULL for r in routes)
    }
