"""Forecasts of daily (or monthly) counts with 80 % and 95 % prediction intervals.

from sitroom.analysis.forecast import forecast_series, Frequency
fc = forecast_series(counts, date(2021, 6, 1), Frequency.DAILY, horizon=28)
fc.model, fc.chosen.mase, fc.point, fc.lo95, fc.hi95, fc.paths
"""

from sitroom.analysis.forecast.api import ForecastSettings, forecast_series
from sitroom.analysis.forecast.base import Fitted, ForecastModel
from sitroom.analysis.forecast.calendar import Frequency
from sitroom.analysis.forecast.many import forecast_many
from sitroom.analysis.forecast.registry import ModelRegistry, UnknownModelError
from sitroom.analysis.forecast.result import Forecast, ModelScore

__all__ = [
    "Fitted",
    "Forecast",
    "ForecastModel",
    "ForecastSettings",
    "Frequency",
    "ModelRegistry",
    "ModelScore",
    "UnknownModelError",
    "forecast_many",
    "forecast_series",
]
