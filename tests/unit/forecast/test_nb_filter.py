"""The nb grid filter run for many series at once gives each series' own result."""

from __future__ import annotations

import numpy as np

from sitroom.analysis.forecast import nb_filter
from sitroom.analysis.forecast.nb_filter import grid_params, prefiltered, run_filter, run_filters


def _inputs(seed: int, n: int) -> tuple[np.ndarray, np.ndarray, float]:
    rng = np.random.default_rng(seed)
    # SYNTHETIC: counts with zero days and missing days
    y = rng.poisson(rng.uniform(0.5, 300), n).astype(float)
    y[rng.uniform(size=n) < 0.2] = 0.0
    y[rng.uniform(size=n) < 0.1] = np.nan
    return y, rng.normal(0, 0.3, n), float(rng.uniform(-1, 6))


def test_a_batch_of_series_of_different_lengths_gives_each_its_own_filter() -> None:
    items = [_inputs(seed, n) for seed, n in enumerate((40, 365, 7, 200))]
    batched = run_filters(items)
    for (y, season_t, level0), got in zip(items, batched, strict=True):
        alone = run_filter(y, season_t, level0, *grid_params())
        for a, b in zip(got, alone, strict=True):
            assert a.shape == (y.size, grid_params()[0].size)
            np.testing.assert_array_equal(a, b)


def test_results_computed_ahead_are_used_once_and_then_forgotten() -> None:
    item = _inputs(9, 50)
    with prefiltered([item]):
        assert len(nb_filter._PREFILTERED) == 1
        got = nb_filter.grid_filter(*item)
        assert not nb_filter._PREFILTERED
    np.testing.assert_array_equal(got[0], run_filter(*item, *grid_params())[0])
    with prefiltered([_inputs(10, 30)]):
        pass
    assert not nb_filter._PREFILTERED


def test_forecast_many_gives_the_same_forecasts_on_two_processes_as_on_one() -> None:
    from datetime import date

    from sitroom.analysis.forecast import ForecastSettings, Frequency, forecast_many

    from .synthetic import synthetic_weekly_counts

    fast = ForecastSettings(n_paths=200, backtest_paths=40, max_origins=4)
    items = [
        (synthetic_weekly_counts(90, level=lv, seed=s), date(2021, 3, 1))
        for s, lv in enumerate((3.0, 40.0, 400.0))
    ]
    one = forecast_many(items, Frequency.DAILY, 7, settings=fast)
    two = forecast_many(items, Frequency.DAILY, 7, settings=fast, workers=2)
    assert [fc.model for fc in one] == [fc.model for fc in two]
    for a, b in zip(one, two, strict=True):
        np.testing.assert_array_equal(a.paths, b.paths)
