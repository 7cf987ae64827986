"""Border incidents in files: one row per incident, nationalities as `IQ:5;SY:3`."""

from __future__ import annotations

from datetime import datetime

from ...domain.bounds import INCIDENT_LIMIT, MOST_IN_ONE_INCIDENT, DateWindow, published_problem
from ...domain.countries import country_code
from ...domain.errors import InvalidValue
from ...domain.incidents import Confidence, Incident, IncidentCategory, IncidentStatus
from ...domain.places import Point
from ...domain.sources import Source, SourceKind
from ..table import CellKind, Column
from .cells import MAX_ORGANISATION, CellReader, moment_fits
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
        # isdecimal, not isdigit: int() reads every decimal digit, but not "²" and the like.
        if not sep or not count.strip().isdecimal():
            raise InvalidValue(f"{part.strip()!r}: write each nationality as CODE:COUNT, e.g. IQ:5")
        key = country_code(code)
        counts[key] = counts.get(key, 0) + int(count)
    return tuple(sorted(counts.items()))


def format_nationalities(pairs: tuple[tuple[str, int], ...]) -> str:
    return ";".join(f"{code}:{count}" for code, count in pairs)


# The store's limits (store.tables.IncidentRow) that the domain does not set: PostgreSQL
# refuses a longer value, and one refused value fails the whole import there.
MAX_EXTERNAL_REF = 120
MAX_NATIONALITIES = 400


def parse_incident(cells: dict[str, str], context: EntryContext) -> Incident:
    """Nearly every row of a large file is well formed: `_parse_clean` reads those with the
    same rules at a fraction of the cost, and hands anything else to the full reader, which
    collects every problem of the row for the report."""
    incident = _parse_clean(cells, context)
    if incident is not None:
        return incident
    return _parse_checked(cells, context)


_CATEGORIES = {c.value: c for c in IncidentCategory}
_STATUSES = {s.value: s for s in IncidentStatus}
_CONFIDENCES = {c.value: c for c in Confidence}
_SOURCE_KINDS = {k.value: k for k in SourceKind}
_SOURCES: dict[tuple[SourceKind, str, str | None, str | None], Source] = {}
_SOURCES_KEPT = 4096
# Longest cell text CellReader.text accepts by default; longer means the full reader's message.
_TEXT_MAX = 2000


def _parse_clean(cells: dict[str, str], context: EntryContext) -> Incident | None:
    """The row as an Incident if no check of `_parse_checked` can fail on it, else None.
    Returns exactly what `_parse_checked` would; any doubt is left to it."""
    get = cells.get
    occurred_text = get("occurred_at", "").strip()
    section = get("section", "").strip()
    lon_text = get("lon", "").strip()
    lat_text = get("lat", "").strip()
    category = _CATEGORIES.get(get("category", "").strip().lower())
    persons_text = get("persons", "").strip()
    minors_text = get("minors", "").strip()
    nationalities_text = get("nationalities", "").strip()
    status_text = get("status", "").strip().lower()
    confidence_text = get("confidence", "").strip().lower()
    kind = _SOURCE_KINDS.get(get("source_kind", "").strip().lower())
    reference = get("source_url", "").strip()
    published = get("source_published", "").strip() or None
    organisation = get("source_organisation", "").strip() or None
    entered_text = get("entered_at", "").strip()
    entered_by = get("entered_by", "").strip()
    external_ref = get("external_ref", "").strip() or None
    description = get("description", "").strip()
    if (
        not occurred_text
        or not section
        or category is None
        or kind is None
        or not reference
        or not _small_count(persons_text)
        or (minors_text and not _small_count(minors_text))
        or ((lon_text or lat_text) and not (_plain_number(lon_text) and _plain_number(lat_text)))
        or len(section) > 64
        or len(entered_by) > 120
        or len(description) > 5000
        or len(occurred_text) > _TEXT_MAX
        or len(nationalities_text) > _TEXT_MAX
        or len(reference) > _TEXT_MAX
        or len(external_ref or "") > MAX_EXTERNAL_REF
        or len(organisation or "") > MAX_ORGANISATION
        or len(published or "") > _TEXT_MAX
        or len(entered_text) > _TEXT_MAX
    ):
        return None
    status = _STATUSES.get(status_text) if status_text else IncidentStatus.REPORTED
    confidence = _CONFIDENCES.get(confidence_text) if confidence_text else Confidence.MEDIUM
    if status is None or confidence is None:
        return None
    try:
        occurred_at = datetime.fromisoformat(occurred_text)
        entered_at = datetime.fromisoformat(entered_text) if entered_text else context.entered_at
        point = Point(float(lon_text), float(lat_text)) if lon_text else None
        nationalities = _nationalities(nationalities_text)
        source = _source(kind, reference, organisation, published)
    except (ValueError, InvalidValue):
        return None
    if occurred_at.tzinfo is None or (entered_text and entered_at.tzinfo is None):
        return None
    if not (moment_fits(occurred_at) and moment_fits(entered_at)):
        return None
    if not _within(context.dates, occurred_at, entered_at, published):
        return None
    if len(nationalities_text) > MAX_NATIONALITIES and (
        len(format_nationalities(nationalities)) > MAX_NATIONALITIES
    ):
        return None
    return Incident(
        occurred_at=occurred_at,
        section=section.upper(),
        category=category,
        persons=int(persons_text),
        source=source,
        entered_by=entered_by or context.entered_by,
        entered_at=entered_at,
        minors=int(minors_text) if minors_text else 0,
        nationalities=nationalities,
        point=point,
        description=description,
        status=status,
        confidence=confidence,
        external_ref=external_ref,
    )


