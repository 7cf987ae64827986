"""Forecast many series at once, optionally on several processes."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from functools import partial

import numpy as np

from sitroom.analysis.forecast.api import (
    ForecastSettings,
    backtest_origins,
    forecast_series,
    prepare,
)
from sitroom.analysis.forecast.calendar import Frequency
from sitroom.analysis.forecast.nb_filter import prefiltered
from sitroom.analysis.forecast.nb_trend import NBDampedTrend
from sitroom.analysis.forecast.result import FloatArray, Forecast


def _batch(
    chunk: Sequence[tuple[FloatArray, date]],
    frequency: Frequency,
    horizon: int | None,
    settings: ForecastSettings | None,
) -> list[Forecast]:
    """`forecast_series` for each series of a chunk, their nb grid filters run together."""
    with prefiltered(_filter_inputs(chunk, frequency, horizon, settings)):
        return [
            forecast_series(values, start, frequency, horizon, settings=settings)
            for values, start in chunk
        ]


#: series whose nb grid filters run together (memory: BATCH x days x 51 x 3 floats)
BATCH = 64


def _filter_inputs(
    series: Sequence[tuple[FloatArray, date]],
    frequency: Frequency,
    horizon: int | None,
    settings: ForecastSettings | None,
) -> list[tuple[FloatArray, FloatArray, float]]:
    """The nb grid filter inputs that `forecast_series` will need for these series, so that
    they can be run in one batch. A series planned here but forecast otherwise (too short,
    another path) only costs its share of the batch: results never depend on the plan."""
    settings = settings or ForecastSettings()
    horizon = frequency.max_horizon if horizon is None else horizon
    period = frequency.period
    model = NBDampedTrend()
    inputs = []
    for values, start in series:
        y, phase0, offset, _ = prepare(values, start, frequency)
        if offset < 0 or (~np.isnan(y)).sum() < max(settings.short_periods, 3) * period:
            continue
        origins, _ = backtest_origins(y.size, period, horizon, settings)
        if len(origins) < 2:
            continue
        shared = model.shared_window(y, phase0, period, origins)
        if shared is not None:
            inputs.append((y[shared[0] :], shared[2], shared[3]))
    return inputs


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
    job = partial(_batch, frequency=frequency, horizon=horizon, settings=settings)
    size = BATCH if workers <= 1 else max(1, min(BATCH, -(-len(series) // (4 * workers))))
    chunks = [series[i : i + size] for i in range(0, len(series), size)]
    if workers <= 1 or len(chunks) < 2:
        return [fc for chunk in chunks for fc in job(chunk)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return [fc for done in pool.map(job, chunks) for fc in done]
