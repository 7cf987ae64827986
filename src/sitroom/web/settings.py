"""Settings of the web app, read from SITROOM_* variables by a function."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from ..config import Settings, load_settings

# Where `npm ci` puts Leaflet in a source checkout; SITROOM_ASSETS_DIR names another folder.
DEFAULT_ASSETS = Path(__file__).resolve().parents[3] / "node_modules"


@dataclass(frozen=True, slots=True)
class WebSettings:
    database: Settings = field(default_factory=Settings)
    # Secure cookies travel only over HTTPS. Turn off only for a demo on http://127.0.0.1,
    # where the browser would otherwise drop the session cookie.
    secure_cookies: bool = True
    session_hours: int = 12
    max_upload_bytes: int = 20 * 1024 * 1024
    assets_dir: Path = DEFAULT_ASSETS
    # How old the situation data served to the map may be (per worker); 0 computes it each time.
    situation_cache_seconds: float = 2.0
    # Phones (OpenRosa): where their files are kept, how large one may be, and whether their
    # Basic credentials are taken over plain HTTP (only for a test on 127.0.0.1).
    field_dir: Path = Path("sitroom-field")
    field_max_attachment_bytes: int = 10 * 1024 * 1024
    field_over_http: bool = False

    # The address people reach sitroom at (https://sitroom.example.org, behind its proxy):
    # links the API hands out (a list's `next`) start with it. Empty: they are paths on this
    # server. Never taken from the request's Host header, which the caller chooses.
    public_url: str = ""

    def __post_init__(self) -> None:
        if self.public_url:
            parts = urlsplit(self.public_url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(
                    f"SITROOM_PUBLIC_URL {self.public_url!r} is not an http(s) address"
                )
            if parts.query or parts.fragment:
                raise ValueError("SITROOM_PUBLIC_URL takes no query or fragment")


def load_web_settings(environ: Mapping[str, str] | None = None) -> WebSettings:
    env = os.environ if environ is None else environ
    insecure = env.get("SITROOM_INSECURE_COOKIES", "").strip().lower() in ("1", "true", "yes")
    return WebSettings(
        database=load_settings(env),
        secure_cookies=not insecure,
        session_hours=int(env.get("SITROOM_SESSION_HOURS", "12")),
        max_upload_bytes=int(env.get("SITROOM_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024))),
        assets_dir=Path(env.get("SITROOM_ASSETS_DIR", str(DEFAULT_ASSETS))),
        situation_cache_seconds=float(env.get("SITROOM_SITUATION_CACHE_SECONDS", "2")),
        public_url=env.get("SITROOM_PUBLIC_URL", "").strip().rstrip("/"),
        field_dir=Path(env.get("SITROOM_FIELD_DIR", "sitroom-field")),
        field_max_attachment_bytes=int(
            env.get("SITROOM_FIELD_MAX_ATTACHMENT_BYTES", str(10 * 1024 * 1024))
        ),
        field_over_http=_yes(env.get("SITROOM_FIELD_OVER_HTTP", "")),
    )


def _yes(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes")
