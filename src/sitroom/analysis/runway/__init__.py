"""Capacity runway: when reception will be full, with what probability, and what-ifs.

fc = forecast_series(border_arrivals, start, Frequency.DAILY, 28)
rw = capacity_runway(SiteState("Pabradė", 250, 231, date(2021, 6, 15)), fc)
rw.p_full_within[14], rw.median_full_date, rw.message
"""

from sitroom.analysis.runway.estimate import estimate_departure_rate, estimate_reception_share
from sitroom.analysis.runway.model import (
    CapacityChange,
    Parameter,
    Runway,
    RunwayAssumptions,
    RunwayStatus,
    Scenario,
    SiteState,
)
from sitroom.analysis.runway.simulate import (
    capacity_runway,
    combine_sites,
    compare_scenarios,
    country_runway,
    project_occupancy,
)

__all__ = [
    "CapacityChange",
    "Parameter",
    "Runway",
    "RunwayAssumptions",
    "RunwayStatus",
    "Scenario",
    "SiteState",
    "capacity_runway",
    "combine_sites",
    "compare_scenarios",
    "country_runway",
    "estimate_departure_rate",
    "estimate_reception_share",
    "project_occupancy",
]
