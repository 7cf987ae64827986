"""The situation at a glance, as one user may see it: sections with their alarm level, sites
with occupancy against capacity, key figures per country with the change on the previous day
and week, and the latest alarms. Seven queries, whatever the data size: none of them touches
the incidents, and the figures only through the (place, measure) index for sites."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from ..domain.accounts import User
from ..domain.countries import COUNTRY_CODES
from ..domain.measures import Measure
from ..store.analysis_tables import AlarmRow, SeriesDayRow, SeriesRow
from ..store.tables import FigureRow, SectionRow, SiteRow
from .access import visible

OPEN_STATES = ("new", "acknowledged")
_LEVEL_RANK = {"amber": 1, "red": 2}


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
        }


def situation(session: Session, user: User, *, alarms_shown: int = 10) -> Situation:
    alarms = _open_alarms(session)
    level_at: dict[str, str] = {}
    for alarm in alarms:
        if _LEVEL_RANK.get(alarm.level, 0) > _LEVEL_RANK.get(level_at.get(alarm.place, ""), 0):
            level_at[alarm.place] = alarm.level
    sections = [
        {
            "id": s.id,
            "name": s.name,
            "country": s.country,
            "neighbour": s.neighbour,
            "line": s.line,
            # Alarms are raised on series; a section without its own series shows its
            # country's level, and says so.
            "alarm_level": level_at.get(s.id) or level_at.get(s.country, "none"),
            "alarm_from": "section" if s.id in level_at else "country",
        }
        for s in session.scalars(select(SectionRow).order_by(SectionRow.id))
    ]
    return Situation(
        sections, site_lines(session, user), _key_figures(session), alarms[:alarms_shown]
    )


def _open_alarms(session: Session) -> list[AlarmLine]:
    query = (
        select(AlarmRow)
        .where(AlarmRow.state.in_(OPEN_STATES))
        .order_by(AlarmRow.day.desc(), AlarmRow.id.desc())
        .limit(1000)
    )
    return [
        AlarmLine(a.id, a.measure, a.place, a.day, a.level, a.state, a.observed, a.expected)
        for a in session.scalars(query)
    ]


def site_lines(session: Session, user: User) -> list[dict[str, Any]]:
    site_table, figure_table = SiteRow.__table__, FigureRow.__table__
    rows = session.execute(
        select(site_table).where(visible(user, site_table)).order_by(SiteRow.id)
    ).mappings()
    sites = {r["id"]: dict(r) for r in rows}
    measures = [Measure.CAPACITY.value, Measure.OCCUPANCY.value]
    seen = and_(
        FigureRow.place_kind == "site", FigureRow.measure.in_(measures), visible(user, figure_table)
    )
    latest = (
        select(FigureRow.place, FigureRow.measure, func.max(FigureRow.period_end).label("last"))
        .where(seen)
        .group_by(FigureRow.place, FigureRow.measure)
        .subquery()
    )
    query = (
        select(FigureRow.place, FigureRow.measure, FigureRow.value, FigureRow.period_end)
        .join(
            latest,
            and_(
                FigureRow.place == latest.c.place,
                FigureRow.measure == latest.c.measure,
                FigureRow.period_end == latest.c.last,
            ),
        )
        .where(seen)
        .order_by(FigureRow.entered_at)
    )
    values: dict[tuple[str, str], tuple[float, date]] = {}
    for place, measure, value, day in session.execute(query):
        values[(place, measure)] = (value, day)  # the latest entry on the latest day wins
    out = []
    for site_id, site in sites.items():
        capacity = values.get((site_id, Measure.CAPACITY.value))
        occupancy = values.get((site_id, Measure.OCCUPANCY.value))
        percent = (
            100.0 * occupancy[0] / capacity[0]
            if capacity and occupancy and capacity[0] > 0
            else None
        )
        out.append(
            {
                "id": site_id,
                "name": site["name"],
                "country": site["country"],
                "kind": site["kind"],
                "lon": site["lon"],
                "lat": site["lat"],
                "capacity": capacity[0] if capacity else None,
                "occupancy": occupancy[0] if occupancy else None,
                "as_of": _as_of(occupancy or capacity),
                "percent_full": percent,
            }
        )
    return out


def _key_figures(session: Session) -> list[KeyFigure]:
    """From the reconciled country series: the best estimate, not one source's number."""
    series = session.execute(
        select(SeriesRow.id, SeriesRow.place, SeriesRow.measure, SeriesRow.last_day).where(
            SeriesRow.place.in_(sorted(COUNTRY_CODES)),
            SeriesRow.last_day.is_not(None),
            SeriesRow.nature == "flow",
        )
    ).all()
    if not series:
        return []
    since = min(s.last_day for s in series) - timedelta(days=7)
    days: dict[int, dict[date, float]] = {}
    query = select(SeriesDayRow.series_id, SeriesDayRow.day, SeriesDayRow.estimate).where(
        SeriesDayRow.series_id.in_([s.id for s in series]), SeriesDayRow.day >= since
    )
    for series_id, day, estimate in session.execute(query):
        days.setdefault(series_id, {})[day] = estimate
    figures = []
    for s in sorted(series, key=lambda s: (s.place, s.measure)):
        values = days.get(s.id, {})
        last: date = s.last_day
        if last not in values:
            continue
        figures.append(
            KeyFigure(
                s.place,
                s.measure,
                last,
                values[last],
                values.get(last - timedelta(days=1)),
                values.get(last - timedelta(days=7)),
            )
        )
    return figures


def _as_of(value: tuple[float, date] | None) -> str | None:
    return value[1].isoformat() if value else None


@dataclass(frozen=True, slots=True)
class SeriesEntry:
    measure: str
    place: str
    first_day: date | None
    last_day: date | None


def series_index(session: Session) -> list[SeriesEntry]:
    query = select(SeriesRow.measure, SeriesRow.place, SeriesRow.first_day, SeriesRow.last_day)
    return [
        SeriesEntry(*row)
        for row in session.execute(query.order_by(SeriesRow.place, SeriesRow.measure))
    ]
