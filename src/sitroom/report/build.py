"""Build the report model from the database: one read session, no writes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ..charts import MapSite, map_svg, series_svg
from ..domain.alarm_levels import SectionLevel
from ..domain.alarms import Alarm, AlarmState
from ..domain.audiences import EVERYTHING
from ..domain.countries import country_name
from ..domain.figures import ReportedFigure
from ..domain.measures import Measure, Nature
from ..domain.series import StoredSeries
from ..services import alarms as alarm_service
from ..services import queries
from ..services import series_reads as series_service
from . import highlights
from .assistance import assistance_sections
from .model import AlarmLine, Chart, ConflictLine, CountrySection, Report, TitleBlock
from .numbers import SeriesView, key_figure, previous_year_total
from .places import section_lines, site_lines
from .sources import SourceBook
from .wording import day, noun

WINDOW_DAYS = 60
MAX_CHARTS = 3
MEASURE_ORDER = list(Measure)
METHOD_NOTE = [
    "Every number comes from a reported figure with its source. Figures of one measure and "
    "place are reconciled into one daily series with 80 % and 95 % bands that honours every "
    "exact total; a value is marked derived when the series estimated it rather than a source "
    "reporting it for exactly that period.",
    "Alarms come from surge detection on the reconciled series (a robust negative binomial "
    "baseline with CUSUM, and the methods public-health surveillance uses).",
    "The report uses what the database holds when it is written, including figures published "
    "after the report's day about days up to it. See docs/report.md and docs/architecture.md.",
]


def build_report(
    engine: Engine,
    on: date,
    countries: Sequence[str] | None = None,
    *,
    issued_by: str = "sitroom",
    now: datetime | None = None,
) -> Report:
    with Session(engine) as session:
        return _build(session, on, countries, issued_by, now or datetime.now(UTC))


def _build(
    session: Session,
    on: date,
    countries: Sequence[str] | None,
    issued_by: str,
    now: datetime,
) -> Report:
    codes = list(countries) if countries else queries.known_countries(session)
    week_start, chart_start = on - timedelta(days=6), on - timedelta(days=WINDOW_DAYS - 1)
    book = SourceBook()
    all_alarms = [
        a
        for _, a in alarm_service.list_alarms(session, readers=EVERYTHING, states=tuple(AlarmState))
        if a.place[:2] in codes and chart_start <= a.day <= on
    ]
    shown = alarm_service.section_levels(
        session,
        [s for c in codes for s in queries.list_sections(session, c)],
        readers=EVERYTHING,
        on=on,
    )
    sections_out, facts, alarm_lines, cut_off = [], [], [], None
    for code in codes:
        figures = queries.list_figures(session, queries.FigureFilter(country=code))
        if figures:
            latest_entry = max(f.entered_at for f in figures)
            cut_off = latest_entry if cut_off is None else max(cut_off, latest_entry)
        views = _views(session, figures)
        section, fact = _country(session, code, on, chart_start, views, all_alarms, shown, book)
        sections_out.append(section)
        facts.append(fact)
        alarm_lines += _alarm_lines(all_alarms, code, views, book, week_start)
    alarm_lines.sort(key=lambda a: (a.day, a.place), reverse=True)
    chosen = highlights.choose(facts, alarm_lines, on, week_start, WINDOW_DAYS)
    conflicts = _conflicts(session, codes, chart_start, on, book)
    assistance = assistance_sections(session, codes, on, book)
    missing = [] if chosen else ["Nothing to highlight: no figures cover the period."]
    title = TitleBlock(
        title=f"Situation report: {', '.join(country_name(c) for c in codes) or 'no countries'}",
        day=on,
        period_start=week_start,
        period_end=on,
        chart_start=chart_start,
        countries=[country_name(c) for c in codes],
        issued_by=issued_by,
        data_cut_off=cut_off,
        generated_at=now,
    )
    return Report(
        title=title,
        highlights=chosen,
        countries=sections_out,
        alarms=alarm_lines,
        conflicts=conflicts,
        sources=book.sources(),
        method_note=METHOD_NOTE,
        missing=missing,
        map_svg=_map(session, codes, on, shown),
        assistance=assistance,
    )


def _views(
    session: Session, figures: list[ReportedFigure]
) -> dict[tuple[Measure, str], SeriesView]:
    grouped: dict[tuple[Measure, str], list[ReportedFigure]] = defaultdict(list)
    for figure in figures:
        grouped[(figure.measure, figure.place)].append(figure)
    return {
        (measure, place): SeriesView(
            measure,
            place,
            series_service.read_series(session, measure, place, readers=EVERYTHING),
            found,
        )
        for (measure, place), found in grouped.items()
    }


def _country(
    session: Session,
    code: str,
    on: date,
    chart_start: date,
    views: dict[tuple[Measure, str], SeriesView],
    alarms: list[Alarm],
    shown: Mapping[str, SectionLevel],
    book: SourceBook,
) -> tuple[CountrySection, highlights.CountryFacts]:
    name = country_name(code)
    own = sorted(
        (v for (m, place), v in views.items() if place == code),
        key=lambda v: MEASURE_ORDER.index(v.measure),
    )
    in_window = [
        f
        for v in views.values()
        for f in v.figures
        if f.period_end >= chart_start and f.period_start <= on
    ]
    missing: list[str] = []
    key_figures, previous = [], {}
    for view in own:
        key = key_figure(view, book, on)
        if key.latest is None and key.week is None and key.year is None:
            missing.append(f"{view.measure.definition.label}: no figure covers {day(on)}.")
            continue
        if view.series is None:
            missing.append(
                f"{view.measure.definition.label}: the figures are not reconciled yet, so only "
                "figures reported for exactly these periods are shown (`sitroom report` and "
                "`sitroom detect` reconcile them first)."
            )
        key_figures.append(key)
        last_year = previous_year_total(view, book, on)
        if last_year is not None:
            previous[view.measure] = last_year
    missing += [
        f"{v.measure.definition.label} at {v.place}: the series could not be computed "
        f"({v.series.failure}); its figures are left out of what this report derives."
        for v in sorted(views.values(), key=lambda v: (v.place, v.measure.value))
        if v.series is not None and v.series.failure
    ]
    if not in_window:
        missing.insert(0, f"No figures for {name} cover the {WINDOW_DAYS} days to {day(on)}.")
    elif not any(f.days == 1 for f in in_window if f.place == code):
        missing.insert(
            0,
            f"No daily figures for {name} in the {WINDOW_DAYS} days to {day(on)}: daily values "
            "are estimates spread from totals over longer periods.",
        )
    charts = _charts(own, alarms, chart_start, on, name)
    sections, section_notes = section_lines(session, code, views, shown, book, on)
    sites, site_notes = site_lines(session, code, views, book, on)
    section = CountrySection(
        code, name, key_figures, charts, sections, sites, missing + section_notes + site_notes
    )
    fact = highlights.CountryFacts(
        name=name,
        key_figures=key_figures,
        previous_year=previous,
        sites=sites,
        has_figures=bool(in_window),
        has_daily_figures=any(f.days == 1 for f in in_window),
    )
    return section, fact


def _charts(
    own: list[SeriesView], alarms: list[Alarm], start: date, on: date, name: str
) -> list[Chart]:
    charts: list[Chart] = []
    for view in own:
        if view.nature is not Nature.FLOW or len(charts) == MAX_CHARTS:
            continue
        shown = [f for f in view.figures if f.period_end >= start and f.period_start <= on]
        if not shown and not (view.series and view.days(on, on)):
            continue
        series = view.series or StoredSeries(
            view.measure, view.place, view.nature, [], [], datetime.now(UTC), "not reconciled"
        )
        title = f"{name}: {noun(view.measure)}, {WINDOW_DAYS} days to {day(on)}"
        mine = [a for a in alarms if a.place == view.place and a.measure is view.measure]
        charts.append(
            Chart(title, series_svg(series, shown, mine, start=start, end=on, title=title))
        )
    return charts


def _alarm_lines(
    alarms: list[Alarm],
    code: str,
    views: dict[tuple[Measure, str], SeriesView],
    book: SourceBook,
    week_start: date,
) -> list[AlarmLine]:
    lines = []
    for alarm in alarms:
        still_open = alarm.state is not AlarmState.CLOSED
        if alarm.place[:2] != code or not (still_open or alarm.day >= week_start):
            continue
        view = views.get((alarm.measure, alarm.place))
        days = view.days(alarm.day, alarm.day) if view else None
        cites = book.cite(view.shaping(days)) if view and days else ()
        place_name = country_name(alarm.place) if alarm.place == code else alarm.place
        lines.append(
            AlarmLine(
                alarm.day,
                alarm.place,
                alarm.measure,
                alarm.level,
                alarm.state.value,
                alarm.method,
                alarm.observed,
                alarm.expected,
                place_name,
                cites,
            )
        )
    return lines


def _conflicts(
    session: Session, codes: list[str], start: date, on: date, book: SourceBook
) -> list[ConflictLine]:
    lines = []
    for conflict in series_service.list_conflicts(session, readers=EVERYTHING):
        if conflict.place[:2] not in codes:
            continue
        refs = set(conflict.winners) | set(conflict.losers)
        figures = {
            f.ref: f
            for f in queries.list_figures(
                session, queries.FigureFilter(measure=conflict.measure, place=conflict.place)
            )
            if f.ref in refs
        }
        if not any(f.period_end >= start and f.period_start <= on for f in figures.values()):
            continue
        detail = conflict.detail
        # Readers know sources by number, not figures by their internal reference.
        for ref, figure in figures.items():
            detail = detail.replace(ref, f"the figure from [{book.cite([figure])[0]}]")
        lines.append(
            ConflictLine(
                conflict.place,
                conflict.measure,
                conflict.kind,
                detail,
                book.cite(figures[r] for r in conflict.winners if r in figures),
                book.cite(figures[r] for r in conflict.losers if r in figures),
            )
        )
    return lines


def _map(session: Session, codes: list[str], on: date, shown: Mapping[str, SectionLevel]) -> str:
    sections = [s for c in codes for s in queries.list_sections(session, c)]
    levels = {place: s.level for place, s in shown.items() if s.level is not None}
    sites = []
    for code in codes:
        for site in queries.list_sites(session, code):
            if site.location is None:
                continue
            at_site = queries.list_figures(session, queries.FigureFilter(place=site.id, end=on))
            sites.append(
                MapSite(
                    site.name,
                    site.location.lon,
                    site.location.lat,
                    _last(at_site, Measure.OCCUPANCY, on),
                    _last(at_site, Measure.CAPACITY, on),
                )
            )
    if not sections and not sites and not codes:
        return ""
    return map_svg(
        sections,
        sites,
        levels=levels,
        countries=codes,
        title=f"Border sections and reception sites, {day(on)}",
    )


def _last(figures: list[ReportedFigure], measure: Measure, on: date) -> float | None:
    found = [f for f in figures if f.measure is measure and f.period_end <= on]
    return max(found, key=lambda f: (f.period_end, f.entered_at)).value if found else None
