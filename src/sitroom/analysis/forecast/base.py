"""The two things every forecasting model provides: a fit, and simulated futures from it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from sitroom.analysis.forecast.result import FloatArray


class Fitted(ABC):
    """A model fitted to one series, ready to forecast from the step after its last value."""

    @abstractmethod
    def point(self, horizon: int) -> FloatArray:
        """The point forecast for steps 1..horizon."""

    @abstractmethod
    def simulate(self, horizon: int, n_paths: int, rng: np.random.Generator) -> FloatArray:
        """Simulated futures, shape (n_paths, horizon), every value >= 0."""


@dataclass(frozen=True, slots=True)
class BacktestPlan:
    """What a backtest asks of a model: forecasts from each of `origins` (each made from
    the values before it only), `horizon` steps ahead, `n_paths` simulated futures apiece,
    drawn from `rng`."""

    origins: list[int]
    horizon: int
    n_paths: int
    rng: np.random.Generator


class ForecastModel(ABC):
    """A named forecasting method; instances are stateless, fits are `Fitted` objects.

    `y` is a float array of counts with NaN for missing days; `phase0` is the seasonal phase
    of `y[0]` (weekday or month index) and `period` the seasonal period (7 or 12).
    """

    name: str = ""
    description: str = ""
    #: a fallback is used for short series but never competes in model selection
    candidate: bool = True

    def min_obs(self, period: int) -> int:
        """Fewest non-missing values this model needs to fit sensibly."""
        return 2 * period

    @abstractmethod
    def fit(self, y: FloatArray, phase0: int, period: int) -> Fitted:
        """Fit to the whole of `y`."""

    def backtest(
        self, y: FloatArray, phase0: int, period: int, plan: BacktestPlan
    ) -> tuple[FloatArray, FloatArray]:
        """Forecasts made at each origin from `y[:origin]` only.

        Returns points (n_origins x horizon) and paths (n_origins x n_paths x horizon).
        Refitting at every origin is the honest default; models whose fit is costly override
        this with something cheaper that still never looks past an origin.
        """
        horizon, n_paths = plan.horizon, plan.n_paths
        points = np.empty((len(plan.origins), horizon))
        paths = np.empty((len(plan.origins), n_paths, horizon))
        for i, origin in enumerate(plan.origins):
            fitted = self.fit(y[:origin], phase0, period)
            points[i] = fitted.point(horizon)
            paths[i] = fitted.simulate(horizon, n_paths, plan.rng)
        return points, paths

    def fit_with_backtest(
        self, y: FloatArray, phase0: int, period: int, plan: BacktestPlan
    ) -> tuple[Fitted, FloatArray, FloatArray]:
        """The final fit and the backtest together, for models that can share work between
        them; by default simply both."""
        points, paths = self.backtest(y, phase0, period, plan)
        return self.fit(y, phase0, period), points, paths


def observed(y: FloatArray) -> FloatArray:
    """The non-missing values of `y`, in order."""
    return y[~np.isnan(y)]
