"""Daily and monthly time steps: dates of forecast steps and the seasonal phase of each step."""

from __future__ import annotations

import enum
from datetime import date, timedelta


class Frequency(enum.StrEnum):
    """How often a series is counted; it fixes the seasonal period the models use."""

    DAILY = "daily"
    MONTHLY = "monthly"

    @property
    def period(self) -> int:
        """Weekday effects for daily counts, month-of-year effects for monthly counts."""
        return 7 if self is Frequency.DAILY else 12

    @property
    def max_horizon(self) -> int:
        return 28 if self is Frequency.DAILY else 12


def add_steps(start: date, steps: int, frequency: Frequency) -> date:
    """The date `steps` time steps after `start` (monthly steps land on the 1st)."""
    if frequency is Frequency.DAILY:
        return start + timedelta(days=steps)
    months = start.year * 12 + (start.month - 1) + steps
    return date(months // 12, months % 12 + 1, 1)


def step_dates(start: date, steps: int, frequency: Frequency) -> tuple[date, ...]:
    return tuple(add_steps(start, i, frequency) for i in range(steps))


def phase_of(day: date, frequency: Frequency) -> int:
    """Weekday (Monday = 0) for daily series, month index (January = 0) for monthly ones."""
    if frequency is Frequency.DAILY:
        return day.weekday()
    return day.month - 1


def month_start(day: date) -> date:
    return date(day.year, day.month, 1)
