"""Reference points of farringtonFlexible, computed for all monitored points at once."""

from __future__ import annotations

import numpy as np

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
