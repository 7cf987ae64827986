"""`create_app(settings)`: the API under /api, the pages everywhere else, and the static files
sitroom serves itself (its own, Leaflet from npm, the bundled GeoJSON). No request ever leaves
the server: the Content-Security-Policy allows only this origin."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from ..services.accounts import DEFAULT_HASHER
from ..store.engine import make_engine
from . import api, openrosa, pages
from .cache import SituationCache
from .errors import ErrorBody, install_error_handlers
from .limits import BodyLimit, SecurityHeaders
from .login_gate import LoginGate
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
    app.state.login_gate = LoginGate()
    app.state.situation_cache = SituationCache(settings.situation_cache_seconds)
    app.state.templates = Jinja2Templates(directory=HERE / "templates")
    app.add_middleware(BodyLimit, max_bytes=settings.max_upload_bytes)
    app.add_middleware(SecurityHeaders)
    install_error_handlers(app)
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
            body = ErrorBody(error=f"no bundled GeoJSON named {name!r}", fields={})
            return JSONResponse(body.model_dump(), status_code=404)
        return FileResponse(path, media_type="application/geo+json")

    return app
