"""Alarms: a detector's verdict that a series surged on a day, and what people did about it."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import date, datetime

from .errors import InvalidValue
from .measures import Measure


class AlarmLevel(enum.StrEnum):
    AMBER = "amber"
    RED = "red"


class AlarmState(enum.StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class Alarm:
    """One alarm on one day of one series (a measure at a place), raised by one method.
    `observed` exceeded `threshold`, the upper bound around `expected`."""

    measure: Measure
    place: str
    day: date
    method: str
    observed: float
    expected: float
    threshold: float
    level: AlarmLevel
    raised_at: datetime
    probability: float | None = None
    state: AlarmState = AlarmState.NEW
    acknowledged_by: str | None = None
    acknowledged_reason: str | None = None
    closed_by: str | None = None
    acknowledged_at: datetime | None = None
    closed_at: datetime | None = None
    closed_reason: str | None = None

    @property
    def key(self) -> tuple[str, str, date, str]:
        """Running a detector again on the same data must find this alarm, not add another."""
        return (self.measure.value, self.place, self.day, self.method)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def acknowledge(self, by: str, reason: str, *, at: datetime | None = None) -> Alarm:
        if self.state is AlarmState.CLOSED:
            raise InvalidValue("a closed alarm cannot be acknowledged")
        if not by.strip() or not reason.strip():
            raise InvalidValue("say who acknowledges the alarm and why")
        return replace(
            self,
            state=AlarmState.ACKNOWLEDGED,
            acknowledged_by=by,
            acknowledged_reason=reason,
            acknowledged_at=at,
        )

    def close(self, by: str, reason: str = "", *, at: datetime | None = None) -> Alarm:
        """The command line may close without a reason; the web asks for one."""
        if self.state is AlarmState.CLOSED:
            raise InvalidValue("the alarm is already closed")
        if not by.strip():
            raise InvalidValue("say who closes the alarm")
        return replace(
            self,
            state=AlarmState.CLOSED,
            closed_by=by,
            closed_reason=reason.strip() or None,
            closed_at=at,
        )


OPEN_STATES = frozenset({AlarmState.NEW, AlarmState.ACKNOWLEDGED})
"""An alarm is open, and colours its place, until someone closes it."""
