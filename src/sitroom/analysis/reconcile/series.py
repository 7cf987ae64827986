"""Reconcile the figures of one measure at one place into a daily series."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sitroom.analysis.reconcile.annotate import build_series
from sitroom.analysis.reconcile.engine import run
from sitroom.analysis.reconcile.figures import Figure
from sitroom.analysis.reconcile.model import Grid, ModelSettings
from sitroom.analysis.reconcile.placement import place
from sitroom.analysis.reconcile.result import Conflict, ConflictKind, ReconciledSeries
from sitroom.analysis.reconcile.screening import screen
from sitroom.domain.measures import Nature, Qualifier

DEFAULT_SETTINGS = ModelSettings()


def model_span(
    figures: Sequence[Figure], nature: Nature, start: date, end: date
) -> tuple[date, date]:
    """The days the model must cover: the window plus every period a figure touches, since
    a year-to-date total outside the window still says something about the days inside."""
    firsts = [f.end if nature is Nature.STOCK else f.start for f in figures]
    return min([start, *firsts]), max([end, *(f.end for f in figures)])


def capacity_conflicts(stocks: Sequence[Figure], capacity: Sequence[Figure]) -> list[Conflict]:
    """A stock figure above the exact capacity the same source gave for the same day.

    Reception sites do run over capacity, so the stock is kept (it is what is reconciled);
    the pair is shown so that an analyst can tell an overflow from a typing error.
    """
    exact = {(c.source, c.end): c for c in capacity if c.qualifier is Qualifier.EXACT and c.source}
    found = []
    for stock in stocks:
        limit = exact.get((stock.source, stock.end))
        if limit is not None and stock.value > limit.value:
            found.append(
                Conflict(
                    ConflictKind.OVER_CAPACITY,
                    (stock.id,),
                    (limit.id,),
                    stock.value - limit.value,
                    "the stock is kept: sites do overflow",
                    f"{stock.value:g} present against {limit.value:g} places on {stock.end}",
                )
            )
    return found


def reconcile(
    figures: Sequence[Figure],
    nature: Nature,
    start: date,
    end: date,
    *,
    settings: ModelSettings = DEFAULT_SETTINGS,
    capacity: Sequence[Figure] = (),
) -> ReconciledSeries:
    """One best-estimate daily series for one measure at one place over [start, end].

    Exact figures hold exactly, approx/rounded figures pull softly, bounds bound, corrections
    replace, and figures that cannot all hold are reported as conflicts (never raised).
    `capacity` (for a stock such as occupancy) is only used to report stock figures above
    the same source's exact capacity.
    """
    if end < start:
        return ReconciledSeries.empty(nature, start, end, "the window ends before it starts")
    screened = screen(figures, nature)
    extra = capacity_conflicts(screened.kept, capacity) if nature is Nature.STOCK else []
    if not screened.kept:
        reason = "no figures" if not figures else "no usable figures"
        return ReconciledSeries.empty(nature, start, end, reason, tuple(screened.conflicts + extra))
    origin, last = model_span(screened.kept, nature, start, end)
    grid = Grid(groups=1, days=(last - origin).days + 1, first_weekday=origin.weekday())
    items = [place(f, (0,), origin, nature) for f in screened.kept]
    outcome = run(items, grid, nature, settings)
    return build_series(
        nature,
        start,
        end,
        (start - origin).days,
        outcome.fit.mean,
        outcome.fit.variance,
        outcome.used,
        screened.agreeing,
        screened.conflicts + outcome.conflicts + extra,
        screened.set_aside + outcome.set_aside,
    )
