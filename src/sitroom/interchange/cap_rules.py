"""CAP 1.2 validation: the OASIS schema, then the section-3 rules it cannot express."""

from __future__ import annotations

import functools
import io
import math
import re
from collections.abc import Iterator
from datetime import datetime
from importlib import resources
from xml.etree import ElementTree as ET

from xmlschema import XMLResource, XMLSchema10, XMLSchemaException

from .cap_area import ring_problem

NS = "urn:oasis:names:tc:emergency:cap:1.2"
SCHEMA = resources.files("sitroom") / "data" / "cap" / "CAP-v1.2.xsd"

# The schema's only patterns are its date-times; their regex, escaped twice, helps nobody.
_PATTERN_LIST = re.compile(r"any pattern of \[.*\]")
_ALERT_TAGS = (
    "identifier",
    "sender",
    "sent",
    "msgType",
    "scope",
    "restriction",
    "addresses",
    "references",
)


def cap_problems(xml: bytes) -> list[str]:
    """See `sitroom.interchange.cap.validate_cap`."""
    try:
        # A file object, so bytes are never taken for a path or URL; nothing may be fetched.
        resource = XMLResource(io.BytesIO(xml), allow="none", defuse="always")
    except (XMLSchemaException, ET.ParseError) as exc:
        return [f"not well-formed XML: {exc}"]
    problems = [
        f"{error.path or '/'}: {_PATTERN_LIST.sub('the CAP date-time pattern', error.reason or '')}"
        for error in _schema().iter_errors(resource)
    ]
    if resource.root.tag != _q("alert"):
        return problems or [f"the root element is {resource.root.tag}, not a CAP 1.2 alert"]
    return problems + list(_rule_problems(resource.root))


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def sender_or_identifier_problem(value: str) -> str | None:
    """CAP 1.2 §3.2.1: no spaces, commas or restricted characters (< and &)."""
    if not value:
        return "is empty"
    bad = sorted({c for c in value if c.isspace() or c in ",<&"})
    if bad:
        return f"contains {', '.join(repr(c) for c in bad)}; CAP forbids spaces, commas, < and &"
    return None


@functools.cache
def _schema() -> XMLSchema10:
    # Read here rather than at import, and from text so the schema has no location from
    # which anything could be resolved; it imports and includes nothing (see PROVENANCE.md).
    return XMLSchema10(SCHEMA.read_text(encoding="utf-8"), allow="none", defuse="always")


_DATE_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d")


def _date_time_problem(text: str) -> str | None:
    if not _DATE_TIME.fullmatch(text):
        return (
            f"{text!r} is not a CAP date-time: YYYY-MM-DDThh:mm:ss with an offset "
            "(+hh:mm or -hh:mm), no fractional seconds, no Z"
        )
    if text.endswith("+00:00"):
        return f"{text!r}: CAP writes UTC as -00:00"
    try:
        datetime.fromisoformat(text)
    except ValueError as exc:
        return f"{text!r} is not a date-time: {exc}"
    return None


def _rule_problems(alert: ET.Element) -> Iterator[str]:
    """Section-3 rules beyond the schema, each reported with where it broke."""
    values = {tag: (alert.findtext(_q(tag)) or "").strip() for tag in _ALERT_TAGS}
    for tag in ("identifier", "sender"):
        if alert.find(_q(tag)) is not None:
            problem = sender_or_identifier_problem(values[tag])
            if problem:
                yield f"/alert/{tag}: {values[tag]!r} {problem}"
    if values["sent"]:
        problem = _date_time_problem(values["sent"])
        if problem:
            yield f"/alert/sent: {problem}"
    if values["scope"] == "Restricted" and not values["restriction"]:
        yield "/alert/restriction: required when scope is Restricted"
    if values["scope"] == "Private" and not values["addresses"]:
        yield "/alert/addresses: required when scope is Private"
    if values["msgType"] in ("Update", "Cancel", "Ack", "Error") and not values["references"]:
        yield f"/alert/references: required when msgType is {values['msgType']}"
    for entry in values["references"].split():
        problem = _reference_problem(entry, values["sender"], values["identifier"])
        if problem:
            yield f"/alert/references: {entry!r} {problem}"
    for i, info in enumerate(alert.findall(_q("info")), start=1):
        yield from _info_problems(info, f"/alert/info[{i}]")


def _reference_problem(entry: str, sender: str, identifier: str) -> str | None:
    parts = entry.split(",")
    if len(parts) != 3:
        return "is not sender,identifier,sent"
    ref_sender, ref_identifier, ref_sent = parts
    for part in (ref_sender, ref_identifier):
        problem = sender_or_identifier_problem(part)
        if problem:
            return f"has a sender or identifier that {problem}"
    if (ref_sender, ref_identifier) == (sender, identifier):
        return "refers to this very message"
    return _date_time_problem(ref_sent)


def _info_problems(info: ET.Element, where: str) -> Iterator[str]:
    for tag in ("effective", "onset", "expires"):
        text = (info.findtext(_q(tag)) or "").strip()
        problem = _date_time_problem(text) if text else None
        if problem:
            yield f"{where}/{tag}: {problem}"
    for j, area in enumerate(info.findall(_q("area")), start=1):
        for k, polygon in enumerate(area.findall(_q("polygon")), start=1):
            problem = _polygon_problem(polygon.text or "")
            if problem:
                yield f"{where}/area[{j}]/polygon[{k}]: {problem}"
        for k, circle in enumerate(area.findall(_q("circle")), start=1):
            problem = _circle_problem(circle.text or "")
            if problem:
                yield f"{where}/area[{j}]/circle[{k}]: {problem}"


def _pair(token: str) -> tuple[float, float] | None:
    parts = token.split(",")
    if len(parts) != 2:
        return None
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        return None
    return (lat, lon)


def _polygon_problem(text: str) -> str | None:
    tokens = text.split()
    points = [_pair(token) for token in tokens]
    for token, point in zip(tokens, points, strict=True):
        if point is None:
            return f"{token!r} is not a lat,lon pair"
    problem = ring_problem([p for p in points if p is not None])
    return f"polygon {problem}" if problem else None


def _circle_problem(text: str) -> str | None:
    tokens = text.split()
    centre = _pair(tokens[0]) if len(tokens) == 2 else None
    if centre is None:
        return f"{text.strip()!r} is not 'lat,lon radius'"
    lat, lon = centre
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return f"centre {lat},{lon} is outside lat -90..90 / lon -180..180"
    try:
        radius = float(tokens[1])
    except ValueError:
        return f"radius {tokens[1]!r} is not a number of kilometres"
    if not (math.isfinite(radius) and radius >= 0):
        return f"radius {tokens[1]!r} is not a number of kilometres"
    return None
