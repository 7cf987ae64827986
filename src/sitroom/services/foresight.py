"""Forecasts of a stored series, kept with their cut-off, and the capacity runway of reception
sites and countries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ..analysis.forecast import Forecast, Frequency, forecast_series
from ..analysis.needs import Climate, NeedLine, needs_for_shortfall
from ..analysis.runway import Runway, Scenario, SiteState, capacity_runway, country_runway
from ..domain.audiences import EVERYTHING
from ..domain.figures import ReportedFigure
from ..domain.measures import Measure
from ..domain.places import ReceptionSite
from ..store.analysis_tables import ForecastRow
from ..store.engine import UnitOfWork
from . import queries
from .series_reads import read_series

# Which flow stands for people arriving, best first: arrivals counted at reception, then
# registered irregular arrivals, then apprehensions at the border.
ARRIVAL_MEASURES = (
    Measure.ARRIVALS_AT_RECEPTION,
    Measure.IRREGULAR_ARRIVALS,
    Measure.APPREHENDED,
)


class NoSeries(LookupError):
    """There is no reconciled series to forecast."""


@dataclass(frozen=True, slots=True)
class MadeForecast:
    measure: Measure
    place: str
    cutoff: date
    forecast: Forecast


def make_forecast(
    engine: Engine,
    measure: Measure,
    place: str,
    *,
    horizon: int = 28,
    cutoff: date | None = None,
    now: datetime | None = None,
) -> MadeForecast:
    """Forecast the stored series from the data up to `cutoff` (default: all of it) and keep
    the forecast, so that it can be scored once the days it speaks of are reported."""
    with Session(engine) as session:
        stored = read_series(session, measure, place, readers=EVERYTHING, end=cutoff)
    if stored is None or not stored.days:
        raise NoSeries(f"no reconciled series for {measure.value} at {place}")
    values = np.array([d.estimate for d in stored.days])
    made = forecast_series(values, stored.days[0].day, Frequency.DAILY, horizon)
    last = stored.days[-1].day
    with UnitOfWork(engine) as uow:
        uow.session.add(
            ForecastRow(
                measure=measure.value,
                place=place,
                cutoff=last,
                made_at=now or datetime.now(UTC),
                model=made.model,
                backtest_mase=made.chosen.mase if made.chosen else None,
                warnings=list(made.warnings),
                days=[
                    {
                        "day": day.isoformat(),
                        "point": float(made.point[i]),
                        "mean": float(made.mean[i]),
                        "lo80": float(made.lo80[i]),
                        "hi80": float(made.hi80[i]),
                        "lo95": float(made.lo95[i]),
                        "hi95": float(made.hi95[i]),
                    }
                    for i, day in enumerate(made.dates)
                ],
            )
        )
        uow.commit()
    return MadeForecast(measure, place, last, made)


@dataclass(frozen=True, slots=True)
class RunwayAnswer:
    place: str
    runway: Runway
    arrivals: Measure | None
    needs: list[NeedLine]


def _latest(figures: list[ReportedFigure], measure: Measure) -> ReportedFigure | None:
    found = [f for f in figures if f.measure is measure]
    return max(found, key=lambda f: (f.period_end, f.entered_at)) if found else None


def _site_state(session: Session, site: ReceptionSite, cutoff: date | None) -> SiteState:
    where = queries.FigureFilter(place=site.id, end=cutoff)
    figures = [
        f for f in queries.list_figures(session, where) if cutoff is None or f.period_end <= cutoff
    ]
    capacity = _latest(figures, Measure.CAPACITY)
    occupancy = _latest(figures, Measure.OCCUPANCY)
    fallback = cutoff or date.today()
    as_of = max((f.period_end for f in (capacity, occupancy) if f), default=fallback)
    return SiteState(
        site.name,
        capacity.value if capacity else None,
        occupancy.value if occupancy else None,
        occupancy.period_end if occupancy else as_of,
    )


def _arrivals(
    session: Session, country: str, horizon: int, cutoff: date | None
) -> tuple[Measure | None, Forecast]:
    for measure in ARRIVAL_MEASURES:
        stored = read_series(session, measure, country, readers=EVERYTHING, end=cutoff)
        if stored is not None and stored.days:
            values = np.array([d.estimate for d in stored.days])
            made = forecast_series(values, stored.days[0].day, Frequency.DAILY, horizon)
            return measure, made
    empty = np.array([], dtype=float)
    return None, forecast_series(empty, cutoff or date.today(), Frequency.DAILY, horizon)


def site_runways(
    session: Session, country: str, *, cutoff: date | None = None, horizon: int = 28
) -> dict[str, Runway]:
    """Each of a country's sites, from what was known on `cutoff` (default: everything),
    with one arrivals forecast for the country."""
    sites = queries.list_sites(session, country)
    if not sites:
        return {}
    measure, arrivals = _arrivals(session, country, horizon, cutoff)
    return {
        site.id: capacity_runway(
            _site_state(session, site, cutoff), arrivals, arrivals_measure=measure
        )
        for site in sites
    }


def runway(
    engine: Engine,
    place: str,
    *,
    horizon: int = 28,
    scenario: Scenario | None = None,
    climate: Climate = Climate.COLD,
) -> RunwayAnswer:
    """The runway of one site (by id) or of a country's sites taken together (by code)."""
    with Session(engine) as session:
        sites = queries.list_sites(session, place[:2])
        chosen = [s for s in sites if s.id == place] if len(place) > 2 else sites
        if not chosen:
            raise NoSeries(f"no reception site {place!r}")
        states = [_site_state(session, s, None) for s in chosen]
        measure, arrivals = _arrivals(session, place[:2], horizon, None)
    if len(place) > 2:
        answer = capacity_runway(states[0], arrivals, scenario=scenario, arrivals_measure=measure)
    else:
        answer = country_runway(place, states, arrivals, scenario=scenario)
    shortfall = float(answer.shortfall_median[-1]) if answer.shortfall_median.size else 0.0
    needs = needs_for_shortfall(round(shortfall), climate) if shortfall > 0 else []
    return RunwayAnswer(place, answer, measure, needs)
