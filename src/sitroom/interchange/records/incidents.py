"""Border incidents in files: one row per incident, nationalities as `IQ:5;SY:3`."""

from __future__ import annotations

from ...domain.countries import country_code
from ...domain.errors import InvalidValue
from ...domain.incidents import Confidence, Incident, IncidentCategory, IncidentStatus
from ...domain.places import Point
from ..table import CellKind, Column
from .cells import CellReader
from .figures import format_moment
from .schema import EntryContext, RecordKind, RecordSchema

COLUMNS = [
    Column("ref", "#meta+id"),
    Column("external_ref", "#meta+id+external", description="the reporter's own reference"),
    Column("occurred_at", "#date+occurred", required=True),
    Column("section", "#loc+section+code", required=True),
    Column("lon", "#geo+lon", kind=CellKind.NUMBER),
    Column("lat", "#geo+lat", kind=CellKind.NUMBER),
    Column("category", "#event+type", required=True),
    Column("persons", "#affected+num", required=True, kind=CellKind.INTEGER),
    Column("minors", "#affected+minors+num", kind=CellKind.INTEGER),
    Column("nationalities", "#affected+nationality"),
    Column("description", "#description"),
    Column("status", "#status"),
    Column("confidence", "#meta+confidence"),
    Column("source_kind", "#meta+source+type", required=True),
    Column("source_organisation", "#org+source"),
    Column("source_url", "#meta+source+url", required=True),
    Column("source_published", "#date+published"),
    Column("entered_by", "#contact+entered"),
    Column("entered_at", "#date+entered"),
]


def parse_nationalities(text: str) -> tuple[tuple[str, int], ...]:
    """`IQ:5;SY:3` → (("IQ", 5), ("SY", 3)), sorted so that equal lists compare equal."""
    if not text.strip():
        return ()
    counts: dict[str, int] = {}
    for part in text.split(";"):
        code, sep, count = part.partition(":")
        if not sep or not count.strip().isdigit():
            raise InvalidValue(f"{part.strip()!r}: write each nationality as CODE:COUNT, e.g. IQ:5")
        key = country_code(code)
        counts[key] = counts.get(key, 0) + int(count)
    return tuple(sorted(counts.items()))


def format_nationalities(pairs: tuple[tuple[str, int], ...]) -> str:
    return ";".join(f"{code}:{count}" for code, count in pairs)


def parse_incident(cells: dict[str, str], context: EntryContext) -> Incident:
    row = CellReader(cells)
    occurred_at = row.moment("occurred_at")
    section = row.text("section", required=True, max_length=64).upper()
    lon, lat = row.optional_number("lon"), row.optional_number("lat")
    point = None
    if (lon is None) != (lat is None):
        row.fail("lat" if lat is None else "lon", "give both longitude and latitude, or neither")
    elif lon is not None and lat is not None:
        try:
            point = Point(lon, lat)
        except InvalidValue as exc:
            row.fail("lon", str(exc))
    category = row.choice("category", IncidentCategory)
    persons = row.integer("persons", required=True)
    minors = row.integer("minors")
    nationalities: tuple[tuple[str, int], ...] = ()
    try:
        nationalities = parse_nationalities(row.text("nationalities"))
    except InvalidValue as exc:
        row.fail("nationalities", str(exc))
    status = row.choice("status", IncidentStatus, default=IncidentStatus.REPORTED)
    confidence = row.choice("confidence", Confidence, default=Confidence.MEDIUM)
    source = row.source()
    entered_at = row.moment("entered_at") if row.text("entered_at") else context.entered_at
    entered_by = row.text("entered_by", max_length=120) or context.entered_by
    external_ref = row.optional("external_ref")
    description = row.text("description", max_length=5000)
    row.done()
    assert source is not None
    return Incident(
        occurred_at=occurred_at,
        section=section,
        category=category,
        persons=persons,
        source=source,
        entered_by=entered_by,
        entered_at=entered_at,
        minors=minors,
        nationalities=nationalities,
        point=point,
        description=description,
        status=status,
        confidence=confidence,
        external_ref=external_ref,
    )


def incident_cells(incident: Incident) -> dict[str, str]:
    point = incident.point
    return {
        "ref": incident.ref,
        "external_ref": incident.external_ref or "",
        "occurred_at": format_moment(incident.occurred_at),
        "section": incident.section,
        "lon": repr(point.lon) if point else "",
        "lat": repr(point.lat) if point else "",
        "category": incident.category.value,
        "persons": str(incident.persons),
        "minors": str(incident.minors),
        "nationalities": format_nationalities(incident.nationalities),
        "description": incident.description,
        "status": incident.status.value,
        "confidence": incident.confidence.value,
        "source_kind": incident.source.kind.value,
        "source_organisation": incident.source.organisation or "",
        "source_url": incident.source.reference,
        "source_published": incident.source.published or "",
        "entered_by": incident.entered_by,
        "entered_at": format_moment(incident.entered_at),
    }


INCIDENTS = RecordSchema(RecordKind.INCIDENTS, COLUMNS, parse_incident, incident_cells)
