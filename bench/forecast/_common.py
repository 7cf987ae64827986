"""Shared pieces of the forecast benchmarks: data loading, methods, rolling-origin scoring.

Reads only bench/forecast/data/ (copies with provenance), never anything outside the repo.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import numpy.typing as npt

from sitroom.analysis.forecast import Frequency, forecast_series
from sitroom.analysis.forecast.backtest import mase_scale

DATA = Path(__file__).resolve().parent / "data"
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Bands:
    point: FloatArray
    lo80: FloatArray
    hi80: FloatArray
    lo95: FloatArray
    hi95: FloatArray


Method = Callable[[FloatArray, date, Frequency, int], Bands]


def load_italy() -> tuple[date, FloatArray]:
    with (DATA / "italy_daily_sea_landings.csv").open() as f:
        rows = list(csv.DictReader(f))
    start = date.fromisoformat(rows[0]["date"])
    return start, np.array([float(r["landings"]) for r in rows])


def load_frontex() -> dict[str, tuple[date, FloatArray]]:
    series: dict[str, list[float]] = {}
    starts: dict[str, date] = {}
    with (DATA / "frontex_monthly_by_route.csv").open() as f:
        for r in csv.DictReader(f):
            route = r["route"]
            if route not in series:
                series[route] = []
                starts[route] = date.fromisoformat(r["month"] + "-01")
            series[route].append(float(r["detections"]))
    return {k: (starts[k], np.array(v)) for k, v in series.items()}


def sitroom_method(history: FloatArray, start: date, freq: Frequency, horizon: int) -> Bands:
    fc = forecast_series(history, start, freq, horizon)
    return Bands(fc.point, fc.lo80, fc.hi80, fc.lo95, fc.hi95)


def sitroom_models(models: list[str] | None) -> Method:
    """sitroom choosing only among `models` (all candidates when None); one model given
    means that model on every series, to compare the candidates one by one."""
    if not models:
        return sitroom_method

    def run(history: FloatArray, start: date, freq: Frequency, horizon: int) -> Bands:
        fc = forecast_series(history, start, freq, horizon, models=models)
        return Bands(fc.point, fc.lo80, fc.hi80, fc.lo95, fc.hi95)

    return run


def seasonal_naive_method(history: FloatArray, start: date, freq: Frequency, horizon: int) -> Bands:
    """The textbook seasonal naive point forecast (intervals from sitroom's bootstrap)."""
    fc = forecast_series(history, start, freq, horizon, models=["seasonal_naive"])
    m = freq.period
    last = history[-m:]
    point = np.array([last[h % m] for h in range(horizon)])
    return Bands(point, fc.lo80, fc.hi80, fc.lo95, fc.hi95)


def autoets_method() -> Method | None:
    """statsforecast's AutoETS on the raw counts, or None when statsforecast is missing."""
    try:
        from statsforecast.models import AutoETS  # benchmark-only dependency
    except ImportError:
        return None

    def run(history: FloatArray, _start: date, freq: Frequency, horizon: int) -> Bands:
        res = AutoETS(season_length=freq.period).forecast(y=history, h=horizon, level=[80, 95])
        return Bands(
            np.asarray(res["mean"]),
            np.asarray(res["lo-80"]),
            np.asarray(res["hi-80"]),
            np.asarray(res["lo-95"]),
            np.asarray(res["hi-95"]),
        )

    return run


@dataclass
class Tally:
    """Scaled absolute errors and interval hits per horizon, over all origins."""

    horizons: tuple[int, ...]
    errors: dict[int, list[float]]
    hit80: dict[int, list[bool]]
    hit95: dict[int, list[bool]]

    @classmethod
    def empty(cls, horizons: tuple[int, ...]) -> Tally:
        return cls(
            horizons,
            {h: [] for h in horizons},
            {h: [] for h in horizons},
            {h: [] for h in horizons},
        )

    def add(self, bands: Bands, actual: FloatArray, scale: float) -> None:
        for h in self.horizons:
            a = actual[h - 1]
            self.errors[h].append(abs(bands.point[h - 1] - a) / scale)
            self.hit80[h].append(bool(bands.lo80[h - 1] <= a <= bands.hi80[h - 1]))
            self.hit95[h].append(bool(bands.lo95[h - 1] <= a <= bands.hi95[h - 1]))

    def row(self, h: int) -> tuple[float, float, float]:
        return (
            float(np.mean(self.errors[h])),
            float(np.mean(self.hit80[h])),
            float(np.mean(self.hit95[h])),
        )


def rolling_origin(
    y: FloatArray,
    start: date,
    freq: Frequency,
    origins: list[int],
    horizons: tuple[int, ...],
    methods: dict[str, Method],
    tallies: dict[str, Tally] | None = None,
) -> dict[str, Tally]:
    tallies = tallies or {name: Tally.empty(horizons) for name in methods}
    hmax = max(horizons)
    for o in origins:
        history = y[:o]
        scale = mase_scale(history, freq.period)
        actual = y[o : o + hmax]
        for name, method in methods.items():
            tallies[name].add(method(history, start, freq, hmax), actual, scale)
    return tallies


def print_table(title: str, tallies: dict[str, Tally]) -> None:
    print(f"\n{title}")
    print(f"{'method':<18}{'h':>4}{'MASE':>8}{'cov80':>8}{'cov95':>8}{'n':>6}")
    for name, t in tallies.items():
        for h in t.horizons:
            mase, c80, c95 = t.row(h)
            print(f"{name:<18}{h:>4}{mase:>8.3f}{c80:>8.1%}{c95:>8.1%}{len(t.errors[h]):>6}")
