"""Forecasting models by name; selection and callers look models up here, never by if-chains."""

from __future__ import annotations

from sitroom.analysis.forecast.base import ForecastModel
from sitroom.analysis.forecast.baselines import Drift, SeasonalNaive, ShortSeriesMean
from sitroom.analysis.forecast.combine import Combination
from sitroom.analysis.forecast.nb_trend import NBDampedTrend
from sitroom.analysis.forecast.smoothing import SeasonalSmoothing


class UnknownModelError(KeyError):
    """A model name that is not registered."""


def default_models() -> dict[str, ForecastModel]:
    """A fresh registry; the order is the tie-break order (simplest first)."""
    nb, smoothing = NBDampedTrend(), SeasonalSmoothing()
    combined = Combination(
        "nb_smoothing_mean",
        (nb, smoothing),
        "Mean of the nb_damped_trend and seasonal_smoothing forecasts, their futures mixed.",
    )
    models: list[ForecastModel] = [
        SeasonalNaive(),
        Drift(),
        smoothing,
        nb,
        combined,
        ShortSeriesMean(),
    ]
    return {m.name: m for m in models}


class ModelRegistry:
    def __init__(self, models: dict[str, ForecastModel] | None = None) -> None:
        self._models = dict(default_models() if models is None else models)

    def register(self, model: ForecastModel) -> None:
        self._models[model.name] = model

    def get(self, name: str) -> ForecastModel:
        try:
            return self._models[name]
        except KeyError:
            raise UnknownModelError(name) from None

    def names(self) -> tuple[str, ...]:
        return tuple(self._models)

    def candidates(self) -> tuple[ForecastModel, ...]:
        return tuple(m for m in self._models.values() if m.candidate)
