"""The ports reproduce R surveillance 1.20.3 on every golden case (see the data's PROVENANCE)."""

from __future__ import annotations

import functools

import numpy as np
import pytest

from sitroom.analysis.detect.result import DetectionResult
from tests.unit.detect.golden_cases import (
    Expected,
    GoldenCase,
    expected_for,
    load_cases,
    run_case,
)

CASES = load_cases()
RTOL = 1e-6


FF_CASES = [c for c in CASES if c.preset.startswith("ff_")]


@functools.cache
def _run(case: GoldenCase) -> tuple[DetectionResult, Expected]:
    result, _ = run_case(case)
    return result, expected_for(case.id)


@pytest.fixture(params=CASES, ids=[c.id for c in CASES])
def outcome(request: pytest.FixtureRequest) -> tuple[DetectionResult, Expected]:
    return _run(request.param)


def test_the_port_monitors_exactly_the_points_r_monitors(outcome) -> None:
    result, expected = outcome
    assert np.array_equal(result.index + 1, expected.index)


def test_the_port_raises_the_same_alarms_as_r(outcome) -> None:
    result, expected = outcome
    r_alarm = np.where(np.isnan(expected.alarm), 0.0, expected.alarm).astype(bool)
    differing = np.flatnonzero(result.alarm != r_alarm)
    assert differing.size == 0, f"alarms differ at R rows {expected.index[differing][:10]}"


def test_the_upper_bounds_equal_rs_within_one_in_a_million(outcome) -> None:
    result, expected = outcome
    assert np.array_equal(np.isnan(result.upperbound), np.isnan(expected.upperbound))
    both = ~np.isnan(expected.upperbound)
    np.testing.assert_allclose(result.upperbound[both], expected.upperbound[both], rtol=RTOL)


@pytest.mark.parametrize("case", FF_CASES, ids=[c.id for c in FF_CASES])
def test_farrington_flexible_expected_values_equal_rs(case: GoldenCase) -> None:
    result, expected = _run(case)
    both = ~np.isnan(expected.expected) & ~np.isnan(result.expected)
    assert both.sum() >= 0.5 * np.sum(~np.isnan(expected.expected))
    np.testing.assert_allclose(result.expected[both], expected.expected[both], rtol=RTOL)


def test_every_golden_case_is_covered() -> None:
    presets = {c.preset for c in CASES}
    assert {"ears_c1", "ears_c2", "ears_c3", "ff_default", "ff_noufaily", "farrington_classic",
            "cusum_default", "glrnb_default"} <= presets
    assert len(CASES) == 107
