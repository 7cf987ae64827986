"""What each field form's instance becomes: cells of sitroom records, parsed afterwards by the
same `interchange.records` parsers as a file row, so a phone's mistakes read like a file's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..domain.measures import Measure
from ..domain.sources import SourceKind
from ..interchange.records.schema import RecordKind
from .instance import FieldInstance


@dataclass(frozen=True, slots=True)
class FieldEntry:
    kind: RecordKind
    cells: dict[str, str]


def _source(instance: FieldInstance) -> dict[str, str]:
    # The instance ID names the report: anyone can find the submission a record came from.
    return {
        "source_kind": SourceKind.FIELD_REPORT.value,
        "source_url": f"openrosa:{instance.instance_id}",
    }


def _incident(instance: FieldInstance) -> list[FieldEntry]:
    point = instance.point("location")
    cells = {
        name: instance.text(name)
        for name in (
            "section",
            "occurred_at",
            "category",
            "persons",
            "minors",
            "nationalities",
            "description",
        )
    }
    cells["external_ref"] = instance.instance_id
    if point is not None:
        cells.update(lon=repr(point.lon), lat=repr(point.lat))
    return [FieldEntry(RecordKind.INCIDENTS, {**cells, **_source(instance)})]


def _figure(instance: FieldInstance) -> list[FieldEntry]:
    names = ("measure", "place", "period_start", "period_end", "value", "qualifier", "note")
    cells = {name: instance.text(name) for name in names}
    return [FieldEntry(RecordKind.FIGURES, {**cells, **_source(instance)})]


def _occupancy(instance: FieldInstance) -> list[FieldEntry]:
    counts = [(Measure.OCCUPANCY, instance.text("occupancy"))]
    if instance.text("capacity"):
        counts.append((Measure.CAPACITY, instance.text("capacity")))
    return [
        FieldEntry(
            RecordKind.FIGURES,
            {
                "measure": measure.value,
                "place": instance.text("site"),
                "period_start": instance.text("day"),
                "value": value,
                "qualifier": instance.text("qualifier") or "exact",
                "note": instance.text("note"),
                **_source(instance),
            },
        )
        for measure, value in counts
    ]


FORM_RECORDS: dict[str, Callable[[FieldInstance], list[FieldEntry]]] = {
    "sitroom_incident": _incident,
    "sitroom_figure": _figure,
    "sitroom_occupancy": _occupancy,
}


def field_entries(instance: FieldInstance) -> list[FieldEntry]:
    return FORM_RECORDS[instance.form_id](instance)
