"""A reported figure: one number, with its measure, place, period, qualifier and source."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import date, datetime

from .errors import FieldErrors
from .measures import Measure, Nature, Qualifier
from .sources import Source


@dataclass(frozen=True, slots=True)
class ReportedFigure:
    """A flow's value is the total over [period_start, period_end]; a stock's is its level at
    period_end. "Year to date" and "since 3 August" are just periods."""

    measure: Measure
    place: str
    period_start: date
    period_end: date
    value: float
    qualifier: Qualifier
    source: Source
    entered_by: str
    entered_at: datetime
    corrects: str | None = None
    note: str = ""

    def __post_init__(self) -> None:
        errors: dict[str, str] = {}
        if self.period_start > self.period_end:
            errors["period_end"] = (
                f"the period ends ({self.period_end}) before it starts ({self.period_start})"
            )
        if not math.isfinite(self.value):
            errors["value"] = "the value must be a finite number"
        elif self.value < 0:
            errors["value"] = f"a count cannot be negative ({self.value:g})"
        if self.entered_at.tzinfo is None:
            errors["entered_at"] = "the entry time needs a time zone"
        if self.corrects is not None and self.corrects == self.ref:
            errors["corrects"] = "a figure cannot correct itself"
        if errors:
            raise FieldErrors(errors)

    @property
    def nature(self) -> Nature:
        return self.measure.nature

    @property
    def days(self) -> int:
        return (self.period_end - self.period_start).days + 1

    @property
    def ref(self) -> str:
        """A stable reference made from what the figure says, so that the same figure entered
        twice, in any database, is recognised as one; who typed it in does not change it."""
        return figure_ref(
            self.measure,
            self.place,
            self.period_start,
            self.period_end,
            self.value,
            self.qualifier,
            self.source,
            self.corrects,
        )


def figure_ref(
    measure: Measure,
    place: str,
    period_start: date,
    period_end: date,
    value: float,
    qualifier: Qualifier,
    source: Source,
    corrects: str | None,
) -> str:
    parts = (
        measure.value,
        place,
        period_start.isoformat(),
        period_end.isoformat(),
        format_value(value),
        qualifier.value,
        source.kind.value,
        source.reference,
        source.organisation or "",
        source.published or "",
        corrects or "",
    )
    return "F" + hashlib.blake2b("\x1f".join(parts).encode(), digest_size=10).hexdigest()


def format_value(value: float) -> str:
    """Counts print as integers; anything else keeps its shortest exact representation."""
    return str(int(value)) if value.is_integer() else repr(value)
