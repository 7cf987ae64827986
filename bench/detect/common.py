"""Load the synthetic benchmark scenarios and run detectors over them."""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from bench.detect.score import Truth

from sitroom.analysis.detect.result import CountSeries, DetectionResult

DATA = Path(__file__).resolve().parent / "data"
EVAL_START = np.datetime64("2021-01-04", "D")
EVAL_END = np.datetime64("2021-12-31", "D")


@dataclass(frozen=True)
class Scenario:
    name: str
    series: dict[str, CountSeries]
    truth: dict[str, Truth]

    @property
    def start(self) -> int:
        """Position of the first evaluated day (same for every series)."""
        first = next(iter(self.series.values()))
        assert first.dates is not None
        return int(np.searchsorted(first.dates, EVAL_START))


def load_scenario(name: str) -> Scenario:
    cols: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    with (DATA / f"sim_{name}.csv").open(newline="") as fh:
        for row in csv.DictReader(fh):
            c = cols[row["series"]]
            for key in ("date", "count", "outbreak", "event_id"):
                c[key].append(row[key])
    series: dict[str, CountSeries] = {}
    truth: dict[str, Truth] = {}
    for sid, c in cols.items():
        dates = np.array(c["date"], dtype="datetime64[D]")
        series[sid] = CountSeries.of(np.array(c["count"], dtype=float), freq=365, dates=dates)
        truth[sid] = Truth(
            days=dates.astype(np.int64),
            outbreak=np.array(c["outbreak"]) == "1",
            event=np.array(c["event_id"]),
        )
    return Scenario(name, series, truth)


def alarms_on_days(result: DetectionResult, n_days: int) -> np.ndarray:
    out = np.zeros(n_days, dtype=bool)
    out[result.index] = result.alarm
    return out
