"""Detectors by name, so callers choose a method with a string, not an if-chain."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields, replace
from types import MappingProxyType
from typing import Any

from sitroom.analysis.detect.ears import ears_c1, ears_c2, ears_c3
from sitroom.analysis.detect.farrington import ClassicControl, farrington
from sitroom.analysis.detect.farrington_flexible import (
    NOUFAILY,
    FlexibleControl,
    farrington_flexible,
)
from sitroom.analysis.detect.result import CountSeries, DetectionResult, Detector

FARRINGTON_JSS = FlexibleControl(
    b=4, w=3, weights_threshold=1.0, past_weeks_not_included=3, p_threshold_trend=0.05
)
# Daily adaptation: same weekday 1..12 weeks back, one seasonal level per weekday.
# Meant for daily data indexed by position (by_date=False) with freq = 7.
FF_DAY_OF_WEEK = FlexibleControl(
    b=12,
    w=0,
    no_periods=7,
    past_weeks_not_included=7,
    weights_threshold=2.58,
    p_threshold_trend=1.0,
    threshold_method="nbPlugin",
    alpha=0.05,
    by_date=False,
)


def _flexible(control: FlexibleControl, name: str) -> Detector:
    def run(series: CountSeries, *, start: int | None = None) -> DetectionResult:
        result = farrington_flexible(series, start=start, control=control)
        return replace(result, method=name)

    return run


def _classic(control: ClassicControl) -> Detector:
    def run(series: CountSeries, *, start: int | None = None) -> DetectionResult:
        return farrington(series, start=start, control=control)

    return run


def _build() -> dict[str, Detector]:
    from sitroom.analysis.detect.border import border_surge
    from sitroom.analysis.detect.cusum import cusum
    from sitroom.analysis.detect.glrnb import glrnb

    return {
        "ears_c1": ears_c1,
        "ears_c2": ears_c2,
        "ears_c3": ears_c3,
        "farrington": _classic(ClassicControl()),
        "ff_default": _flexible(FlexibleControl(), "ff_default"),
        "ff_noufaily": _flexible(NOUFAILY, "ff_noufaily"),
        "ff_farrington_jss": _flexible(FARRINGTON_JSS, "ff_farrington_jss"),
        "cusum": cusum,
        "glrnb": glrnb,
        "border": border_surge,
    }


DETECTORS: Mapping[str, Detector] = MappingProxyType(_build())


def get_detector(name: str) -> Detector:
    try:
        return DETECTORS[name]
    except KeyError:
        known = ", ".join(sorted(DETECTORS))
        raise KeyError(f"unknown detection method {name!r}; known: {known}") from None


# R control names -> our field names, for running the surveillance golden presets.
_R_NAMES = {
    "weightsThreshold": "weights_threshold",
    "pThresholdTrend": "p_threshold_trend",
    "populationOffset": "population_offset",
    "noPeriods": "no_periods",
    "pastWeeksNotIncluded": "past_weeks_not_included",
    "thresholdMethod": "threshold_method",
}
_FLEXIBLE_PRESETS = {
    "ff_default": FlexibleControl(),
    "ff_noufaily": NOUFAILY,
    "ff_farrington_jss": FARRINGTON_JSS,
    "ff_dow_noufaily": FF_DAY_OF_WEEK,
}


def _with_params(control: Any, params: Mapping[str, object]) -> Any:
    names = {f.name for f in fields(control)}
    changes = {}
    for key, value in params.items():
        field_name = _R_NAMES.get(key, key)
        if field_name not in names:
            raise KeyError(f"parameter {key!r} is not supported by {type(control).__name__}")
        changes[field_name] = value
    return replace(control, **changes)


def golden_detector(preset: str, params: Mapping[str, object], *, by_date: bool) -> Detector:
    """The detector matching one of the R peer harness presets (``run_peer.R``)."""
    if preset in _FLEXIBLE_PRESETS:
        ctl = _with_params(_FLEXIBLE_PRESETS[preset], params)
        return _flexible(replace(ctl, by_date=by_date and ctl.by_date), preset)
    if preset == "farrington_classic":
        return _classic(replace(_with_params(ClassicControl(), params), by_date=by_date))
    simple: dict[str, Callable[..., DetectionResult]] = {
        "ears_c1": ears_c1,
        "ears_c2": ears_c2,
        "ears_c3": ears_c3,
    }
    if preset in simple:
        fn = simple[preset]
        extra = {("min_sigma" if k == "minSigma" else k): v for k, v in params.items()}

        def run(series: CountSeries, *, start: int | None = None) -> DetectionResult:
            return fn(series, start=start, **extra)

        return run
    return get_detector({"cusum_default": "cusum", "glrnb_default": "glrnb"}[preset])
