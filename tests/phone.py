"""A SYNTHETIC phone: filled field forms as ODK Collect writes them, and the requests Collect
sends (written from the OpenRosa 1.0 spec and Collect's behaviour: Basic credentials after a
401 challenge, a HEAD before each POST, the instance as `xml_submission_file`, photos as
further parts, and `*isIncomplete*=yes` on every part of a report split over requests)."""

from __future__ import annotations

import base64
import uuid
from typing import Any

SYNTHETIC_JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
FORM_VERSION = "2026120501"


def synthetic_jpeg(size: int, seed: int = 0) -> bytes:
    """Bytes that start like a JPEG (what sitroom checks) and are otherwise invented."""
    body = bytes((seed + n) % 251 for n in range(min(size, 4096)))
    repeated = (body * (size // len(body) + 1))[: size - len(SYNTHETIC_JPEG_HEAD)]
    return SYNTHETIC_JPEG_HEAD + repeated


def basic(login: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{login}:{password}".encode()).decode()
    return {"authorization": f"Basic {token}"}


def instance_xml(
    form_id: str,
    fields: dict[str, str],
    *,
    instance_id: str | None = None,
    version: str = FORM_VERSION,
) -> tuple[str, bytes]:
    """(instance ID, the XML Collect would send) for a SYNTHETIC filled form."""
    ident = instance_id or f"uuid:{uuid.uuid4()}"
    meta = {
        "start": "2026-12-05T09:00:01.250+02:00",
        "end": "2026-12-05T09:03:12.004+02:00",
        "deviceid": "collect:SYNTHETICPHONE1",
    }
    body = "".join(f"<{k}>{v}</{k}>" for k, v in {**meta, **fields}.items())
    xml = (
        f'<?xml version="1.0" ?><data xmlns:jr="http://openrosa.org/javarosa" '
        f'xmlns:orx="http://openrosa.org/xforms" id="{form_id}" version="{version}">'
        f"{body}<meta><instanceID>{ident}</instanceID></meta></data>"
    )
    return ident, xml.encode()


def incident_fields(**overrides: str) -> dict[str, str]:
    fields = {
        "section": "LT-BY-1",
        "occurred_at": "2026-12-05T02:10:00.000+02:00",
        "category": "apprehension",
        "persons": "12",
        "minors": "3",
        "nationalities": "IQ:7;SY:5",
        "location": "54.3012 25.1543 151.0 4.5",
        "description": "SYNTHETIC group stopped at the fence",
        "photo": "1701766200123.jpg",
    }
    fields.update(overrides)
    return fields


def occupancy_fields(site: str, **overrides: str) -> dict[str, str]:
    fields = {
        "site": site,
        "day": "2026-12-05",
        "occupancy": "180",
        "capacity": "250",
        "qualifier": "exact",
        "location": "54.6 25.1 120.0 8.0",
        "photo": "",
        "note": "SYNTHETIC morning count",
    }
    fields.update(overrides)
    return fields


def submission_files(
    xml: bytes, photos: dict[str, bytes] | None = None, *, incomplete: bool = False
) -> dict[str, Any]:
    """The multipart body Collect posts, as httpx `files` and `data`."""
    files: list[tuple[str, tuple[str, bytes, str]]] = [
        ("xml_submission_file", ("submission.xml", xml, "text/xml"))
    ]
    for name, data in (photos or {}).items():
        files.append((name, (name, data, "image/jpeg")))
    data = {"*isIncomplete*": "yes"} if incomplete else {}
    return {"files": files, "data": data}
