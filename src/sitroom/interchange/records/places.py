"""Reception sites and border sections in files; a section's line is GeoJSON text."""

from __future__ import annotations

import json

from ...domain.countries import country_code
from ...domain.errors import InvalidValue
from ...domain.places import BorderSection, Point, ReceptionSite, SiteKind, place_id
from ..table import CellKind, Column
from .cells import CellReader
from .schema import EntryContext, RecordKind, RecordSchema

SITE_COLUMNS = [
    Column("id", "#loc+code", required=True),
    Column("name", "#loc+name", required=True),
    Column("country", "#country+code", required=True),
    Column("kind", "#loc+type", required=True),
    Column("lon", "#geo+lon", kind=CellKind.NUMBER),
    Column("lat", "#geo+lat", kind=CellKind.NUMBER),
    Column("operator", "#org+operator"),
]

SECTION_COLUMNS = [
    Column("id", "#loc+code", required=True),
    Column("country", "#country+code", required=True),
    Column("neighbour", "#country+code+neighbour", required=True),
    Column("name", "#loc+name", required=True),
    Column("length_km", "#geo+length", required=True, kind=CellKind.NUMBER),
    Column("line", "#geo+line", description="GeoJSON LineString coordinates, [[lon, lat], ...]"),
]


def _place_id_and_country(row: CellReader) -> tuple[str, str]:
    raw_id, raw_country = row.text("id", required=True), row.text("country", required=True)
    ident, country = raw_id.upper(), raw_country.upper()
    try:
        ident = place_id(raw_id) if raw_id else ""
    except InvalidValue as exc:
        row.fail("id", str(exc))
    try:
        country = country_code(raw_country) if raw_country else ""
    except InvalidValue as exc:
        row.fail("country", str(exc))
    if ident and country and not ident.startswith(country):
        row.fail("id", f"the id {ident!r} must start with its country code {country}")
    return ident, country


def parse_site(cells: dict[str, str], context: EntryContext) -> ReceptionSite:
    row = CellReader(cells, context.dates)
    ident, country = _place_id_and_country(row)
    name = row.text("name", required=True, max_length=200)
    kind = row.choice("kind", SiteKind)
    lon, lat = row.optional_number("lon"), row.optional_number("lat")
    location = None
    if lon is not None and lat is not None:
        try:
            location = Point(lon, lat)
        except InvalidValue as exc:
            row.fail("lon", str(exc))
    elif (lon is None) != (lat is None):
        row.fail("lat", "give both longitude and latitude, or neither")
    operator = row.text("operator", max_length=200) or None
    row.done()
    return ReceptionSite(ident, name, country, kind, location, operator)


def site_cells(site: ReceptionSite) -> dict[str, str]:
    where = site.location
    return {
        "id": site.id,
        "name": site.name,
        "country": site.country,
        "kind": site.kind.value,
        "lon": repr(where.lon) if where else "",
        "lat": repr(where.lat) if where else "",
        "operator": site.operator or "",
    }


def _line(text: str) -> tuple[tuple[float, float], ...]:
    if not text.strip():
        return ()
    try:
        data = json.loads(text)
        if isinstance(data, dict):
            data = data.get("coordinates")
        points = tuple((float(p[0]), float(p[1])) for p in data)
    except (ValueError, TypeError, IndexError, KeyError):
        raise InvalidValue(
            "is not a GeoJSON LineString or its coordinates [[lon, lat], ...]"
        ) from None
    for lon, lat in points:
        Point(lon, lat)
    return points


def parse_section(cells: dict[str, str], context: EntryContext) -> BorderSection:
    row = CellReader(cells, context.dates)
    ident, country = _place_id_and_country(row)
    neighbour = row.text("neighbour", required=True)
    try:
        neighbour = country_code(neighbour) if neighbour else ""
    except InvalidValue as exc:
        row.fail("neighbour", str(exc))
    name = row.text("name", required=True, max_length=200)
    length = row.number("length_km", required=True)
    line: tuple[tuple[float, float], ...] = ()
    try:
        line = _line(row.text("line", max_length=1_000_000))
    except InvalidValue as exc:
        row.fail("line", str(exc))
    row.done()
    return BorderSection(ident, country, neighbour, name, line, length)


def section_cells(section: BorderSection) -> dict[str, str]:
    return {
        "id": section.id,
        "country": section.country,
        "neighbour": section.neighbour,
        "name": section.name,
        "length_km": repr(section.length_km),
        "line": json.dumps([list(p) for p in section.line]) if section.line else "",
    }


SITES = RecordSchema(RecordKind.SITES, SITE_COLUMNS, parse_site, site_cells)
SECTIONS = RecordSchema(RecordKind.SECTIONS, SECTION_COLUMNS, parse_section, section_cells)
