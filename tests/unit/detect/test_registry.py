"""Callers pick a detector by name."""

from __future__ import annotations

import numpy as np
import pytest

from sitroom.analysis.detect.registry import DETECTORS, get_detector
from tests.unit.detect.synthetic import daily


def test_the_registry_offers_every_ported_method_and_the_border_method() -> None:
    assert {"ears_c1", "ears_c2", "ears_c3", "farrington", "ff_default", "ff_noufaily",
            "cusum", "glrnb", "border"} <= set(DETECTORS)


def test_an_unknown_name_is_refused_with_the_list_of_known_ones() -> None:
    with pytest.raises(KeyError, match=r"known: .*border"):
        get_detector("magic")


@pytest.mark.parametrize("name", ["ears_c2", "cusum", "glrnb", "border"])
def test_each_result_is_aligned_with_the_monitored_days(name: str) -> None:
    series, _ = daily(900, 12.0, seed=21)  # synthetic
    result = get_detector(name)(series, start=800)
    assert np.array_equal(result.index, np.arange(800, 900))
    for column in (result.observed, result.expected, result.upperbound, result.score,
                   result.alarm, result.defined):
        assert column.shape == result.index.shape
