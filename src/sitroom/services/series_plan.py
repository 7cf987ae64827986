"""Which series are reconciled together, and reconciling them: a country with its border
sections (the sections add up to the country), a reception site's occupancy with its arrivals
(occupancy today = yesterday's + arrivals - departures), or one series alone. No database."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from ..analysis import reconcile as rec
from ..domain import bounds
from ..domain.errors import InvalidValue
from ..domain.figures import ReportedFigure
from ..domain.measures import Measure
from ..domain.places import PlaceKind

SeriesId = tuple[Measure, str]
STOCK, INFLOW = Measure.OCCUPANCY, Measure.ARRIVALS_AT_RECEPTION


class Tie(enum.StrEnum):
    ALONE = "alone"
    HIERARCHY = "hierarchy"  # members: the country first, then its sections
    STOCK_FLOW = "stock_flow"  # members: the stock, then its inflow


@dataclass(frozen=True, slots=True)
class SeriesGroup:
    tie: Tie
    members: tuple[SeriesId, ...]


def plan(found: Iterable[tuple[str, str, str, str]]) -> list[SeriesGroup]:
    """Groups from the (measure, place, place kind, country) of the stored figures: every
    series in exactly one group."""
    rows = sorted(set(found))
    present = {(Measure(m), p) for m, p, _, _ in rows}
    sections: dict[SeriesId, list[str]] = {}
    for m, place, kind, country in rows:
        if kind == PlaceKind.SECTION.value and (Measure(m), country) in present:
            sections.setdefault((Measure(m), country), []).append(place)
    grouped: set[SeriesId] = set()
    groups = []
    for country_series, members in sections.items():
        ids = (country_series, *((country_series[0], s) for s in members))
        groups.append(SeriesGroup(Tie.HIERARCHY, ids))
        grouped.update(ids)
    for measure, place in sorted(present, key=lambda s: (s[1], s[0].value)):
        stock, inflow = (STOCK, place), (INFLOW, place)
        if measure is STOCK and inflow in present and not grouped & {stock, inflow}:
            groups.append(SeriesGroup(Tie.STOCK_FLOW, (stock, inflow)))
            grouped.update((stock, inflow))
    groups += [SeriesGroup(Tie.ALONE, (s,)) for s in sorted(present - grouped, key=_order)]
    return sorted(groups, key=lambda g: _order(g.members[0]))


class SeriesRefused(ValueError):
    """A figure breaks the rules the importer now applies (domain.bounds): it was stored
    before them, and computing the series from it could take any time and memory."""


def reconcile_group(
    group: SeriesGroup,
    figures: Sequence[ReportedFigure],
    *,
    window: bounds.DateWindow | None = None,
) -> dict[SeriesId, rec.ReconciledSeries]:
    """The series of every member that has figures (the others get none), over the days of
    all the group's figures, which must lie in `window` (by default, as of today): the days
    computed are bounded by the window, whatever was stored."""
    window = window or bounds.window_at(date.today())
    for f in figures:
        for day in (f.period_start, f.period_end):
            if (problem := window.problem(day)) is not None:
                raise SeriesRefused(f"figure {f.ref}: {problem}")
    by_series: dict[SeriesId, list[rec.Figure]] = {}
    seen: set[str] = set()
    for f in figures:
        given = reconcile_input(f)
        # The same figure stored by two organisations, each in its own scope (write_gate),
        # says one thing once: a reader who sees both copies gets one figure, not a conflict.
        if given.id not in seen:
            seen.add(given.id)
            by_series.setdefault((f.measure, f.place), []).append(given)
    if not by_series:
        return {}
    first = min(f.period_start for f in figures)
    last = max(f.period_end for f in figures)
    if group.tie is Tie.HIERARCHY and group.members[0] in by_series and len(by_series) > 1:
        return _hierarchy(group.members[0], by_series, first, last)
    if group.tie is Tie.STOCK_FLOW and len(by_series) == 2:
        stock, inflow = group.members
        tied = rec.reconcile_stock_flow(by_series[stock], by_series[inflow], first, last)
        return {stock: tied.stock, inflow: tied.inflow}
    return {
        (measure, place): rec.reconcile(found, measure.nature, *_span(found))
        for (measure, place), found in by_series.items()
    }


def _hierarchy(
    country: SeriesId, by_series: dict[SeriesId, list[rec.Figure]], first: date, last: date
) -> dict[SeriesId, rec.ReconciledSeries]:
    measure = country[0]
    sections = {place: found for (_, place), found in by_series.items() if place != country[1]}
    # Sections need not cover the whole border: what the country reports beyond them goes to
    # an unattributed remainder instead of being forced onto the sections.
    joint = rec.reconcile_hierarchy(
        by_series[country], sections, measure.nature, first, last, sections_complete=False
    )
    # Each conflict is stored once, on the most specific series it concerns.
    on_sections = {_conflict_key(c) for p in sections for c in joint.sections[p].conflicts}
    country_only = tuple(c for c in joint.country.conflicts if _conflict_key(c) not in on_sections)
    return {
        country: replace(joint.country, conflicts=country_only),
        **{(measure, place): joint.sections[place] for place in sections},
    }


def reconcile_input(figure: ReportedFigure) -> rec.Figure:
    published = figure.source.published
    try:
        # "2021-07" sorts as the month's first day: enough to tell later from earlier.
        published_day = bounds.partial_day(published) if published else None
    except InvalidValue as exc:
        raise SeriesRefused(f"figure {figure.ref}: source_published {exc}") from None
    return rec.Figure(
        id=figure.ref,
        start=figure.period_start,
        end=figure.period_end,
        value=figure.value,
        qualifier=figure.qualifier,
        source_rank=figure.source.kind.rank,
        published=published_day,
        source=figure.source.organisation or figure.source.reference,
        corrects=figure.corrects,
    )


def _span(figures: Sequence[rec.Figure]) -> tuple[date, date]:
    return min(f.start for f in figures), max(f.end for f in figures)


def _order(series: SeriesId) -> tuple[str, str]:
    return series[1], series[0].value


def _conflict_key(conflict: rec.Conflict) -> tuple[object, ...]:
    return (conflict.kind, conflict.winner_ids, conflict.loser_ids, conflict.detail)
