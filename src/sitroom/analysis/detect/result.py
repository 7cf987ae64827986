"""What every surge detector takes in and hands back.

A detector is a pure function ``(CountSeries, start=...) -> DetectionResult``. Ordinary problems
with the data (too short, all missing) are reported in ``status``/``reason`` rather than raised,
so a dashboard can show "not enough history" next to the series instead of crashing.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
DateArray = npt.NDArray[np.datetime64]


class Status(enum.StrEnum):
    OK = "ok"
    PARTIAL = "partial"  # some monitored points have no decision (see ``defined``)
    INSUFFICIENT_HISTORY = "insufficient_history"
    NO_DATA = "no_data"


class Level(enum.IntEnum):
    GREEN = 0
    AMBER = 1
    RED = 2


@dataclass(frozen=True, eq=False)
class CountSeries:
    """One count series at a fixed cadence.

    ``counts`` uses NaN for missing periods. ``dates`` (datetime64[D]) is needed by the
    calendar-aware methods (Farrington in date mode, weekday effects). ``freq`` is the number of
    periods per year (365 daily, 52 weekly, 12 monthly). ``lower``/``upper`` optionally bound
    counts known only within an interval (e.g. a reported range).
    """

    counts: FloatArray
    freq: int = 365
    dates: DateArray | None = None
    population: FloatArray | None = None
    lower: FloatArray | None = None
    upper: FloatArray | None = None

    @classmethod
    def of(
        cls,
        counts: npt.ArrayLike,
        *,
        freq: int = 365,
        dates: npt.ArrayLike | None = None,
        population: npt.ArrayLike | None = None,
        lower: npt.ArrayLike | None = None,
        upper: npt.ArrayLike | None = None,
    ) -> CountSeries:
        values = np.asarray(counts, dtype=np.float64).ravel()
        n = values.size

        def _opt(a: npt.ArrayLike | None, name: str) -> FloatArray | None:
            if a is None:
                return None
            arr = np.asarray(a, dtype=np.float64).ravel()
            if arr.size != n:
                raise ValueError(f"{name} has {arr.size} values but counts has {n}")
            return arr

        day_array: DateArray | None = None
        if dates is not None:
            day_array = np.asarray(dates, dtype="datetime64[D]").ravel()
            if day_array.size != n:
                raise ValueError(f"dates has {day_array.size} values but counts has {n}")
        return cls(
            counts=values,
            freq=freq,
            dates=day_array,
            population=_opt(population, "population"),
            lower=_opt(lower, "lower"),
            upper=_opt(upper, "upper"),
        )

    def __len__(self) -> int:
        return int(self.counts.size)


@dataclass(frozen=True, eq=False)
class DetectionResult:
    """Per monitored time point: expected value, upper bound, score and alarm.

    ``index`` holds the positions (0-based) of the monitored points in the input series. Where a
    method could not decide (``defined`` False) the numbers are NaN and ``alarm`` is False; this
    is never silent: ``status`` is then PARTIAL or worse, and ``reason`` says why.
    ``probability`` and ``level`` are filled by methods that grade their alarms.
    """

    method: str
    index: IntArray
    observed: FloatArray
    expected: FloatArray
    upperbound: FloatArray
    score: FloatArray
    alarm: BoolArray
    defined: BoolArray
    status: Status = Status.OK
    reason: str = ""
    probability: FloatArray | None = None
    level: npt.NDArray[np.int8] | None = None
    extras: Mapping[str, FloatArray] = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.index.size)


class Detector(Protocol):
    def __call__(self, series: CountSeries, *, start: int | None = None) -> DetectionResult: ...


def empty_result(method: str, status: Status, reason: str) -> DetectionResult:
    """A result with no monitored points, used when a method cannot run at all."""
    nothing = np.zeros(0, dtype=np.float64)
    return DetectionResult(
        method=method,
        index=np.zeros(0, dtype=np.int64),
        observed=nothing,
        expected=nothing,
        upperbound=nothing,
        score=nothing,
        alarm=np.zeros(0, dtype=np.bool_),
        defined=np.zeros(0, dtype=np.bool_),
        status=status,
        reason=reason,
    )


def insufficient(method: str, needed: int, have: int) -> DetectionResult:
    return empty_result(
        method,
        Status.INSUFFICIENT_HISTORY,
        f"not enough history: needs {needed} days, has {have}",
    )


def finish(
    method: str,
    series: CountSeries,
    index: IntArray,
    *,
    expected: FloatArray,
    upperbound: FloatArray,
    score: FloatArray,
    alarm: BoolArray,
    defined: BoolArray,
    reason_if_partial: str = "no decision on some points (missing counts or unstable fit)",
    probability: FloatArray | None = None,
    level: npt.NDArray[np.int8] | None = None,
    extras: Mapping[str, FloatArray] | None = None,
    known: BoolArray | None = None,
) -> DetectionResult:
    """Assemble a result, forcing alarm=False where undefined and setting the status.

    ``known`` marks the days whose count is usable (default: finite counts); a method that
    also uses count ranges passes its own.
    """
    usable = np.isfinite(series.counts[index]) if known is None else known
    defined = defined & usable
    alarm = alarm & defined
    status = Status.OK if bool(defined.all()) else Status.PARTIAL
    if index.size and not defined.any():
        status = Status.NO_DATA
    return DetectionResult(
        method=method,
        index=index,
        observed=series.counts[index],
        expected=expected,
        upperbound=upperbound,
        score=score,
        alarm=alarm,
        defined=defined,
        status=status,
        reason="" if status is Status.OK else reason_if_partial,
        probability=probability,
        level=level,
        extras=dict(extras or {}),
    )
