"""Border incidents after EUROSUR's events layer; each one yields a figure for its day."""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from .errors import FieldErrors
from .measures import Measure
from .places import Point
from .sources import Source


class IncidentCategory(enum.StrEnum):
    IRREGULAR_CROSSING_DETECTED = "irregular_crossing_detected"
    APPREHENSION = "apprehension"
    ENTRY_PREVENTED = "entry_prevented"
    CROSSING_ATTEMPT = "crossing_attempt"
    FACILITATOR_APPREHENDED = "facilitator_apprehended"
    PERSON_FOUND_DEAD = "person_found_dead"
    PERSON_INJURED = "person_injured"
    PUSH_BACK_OBSERVED = "push_back_observed"
    OTHER = "other"

    @property
    def measure(self) -> Measure | None:
        return _CATEGORY_MEASURE.get(self)


_CATEGORY_MEASURE = {
    IncidentCategory.IRREGULAR_CROSSING_DETECTED: Measure.CROSSING_DETECTED,
    IncidentCategory.APPREHENSION: Measure.APPREHENDED,
    IncidentCategory.ENTRY_PREVENTED: Measure.PREVENTED_ENTRY,
    IncidentCategory.CROSSING_ATTEMPT: Measure.ATTEMPTED_CROSSING,
    IncidentCategory.FACILITATOR_APPREHENDED: Measure.FACILITATORS_APPREHENDED,
    IncidentCategory.PERSON_FOUND_DEAD: Measure.DEATHS,
    IncidentCategory.PERSON_INJURED: Measure.INJURED,
    IncidentCategory.PUSH_BACK_OBSERVED: Measure.PUSH_BACKS_OBSERVED,
}


class IncidentStatus(enum.StrEnum):
    REPORTED = "reported"
    VERIFIED = "verified"
    RETRACTED = "retracted"


class Confidence(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@dataclass(frozen=True, slots=True)
class Incident:
    occurred_at: datetime
    section: str
    category: IncidentCategory
    persons: int
    source: Source
    entered_by: str
    entered_at: datetime
    minors: int = 0
    nationalities: tuple[tuple[str, int], ...] = ()
    point: Point | None = None
    description: str = ""
    status: IncidentStatus = IncidentStatus.REPORTED
    confidence: Confidence = Confidence.MEDIUM
    external_ref: str | None = None

    def __post_init__(self) -> None:
        errors: dict[str, str] = {}
        if self.occurred_at.tzinfo is None:
            errors["occurred_at"] = "the time needs a time zone, e.g. 2021-07-03T02:10+03:00"
        if self.persons < 0:
            errors["persons"] = "the number of persons cannot be negative"
        if not 0 <= self.minors <= max(self.persons, 0):
            errors["minors"] = f"minors ({self.minors}) must be between 0 and persons"
        pairs = self.nationalities
        # Most incidents list no nationalities; spare them the generators.
        counted = sum(count for _, count in pairs) if pairs else 0
        if counted > self.persons:
            errors["nationalities"] = (
                f"the nationalities count {counted} persons, more than the {self.persons} reported"
            )
        if pairs and any(count <= 0 for _, count in pairs):
            errors["nationalities"] = "each nationality needs a positive count"
        if errors:
            raise FieldErrors(errors)

    @property
    def day(self) -> date:
        """The local calendar day at the border, where daily counts are kept."""
        return self.occurred_at.date()

    @property
    def yielded_measure(self) -> Measure | None:
        """The measure this incident counts towards, if any; a retracted one counts for none."""
        if self.status is IncidentStatus.RETRACTED:
            return None
        return self.category.measure

    @property
    def ref(self) -> str:
        """Reports with the reporter's own reference are the same incident when the reference
        repeats; otherwise the content identifies them."""
        if self.external_ref:
            parts: tuple[str, ...] = (self.source.organisation or "", self.external_ref)
        else:
            parts = (
                self.occurred_at.isoformat(),
                self.section,
                self.category.value,
                str(self.persons),
                self.source.reference,
            )
        return "I" + hashlib.blake2b("\x1f".join(parts).encode(), digest_size=10).hexdigest()
