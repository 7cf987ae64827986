"""Border sections under pressure and reception sites, as the report shows them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from sqlalchemy.orm import Session

from ..analysis.runway import Runway, RunwayStatus
from ..domain.alarm_levels import LevelSource, SectionLevel
from ..domain.countries import country_name
from ..domain.figures import ReportedFigure
from ..domain.measures import Measure, Nature
from ..services import foresight, queries
from .model import Number, SectionLine, SiteLine
from .numbers import QUALIFIER_WORDS, SeriesView, window
from .sources import SourceBook
from .wording import day, plural

RUNWAY_NOTE = (
    "Days until full assume that every forecast arrival in the country needs a place at the "
    "site and that nobody leaves: a pessimistic reading (`sitroom runway` states and varies "
    "each assumption)."
)


def section_lines(
    session: Session,
    code: str,
    views: Mapping[tuple[Measure, str], SeriesView],
    shown: Mapping[str, SectionLevel],
    book: SourceBook,
    on: date,
) -> tuple[list[SectionLine], list[str]]:
    """Sections with an open alarm of their own or figures in the 7 days to the report's day;
    a note for the sections that show their country's alarm level on the map
    (domain.alarm_levels)."""
    sections = queries.list_sections(session, code)
    lines = []
    from_country, country_level = 0, None
    for section in sections:
        found = shown.get(section.id)
        level = found.level if found else None
        if found and found.source is LevelSource.COUNTRY:
            if level is not None:
                from_country, country_level = from_country + 1, level
            level = None  # the line is about the section's own figures
        week = None
        for measure in Measure:
            view = views.get((measure, section.id))
            if view is not None and measure.nature is Nature.FLOW:
                week = window(view, book, on - timedelta(days=6), on)
                if week is not None:
                    break
        if level is not None or week is not None:
            lines.append(
                SectionLine(section.id, section.name, country_name(section.neighbour), level, week)
            )
    notes = []
    if country_level is not None:
        notes.append(
            f"{country_name(code)} has an open {country_level.value} alarm on its country "
            f"figures: the map shows it on its {plural(from_country, 'border section')} without "
            "figures of their own, as the web situation room does."
        )
    if not sections:
        notes.append(f"No border sections are recorded for {country_name(code)}.")
    elif not lines and not from_country:
        notes.append(
            f"No section of {country_name(code)}'s border has an open alarm or figures for the "
            f"7 days to {day(on)}; the {plural(len(sections), 'section')} are on the map."
        )
    return lines, notes


def site_lines(
    session: Session,
    code: str,
    views: Mapping[tuple[Measure, str], SeriesView],
    book: SourceBook,
    on: date,
) -> tuple[list[SiteLine], list[str]]:
    sites = queries.list_sites(session, code)
    runways = foresight.site_runways(session, code, cutoff=on)
    lines = []
    for site in sites:
        capacity = _latest(views.get((Measure.CAPACITY, site.id)), book, on)
        occupancy = _latest(views.get((Measure.OCCUPANCY, site.id)), book, on)
        percent = (
            100.0 * occupancy.value / capacity.value
            if capacity is not None and occupancy is not None and capacity.value > 0
            else None
        )
        lines.append(
            SiteLine(
                site.id,
                site.name,
                site.kind.value.replace("_", " "),
                capacity,
                occupancy,
                percent,
                days_until_full(runways[site.id], on),
            )
        )
    notes = []
    if not sites:
        notes.append(f"No reception sites are recorded for {country_name(code)}.")
    else:
        unknown = sum(1 for line in lines if line.occupancy is None)
        if unknown:
            notes.append(
                f"Occupancy up to {day(on)} is unknown for {unknown} of "
                f"{plural(len(lines), 'reception site')} in {country_name(code)}."
            )
        notes.append(RUNWAY_NOTE)
    return lines, notes


def days_until_full(runway: Runway, on: date) -> str:
    """The runway in a few words, saying plainly when it cannot be known."""
    if runway.status is not RunwayStatus.PROJECTED:
        return _UNKNOWN_RUNWAY.get(runway.status, "full now")
    horizon = max(runway.p_full_within, default=0)
    chance = runway.p_full_within.get(14)
    within = f"; {chance:.0%} chance within 14 days" if chance is not None else ""
    if runway.median_full_date is None:
        return f"not full within {horizon} days (median){within}"
    days = (runway.median_full_date - on).days
    if days < 1:
        # The occupancy figure is older than the report: the projection passes full before it.
        return f"probably full already (median {day(runway.median_full_date)}){within}"
    return f"{plural(days, 'day')} (median, {day(runway.median_full_date)}){within}"


_UNKNOWN_RUNWAY = {
    RunwayStatus.CAPACITY_UNKNOWN: "capacity unknown",
    RunwayStatus.OCCUPANCY_UNKNOWN: "occupancy unknown",
    RunwayStatus.ARRIVALS_UNKNOWN: "no arrivals forecast",
    RunwayStatus.FULL_NOW: "full now",
}


def _latest(view: SeriesView | None, book: SourceBook, on: date) -> Number | None:
    """The last reported level on or before the day, with the period it was reported for."""
    if view is None:
        return None
    known = [f for f in view.figures if f.period_end <= on]
    if not known:
        return None
    figure: ReportedFigure = max(known, key=lambda f: (f.period_end, -f.days, f.entered_at))
    return Number(
        figure.value,
        derived=False,
        citations=book.cite([figure]),
        qualifier=QUALIFIER_WORDS[figure.qualifier],
        period=(figure.period_start, figure.period_end),
    )
