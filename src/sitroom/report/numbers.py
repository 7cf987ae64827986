"""The numbers of the report: a reported figure when one covers exactly the period asked,
otherwise the reconciled series summed over it (and marked derived), each with its sources."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from ..domain.figures import ReportedFigure
from ..domain.measures import Measure, Nature, Qualifier
from ..domain.series import SeriesDay, StoredSeries
from .model import Change, KeyFigure, Number
from .sources import SourceBook
from .wording import day_short, percent_change

QUALIFIER_WORDS = {
    Qualifier.EXACT: "",
    Qualifier.APPROX: "about",
    Qualifier.ROUNDED: "about",
    Qualifier.AT_LEAST: "at least",
    Qualifier.AT_MOST: "at most",
    Qualifier.PARTIAL: "at least",
}
# Exact figures first; among equals, the most trusted channel, then the latest entry.
_QUALIFIER_ORDER = {q: i for i, q in enumerate(Qualifier)}


@dataclass(slots=True)
class SeriesView:
    """One measure at one place as the report sees it on its day."""

    measure: Measure
    place: str
    series: StoredSeries | None
    figures: list[ReportedFigure]
    _days: dict[date, SeriesDay] = field(default_factory=dict)
    _refs: dict[str, ReportedFigure] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._days = {d.day: d for d in self.series.days} if self.series else {}
        self._refs = {f.ref: f for f in self.figures}

    @property
    def nature(self) -> Nature:
        return self.measure.nature

    def days(self, start: date, end: date) -> list[SeriesDay] | None:
        """Every day from start to end, or None if the series misses any of them."""
        wanted = [start + timedelta(days=i) for i in range((end - start).days + 1)]
        found = [self._days[d] for d in wanted if d in self._days]
        return found if len(found) == len(wanted) else None

    def first_day(self) -> date | None:
        return min(self._days) if self._days else None

    def shaping(self, days: Sequence[SeriesDay]) -> list[ReportedFigure]:
        refs = {ref for d in days for ref in d.shaped_by}
        return [self._refs[r] for r in sorted(refs) if r in self._refs]

    def reported(self, start: date, end: date) -> ReportedFigure | None:
        if self.nature is Nature.FLOW:
            matches = [f for f in self.figures if f.period_start == start and f.period_end == end]
        else:
            matches = [f for f in self.figures if f.period_end == end]
        if not matches:
            return None
        return min(
            matches,
            key=lambda f: (
                _QUALIFIER_ORDER[f.qualifier],
                -f.source.kind.rank,
                -f.entered_at.timestamp(),
            ),
        )


def window(view: SeriesView, book: SourceBook, start: date, end: date) -> Number | None:
    figure = view.reported(start, end)
    if figure is not None:
        return Number(
            figure.value,
            derived=False,
            citations=book.cite([figure]),
            qualifier=QUALIFIER_WORDS[figure.qualifier],
            period=(start, end),
        )
    days = view.days(start, end)
    if days is None:
        return None
    value = sum(d.estimate for d in days) if view.nature is Nature.FLOW else days[-1].estimate
    used = days if view.nature is Nature.FLOW else days[-1:]
    return Number(
        value,
        derived=any(d.mark != "observed" for d in used),
        citations=book.cite(view.shaping(used)),
        period=(start, end),
    )


def _with_change(current: Number | None, previous: Number | None) -> Number | None:
    if current is None or previous is None:
        return current
    citations = tuple(sorted(set(current.citations) | set(previous.citations)))
    change = Change(previous.value, percent_change(current.value, previous.value))
    return Number(
        current.value,
        current.derived,
        citations,
        current.qualifier,
        change,
        current.period,
    )


def year_start(view: SeriesView, on: date) -> date:
    """Count the year from 1 January, or from the series' first day when it started later in
    the year (a measure first counted on 3 August is counted "since 3 August")."""
    first = view.first_day()
    january = date(on.year, 1, 1)
    return first if first is not None and january < first <= on else january


def key_figure(view: SeriesView, book: SourceBook, on: date) -> KeyFigure:
    if view.nature is Nature.STOCK:
        latest = _with_change(
            window(view, book, on, on), window(view, book, on - timedelta(7), on - timedelta(7))
        )
        return KeyFigure(view.measure, view.nature, latest, None, None, "")
    latest = _with_change(
        window(view, book, on, on), window(view, book, on - timedelta(1), on - timedelta(1))
    )
    week = _with_change(
        window(view, book, on - timedelta(6), on),
        window(view, book, on - timedelta(13), on - timedelta(7)),
    )
    start = year_start(view, on)
    year = window(view, book, start, on)
    if start.month == 1 and start.day == 1:
        label = "year to date"
        if on.month != 2 or on.day != 29:
            last_year = window(view, book, date(on.year - 1, 1, 1), on.replace(year=on.year - 1))
            year = _with_change(year, last_year)
    else:
        label = f"since {day_short(start)}"
    return KeyFigure(view.measure, view.nature, latest, week, year, label)


def previous_year_total(view: SeriesView, book: SourceBook, on: date) -> Number | None:
    start, end = date(on.year - 1, 1, 1), date(on.year - 1, 12, 31)
    return window(view, book, start, end)
