"""Project occupancy along every simulated arrivals path and read off the day it is full.

Each day, on each path:

    occupancy_t = occupancy_{t-1}
                  + reception_share * (1 - diverted share_t) * arrivals_t
                  - departure_rate * occupancy_{t-1} - departures_per_day      (floored at 0)

and the site is full on the first day occupancy_t >= capacity_t (capacity changes on the
dates of the scenario). Occupancy is not capped at capacity: past it, the excess is the
shortfall, people who need a place that does not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

import numpy as np

from sitroom.analysis.forecast import Forecast
from sitroom.analysis.runway.model import (
    FloatArray,
    Runway,
    RunwayAssumptions,
    RunwayStatus,
    Scenario,
    SiteState,
)
from sitroom.domain.measures import Measure, Nature

THRESHOLDS = (7, 14, 28)

#: counts of people who need a place; others (turned away, attempts, events) do not arrive
NEEDS_A_PLACE = frozenset(
    {
        Measure.APPREHENDED,
        Measure.IRREGULAR_ARRIVALS,
        Measure.ASYLUM_APPLICATIONS,
        Measure.ARRIVALS_AT_RECEPTION,
        Measure.CROSSING_DETECTED,
    }
)


def _measure_warnings(measure: Measure | None) -> list[str]:
    if measure is None:
        return []
    if measure.nature is not Nature.FLOW:
        return [f"arrivals forecast is of {measure.value}, a stock, not a flow of arrivals"]
    if measure not in NEEDS_A_PLACE:
        return [
            f"arrivals forecast is of {measure.value}: those people do not arrive in "
            "reception; the runway counts them as if they did"
        ]
    return []


def _aligned_paths(
    site: SiteState, arrivals: Forecast, warnings: list[str]
) -> tuple[FloatArray, tuple[date, ...]]:
    """Arrival paths for the days after `site.as_of`, dropping forecast days before it."""
    skip = (site.as_of + timedelta(days=1) - arrivals.first_date).days
    if skip < 0:
        warnings.append(
            f"occupancy is from {site.as_of}, arrivals data run to "
            f"{arrivals.first_date - timedelta(days=1)}: arrivals in between count only as "
            "far as arrivals_since_as_of says"
        )
        skip = 0
    return arrivals.paths[:, skip:], arrivals.dates[skip:]


def _capacity_by_day(capacity: float, scenario: Scenario, dates: tuple[date, ...]) -> FloatArray:
    cap = np.full(len(dates), float(capacity))
    for change in scenario.capacity_changes:
        cap += np.array([change.places if d >= change.from_date else 0.0 for d in dates])
    return np.asarray(np.maximum(cap, 0.0), dtype=np.float64)


def _diverted_by_day(scenario: Scenario, dates: tuple[date, ...]) -> FloatArray:
    start = scenario.divert_from
    return np.array([scenario.divert_share if start is None or d >= start else 0.0 for d in dates])


def _unknown(
    site: SiteState,
    status: RunwayStatus,
    message: str,
    assumptions: RunwayAssumptions,
    scenario: Scenario,
    warnings: Sequence[str] = (),
) -> Runway:
    return Runway(
        site=site.name,
        status=status,
        message=message,
        scenario=scenario,
        as_of=site.as_of,
        capacity=site.capacity,
        occupancy=site.occupancy,
        assumptions=assumptions,
        warnings=tuple(warnings),
    )


def project_occupancy(
    occupancy: float,
    arrival_paths: FloatArray,
    assumptions: RunwayAssumptions,
    diverted: FloatArray,
) -> FloatArray:
    """Occupancy at the end of each day, per path (n_paths x days)."""
    share = assumptions.reception_share.value
    rate = assumptions.departure_rate.value
    fixed = assumptions.departures_per_day.value
    n_paths, days = arrival_paths.shape
    out = np.empty((n_paths, days))
    occ = np.full(n_paths, occupancy + assumptions.arrivals_since_as_of.value)
    for t in range(days):
        incoming = share * (1.0 - diverted[t]) * arrival_paths[:, t]
        occ = np.maximum(occ + incoming - rate * occ - fixed, 0.0)
        out[:, t] = occ
    return out


def capacity_runway(
    site: SiteState,
    arrivals: Forecast,
    assumptions: RunwayAssumptions | None = None,
    scenario: Scenario | None = None,
    arrivals_measure: Measure | None = None,
) -> Runway:
    """The runway of one site (or one country) under one scenario.

    `arrivals` is a daily forecast of the arrivals that feed the site (its `paths` are used,
    so the runway carries the forecast's uncertainty). Statuses other than PROJECTED carry
    no numbers: capacity unknown, occupancy unknown, arrivals unknown; FULL_NOW still
    projects the shortfall. `arrivals_measure`, when given, is checked: forecasting
    "prevented entry" or "attempted crossings" into a runway draws a warning.
    """
    assumptions = assumptions or RunwayAssumptions()
    scenario = scenario or Scenario()
    warnings: list[str] = [*arrivals.warnings, *_measure_warnings(arrivals_measure)]
    if site.capacity is None:
        return _unknown(
            site,
            RunwayStatus.CAPACITY_UNKNOWN,
            f"{site.name}: capacity unknown, no runway (report the number of places)",
            assumptions,
            scenario,
            warnings,
        )
    if site.occupancy is None:
        return _unknown(
            site,
            RunwayStatus.OCCUPANCY_UNKNOWN,
            f"{site.name}: occupancy unknown, no runway (report the people present)",
            assumptions,
            scenario,
            warnings,
        )
    paths, dates = _aligned_paths(site, arrivals, warnings)
    if paths.size == 0 or np.isnan(paths).any():
        return _unknown(
            site,
            RunwayStatus.ARRIVALS_UNKNOWN,
            f"{site.name}: no arrivals forecast covers the days after {site.as_of}",
            assumptions,
            scenario,
            warnings,
        )
    capacity = _capacity_by_day(site.capacity, scenario, dates)
    occ = project_occupancy(site.occupancy, paths, assumptions, _diverted_by_day(scenario, dates))
    over = occ >= capacity[None, :]
    days = len(dates)
    first_full = np.where(over.any(axis=1), over.argmax(axis=1) + 1, np.inf)
    full_now = site.occupancy >= site.capacity
    if full_now:
        first_full[:] = 0.0
    p_full = {d: float(np.mean(first_full <= d)) for d in THRESHOLDS if d <= days}

    def day_to_date(q: float) -> date | None:
        value = float(np.quantile(first_full, q, method="inverted_cdf"))
        return None if np.isinf(value) else site.as_of + timedelta(days=int(value))

    shortfall = np.maximum(occ - capacity[None, :], 0.0)
    lo, med, hi = np.quantile(occ, [0.1, 0.5, 0.9], axis=0)
    median_date = day_to_date(0.5)
    if full_now:
        status, message = (
            RunwayStatus.FULL_NOW,
            (f"{site.name}: full now ({site.occupancy:g} people for {site.capacity:g} places)"),
        )
    elif median_date is None:
        message = (
            f"{site.name}: probably not full within {days} days "
            f"(P = {np.mean(np.isfinite(first_full)):.0%})"
        )
        status = RunwayStatus.PROJECTED
    else:
        message = f"{site.name}: full by {median_date} (median)"
        status = RunwayStatus.PROJECTED
    return Runway(
        site=site.name,
        status=status,
        message=message,
        scenario=scenario,
        as_of=site.as_of,
        capacity=site.capacity,
        occupancy=site.occupancy,
        assumptions=assumptions,
        dates=dates,
        p_full_within=p_full,
        median_full_date=median_date,
        full_date_80=(day_to_date(0.1), day_to_date(0.9)),
        occupancy_median=med,
        occupancy_lo80=lo,
        occupancy_hi80=hi,
        shortfall_median=np.quantile(shortfall, 0.5, axis=0),
        shortfall_hi80=np.quantile(shortfall, 0.9, axis=0),
        warnings=tuple(warnings),
    )


def compare_scenarios(
    site: SiteState,
    arrivals: Forecast,
    scenarios: Sequence[Scenario],
    assumptions: RunwayAssumptions | None = None,
) -> list[Runway]:
    """The same site and forecast under each what-if; the same paths, so the differences
    are the scenario's, not the dice's."""
    return [capacity_runway(site, arrivals, assumptions, s) for s in scenarios]


def combine_sites(name: str, sites: Sequence[SiteState]) -> tuple[SiteState, list[str]]:
    """A country (or a group of sites) as one site, with what could not be added up.

    Capacity is the sum only when every site reports one: a site with unknown capacity
    makes the total unknown, never larger. Occupancy dates may differ; the oldest is used
    and a warning says so.
    """
    notes: list[str] = []
    unknown_cap = [s.name for s in sites if s.capacity is None]
    unknown_occ = [s.name for s in sites if s.occupancy is None]
    if unknown_cap:
        notes.append("capacity unknown for: " + ", ".join(unknown_cap))
    if unknown_occ:
        notes.append("occupancy unknown for: " + ", ".join(unknown_occ))
    if not sites:
        raise ValueError("a country runway needs at least one site")
    dates = [s.as_of for s in sites]
    if max(dates) - min(dates) > timedelta(days=3):
        notes.append(f"occupancy figures range from {min(dates)} to {max(dates)}")
    capacity = None if unknown_cap else sum(s.capacity or 0.0 for s in sites)
    occupancy = None if unknown_occ else sum(s.occupancy or 0.0 for s in sites)
    return SiteState(name, capacity, occupancy, min(dates)), notes


def country_runway(
    name: str,
    sites: Sequence[SiteState],
    arrivals: Forecast,
    assumptions: RunwayAssumptions | None = None,
    scenario: Scenario | None = None,
) -> Runway:
    """The runway of all of a country's sites taken together (people can be moved)."""
    combined, notes = combine_sites(name, sites)
    runway = capacity_runway(combined, arrivals, assumptions, scenario)
    return _with_warnings(runway, notes)


def _with_warnings(runway: Runway, notes: list[str]) -> Runway:
    return replace(runway, warnings=(*runway.warnings, *notes))
