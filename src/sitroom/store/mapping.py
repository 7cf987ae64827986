"""Between domain records and table rows, in both directions."""

from __future__ import annotations

import enum
import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import RowMapping

from ..domain.figures import ReportedFigure
from ..domain.incidents import Confidence, Incident, IncidentCategory, IncidentStatus
from ..domain.measures import Measure, Qualifier
from ..domain.places import BorderSection, PlaceKind, Point, ReceptionSite, SiteKind
from ..domain.sources import Source, SourceKind

OWNER_COLUMNS = ("organisation_id", "sharing", "scope")
"""Who owns a stored figure or incident, who else reads it, and where its ref is unique."""

Owner = tuple[int | None, str, str]
"""The values of `OWNER_COLUMNS`."""

UNOWNED: Owner = (None, "shared", "shared")
"""Records of no organisation, shared with everyone: the operator's."""

FIGURE_COLUMNS = (
    "ref",
    "measure",
    "place",
    "place_kind",
    "country",
    "period_start",
    "period_end",
    "value",
    "qualifier",
    "source_kind",
    "source_reference",
    "source_organisation",
    "source_published",
    "entered_by",
    "entered_at",
    "corrects",
    "note",
    "import_batch_id",
    *OWNER_COLUMNS,
)

INCIDENT_COLUMNS = (
    "ref",
    "occurred_at",
    "day",
    "section",
    "country",
    "lon",
    "lat",
    "category",
    "persons",
    "minors",
    "nationalities",
    "description",
    "status",
    "confidence",
    "external_ref",
    "source_kind",
    "source_reference",
    "source_organisation",
    "source_published",
    "entered_by",
    "entered_at",
    "import_batch_id",
    *OWNER_COLUMNS,
)


def figure_values(
    figure: ReportedFigure, place_kind: PlaceKind, batch_id: int | None, owner: Owner = UNOWNED
) -> tuple[Any, ...]:
    source = figure.source
    return (
        figure.ref,
        figure.measure.value,
        figure.place,
        place_kind.value,
        figure.place[:2],
        figure.period_start,
        figure.period_end,
        figure.value,
        figure.qualifier.value,
        source.kind.value,
        source.reference,
        source.organisation,
        source.published,
        figure.entered_by,
        figure.entered_at.isoformat(timespec="seconds"),
        figure.corrects,
        figure.note,
        batch_id,
        *owner,
    )


# Reading a series builds thousands of figures from a few distinct sources, entry times and
# vocabulary words; all are immutable, so each is made (and validated) once and shared.
# Unknown words still go through the enum, and raise as before.
_MEASURES = {m.value: m for m in Measure}
_QUALIFIERS = {q.value: q for q in Qualifier}
_SOURCE_KINDS = {k.value: k for k in SourceKind}
_KEPT = 4096
_sources: dict[tuple[str, str, str | None, str | None], Source] = {}
_moments: dict[str, datetime] = {}


def _source_of(
    kind: str, reference: str, organisation: str | None, published: str | None
) -> Source:
    key = (kind, reference, organisation, published)
    source = _sources.get(key)
    if source is None:
        if len(_sources) >= _KEPT:
            _sources.clear()
        source = Source(
            _SOURCE_KINDS.get(kind) or SourceKind(kind), reference, organisation, published
        )
        _sources[key] = source
    return source


def _moment(text: str) -> datetime:
    moment = _moments.get(text)
    if moment is None:
        if len(_moments) >= _KEPT:
            _moments.clear()
        moment = _moments[text] = datetime.fromisoformat(text)
    return moment


def figure_from_row(row: RowMapping) -> ReportedFigure:
    measure, qualifier = row["measure"], row["qualifier"]
    return ReportedFigure(
        measure=_MEASURES.get(measure) or Measure(measure),
        place=row["place"],
        period_start=_day(row["period_start"]),
        period_end=_day(row["period_end"]),
        value=float(row["value"]),
        qualifier=_QUALIFIERS.get(qualifier) or Qualifier(qualifier),
        source=_source_of(
            row["source_kind"],
            row["source_reference"],
            row["source_organisation"],
            row["source_published"],
        ),
        entered_by=row["entered_by"],
        entered_at=_moment(row["entered_at"]),
        corrects=row["corrects"],
        note=row["note"] or "",
    )


