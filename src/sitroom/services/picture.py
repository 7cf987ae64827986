"""The first picture: per country the latest figures and year to date; per site how full."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

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
class SiteLine:
    site: ReceptionSite
    capacity: ReportedFigure | None
    occupancy: ReportedFigure | None

    @property
    def percent_full(self) -> float | None:
        if self.capacity is None or self.occupancy is None or self.capacity.value <= 0:
            return None
        return 100.0 * self.occupancy.value / self.capacity.value


@dataclass(frozen=True, slots=True)
class Picture:
    countries: list[CountryLine]
    sites: list[SiteLine]


def _newest(figures: list[ReportedFigure]) -> ReportedFigure:
    """The figure about the latest day; of those, the shortest period, then the latest entry."""
    return max(figures, key=lambda f: (f.period_end, -f.days, f.entered_at))


def first_picture(session: Session) -> Picture:
    figures = [f for f in queries.list_figures(session, queries.FigureFilter()) if not f.place[2:]]
    by_series: dict[tuple[str, Measure], list[ReportedFigure]] = defaultdict(list)
    for figure in figures:
        by_series[(figure.place, figure.measure)].append(figure)
    countries = []
    for (country, measure), series in sorted(by_series.items()):
        latest = _newest(series)
        year = latest.period_end.year
        ytd = [
            f
            for f in series
            if f.period_start.month == 1
            and f.period_start.day == 1
            and f.period_end.year == year
            and f.period_end.month < 12
        ]
        countries.append(CountryLine(country, measure, latest, _newest(ytd) if ytd else None))
    sites = []
    for site in queries.list_sites(session):
        at_site = queries.list_figures(session, queries.FigureFilter(place=site.id))
        capacity = [f for f in at_site if f.measure is Measure.CAPACITY]
        occupancy = [f for f in at_site if f.measure is Measure.OCCUPANCY]
        sites.append(
            SiteLine(
                site,
                _newest(capacity) if capacity else None,
                _newest(occupancy) if occupancy else None,
            )
        )
    return Picture(countries, sites)
