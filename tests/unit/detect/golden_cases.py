"""Load the R ``surveillance`` 1.20.3 golden cases copied into tests/data/surveillance_golden."""

from __future__ import annotations

import csv
import gzip
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sitroom.analysis.detect.registry import golden_detector
from sitroom.analysis.detect.result import CountSeries, DetectionResult

GOLDEN_DIR = Path(__file__).resolve().parents[2] / "data" / "surveillance_golden"


@dataclass(frozen=True, eq=False)
class GoldenCase:
    id: str
    preset: str
    params: dict[str, object]
    epoch: str
    freq: int
    range_start: str
    dataset: str


@dataclass(frozen=True)
class Expected:
    index: np.ndarray  # 1-based, as R
    upperbound: np.ndarray
    alarm: np.ndarray  # NaN where R gave NA
    expected: np.ndarray


def load_cases() -> list[GoldenCase]:
    raw = json.loads((GOLDEN_DIR / "cases.json").read_text())["cases"]
    return [
        GoldenCase(
            id=c["id"],
            preset=c["preset"],
            params=json.loads(c["params"]) if c["params"] else {},
            epoch=c["epoch"],
            freq=int(c["freq"]),
            range_start=c["range_start"],
            dataset=c["dataset"],
        )
        for c in raw
    ]


def _num(text: str) -> float:
    return float("nan") if text in ("", "NA") else float(text)


_EXPECTED: dict[str, Expected] = {}


def expected_for(case_id: str) -> Expected:
    if not _EXPECTED:
        cols: dict[str, list[list[float]]] = defaultdict(lambda: [[], [], [], []])
        with gzip.open(GOLDEN_DIR / "expected.csv.gz", "rt", newline="") as fh:
            for row in csv.DictReader(fh):
                c = cols[row["case"]]
                c[0].append(float(row["index"]))
                c[1].append(_num(row["upperbound"]))
                c[2].append(_num(row["alarm"]))
                c[3].append(_num(row["expected"]))
        for key, (idx, ub, al, ex) in cols.items():
            _EXPECTED[key] = Expected(
                np.array(idx, dtype=np.int64), np.array(ub), np.array(al), np.array(ex)
            )
    return _EXPECTED[case_id]


def load_series(case: GoldenCase) -> CountSeries:
    with (GOLDEN_DIR / "inputs" / f"{case.dataset}.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    counts = [_num(r["count"]) for r in rows]
    population = [_num(r["population"]) for r in rows] if "population" in rows[0] else None
    dates = [r["date"] for r in rows] if "date" in rows[0] else None
    return CountSeries.of(counts, freq=case.freq, dates=dates, population=population)


def run_case(case: GoldenCase) -> tuple[DetectionResult, CountSeries]:
    series = load_series(case)
    start = None
    if case.range_start:
        assert series.dates is not None
        start = int(np.searchsorted(series.dates, np.datetime64(case.range_start, "D")))
    detector = golden_detector(case.preset, case.params, by_date=case.epoch == "date")
    return detector(series, start=start), series