def _within(
    window: DateWindow, occurred_at: datetime, entered_at: datetime, published: str | None
) -> bool:
    return (
        window.earliest <= occurred_at.date() <= window.latest
        and window.earliest <= entered_at.date() <= window.latest
        and (published is None or published_problem(published, window) is None)
    )


def _small_count(text: str) -> bool:
    # ASCII digits only (int() and float() read other scripts' digits differently), and short
    # enough that float() — which the full reader goes through — is exact.
    return (
        0 < len(text) <= 15
        and text.isascii()
        and text.isdigit()
        and int(text) <= MOST_IN_ONE_INCIDENT
    )


def _plain_number(text: str) -> bool:
    # Digits, one point and a sign: no "nan", "inf", exponents or separators, which the full
    # reader treats specially.
    return bool(text) and len(text) <= 32 and text.lstrip("-+").replace(".", "", 1).isdigit()


_NATIONALITY_LISTS: dict[str, tuple[tuple[str, int], ...]] = {}


def _nationalities(text: str) -> tuple[tuple[str, int], ...]:
    # The same few lists ("IQ:2", "SY:1;IQ:3") recur row after row; the parsed tuple is
    # immutable, so it is kept. Invalid text raises every time, as it is never kept.
    pairs = _NATIONALITY_LISTS.get(text)
    if pairs is None:
        if len(_NATIONALITY_LISTS) >= _SOURCES_KEPT:
            _NATIONALITY_LISTS.clear()
        pairs = _NATIONALITY_LISTS[text] = parse_nationalities(text)
    return pairs


def _source(
    kind: SourceKind, reference: str, organisation: str | None, published: str | None
) -> Source:
    # A file names the same few sources over and over; a Source is immutable, so one built
    # (and validated) for a key serves every row with that key.
    key = (kind, reference, organisation, published)
    source = _SOURCES.get(key)
    if source is None:
        if len(_SOURCES) >= _SOURCES_KEPT:
            _SOURCES.clear()
        source = _SOURCES[key] = Source(kind, reference, organisation, published)
    return source


def _parse_checked(cells: dict[str, str], context: EntryContext) -> Incident:
    row = CellReader(cells, context.dates)
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
    persons = row.integer("persons", required=True, most=MOST_IN_ONE_INCIDENT, limit=INCIDENT_LIMIT)
    minors = row.integer("minors", most=MOST_IN_ONE_INCIDENT, limit=INCIDENT_LIMIT)
    nationalities: tuple[tuple[str, int], ...] = ()
    try:
        nationalities = parse_nationalities(row.text("nationalities"))
    except InvalidValue as exc:
        row.fail("nationalities", str(exc))
    if len(format_nationalities(nationalities)) > MAX_NATIONALITIES:
        row.fail(
            "nationalities",
            f"the list is longer than {MAX_NATIONALITIES} characters once written as CODE:COUNT",
        )
    status = row.choice("status", IncidentStatus, default=IncidentStatus.REPORTED)
    confidence = row.choice("confidence", Confidence, default=Confidence.MEDIUM)
    source = row.source()
    entered_at = row.moment("entered_at") if row.text("entered_at") else context.entered_at
    entered_by = row.text("entered_by", max_length=120) or context.entered_by
    external_ref = row.text("external_ref", max_length=MAX_EXTERNAL_REF) or None
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
