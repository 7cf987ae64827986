"""Reference points of farringtonFlexible, computed for all monitored points at once."""

from __future__ import annotations

import numpy as np

from sitroom.analysis.detect.farrington_core import Design
from sitroom.analysis.detect.result import CountSeries, DateArray


def years_back_all(days: DateArray, years: np.ndarray) -> DateArray:
    """Same calendar date ``years`` earlier (broadcast); 29 Feb becomes 1 Mar, as in R."""
    month = days.astype("datetime64[M]")
    day_of_month = days - month.astype("datetime64[D]")
    shifted = month - (12 * years).astype("timedelta64[M]")
    out: DateArray = shifted.astype("datetime64[D]") + day_of_month
    return out


def snap_to_weekday(refs: DateArray, target: DateArray) -> DateArray:
    """Nearest day to ``refs`` with the weekday of ``target`` (R: the earlier one on ties)."""
    as_int = refs.astype(np.int64)
    want = (target.astype(np.int64) + 4) % 7
    a = as_int - (((as_int + 4) % 7) - want)
    b = a + np.where(a > as_int, -7, 7)
    picked = np.where(np.abs(a - as_int) > np.abs(b - as_int), b, a)
    out: DateArray = picked.astype("datetime64[D]")
    return out


def reference_positions(
    series: CountSeries, ks: np.ndarray, b: int, by_date: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Positions (K, b+1) of each point and its b reference points, newest first, and a mask of
    the points whose reference points all exist in the series."""
    n = len(series)
    back = np.arange(b + 1)[None, :]
    if by_date and series.dates is not None:
        dates = series.dates
        refs = years_back_all(dates[ks][:, None], back)
        if series.freq == 52:
            refs = snap_to_weekday(refs, dates[ks][:, None])
        pos = np.searchsorted(dates, refs)
        ok = np.all((pos < n) & (dates[np.minimum(pos, n - 1)] == refs), axis=1)
        return -np.sort(-pos, axis=1), ok
    pos = ks[:, None] - series.freq * back
    return pos, np.all(pos >= 0, axis=1)


def window_design(
    series: CountSeries,
    ks: np.ndarray,
    *,
    b: int,
    w: int,
    by_date: bool,
    population_offset: bool,
) -> tuple[Design, np.ndarray] | None:
    """Stacked regressions for noPeriods = 1: the +-w windows around the b reference points.

    Returns None when the vectorised layout does not apply (the caller then builds the design
    point by point). Rows are ordered by position, as in R; missing counts get weight 0.
    """
    n = len(series)
    refs, found = reference_positions(series, ks, b, by_date)
    offsets = np.arange(-w, w + 1)
    pos = (refs[:, :0:-1, None] + offsets[None, None, :]).reshape(ks.size, -1)  # oldest first
    if np.any(np.diff(pos, axis=1) <= 0):
        return None  # overlapping windows: leave it to the general path
    pos_ok = pos >= 0
    usable = found & np.all(pos >= -1, axis=1)  # R silently ignores index 0 (here -1)
    safe = np.clip(pos, 0, n - 1)
    y = series.counts[safe]
    valid = pos_ok & np.isfinite(y) & usable[:, None]
    usable &= valid.sum(axis=1) >= 3
    pos, safe, y, valid = pos[usable], safe[usable], y[usable], valid[usable]
    k_used = ks[usable]
    if by_date and series.dates is not None:
        stamp = series.dates.astype(np.int64).astype(np.float64)
        spacing = stamp[1] - stamp[0]
        first_used = np.take_along_axis(safe, np.argmax(pos >= 0, axis=1)[:, None], axis=1)
        first_seen = np.take_along_axis(safe, np.argmax(valid, axis=1)[:, None], axis=1)
        wtime = (stamp[safe] - stamp[first_used]) / spacing
        wtime_new = (stamp[k_used] - stamp[first_seen[:, 0]]) / spacing
    else:
        wtime = safe + 1.0
        wtime_new = k_used + 1.0
    x = np.stack([np.ones_like(wtime), wtime], axis=2)
    x_new = np.stack([np.ones(k_used.size), wtime_new], axis=1)
    offset = np.zeros_like(y)
    offset_new = np.zeros(k_used.size)
    if population_offset and series.population is not None:
        offset = np.where(valid, np.log(series.population[safe]), 0.0)
        offset_new = np.log(series.population[k_used])
    y = np.where(valid, y, 0.0)
    max_resp = np.max(np.where(valid, y, -np.inf), axis=1)
    return Design(x, y, valid, offset, x_new, offset_new, max_resp), usable
