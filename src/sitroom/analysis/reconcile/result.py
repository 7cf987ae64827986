"""What reconciliation hands back: a daily series with bands, marks, sources and conflicts."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from numpy.typing import NDArray

from sitroom.domain.measures import Nature

FloatArray = NDArray[np.float64]


class DayMark(enum.StrEnum):
    OBSERVED = "observed"  # a one-day figure gives this day's value
    DERIVED = "derived"  # no one-day value, but totals over periods containing the day pin it
    ESTIMATED = "estimated"  # nothing covers the day: only the model's prior speaks


class ConflictKind(enum.StrEnum):
    CORRECTED = "corrected"  # a figure that corrects another replaces it
    SAME_PERIOD = "same_period"  # two values for exactly the same period disagree
    INFEASIBLE = "infeasible"  # exact totals and bounds cannot all hold with counts >= 0
    SOFT_CONTRADICTED = "soft_contradicted"  # an approx/rounded figure is far from the rest
    OVER_CAPACITY = "over_capacity"  # a stock above the same source's exact capacity
    INVALID = "invalid"  # a figure that cannot be read (end before start, not a number)
    STOCK_FLOW = "stock_flow"  # a stock changes by more than its flows can explain


@dataclass(frozen=True, slots=True)
class Conflict:
    """Figures that cannot all hold, the one(s) kept and the one(s) set aside.

    gap is the loser's value minus what the winners imply for the same period (in the
    measure's unit; for INFEASIBLE it is the smallest change to the loser that restores
    consistency, signed the same way).
    """

    kind: ConflictKind
    winner_ids: tuple[str, ...]
    loser_ids: tuple[str, ...]
    gap: float
    rule: str
    detail: str = ""


@dataclass(frozen=True, eq=False)
class ReconciledSeries:
    """One best-estimate value per day in [start, end], with 80 % and 95 % bands."""

    nature: Nature
    start: date
    end: date
    estimate: FloatArray
    lower80: FloatArray
    upper80: FloatArray
    lower95: FloatArray
    upper95: FloatArray
    marks: tuple[DayMark, ...]
    shaped_by: tuple[tuple[str, ...], ...]
    conflicts: tuple[Conflict, ...] = ()
    used_ids: tuple[str, ...] = ()
    set_aside_ids: tuple[str, ...] = ()
    reason: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        return self.estimate.size == 0

    @property
    def dates(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.estimate.size)]

    def index_of(self, day: date) -> int:
        return (day - self.start).days

    def total(self, start: date, end: date) -> float:
        """The reconciled total of a flow over [start, end] (inside the series)."""
        return float(self.estimate[self.index_of(start) : self.index_of(end) + 1].sum())

    @staticmethod
    def empty(
        nature: Nature, start: date, end: date, reason: str, conflicts: tuple[Conflict, ...] = ()
    ) -> ReconciledSeries:
        nothing = np.zeros(0)
        return ReconciledSeries(
            nature,
            start,
            end,
            nothing,
            nothing,
            nothing,
            nothing,
            nothing,
            (),
            (),
            conflicts=conflicts,
            reason=reason,
        )
