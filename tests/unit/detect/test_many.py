"""detect_many: the same results on several processes as one series at a time."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest
from bench.detect.many import detect_many

from sitroom.analysis.detect.border import BorderControl, border_surge
from sitroom.analysis.detect.registry import get_detector
from sitroom.analysis.detect.result import DetectionResult

from .synthetic import daily


def _same(a: DetectionResult, b: DetectionResult) -> None:
    assert (a.method, a.status, a.reason) == (b.method, b.status, b.reason)
    for name in ("index", "observed", "expected", "upperbound", "score", "alarm", "defined"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    for name in ("probability", "level"):
        left, right = getattr(a, name), getattr(b, name)
        assert (left is None) == (right is None)
        if left is not None:
            np.testing.assert_array_equal(left, right)
    assert sorted(a.extras) == sorted(b.extras)
    for key in a.extras:
        np.testing.assert_array_equal(a.extras[key], b.extras[key])


SERIES = [
    daily(800, level, seed=seed, weekend_factor=0.6, size=3.0, surges=((760, 3.0),))[0]
    for seed, level in enumerate((0.5, 4.0, 30.0, 200.0, 12.0))
] + [daily(100, 5.0, seed=9)[0]]  # too short for glrnb and farrington: an empty result


@pytest.mark.parametrize("name", ["glrnb", "border", "ff_default", "ears_c3", "cusum"])
def test_detect_many_gives_the_same_results_on_two_processes_as_one_at_a_time(name: str) -> None:
    detector = get_detector(name)
    alone = [detector(s, start=750) for s in SERIES]
    for workers in (1, 2):
        many = detect_many(SERIES, name, start=750, workers=workers)
        assert len(many) == len(alone)
        for a, b in zip(alone, many, strict=True):
            _same(a, b)


def test_detect_many_takes_picklable_callables_and_refuses_closures() -> None:
    control = BorderControl(red_threshold=4.0)
    runner = partial(border_surge, control=control)
    many = detect_many(SERIES[:3], runner, start=750, workers=2)
    for s, b in zip(SERIES[:3], many, strict=True):
        _same(border_surge(s, start=750, control=control), b)
    with pytest.raises(TypeError, match="registry name"):
        detect_many(SERIES, get_detector("ff_default"), start=750, workers=2)
    assert detect_many([], "glrnb", workers=2) == []
