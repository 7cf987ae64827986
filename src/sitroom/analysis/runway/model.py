"""The inputs and the answer of a capacity runway: sites, stated assumptions, scenarios."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Parameter:
    """A number the runway rests on, with where it came from, so it can be questioned."""

    value: float
    source: str


@dataclass(frozen=True, slots=True)
class SiteState:
    """A reception site (or a whole country) as last reported.

    `capacity` None means nobody has reported one: the runway then says "capacity unknown"
    and never treats the site as bottomless. `occupancy` is people present at the end of
    `as_of`.
    """

    name: str
    capacity: float | None
    occupancy: float | None
    as_of: date


@dataclass(frozen=True, slots=True)
class RunwayAssumptions:
    """How forecast border arrivals turn into people at this site, every part overridable.

    reception_share: share of forecast arrivals that come to this site (or into reception
        at all, for a country); 1.0 assumes everyone needs a place here.
    departure_rate: share of occupants who leave each day (transfers, decisions,
        onward movement), about 1 / mean length of stay.
    departures_per_day: a fixed number leaving each day on top (scheduled transfers).
    arrivals_since_as_of: people who came between the occupancy figure and the first
        forecast day, when the arrivals data are newer than the occupancy figure.
    """

    reception_share: Parameter = Parameter(1.0, "default: every arrival needs a place here")
    departure_rate: Parameter = Parameter(0.0, "default: nobody leaves (pessimistic)")
    departures_per_day: Parameter = Parameter(0.0, "default: no scheduled transfers")
    arrivals_since_as_of: Parameter = Parameter(0.0, "default: occupancy is current")


@dataclass(frozen=True, slots=True)
class CapacityChange:
    """`places` added (or removed, if negative) from the start of `from_date` on."""

    from_date: date
    places: float


@dataclass(frozen=True, slots=True)
class Scenario:
    """A what-if: extra places from a date, and/or a share of arrivals sent elsewhere."""

    name: str = "as reported"
    capacity_changes: tuple[CapacityChange, ...] = ()
    divert_share: float = 0.0
    divert_from: date | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.divert_share <= 1.0:
            raise ValueError("divert_share is a share of arrivals, between 0 and 1")


class RunwayStatus(enum.StrEnum):
    CAPACITY_UNKNOWN = "capacity_unknown"
    OCCUPANCY_UNKNOWN = "occupancy_unknown"
    ARRIVALS_UNKNOWN = "arrivals_unknown"
    FULL_NOW = "full_now"
    PROJECTED = "projected"


@dataclass(frozen=True, slots=True)
class Runway:
    """When a site will be full, as a distribution over simulated futures.

    `p_full_within[d]` is the probability that occupancy reaches capacity within d days
    after `as_of` (only for d up to the forecast horizon). `median_full_date` is None when
    fewer than half the futures fill up within the horizon. `shortfall_*` are people without
    a place per day (occupancy above capacity), the input to the needs calculation.
    """

    site: str
    status: RunwayStatus
    message: str
    scenario: Scenario
    as_of: date
    capacity: float | None
    occupancy: float | None
    assumptions: RunwayAssumptions
    dates: tuple[date, ...] = ()
    p_full_within: dict[int, float] = field(default_factory=dict)
    median_full_date: date | None = None
    full_date_80: tuple[date | None, date | None] = (None, None)
    occupancy_median: FloatArray = field(default_factory=lambda: np.empty(0))
    occupancy_lo80: FloatArray = field(default_factory=lambda: np.empty(0))
    occupancy_hi80: FloatArray = field(default_factory=lambda: np.empty(0))
    shortfall_median: FloatArray = field(default_factory=lambda: np.empty(0))
    shortfall_hi80: FloatArray = field(default_factory=lambda: np.empty(0))
    warnings: tuple[str, ...] = ()
