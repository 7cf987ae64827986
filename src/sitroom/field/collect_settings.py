"""The QR code that configures ODK Collect for a phone, as ODK Central makes it: Collect's
settings as JSON, compressed with zlib and base64-encoded, drawn as an SVG (segno, pure
Python) to put inline in the page. It holds the phone's password, so it is shown only once."""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any

import segno


def collect_settings(server_url: str, login: str, password: str, project: str) -> dict[str, Any]:
    return {
        "general": {
            "server_url": server_url,
            "username": login,
            "password": password,
            # Forms follow the server's list, and reports leave as soon as there is signal.
            "form_update_mode": "match_exactly",
            "autosend": "wifi_and_cellular",
            "delete_send": False,
        },
        "admin": {},
        "project": {"name": project[:60], "icon": "S", "color": "#1f4e79"},
    }


def settings_payload(settings: dict[str, Any]) -> str:
    """What the QR code holds: zlib-compressed JSON in base64, which Collect decodes."""
    text = json.dumps(settings, separators=(",", ":"), ensure_ascii=False)
    return base64.b64encode(zlib.compress(text.encode())).decode("ascii")


def qr_svg(payload: str) -> str:
    return str(segno.make(payload, error="m").svg_inline(scale=4, title="Scan with ODK Collect"))