# An enum's .value goes through a descriptor; a dict lookup is several times cheaper, which
# counts at a million rows.
_VALUES: dict[enum.Enum, str] = {
    member: member.value
    for kind in (IncidentCategory, IncidentStatus, Confidence, SourceKind)
    for member in kind
}
# The rows of one import share their entry time: format it once, not once a row.
# One immutable pair, read and replaced whole, so threads sharing it cannot mix two entries.
_last_entered: tuple[datetime | None, str] = (None, "")


def _entered_text(moment: datetime) -> str:
    global _last_entered
    last = _last_entered
    if last[0] is moment:
        return last[1]
    text = moment.isoformat(timespec="seconds")
    _last_entered = (moment, text)
    return text


_NATIONALITY_TEXTS: dict[tuple[tuple[str, int], ...], str] = {}


def _nationalities_text(pairs: tuple[tuple[str, int], ...]) -> str:
    # A few lists recur row after row; keep their text (bounded, as a file may hold many).
    text = _NATIONALITY_TEXTS.get(pairs)
    if text is None:
        if len(_NATIONALITY_TEXTS) >= 4096:
            _NATIONALITY_TEXTS.clear()
        text = _NATIONALITY_TEXTS[pairs] = ";".join(f"{c}:{n}" for c, n in pairs)
    return text


def incident_values(
    incident: Incident, batch_id: int | None, owner: Owner = UNOWNED
) -> tuple[Any, ...]:
    source, point, values = incident.source, incident.point, _VALUES
    occurred_at, section, pairs = incident.occurred_at, incident.section, incident.nationalities
    return (
        incident.ref,
        occurred_at.isoformat(timespec="seconds"),
        occurred_at.date(),
        section,
        section[:2],
        point.lon if point else None,
        point.lat if point else None,
        values[incident.category],
        incident.persons,
        incident.minors,
        _nationalities_text(pairs) if pairs else "",
        incident.description,
        values[incident.status],
        values[incident.confidence],
        incident.external_ref,
        values[source.kind],
        source.reference,
        source.organisation,
        source.published,
        incident.entered_by,
        _entered_text(incident.entered_at),
        batch_id,
        *owner,
    )


def incident_from_row(row: RowMapping) -> Incident:
    lon, lat = row["lon"], row["lat"]
    pairs = tuple(
        (code, int(count))
        for code, _, count in (p.partition(":") for p in (row["nationalities"] or "").split(";"))
        if code
    )
    return Incident(
        occurred_at=datetime.fromisoformat(row["occurred_at"]),
        section=row["section"],
        category=IncidentCategory(row["category"]),
        persons=int(row["persons"]),
        source=Source(
            SourceKind(row["source_kind"]),
            row["source_reference"],
            row["source_organisation"],
            row["source_published"],
        ),
        entered_by=row["entered_by"],
        entered_at=datetime.fromisoformat(row["entered_at"]),
        minors=int(row["minors"]),
        nationalities=pairs,
        point=Point(lon, lat) if lon is not None and lat is not None else None,
        description=row["description"] or "",
        status=IncidentStatus(row["status"]),
        confidence=Confidence(row["confidence"]),
        external_ref=row["external_ref"],
    )


def site_values(site: ReceptionSite) -> dict[str, Any]:
    where = site.location
    return {
        "id": site.id,
        "name": site.name,
        "country": site.country,
        "kind": site.kind.value,
        "lon": where.lon if where else None,
        "lat": where.lat if where else None,
        "operator": site.operator,
    }


def site_from_row(row: RowMapping) -> ReceptionSite:
    where = Point(row["lon"], row["lat"]) if row["lon"] is not None else None
    return ReceptionSite(
        row["id"], row["name"], row["country"], SiteKind(row["kind"]), where, row["operator"]
    )


def section_values(section: BorderSection) -> dict[str, Any]:
    return {
        "id": section.id,
        "country": section.country,
        "neighbour": section.neighbour,
        "name": section.name,
        "line": [list(p) for p in section.line],
        "length_km": section.length_km,
    }


def section_from_row(row: RowMapping) -> BorderSection:
    line = row["line"]
    if isinstance(line, str):
        line = json.loads(line)
    return BorderSection(
        row["id"],
        row["country"],
        row["neighbour"],
        row["name"],
        tuple((float(p[0]), float(p[1])) for p in line),
        float(row["length_km"]),
    )


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)
