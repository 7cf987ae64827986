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
    segments = len(cut_list) - 1
    # (segment, figure) pairs, segment by segment, figures in the order they were given
    seg_lo = np.array([index[f] for f in first_list], dtype=np.int64)
    seg_hi = np.array([index[last + 1] for last in last_list], dtype=np.int64)
    spans = seg_hi - seg_lo
    fig_of = np.repeat(np.arange(len(items)), spans)
    seg_of = np.arange(fig_of.size) - np.repeat(np.cumsum(spans) - spans - seg_lo, spans)
    order = np.lexsort((fig_of, seg_of))
    fig_list = fig_of[order].tolist()
    bounds = np.searchsorted(seg_of[order], np.arange(segments + 1)).tolist()
    # a one-day value is a segment of its own
    observed = [False] * segments
    for p in items:
        if p.first == p.last and p.role in (Role.EXACT, Role.SOFT):
            observed[index[p.first]] = True
    ids = [p.figure.id for p in items]
    own_ids = [(i, *agreeing[i]) if i in agreeing else (i,) for i in ids]
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
    pick = ids.__getitem__
    marks: list[DayMark] = []
    sources: list[tuple[str, ...]] = []
    for s, length in enumerate((hi - lo).tolist()):
        chosen = fig_list[bounds[s] : bounds[s + 1]]
        if chosen:
            mark = DayMark.OBSERVED if observed[s] else DayMark.DERIVED
        else:
            mark = DayMark.ESTIMATED
            chosen = [i for i in (before[s], after[s]) if i >= 0]
        if agreeing:
            shaped = tuple(chain.from_iterable(map(own_ids.__getitem__, chosen)))
        else:
            shaped = tuple(map(pick, chosen))
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
