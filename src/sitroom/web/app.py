"""`create_app(settings)`: the API under /api, the pages everywhere else, and the static files
sitroom serves itself (its own, Leaflet from npm, the bundled GeoJSON). No request ever leaves
the server: the Content-Security-Policy allows only this origin."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from argon2 import PasswordHasher
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..domain.errors import InvalidValue
from ..services.accounts import DEFAULT_HASHER, NotAllowed
from ..store.engine import make_engine
from . import api, openrosa, pages
from .cache import SituationCache
from .deps import BadCsrf, NotSignedIn
from .limits import BodyLimit, SecurityHeaders
from .settings import WebSettings

HERE = Path(__file__).parent
GEO = Path(str(resources.files("sitroom") / "data" / "geo"))


def create_app(settings: WebSettings, *, hasher: PasswordHasher | None = None) -> FastAPI:
    """`hasher` lets tests trade argon2's cost for speed; the default is argon2's own."""
    engine = make_engine(settings.database)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    app = FastAPI(
        title="sitroom",
        summary="The situation room for migration emergencies at external borders",
        version="0.1.0",
        openapi_url="/api/openapi.json",
        docs_url=None,  # FastAPI's page loads Swagger UI from a CDN: /api/docs is our own
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.engine = engine
    app.state.settings = settings
    app.state.hasher = hasher or DEFAULT_HASHER
    app.state.situation_cache = SituationCache(settings.situation_cache_seconds)
    app.state.templates = Jinja2Templates(directory=HERE / "templates")
    app.add_middleware(BodyLimit, max_bytes=settings.max_upload_bytes)
    app.add_middleware(SecurityHeaders)
    _handle_errors(app)
    app.include_router(api.router)
    openrosa.install(app)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    leaflet = settings.assets_dir / "leaflet" / "dist"
    app.mount("/vendor/leaflet", StaticFiles(directory=leaflet, check_dir=False), name="leaflet")

    @app.get("/geo/{name}.geojson", include_in_schema=False)
    def geo(name: str) -> Response:
        path = GEO / f"{name}.geojson"
        if path.parent != GEO or not path.is_file():
            return JSONResponse({"error": f"no bundled GeoJSON named {name!r}"}, status_code=404)
        return FileResponse(path, media_type="application/geo+json")

    return app


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api")


def _error(request: Request, status: int, message: str, **extra: object) -> Response:
    if _is_api(request):
        return JSONResponse({"error": message, **extra}, status_code=status)
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(
        request,
        "error.html",
        {"status": status, "message": message, "user": None},
        status_code=status,
    )


def _handle_errors(app: FastAPI) -> None:
    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        if _is_api(request):
            return _error(request, 401, str(exc))
        target = request.url.path if request.method == "GET" else "/"
        return RedirectResponse(f"/login?next={target}", status_code=303)

    @app.exception_handler(NotAllowed)
    async def not_allowed(request: Request, exc: NotAllowed) -> Response:
        return _error(request, 403, str(exc))

    @app.exception_handler(BadCsrf)
    async def bad_csrf(request: Request, exc: BadCsrf) -> Response:
        return _error(request, 403, str(exc))

    @app.exception_handler(InvalidValue)
    async def invalid(request: Request, exc: InvalidValue) -> Response:
        return _error(request, 422, str(exc))

    @app.exception_handler(RequestValidationError)
    async def validation(request: Request, exc: RequestValidationError) -> Response:
        fields = {
            ".".join(str(p) for p in e.get("loc", ())[1:]) or "request": str(e.get("msg", ""))
            for e in exc.errors()
        }
        message = "; ".join(f"{k}: {v}" for k, v in fields.items())
        return _error(request, 422, f"the request is not valid: {message}", fields=fields)

    @app.exception_handler(DataError)
    async def data_error(request: Request, exc: DataError) -> Response:
        # A value the database cannot hold (a NUL character, a number out of range) that got
        # past validation: the caller's input, so a 422, never a 500.
        del exc
        return _error(request, 422, "a value holds characters or a size the database refuses")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = str(exc.detail)
        if message in ("Not Found", "Method Not Allowed"):
            where = "/api/docs" if _is_api(request) else "the menu"
            message = f"{request.method} {request.url.path} is not a page or call here: see {where}"
        return _error(request, exc.status_code, message)
