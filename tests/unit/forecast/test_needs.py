"""Needs of a shortfall from the Sphere-based table."""

from __future__ import annotations

import math

import pytest

from sitroom.analysis.needs import DEFAULT_NEEDS, Climate, needs_for_shortfall


def by_item(persons: float, climate: Climate = Climate.TEMPERATE) -> dict[str, float]:
    return {line.item: line.quantity for line in needs_for_shortfall(persons, climate)}


def test_one_hundred_people_need_350_square_metres_of_cover_and_4500_of_site() -> None:
    needs = by_item(100)
    assert needs["covered_space"] == 350.0
    assert needs["site_area"] == 4500.0
    assert needs["beds"] == 100


def test_a_cold_climate_needs_more_space_blankets_and_heaters() -> None:
    warm, cold = by_item(100), by_item(100, Climate.COLD)
    assert cold["covered_space"] > warm["covered_space"]
    assert cold["blankets"] > warm["blankets"]
    assert "heaters" not in warm
    assert cold["heaters"] == 20


def test_countable_items_are_rounded_up() -> None:
    assert by_item(7)["generators"] == 1


def test_no_shortfall_needs_nothing() -> None:
    assert all(line.quantity == 0 for line in needs_for_shortfall(-5))


def test_every_rate_says_where_it_comes_from() -> None:
    for rate in DEFAULT_NEEDS.rates:
        assert len(rate.source) > 20


def test_a_rate_can_be_changed_without_touching_the_default_table() -> None:
    table = DEFAULT_NEEDS.with_rate("blankets", cold=4.0)
    lines = needs_for_shortfall(10, Climate.COLD, table)
    assert next(x.quantity for x in lines if x.item == "blankets") == 40
    assert DEFAULT_NEEDS.rate("blankets").cold == 3.0
    with pytest.raises(KeyError):
        DEFAULT_NEEDS.with_rate("tents", cold=1.0)


def test_a_non_finite_shortfall_is_refused() -> None:
    with pytest.raises(ValueError):
        needs_for_shortfall(math.nan)
