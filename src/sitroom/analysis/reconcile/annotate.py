"""Marks and provenance for every day, and the cut of the fitted grid that was asked for."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from itertools import chain

import numpy as np

from sitroom.analysis.reconcile.gaussian import FloatArray
from sitroom.analysis.reconcile.placement import Placed, Role
from sitroom.analysis.reconcile.result import Conflict, DayMark, ReconciledSeries
from sitroom.domain.measures import Nature

Z80 = 1.2815515655446004
Z95 = 1.959963984540054


def _ids(items: Sequence[Placed], agreeing: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    if not agreeing:
        return tuple(p.figure.id for p in items)
    out: list[str] = []
    for item in items:
        out.append(item.figure.id)
        out.extend(agreeing.get(item.figure.id, ()))
    return tuple(out)


def marks_and_sources(
    items: Sequence[Placed], days: int, agreeing: Mapping[str, Sequence[str]]
) -> tuple[list[DayMark], list[tuple[str, ...]]]:
    """For one group: each day's mark and the figures that shaped it.

    A day no figure covers is shaped by the nearest figures on either side (the smooth
    level carries them over). Worked out per segment between figure boundaries, so the cost
    grows with the number of figures, not with days times figures.
    """
    first_list = [p.first for p in items]
    last_list = [p.last for p in items]
    cut_list = sorted({0, days, *first_list, *(last + 1 for last in last_list)})
    cut_list = [c for c in cut_list if 0 <= c <= days]
    index = {c: i for i, c in enumerate(cut_list)}
    # the figures over each segment between boundaries, in the order they were given
    over: list[list[int]] = [[] for _ in range(len(cut_list) - 1)]
    for f, (first, last) in enumerate(zip(first_list, last_list, strict=True)):
        for segment in range(index[first], index[last + 1]):
            over[segment].append(f)
    # a one-day value is a segment of its own
    observed = [False] * len(over)
    for p in items:
        if p.first == p.last and p.role in (Role.EXACT, Role.SOFT):
            observed[index[p.first]] = True
    ids = [p.figure.id for p in items]
    own_ids = [(i, *agreeing[i]) if i in agreeing else (i,) for i in ids]

    def shape_of(chosen: list[int]) -> tuple[str, ...]:
        if not agreeing:
            return tuple(map(ids.__getitem__, chosen))
        return tuple(chain.from_iterable(map(own_ids.__getitem__, chosen)))

    firsts = np.array(first_list, dtype=np.int64)
    lasts = np.array(last_list, dtype=np.int64)
    cuts = np.array(cut_list, dtype=np.int64)
    lo, hi = cuts[:-1], cuts[1:]
    last_before = np.searchsorted(np.sort(lasts), lo, side="left")  # figures ending before lo
    end_order = np.argsort(lasts, kind="stable")
    start_order = np.argsort(firsts, kind="stable")
    first_after = np.searchsorted(np.sort(firsts), hi, side="left")
    before = [int(end_order[i - 1]) if i > 0 else -1 for i in last_before.tolist()]
    after = [int(start_order[i]) if i < len(items) else -1 for i in first_after.tolist()]
    marks: list[DayMark] = []
    sources: list[tuple[str, ...]] = []
    for s, (chosen, length) in enumerate(zip(over, (hi - lo).tolist(), strict=True)):
        if chosen:
            mark = DayMark.OBSERVED if observed[s] else DayMark.DERIVED
        else:
            mark = DayMark.ESTIMATED
            chosen = [i for i in (before[s], after[s]) if i >= 0]
        shaped = shape_of(chosen)
        marks.extend([mark] * length)
        sources.extend([shaped] * length)
    return marks, sources


def build_series(
    nature: Nature,
    start: date,
    end: date,
    offset: int,
    mean: FloatArray,
    variance: FloatArray,
    items: Sequence[Placed],
    agreeing: Mapping[str, Sequence[str]],
    conflicts: Sequence[Conflict],
    set_aside: Sequence[str],
) -> ReconciledSeries:
    """The window [start, end] of one group's fitted days, which begin `offset` days
    before `start`."""
    days = (end - start).days + 1
    window = slice(offset, offset + days)
    estimate = mean[window]
    sd = np.sqrt(variance[window])
    marks, sources = marks_and_sources(items, mean.size, agreeing)
    used = tuple(dict.fromkeys(_ids(items, agreeing)))
    return ReconciledSeries(
        nature=nature,
        start=start,
        end=end,
        estimate=estimate,
        lower80=np.maximum(estimate - Z80 * sd, 0.0),
        upper80=estimate + Z80 * sd,
        lower95=np.maximum(estimate - Z95 * sd, 0.0),
        upper95=estimate + Z95 * sd,
        marks=tuple(marks[window]),
        shaped_by=tuple(sources[window]),
        conflicts=tuple(conflicts),
        used_ids=used,
        set_aside_ids=tuple(set_aside),
    )
