"""Reconcile a country with its border sections, so that the sections add up to the country.

All sections are fitted together: each has its own level and noise, and a country figure is
a total over the same days of every section (plus an "unattributed" remainder when the
sections do not cover the whole border). The country series is then the day-by-day sum, so
it honours the country's exact figures and the sections' at once, and its band comes from
the joint posterior (a country total known exactly leaves no width, however unsure the split).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from sitroom.analysis.reconcile.annotate import build_series
from sitroom.analysis.reconcile.engine import run
from sitroom.analysis.reconcile.figures import Figure
from sitroom.analysis.reconcile.model import Grid, ModelSettings
from sitroom.analysis.reconcile.placement import Placed, place
from sitroom.analysis.reconcile.result import Conflict, ReconciledSeries
from sitroom.analysis.reconcile.screening import Screened, screen
from sitroom.analysis.reconcile.series import DEFAULT_SETTINGS, model_span
from sitroom.domain.measures import Nature

UNATTRIBUTED = "unattributed"


@dataclass(frozen=True, eq=False)
class HierarchySeries:
    country: ReconciledSeries
    sections: dict[str, ReconciledSeries]


def reconcile_hierarchy(
    country: Sequence[Figure],
    sections: Mapping[str, Sequence[Figure]],
    nature: Nature,
    start: date,
    end: date,
    *,
    sections_complete: bool = True,
    settings: ModelSettings = DEFAULT_SETTINGS,
) -> HierarchySeries:
    """Country and section series that agree: sections sum to the country on every day.

    `sections_complete=False` adds an UNATTRIBUTED section for what the country reports
    beyond its listed sections (a stretch of border nobody reports separately).
    Conflicts of every place are listed on the country series.
    """
    names = list(sections)
    if not sections_complete or not names:
        names.append(UNATTRIBUTED)
    screened_country = screen(country, nature)
    screened_sections = {n: screen(sections.get(n, ()), nature) for n in names}
    everything = screened_country.kept + [f for s in screened_sections.values() for f in s.kept]
    if end < start or not everything:
        reason = "the window ends before it starts" if end < start else "no usable figures"
        empty = ReconciledSeries.empty(nature, start, end, reason)
        return HierarchySeries(empty, dict.fromkeys(names, empty))
    origin, last = model_span(everything, nature, start, end)
    grid = Grid(len(names), (last - origin).days + 1, origin.weekday())
    all_groups = tuple(range(len(names)))
    items: list[Placed] = [place(f, all_groups, origin, nature) for f in screened_country.kept]
    for g, name in enumerate(names):
        items.extend(place(f, (g,), origin, nature) for f in screened_sections[name].kept)
    outcome = run(items, grid, nature, settings)
    agreeing = _merged_agreeing([screened_country, *screened_sections.values()])
    conflicts: list[Conflict] = [
        *screened_country.conflicts,
        *(c for s in screened_sections.values() for c in s.conflicts),
        *outcome.conflicts,
    ]
    set_aside = [
        *screened_country.set_aside,
        *(i for s in screened_sections.values() for i in s.set_aside),
        *outcome.set_aside,
    ]
    offset = (start - origin).days
    mean = outcome.fit.mean.reshape(grid.groups, grid.days)
    variance = outcome.fit.variance.reshape(grid.groups, grid.days)
    section_series = {}
    for g, name in enumerate(names):
        own = [p for p in outcome.used if p.groups == (g,)]
        # every figure given for the section, also those set aside: a conflict that names
        # one of them (as winner or loser) belongs to the section too
        own_ids = {f.id for f in sections.get(name, ())}
        section_series[name] = build_series(
            nature,
            start,
            end,
            offset,
            mean[g],
            variance[g],
            own,
            agreeing,
            [c for c in conflicts if own_ids.intersection(c.loser_ids + c.winner_ids)],
            [i for i in set_aside if i in own_ids],
        )
    total_variance = outcome.fit.sum_variance
    if total_variance is None:
        total_variance = variance.sum(axis=0)
    country_series = build_series(
        nature,
        start,
        end,
        offset,
        mean.sum(axis=0),
        np.asarray(total_variance),
        outcome.used,
        agreeing,
        conflicts,
        set_aside,
    )
    return HierarchySeries(country_series, section_series)


def _merged_agreeing(screened: Sequence[Screened]) -> dict[str, list[str]]:
    merged: dict[str, list[str]] = {}
    for s in screened:
        merged.update(s.agreeing)
    return merged
