"""The first picture, as of one day: per country the latest figures and the year to date; per
site its capacity, its occupancy and how full it was on a day both were reported for."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from ..domain.figures import ReportedFigure
from ..domain.measures import Measure
from ..domain.places import ReceptionSite
from . import queries


@dataclass(frozen=True, slots=True)
class CountryLine:
    country: str
    measure: Measure
    latest: ReportedFigure
    year_to_date: ReportedFigure | None


@dataclass(frozen=True, slots=True)
class Fullness:
    """Occupancy over capacity, both reported for the end of the same day."""

    day: date
    capacity: ReportedFigure
    occupancy: ReportedFigure

    @property
    def percent(self) -> float | None:
        if self.capacity.value <= 0:
            return None
        return 100.0 * self.occupancy.value / self.capacity.value


@dataclass(frozen=True, slots=True)
class SiteLine:
    site: ReceptionSite
    capacity: ReportedFigure | None
    occupancy: ReportedFigure | None
    full: Fullness | None
    """None when capacity and occupancy were never reported for the same day."""


@dataclass(frozen=True, slots=True)
class Picture:
    as_of: date
    countries: list[CountryLine]
    sites: list[SiteLine]


def _newest(figures: list[ReportedFigure]) -> ReportedFigure:
    """The figure about the latest day; of those, the shortest period, then the latest entry."""
    return max(figures, key=lambda f: (f.period_end, -f.days, f.entered_at))


def first_picture(session: Session, as_of: date) -> Picture:
    """What was known about the days up to `as_of`: figures ending later are left out, so a
    later year's total never stands beside this year's figures."""
    known = [
        f for f in queries.list_figures(session, queries.FigureFilter()) if f.period_end <= as_of
    ]
    by_series: dict[tuple[str, Measure], list[ReportedFigure]] = defaultdict(list)
    for figure in known:
        if not figure.place[2:]:
            by_series[(figure.place, figure.measure)].append(figure)
    countries = []
    for (country, measure), series in sorted(by_series.items()):
        ytd = [f for f in series if f.period_start == date(as_of.year, 1, 1)]
        countries.append(
            CountryLine(country, measure, _newest(series), _newest(ytd) if ytd else None)
        )
    sites = []
    for site in queries.list_sites(session):
        at_site = [f for f in known if f.place == site.id]
        capacity = [f for f in at_site if f.measure is Measure.CAPACITY]
        occupancy = [f for f in at_site if f.measure is Measure.OCCUPANCY]
        sites.append(
            SiteLine(
                site,
                _newest(capacity) if capacity else None,
                _newest(occupancy) if occupancy else None,
                _fullness(capacity, occupancy),
            )
        )
    return Picture(as_of, countries, sites)


def _fullness(capacity: list[ReportedFigure], occupancy: list[ReportedFigure]) -> Fullness | None:
    """On the latest day with both: a stock is its level at the end of its period."""
    places = {f.period_end: f for f in sorted(capacity, key=lambda f: (-f.days, f.entered_at))}
    people = {f.period_end: f for f in sorted(occupancy, key=lambda f: (-f.days, f.entered_at))}
    shared = sorted(set(places) & set(people))
    if not shared:
        return None
    day = shared[-1]
    return Fullness(day, places[day], people[day])
