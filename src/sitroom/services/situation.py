"""The situation at a glance, as one user may see it: sections with their alarm level, sites
with occupancy against capacity, key figures per country with the change on the previous day
and week, and the latest alarms — all from the series the user's audience sees
(domain.audiences). A fixed number of queries, whatever the data size: none of them touches
the incidents, and the figures only through the (place, measure) index for sites."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from ..domain.accounts import User
from ..domain.alarm_levels import Counted, levels_by_place, section_level
from ..domain.alarms import OPEN_STATES, AlarmLevel, AlarmState
from ..domain.audiences import audiences_of
from ..domain.countries import COUNTRY_CODES
from ..domain.measures import Measure, Nature
from ..domain.series import Freshness
from ..store.analysis_tables import AlarmRow, SeriesDayRow
from ..store.tables import FigureRow, SectionRow, SiteRow
from . import series_reads
from .access import visible
from .alarms import raised_on
from .freshness import freshness

Seen = dict[tuple[Measure, str], series_reads.SeriesEntry]


@dataclass(frozen=True, slots=True)
class KeyFigure:
    country: str
    measure: str
    day: date
    value: float
    previous_day: float | None
    previous_week: float | None

    @property
    def day_change(self) -> float | None:
        return None if self.previous_day is None else self.value - self.previous_day

    @property
    def week_change(self) -> float | None:
        return None if self.previous_week is None else self.value - self.previous_week


@dataclass(frozen=True, slots=True)
class AlarmLine:
    id: int
    measure: str
    place: str
    day: date
    level: str
    state: str
    observed: float
    expected: float


@dataclass(frozen=True, slots=True)
class Situation:
    sections: list[dict[str, Any]]
    sites: list[dict[str, Any]]
    key_figures: list[KeyFigure]
    alarms: list[AlarmLine]
    freshness: Freshness | None = None
    # Set when the picture is of a past day, recomputed from what was published by then.
    as_of: date | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "sections": self.sections,
            "sites": self.sites,
            "key_figures": [
                {
                    "country": k.country,
                    "measure": k.measure,
                    "day": k.day.isoformat(),
                    "value": k.value,
                    "change_on_previous_day": k.day_change,
                    "change_on_previous_week": k.week_change,
                }
                for k in self.key_figures
            ],
            "alarms": [
                {
                    "id": a.id,
                    "measure": a.measure,
                    "place": a.place,
                    "day": a.day.isoformat(),
                    "level": a.level,
                    "state": a.state,
                    "observed": a.observed,
                    "expected": a.expected,
                }
                for a in self.alarms
            ],
            "freshness": freshness_json(self.freshness),
            "as_of": self.as_of.isoformat() if self.as_of else None,
        }


def freshness_json(fresh: Freshness | None) -> dict[str, Any] | None:
    if fresh is None:
        return None
    return {
        "computed_at": fresh.computed_at.isoformat() if fresh.computed_at else None,
        "figures_up_to": fresh.figures_up_to.isoformat() if fresh.figures_up_to else None,
        "pending": fresh.pending,
        "failed": fresh.failed,
        "says": fresh.sentence(),
    }


def situation(session: Session, user: User, *, alarms_shown: int = 10) -> Situation:
    readers = audiences_of(user)
    seen = series_reads.visible_series(session, readers)
    alarms = _open_alarms(session, seen)
    return Situation(
        section_lines(session, alarms, {place for _, place in seen}),
        site_lines(session, user),
        _key_figures(session, seen),
        alarms[:alarms_shown],
        freshness(session),
    )


def section_lines(
    session: Session, alarms: list[AlarmLine], with_series: set[str]
) -> list[dict[str, Any]]:
    """Every border section with the level the one rule gives it (domain.alarm_levels): its
    own series' alarms, or its country's when it has no series of its own, and which."""
    levels = levels_by_place(
        Counted(a.place, a.day, AlarmLevel(a.level), AlarmState(a.state)) for a in alarms
    )
    sections = []
    for s in session.scalars(select(SectionRow).order_by(SectionRow.id)):
        shown = section_level(s.id, s.country, levels, with_series)
        sections.append(
            {
                "id": s.id,
                "name": s.name,
                "country": s.country,
                "neighbour": s.neighbour,
                "line": s.line,
                "alarm_level": shown.level.value if shown.level else "none",
                "alarm_from": shown.source.value,
            }
        )
    return sections


def _open_alarms(session: Session, seen: Seen) -> list[AlarmLine]:
    if not seen:
        return []
    shown = raised_on(seen)
    query = (
        select(AlarmRow)
        .where(AlarmRow.state.in_([state.value for state in OPEN_STATES]), shown)
        .order_by(AlarmRow.day.desc(), AlarmRow.id.desc())
        .limit(1000)
    )
    return [
        AlarmLine(a.id, a.measure, a.place, a.day, a.level, a.state, a.observed, a.expected)
        for a in session.scalars(query)
    ]


def _latest(user: User, measure: Measure, as_of: date | None) -> Any:
    """The id of a site's latest visible figure of `measure` (by `as_of` if given): a
    backwards walk of the (place, measure, period_start) index per site, however many figures
    a site has."""
    f = FigureRow.__table__.alias(f"latest_{measure.value}")
    by_then: ColumnElement[bool] = true()
    if as_of is not None:
        # As services.as_of reads a figure: known once its period ended and it was published
        # ("2021-08" sorts before "2021-08-04", as its month's first day would).
        published = f.c.source_published.is_(None) | (f.c.source_published <= as_of.isoformat())
        by_then = (f.c.period_end <= as_of) & published
    return (
        select(f.c.id)
        .where(f.c.place == SiteRow.id, f.c.measure == measure.value, visible(user, f), by_then)
        .order_by(f.c.period_start.desc(), f.c.period_end.desc(), f.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def site_lines(session: Session, user: User, *, as_of: date | None = None) -> list[dict[str, Any]]:
    """Every site the user may see with its latest capacity and occupancy (on `as_of`, if
    given: the latest figures whose period had ended by then): one query."""
    site_table = SiteRow.__table__
    occupancy = FigureRow.__table__.alias("occupancy")
    capacity = FigureRow.__table__.alias("capacity")
    query = (
        select(
            SiteRow.id,
            SiteRow.name,
            SiteRow.country,
            SiteRow.kind,
            SiteRow.lon,
            SiteRow.lat,
            occupancy.c.value,
            occupancy.c.period_end,
            capacity.c.value,
            capacity.c.period_end,
        )
        .select_from(site_table)
        .outerjoin(occupancy, occupancy.c.id == _latest(user, Measure.OCCUPANCY, as_of))
        .outerjoin(capacity, capacity.c.id == _latest(user, Measure.CAPACITY, as_of))
        .where(visible(user, site_table))
        .order_by(SiteRow.id)
    )
    out = []
    for row in session.execute(query):
        site_id, name, country, kind, lon, lat, occ, occ_day, cap, cap_day = row
        percent = 100.0 * occ / cap if occ is not None and cap else None
        as_of = occ_day if occ_day is not None else cap_day
        out.append(
            {
                "id": site_id,
                "name": name,
                "country": country,
                "kind": kind,
                "lon": lon,
                "lat": lat,
                "capacity": cap,
                "occupancy": occ,
                "as_of": as_of.isoformat() if as_of is not None else None,
                "percent_full": percent,
            }
        )
    return out


def _key_figures(session: Session, seen: Seen) -> list[KeyFigure]:
    """From the reconciled country series: the best estimate, not one source's number."""
    series = [
        entry
        for entry in seen.values()
        if entry.place in COUNTRY_CODES and entry.nature is Nature.FLOW
    ]
    last_days = [s.last_day for s in series if s.last_day is not None]
    if not last_days:
        return []
    since = min(last_days) - timedelta(days=7)
    days: dict[int, dict[date, float]] = {}
    query = select(SeriesDayRow.series_id, SeriesDayRow.day, SeriesDayRow.estimate).where(
        SeriesDayRow.series_id.in_([s.id for s in series]), SeriesDayRow.day >= since
    )
    for series_id, day, estimate in session.execute(query):
        days.setdefault(series_id, {})[day] = estimate
    figures = []
    for s in sorted(series, key=lambda s: (s.place, s.measure.value)):
        values = days.get(s.id, {})
        last = s.last_day
        if last is None or last not in values:
            continue
        figures.append(
            KeyFigure(
                s.place,
                s.measure.value,
                last,
                values[last],
                values.get(last - timedelta(days=1)),
                values.get(last - timedelta(days=7)),
            )
        )
    return figures


def series_index(session: Session, user: User) -> list[series_reads.SeriesEntry]:
    """The series the user may see, by place and measure."""
    return list(series_reads.visible_series(session, audiences_of(user)).values())
