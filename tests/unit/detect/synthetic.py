"""Synthetic daily series for the detection tests (seeded, nothing real)."""

from __future__ import annotations

import numpy as np

from sitroom.analysis.detect.result import CountSeries

START = np.datetime64("2021-01-01", "D")


def daily(
    days: int,
    level: float,
    *,
    seed: int,
    weekend_factor: float = 1.0,
    size: float | None = None,
    surges: tuple[tuple[int, float], ...] = (),
) -> tuple[CountSeries, np.ndarray]:
    """Negative-binomial (or Poisson) daily counts; ``surges`` are (start day, peak multiplier)
    ramping up over 14 days and holding for 14. Returns the series and the true surge mask."""
    rng = np.random.default_rng(seed)
    dates = START + np.arange(days)
    weekday = (dates.astype(np.int64) + 4) % 7  # 0 = Sunday
    mean = np.full(days, level) * np.where((weekday == 0) | (weekday == 6), weekend_factor, 1.0)
    multiplier = np.ones(days)
    for start, peak in surges:
        ramp = 1.0 + (peak - 1.0) * np.arange(1, 15) / 14.0
        profile = np.concatenate([ramp, np.full(14, peak)])
        end = min(start + profile.size, days)
        multiplier[start:end] = profile[: end - start]
    mu = mean * multiplier
    counts = rng.poisson(mu) if size is None else rng.negative_binomial(size, size / (size + mu))
    return CountSeries.of(counts, dates=dates), multiplier > 1.0
