"""The seasonal smoothing model and the nb + smoothing combination."""

from __future__ import annotations

import numpy as np

from sitroom.analysis.forecast.combine import mix_paths
from sitroom.analysis.forecast.registry import ModelRegistry
from sitroom.analysis.forecast.smoothing import SeasonalSmoothing

from .synthetic import synthetic_surge, synthetic_weekly_counts


def test_smoothing_follows_a_step_and_keeps_the_weekday_pattern() -> None:
    y = synthetic_surge(200, before=10, after=100, at=150)
    fit = SeasonalSmoothing().fit(y, 0, 7)
    assert 60 < fit.point(7).mean() < 140
    weekly = synthetic_weekly_counts(400, level=40, weekday_amp=0.6, seed=4)
    point = SeasonalSmoothing().fit(weekly, 0, 7).point(7)
    # SYNTHETIC weekday effect exp(0.6 sin(2 pi t / 7)): day 2 is high, day 5 low
    assert point[2] > 1.5 * point[5]


def test_smoothing_futures_are_never_negative_and_widen_with_the_horizon() -> None:
    y = synthetic_weekly_counts(300, level=20, seed=7)
    fit = SeasonalSmoothing().fit(y, 0, 7)
    paths = fit.simulate(28, 2000, np.random.default_rng(0))
    assert paths.shape == (2000, 28)
    assert np.all(paths >= 0)
    spread = np.quantile(paths, 0.9, axis=0) - np.quantile(paths, 0.1, axis=0)
    assert spread[21:].mean() > spread[:7].mean()


def test_the_combination_is_the_mean_of_its_members_points_and_mixes_their_paths() -> None:
    registry = ModelRegistry()
    y = synthetic_weekly_counts(200, seed=3)
    combined = registry.get("nb_smoothing_mean").fit(y, 0, 7)
    nb = registry.get("nb_damped_trend").fit(y, 0, 7)
    smooth = registry.get("seasonal_smoothing").fit(y, 0, 7)
    np.testing.assert_allclose(combined.point(14), (nb.point(14) + smooth.point(14)) / 2)
    a, b = np.zeros((2, 5, 3)), np.ones((2, 5, 3))
    mixed = mix_paths([a, b], 7)
    assert mixed.shape == (2, 7, 3)
    assert mixed.sum() == 2 * 3 * 3  # three of the seven paths from the second member


def test_a_few_extreme_errors_in_the_pool_do_not_make_the_futures_explode() -> None:
    # SYNTHETIC: monthly totals spread over their days (flat months) and a jump to a new
    # level: the error pool is mostly zeros and two huge values
    y = np.concatenate([np.full(31, 0.26), np.full(30, 2.33), np.full(31, 2.48), np.full(14, 15.8)])
    fit = SeasonalSmoothing().fit(y, 0, 7)
    totals = fit.simulate(28, 2000, np.random.default_rng(0)).sum(axis=1)
    assert totals.mean() < 2 * 15.8 * 28
    assert np.median(totals) > 0.5 * 15.8 * 28
