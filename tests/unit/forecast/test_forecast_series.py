"""Forecasts of count series: shape, honesty of intervals, model choice, short series."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitroom.analysis.forecast import (
    ForecastSettings,
    Frequency,
    ModelRegistry,
    UnknownModelError,
    forecast_series,
)
from sitroom.analysis.forecast.backtest import choose_origins, mase_scale

from .synthetic import synthetic_surge, synthetic_weekly_counts

START = date(2021, 3, 1)
FAST = ForecastSettings(n_paths=400, backtest_paths=100, max_origins=6)


def test_a_forecast_covers_each_of_the_28_days_after_the_last_value() -> None:
    y = synthetic_weekly_counts(120)
    fc = forecast_series(y, START, Frequency.DAILY, 28, settings=FAST)
    assert fc.horizon == 28
    assert fc.dates[0] == date(2021, 6, 29)  # START + 120 days
    assert fc.paths.shape == (400, 28)
    for arr in (fc.point, fc.mean, fc.lo80, fc.hi80, fc.lo95, fc.hi95):
        assert arr.shape == (28,)


def test_the_output_names_the_model_and_its_backtest_score() -> None:
    y = synthetic_weekly_counts(200)
    fc = forecast_series(y, START, Frequency.DAILY, 14, settings=FAST)
    assert fc.model in ModelRegistry().names()
    assert fc.chosen is not None
    assert fc.chosen.model == fc.model
    best = min(c.mase for c in fc.candidates)
    # the preferred combination is kept unless another model beats it by more than 10 %
    assert fc.chosen.mase == best or (
        fc.model == FAST.prefer and best > (1 - FAST.prefer_margin) * fc.chosen.mase
    )
    assert {c.model for c in fc.candidates} == {
        "seasonal_naive",
        "drift",
        "seasonal_smoothing",
        "nb_damped_trend",
        "nb_smoothing_mean",
    }
    assert fc.chosen.n_origins >= 2


def test_without_a_margin_the_lowest_backtest_mase_wins() -> None:
    y = synthetic_weekly_counts(200)
    plain = ForecastSettings(n_paths=400, backtest_paths=100, max_origins=6, prefer_margin=0.0)
    fc = forecast_series(y, START, Frequency.DAILY, 14, settings=plain)
    assert fc.chosen is not None
    assert fc.chosen.mase == min(c.mase for c in fc.candidates)


def test_a_model_that_clearly_beats_the_preferred_one_is_chosen() -> None:
    # SYNTHETIC: a strict weekly pattern with no noise, which the seasonal naive rule repeats
    # exactly and the smoothed models only approach
    y = np.tile([0.0, 0.0, 50.0, 0.0, 0.0, 200.0, 10.0], 30)
    fc = forecast_series(y, START, Frequency.DAILY, 7, settings=FAST)
    assert fc.model == "seasonal_naive"


def test_a_steady_noisy_series_is_forecast_better_than_by_the_seasonal_naive_rule() -> None:
    y = synthetic_weekly_counts(400, seed=5)
    fc = forecast_series(y, START, Frequency.DAILY, 14, settings=FAST)
    naive = next(c for c in fc.candidates if c.model == "seasonal_naive")
    assert fc.chosen is not None
    assert fc.chosen.mase < naive.mase


def test_after_a_surge_the_forecast_follows_the_new_level() -> None:
    y = synthetic_surge(150, before=10, after=100, at=135)
    fc = forecast_series(y, START, Frequency.DAILY, 7, models=["nb_damped_trend"], settings=FAST)
    assert fc.mean[0] > 50


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    days=st.integers(min_value=0, max_value=90),
    level=st.floats(min_value=0.0, max_value=500.0),
    missing=st.floats(min_value=0.0, max_value=0.5),
    seed=st.integers(min_value=0, max_value=10_000),
)
def test_intervals_are_nested_and_never_negative_whatever_the_series(
    days: int, level: float, missing: float, seed: int
) -> None:
    y = synthetic_weekly_counts(days, level=level, seed=seed)
    rng = np.random.default_rng(seed)
    y[rng.uniform(size=days) < missing] = np.nan
    fc = forecast_series(y, START, Frequency.DAILY, 10, settings=FAST)
    if not np.isfinite(y).any():
        assert fc.model == "none"
        assert fc.warnings
        return
    assert np.all(fc.lo95 >= 0)
    assert np.all(fc.lo95 <= fc.lo80)
    assert np.all(fc.lo80 <= fc.hi80)
    assert np.all(fc.hi80 <= fc.hi95)
    assert np.all(fc.point >= 0)
    assert np.all(fc.paths >= 0)


def test_a_series_of_five_days_gets_the_fallback_a_wide_interval_and_a_warning() -> None:
    y = np.array([3.0, 5.0, 4.0, 6.0, 2.0])
    fc = forecast_series(y, START, Frequency.DAILY, 28, settings=FAST)
    assert fc.model == "short_series_mean"
    assert any("too short" in w for w in fc.warnings)
    assert fc.hi95[0] >= 3 * fc.point[0]


def test_an_empty_or_all_missing_series_gives_nan_and_a_warning_not_an_error() -> None:
    for y in (np.array([]), np.full(30, np.nan)):
        fc = forecast_series(y, START, Frequency.DAILY, 7)
        assert fc.model == "none"
        assert np.isnan(fc.point).all()
        assert any("no observed value" in w for w in fc.warnings)


def test_negative_and_infinite_values_are_treated_as_missing_with_a_warning() -> None:
    y = synthetic_weekly_counts(60)
    y[[5, 9]] = [-3.0, np.inf]
    fc = forecast_series(y, START, Frequency.DAILY, 7, settings=FAST)
    assert any("treated as missing" in w for w in fc.warnings)
    assert np.isfinite(fc.point).all()


def test_a_monthly_series_uses_a_seasonal_period_of_12_and_monthly_dates() -> None:
    months = np.arange(96)
    rng = np.random.default_rng(3)
    y = rng.poisson(200 * np.exp(0.6 * np.sin(2 * np.pi * months / 12))).astype(float)
    fc = forecast_series(y, date(2015, 1, 1), Frequency.MONTHLY, 3, settings=FAST)
    assert fc.dates == (date(2023, 1, 1), date(2023, 2, 1), date(2023, 3, 1))
    assert fc.chosen is not None
    naive = forecast_series(
        y, date(2015, 1, 1), Frequency.MONTHLY, 3, models=["seasonal_naive"], settings=FAST
    )
    # the seasonal naive rule repeats the value twelve months earlier
    np.testing.assert_array_equal(naive.point, y[84:87])


def test_a_horizon_beyond_28_days_is_refused() -> None:
    with pytest.raises(ValueError, match="horizon"):
        forecast_series(synthetic_weekly_counts(60), START, Frequency.DAILY, 29)


def test_an_unknown_model_name_is_refused() -> None:
    with pytest.raises(UnknownModelError):
        forecast_series(synthetic_weekly_counts(60), START, models=["prophet"])


def test_the_registry_can_take_a_new_model_by_name() -> None:
    from sitroom.analysis.forecast.baselines import SeasonalNaive

    class Copy(SeasonalNaive):
        name = "my_copy"

    registry = ModelRegistry()
    registry.register(Copy())
    fc = forecast_series(
        synthetic_weekly_counts(100),
        START,
        models=["my_copy"],
        registry=registry,
        settings=FAST,
    )
    assert fc.model == "my_copy"


def test_the_mase_scale_never_divides_by_zero() -> None:
    assert mase_scale(np.zeros(30), 7) == 1.0
    assert mase_scale(np.array([1.0]), 7) == 1.0
    assert mase_scale(np.arange(20.0), 7) == 7.0


def test_backtest_origins_leave_the_horizon_to_score_and_enough_history_before() -> None:
    origins = choose_origins(100, 14, 7, min_train=28, max_origins=12)
    assert origins[-1] == 86
    assert origins[0] >= 28
    assert np.all(np.diff(origins) == 7)


def test_the_same_seed_gives_the_same_forecast() -> None:
    y = synthetic_weekly_counts(100)
    a = forecast_series(y, START, settings=FAST)
    b = forecast_series(y, START, settings=FAST)
    np.testing.assert_array_equal(a.paths, b.paths)


def test_forecasting_many_series_gives_each_its_own_forecast_in_order() -> None:
    from sitroom.analysis.forecast import forecast_many

    a, b = synthetic_weekly_counts(80, level=5), synthetic_weekly_counts(80, level=500)
    out = forecast_many([(a, START), (b, START)], Frequency.DAILY, 7, settings=FAST)
    assert [fc.horizon for fc in out] == [7, 7]
    assert out[0].mean[0] < out[1].mean[0]
    np.testing.assert_array_equal(
        out[1].paths, forecast_series(b, START, Frequency.DAILY, 7, settings=FAST).paths
    )


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(min_value=60, max_value=160),
    period=st.sampled_from([7, 12]),
    missing=st.floats(min_value=0.0, max_value=0.5),
    seed=st.integers(min_value=0, max_value=10_000),
)
def test_the_baselines_all_origins_backtest_gives_the_points_of_a_refit_at_each_origin(
    n: int, period: int, missing: float, seed: int
) -> None:
    from sitroom.analysis.forecast.base import BacktestPlan, ForecastModel
    from sitroom.analysis.forecast.baselines import Drift, SeasonalNaive

    rng = np.random.default_rng(seed)
    y = rng.poisson(20, size=n).astype(float)  # SYNTHETIC
    y[rng.uniform(size=n) < missing] = np.nan
    y[0] = 5.0
    origins = choose_origins(n, 5, period, min_train=4 * period, max_origins=5)
    if not origins:
        return
    plan = BacktestPlan(origins, 5, 10, rng)
    for model in (SeasonalNaive(), Drift()):
        fast, _ = model.backtest(y, 0, period, plan)
        slow, _ = ForecastModel.backtest(model, y, 0, period, plan)
        np.testing.assert_allclose(fast, slow)
