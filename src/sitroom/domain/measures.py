"""The controlled list of measures and the qualifiers a reported value can carry."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Nature(enum.StrEnum):
    """A flow is counted over a period; a stock is a level at the end of its period."""

    FLOW = "flow"
    STOCK = "stock"


class Measure(enum.StrEnum):
    APPREHENDED = "apprehended"
    PREVENTED_ENTRY = "prevented_entry"
    ATTEMPTED_CROSSING = "attempted_crossing"
    CROSSING_DETECTED = "crossing_detected"
    IRREGULAR_ARRIVALS = "irregular_arrivals"
    ASYLUM_APPLICATIONS = "asylum_applications"
    ARRIVALS_AT_RECEPTION = "arrivals_at_reception"
    OCCUPANCY = "occupancy"
    CAPACITY = "capacity"
    DEATHS = "deaths"
    INJURED = "injured"
    FACILITATORS_APPREHENDED = "facilitators_apprehended"
    PUSH_BACKS_OBSERVED = "push_backs_observed"

    @property
    def definition(self) -> MeasureDefinition:
        return MEASURE_DEFINITIONS[self]

    @property
    def nature(self) -> Nature:
        return MEASURE_DEFINITIONS[self].nature


@dataclass(frozen=True, slots=True)
class MeasureDefinition:
    measure: Measure
    nature: Nature
    unit: str
    label: str
    description: str


def _flow(measure: Measure, unit: str, label: str, description: str) -> MeasureDefinition:
    return MeasureDefinition(measure, Nature.FLOW, unit, label, description)


def _stock(measure: Measure, unit: str, label: str, description: str) -> MeasureDefinition:
    return MeasureDefinition(measure, Nature.STOCK, unit, label, description)


MEASURE_DEFINITIONS: dict[Measure, MeasureDefinition] = {
    d.measure: d
    for d in (
        _flow(
            Measure.APPREHENDED,
            "persons",
            "Apprehended",
            "Persons apprehended after crossing the border irregularly.",
        ),
        _flow(
            Measure.PREVENTED_ENTRY,
            "persons",
            "Prevented entry",
            "Persons turned away or prevented from entering at the border.",
        ),
        _flow(
            Measure.ATTEMPTED_CROSSING,
            "attempts",
            "Attempted crossings",
            "Attempts to cross irregularly; one person may attempt many times.",
        ),
        _flow(
            Measure.CROSSING_DETECTED,
            "persons",
            "Crossings detected",
            "Irregular crossings detected by surveillance, whatever followed.",
        ),
        _flow(
            Measure.IRREGULAR_ARRIVALS,
            "persons",
            "Irregular arrivals",
            "Persons who entered irregularly and were registered, by any route.",
        ),
        _flow(
            Measure.ASYLUM_APPLICATIONS,
            "applications",
            "Asylum applications",
            "Applications for international protection lodged.",
        ),
        _flow(
            Measure.ARRIVALS_AT_RECEPTION,
            "persons",
            "Arrivals at reception",
            "Persons newly accommodated at a reception site.",
        ),
        _stock(
            Measure.OCCUPANCY,
            "persons",
            "Occupancy",
            "Persons accommodated at a site (or in a country) at the end of the day.",
        ),
        _stock(
            Measure.CAPACITY,
            "places",
            "Capacity",
            "Places available at a site (or in a country) at the end of the day.",
        ),
        _flow(Measure.DEATHS, "persons", "Deaths", "Persons found dead at or near the border."),
        _flow(
            Measure.INJURED, "persons", "Injured", "Persons found injured at or near the border."
        ),
        _flow(
            Measure.FACILITATORS_APPREHENDED,
            "persons",
            "Facilitators apprehended",
            "Suspected smugglers or facilitators apprehended.",
        ),
        _flow(
            Measure.PUSH_BACKS_OBSERVED,
            "events",
            "Push-backs observed",
            "Push-backs by the neighbour's officers observed at the border.",
        ),
    )
}


class Qualifier(enum.StrEnum):
    """How far a reported value can be trusted as a number."""

    EXACT = "exact"
    APPROX = "approx"
    ROUNDED = "rounded"
    AT_LEAST = "at_least"
    AT_MOST = "at_most"
    PARTIAL = "partial"

    @property
    def is_bound(self) -> bool:
        return self in (Qualifier.AT_LEAST, Qualifier.AT_MOST, Qualifier.PARTIAL)
