"""A forecast combination: the mean of its members' point forecasts, and their futures mixed.

Averaging the points of two models that err in different ways (the nb model's median and
the smoothing model's level) is usually better than either alone, and better than picking
one by a short backtest, which is noisy (the "forecast combination puzzle"). The futures
are an equal mixture of the members' simulated paths, each path kept whole (a path high on
day 3 stays high on day 4); the selection's recalibration then sets the interval width
from the combination's own backtest.

In model selection the members' backtests are reused, so a combination costs almost
nothing beyond its members (see `api._select`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sitroom.analysis.forecast.base import BacktestPlan, Fitted, ForecastModel
from sitroom.analysis.forecast.result import FloatArray


def mix_paths(paths: list[FloatArray], n_paths: int) -> FloatArray:
    """An equal mixture: the first n_paths / k paths of each member, on the sample axis
    (second to last), members' shares differing by at most one path."""
    k = len(paths)
    shares = [n_paths // k + (1 if i < n_paths % k else 0) for i in range(k)]
    return np.concatenate([p[..., :s, :] for p, s in zip(paths, shares, strict=True)], axis=-2)


@dataclass(frozen=True, slots=True)
class _CombinedFit(Fitted):
    members: tuple[Fitted, ...]

    def point(self, horizon: int) -> FloatArray:
        return np.asarray(np.mean([m.point(horizon) for m in self.members], axis=0))

    def simulate(self, horizon: int, n_paths: int, rng: np.random.Generator) -> FloatArray:
        k = len(self.members)
        sims = [m.simulate(horizon, -(-n_paths // k), rng) for m in self.members]
        return mix_paths(sims, n_paths)


def combine_fits(fits: list[Fitted]) -> Fitted:
    return _CombinedFit(tuple(fits))


def combine_backtests(
    points: list[FloatArray], paths: list[FloatArray], n_paths: int
) -> tuple[FloatArray, FloatArray]:
    """Members' backtests (origins x horizon points, origins x paths x horizon futures)
    combined as the combination's own would be."""
    return np.asarray(np.mean(points, axis=0)), mix_paths(paths, n_paths)


class Combination(ForecastModel):
    """The equal-weight combination of `members` (fitted models, not names)."""

    def __init__(self, name: str, members: tuple[ForecastModel, ...], description: str) -> None:
        self.name = name
        self.members = members
        self.description = description

    def min_obs(self, period: int) -> int:
        return max(m.min_obs(period) for m in self.members)

    def fit(self, y: FloatArray, phase0: int, period: int) -> Fitted:
        return combine_fits([m.fit(y, phase0, period) for m in self.members])

    def fit_with_backtest(
        self, y: FloatArray, phase0: int, period: int, plan: BacktestPlan
    ) -> tuple[Fitted, FloatArray, FloatArray]:
        runs = [m.fit_with_backtest(y, phase0, period, plan) for m in self.members]
        points, paths = combine_backtests([r[1] for r in runs], [r[2] for r in runs], plan.n_paths)
        return combine_fits([r[0] for r in runs]), points, paths

    def backtest(
        self, y: FloatArray, phase0: int, period: int, plan: BacktestPlan
    ) -> tuple[FloatArray, FloatArray]:
        _, points, paths = self.fit_with_backtest(y, phase0, period, plan)
        return points, paths
