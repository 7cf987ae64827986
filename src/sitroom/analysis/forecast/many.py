"""Forecast many series at once, optionally on several processes."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from functools import partial

from sitroom.analysis.forecast.api import ForecastSettings, forecast_series
from sitroom.analysis.forecast.calendar import Frequency
from sitroom.analysis.forecast.result import FloatArray, Forecast


def _one(
    item: tuple[FloatArray, date],
    frequency: Frequency,
    horizon: int | None,
    settings: ForecastSettings | None,
) -> Forecast:
    values, start = item
    return forecast_series(values, start, frequency, horizon, settings=settings)


def forecast_many(
    series: Sequence[tuple[FloatArray, date]],
    frequency: Frequency = Frequency.DAILY,
    horizon: int | None = None,
    *,
    settings: ForecastSettings | None = None,
    workers: int = 1,
) -> list[Forecast]:
    """`forecast_series` for each (values, start) pair, in order.

    Each series is independent (its own model choice, its own seed from `settings`), so
    the results are the same whatever `workers` is; more workers only share out the time.
    """
    job = partial(_one, frequency=frequency, horizon=horizon, settings=settings)
    if workers <= 1 or len(series) < 2:
        return [job(item) for item in series]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(job, series, chunksize=max(1, len(series) // (4 * workers))))
