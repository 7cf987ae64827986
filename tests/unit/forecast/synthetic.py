"""Synthetic count series for the forecast tests: made up here, labelled so, never real data."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def synthetic_weekly_counts(
    days: int, level: float = 40.0, seed: int = 1, weekday_amp: float = 0.4, size: float = 8.0
) -> FloatArray:
    """SYNTHETIC: negative-binomial daily counts with a weekday pattern around `level`."""
    rng = np.random.default_rng(seed)
    week = np.exp(weekday_amp * np.sin(2 * np.pi * np.arange(days) / 7))
    mu = level * week
    return rng.poisson(rng.gamma(size, mu / size)).astype(np.float64)


def synthetic_surge(days: int, before: float, after: float, at: int, seed: int = 2) -> FloatArray:
    """SYNTHETIC: Poisson counts that jump from `before` to `after` per day on day `at`."""
    rng = np.random.default_rng(seed)
    mu = np.where(np.arange(days) < at, before, after)
    return rng.poisson(mu).astype(np.float64)
