"""The situation as it was on a past day: what an analyst briefing on 4 August 2021 would have
seen, recomputed from the figures that were known that day.

A figure counts as known on a day once its period has ended and its source had published it
(`source_published`; "2021-07" counts from the month's first day, no date from the period's
end). The entry time is not used: data loaded later about earlier days (the bundled 2021 data,
entered when the database was made) would otherwise show nothing. The series are reconciled
and detection is run in memory, for the reader's own figures (the sharing rule), and nothing
is stored: a read never writes. Alarms shown are those raised on the last `ALARM_DAYS` days up
to the day; their state is "new", since what people did about them later is not that day's.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.accounts import User
from ..domain.countries import COUNTRY_CODES
from ..domain.figures import ReportedFigure
from ..domain.measures import Nature
from ..domain.series import StoredSeries
from ..store import mapping
from ..store.tables import FigureRow
from . import series_plan
from .access import visible
from .detection import find_alarms
from .series import as_stored
from .situation import AlarmLine, KeyFigure, Situation, section_lines, site_lines

ALARM_DAYS = 14


def known_on(figure: ReportedFigure) -> date:
    """The first day a figure could be read: its period's end, or its publication if later."""
    published = figure.source.published
    if not published:
        return figure.period_end
    day = date.fromisoformat((published + "-01-01")[:10])
    return max(figure.period_end, day)


def situation_as_of(
    session: Session, user: User, day: date, *, alarms_shown: int = 10
) -> Situation:
    """The situation page's data as it was on `day`, for this reader."""
    now = datetime.now(UTC)
    series = _series_as_of(session, user, day, now)
    alarms: list[AlarmLine] = []
    for stored in series.values():
        found, _ = find_alarms(stored, since=day - timedelta(days=ALARM_DAYS - 1), now=now)
        alarms += [
            AlarmLine(
                0, a.measure.value, a.place, a.day, a.level.value, "new", a.observed, a.expected
            )
            for a in found
            if a.day <= day
        ]
    alarms.sort(key=lambda a: (a.day, a.place, a.measure), reverse=True)
    return Situation(
        section_lines(session, alarms, {place for _, place in series}),
        site_lines(session, user, as_of=day),
        _key_figures(series),
        alarms[:alarms_shown],
        None,
        as_of=day,
    )


def _series_as_of(
    session: Session, user: User, day: date, now: datetime
) -> dict[tuple[str, str], StoredSeries]:
    table = FigureRow.__table__
    query = (
        select(table)
        .where(visible(user, table), table.c.period_end <= day)
        .order_by(table.c.period_start, table.c.period_end, table.c.id)
    )
    figures: list[ReportedFigure] = []
    found: set[tuple[str, str, str, str]] = set()
    for row in session.execute(query).mappings():
        figure = mapping.figure_from_row(row)
        if known_on(figure) <= day:
            figures.append(figure)
            found.add((row["measure"], row["place"], row["place_kind"], row["country"]))
    by_series: dict[series_plan.SeriesId, list[ReportedFigure]] = {}
    for figure in figures:
        by_series.setdefault((figure.measure, figure.place), []).append(figure)
    out: dict[tuple[str, str], StoredSeries] = {}
    for group in series_plan.plan(found):
        mine = [f for member in group.members for f in by_series.get(member, [])]
        for (measure, place), result in series_plan.reconcile_group(group, mine).items():
            out[(measure.value, place)] = as_stored(measure, place, result, now)
    return out


def _key_figures(series: dict[tuple[str, str], StoredSeries]) -> list[KeyFigure]:
    figures = []
    for (measure, place), stored in sorted(series.items(), key=lambda s: (s[0][1], s[0][0])):
        if place not in COUNTRY_CODES or stored.nature is not Nature.FLOW or not stored.days:
            continue
        values = {d.day: d.estimate for d in stored.days}
        last = stored.days[-1].day
        figures.append(
            KeyFigure(
                place,
                measure,
                last,
                values[last],
                values.get(last - timedelta(days=1)),
                values.get(last - timedelta(days=7)),
            )
        )
    return figures
