"""Runway parameters estimated from a site's own past, each with a note saying how."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np

from sitroom.analysis.runway.model import FloatArray, Parameter


def _as_array(values: Sequence[float] | FloatArray) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


def estimate_departure_rate(
    occupancy: Sequence[float] | FloatArray,
    arrivals_at_reception: Sequence[float] | FloatArray,
    start: date,
) -> Parameter:
    """Daily share of occupants who leave, from past occupancy changes.

    Day by day, departures = arrivals at reception - change in occupancy; the rate is total
    departures over total occupant-days (days with a missing value on either side are left
    out). Without any usable day the rate is 0, which is the pessimistic choice: nobody
    leaves, so the site fills as fast as it can.
    """
    occ = _as_array(occupancy)
    arr = _as_array(arrivals_at_reception)
    if occ.size != arr.size:
        raise ValueError("occupancy and arrivals must cover the same days")
    if occ.size < 2:
        return Parameter(0.0, "no past occupancy changes: assumed nobody leaves (pessimistic)")
    prev, now, came = occ[:-1], occ[1:], arr[1:]
    ok = ~(np.isnan(prev) | np.isnan(now) | np.isnan(came))
    if not ok.any() or prev[ok].sum() <= 0:
        return Parameter(0.0, "no past occupancy changes: assumed nobody leaves (pessimistic)")
    left = came[ok] - (now[ok] - prev[ok])
    rate = float(np.clip(left.sum() / prev[ok].sum(), 0.0, 1.0))
    days = int(ok.sum())
    return Parameter(
        rate,
        f"estimated from {days} days of occupancy changes from {start}: "
        f"{left.sum():.0f} departures over {prev[ok].sum():.0f} occupant-days",
    )


def estimate_reception_share(
    arrivals_at_reception: Sequence[float] | FloatArray,
    border_arrivals: Sequence[float] | FloatArray,
    start: date,
) -> Parameter:
    """Share of border arrivals that reached reception over the same days (ratio of sums).

    Without data (or with no border arrivals) the share is 1: everyone needs a place.
    """
    rec = _as_array(arrivals_at_reception)
    border = _as_array(border_arrivals)
    if rec.size != border.size:
        raise ValueError("both series must cover the same days")
    ok = ~(np.isnan(rec) | np.isnan(border))
    if not ok.any() or border[ok].sum() <= 0:
        return Parameter(1.0, "no matching data: assumed every arrival needs a place")
    share = float(np.clip(rec[ok].sum() / border[ok].sum(), 0.0, 1.0))
    return Parameter(
        share,
        f"estimated from {int(ok.sum())} days from {start}: {rec[ok].sum():.0f} arrivals at "
        f"reception for {border[ok].sum():.0f} at the border",
    )
