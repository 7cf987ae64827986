"""Marks and provenance for every day, and the cut of the fitted grid that was asked for."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from itertools import chain, pairwise
from operator import itemgetter

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


def _segments(
    items: Sequence[Placed], days: int, agreeing: Mapping[str, Sequence[str]]
) -> tuple[list[int], list[DayMark], list[tuple[str, ...]]]:
    """The cuts between figure boundaries, and each segment's mark and sources.

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
    own = own_ids.__getitem__
    if agreeing:
        # every segment's ids, end to end, and where each segment's run of them starts
        flat = tuple(chain.from_iterable(map(own, fig_list)))
        sizes = np.array([len(t) for t in own_ids], dtype=np.int64)
        ends = np.concatenate([[0], np.cumsum(sizes[fig_of[order]])])
        starts = ends[bounds].tolist()
    else:
        flat = tuple(map(ids.__getitem__, fig_list))
        starts = bounds
    sources = [flat[a:b] for a, b in pairwise(starts)]
    marks = [
        DayMark.ESTIMATED if a == b else DayMark.OBSERVED if seen else DayMark.DERIVED
        for a, b, seen in zip(bounds, bounds[1:], observed, strict=False)
    ]
    uncovered = [s for s, (a, b) in enumerate(pairwise(bounds)) if a == b]
    if uncovered:
        firsts = np.array(first_list, dtype=np.int64)
        lasts = np.array(last_list, dtype=np.int64)
        cuts = np.array(cut_list, dtype=np.int64)
        lo, hi = cuts[:-1], cuts[1:]
        last_before = np.searchsorted(np.sort(lasts), lo, side="left")  # ending before lo
        end_order = np.argsort(lasts, kind="stable")
        start_order = np.argsort(firsts, kind="stable")
        first_after = np.searchsorted(np.sort(firsts), hi, side="left")
        for s in uncovered:
            before, after = int(last_before[s]), int(first_after[s])
            chosen = [int(end_order[before - 1])] if before > 0 else []
            if after < len(items):
                chosen.append(int(start_order[after]))
            sources[s] = tuple(chain.from_iterable(map(own, chosen)))
    return cut_list, marks, sources


def marks_and_sources(
    items: Sequence[Placed],
    days: int,
    agreeing: Mapping[str, Sequence[str]],
    window: slice | None = None,
) -> tuple[tuple[DayMark, ...], tuple[tuple[str, ...], ...]]:
    """For one group: each day's mark and the figures that shaped it (days in `window`
    only, when given). Days of one segment share one tuple of sources."""
    cuts, seg_marks, seg_sources = _segments(items, days, agreeing)
    lo, hi, _ = (window or slice(0, days)).indices(days)
    which = (np.searchsorted(cuts, np.arange(lo, max(lo, hi)), side="right") - 1).tolist()
    if len(which) < 2:
        return tuple(seg_marks[i] for i in which), tuple(seg_sources[i] for i in which)
    take = itemgetter(*which)
    return take(seg_marks), take(seg_sources)


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
    marks, sources = marks_and_sources(items, mean.size, agreeing, window)
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
        marks=marks,
        shaped_by=sources,
        conflicts=tuple(conflicts),
        used_ids=used,
        set_aside_ids=tuple(set_aside),
    )
