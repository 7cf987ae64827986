"""Score alarms against outbreak truth with the rules of the peer's ``score.py``.

Reimplemented (not imported) so the benchmark is self-contained. Rules, per series, over the
evaluation window [eval_start, eval_end]:
- an event counts if its first day lies in the window; it is detected if any of its days
  (up to ``grace`` days after its end) has an alarm; delay = first alarm day - first event day;
- false alarms are alarms on non-outbreak days in the window (grace days after an event are
  excluded from numerator and denominator); per series-year = false / (non-outbreak days / 365.25);
- a missing or undecided (NA) alarm counts as no alarm.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class Truth:
    days: npt.NDArray[np.int64]  # day numbers (datetime64[D] as int)
    outbreak: npt.NDArray[np.bool_]
    event: npt.NDArray[np.str_]  # "" outside events


@dataclass(frozen=True)
class Score:
    events: int
    detected: int
    sensitivity: float
    delay_median: float
    delay_mean: float
    detected_within_7d: float
    alarms: int  # alarms in the window, grace days excluded
    false_alarms: int
    nonoutbreak_days: int
    false_alarms_per_series_year: float
    ppv: float
    delays: tuple[int, ...]


def evaluate(
    truth: Mapping[str, Truth],
    alarms: Mapping[str, npt.NDArray[np.bool_]],
    eval_start: int,
    eval_end: int,
    grace: int = 0,
) -> Score:
    """``alarms[sid]`` is aligned with ``truth[sid].days`` (False outside the monitored range)."""
    delays: list[int] = []
    missed = 0
    false_alarms = nonoutbreak = outbreak_alarms = counted_alarms = 0
    for sid, t in truth.items():
        if sid not in alarms:
            continue
        al = alarms[sid]
        inwin = (t.days >= eval_start) & (t.days <= eval_end)
        grace_mask = np.zeros(t.days.size, dtype=bool)
        for event in np.unique(t.event[t.event != ""]):
            idx = np.flatnonzero(t.event == event)
            start_day, end_day = t.days[idx[0]], t.days[idx[-1]]
            if grace > 0:
                grace_mask |= (t.days > end_day) & (t.days <= end_day + grace) & ~t.outbreak
            if not eval_start <= start_day <= eval_end:
                continue
            window = inwin & (t.days >= start_day) & (t.days <= end_day + grace)
            hits = np.flatnonzero(window & al)
            if hits.size:
                delays.append(int(t.days[hits[0]] - start_day))
            else:
                missed += 1
        quiet = inwin & ~t.outbreak & ~grace_mask
        false_alarms += int(np.sum(quiet & al))
        nonoutbreak += int(quiet.sum())
        outbreak_alarms += int(np.sum(inwin & t.outbreak & al))
        counted_alarms += int(np.sum(inwin & ~grace_mask & al))
    n_events = len(delays) + missed
    d = np.asarray(delays, dtype=float)
    nan = float("nan")
    return Score(
        events=n_events,
        detected=len(delays),
        sensitivity=len(delays) / n_events if n_events else nan,
        delay_median=float(np.median(d)) if d.size else nan,
        delay_mean=float(np.mean(d)) if d.size else nan,
        detected_within_7d=float(np.sum(d <= 7)) / n_events if n_events else nan,
        alarms=counted_alarms,
        false_alarms=false_alarms,
        nonoutbreak_days=nonoutbreak,
        false_alarms_per_series_year=false_alarms / (nonoutbreak / 365.25) if nonoutbreak else nan,
        ppv=outbreak_alarms / counted_alarms if counted_alarms else nan,
        delays=tuple(delays),
    )
