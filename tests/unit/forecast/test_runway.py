"""Capacity runway: the day a site is full, as probabilities, with what-ifs."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sitroom.analysis.forecast import ForecastSettings, Frequency, forecast_series
from sitroom.analysis.forecast.result import Forecast, summarise_paths
from sitroom.analysis.runway import (
    CapacityChange,
    Parameter,
    RunwayAssumptions,
    RunwayStatus,
    Scenario,
    SiteState,
    capacity_runway,
    compare_scenarios,
    country_runway,
    estimate_departure_rate,
    estimate_reception_share,
)

from .synthetic import synthetic_weekly_counts

AS_OF = date(2021, 6, 15)


def arrivals(paths: np.ndarray, first: date = AS_OF + timedelta(days=1)) -> Forecast:
    """SYNTHETIC arrivals forecast made straight from given paths."""
    b = summarise_paths(paths)
    days = paths.shape[1]
    return Forecast(
        first_date=first,
        frequency=Frequency.DAILY,
        dates=tuple(first + timedelta(days=i) for i in range(days)),
        point=b["median"],
        mean=b["mean"],
        lo80=b["lo80"],
        hi80=b["hi80"],
        lo95=b["lo95"],
        hi95=b["hi95"],
        paths=paths,
        model="test",
        model_description="",
        chosen=None,
    )


def constant(per_day: float, days: int = 28, n: int = 10) -> Forecast:
    return arrivals(np.full((n, days), per_day))


def test_ten_arrivals_a_day_fill_fifty_free_places_on_the_fifth_day() -> None:
    site = SiteState("Pabradė", capacity=250, occupancy=200, as_of=AS_OF)
    rw = capacity_runway(site, constant(10))
    assert rw.status is RunwayStatus.PROJECTED
    assert rw.median_full_date == AS_OF + timedelta(days=5)
    assert rw.p_full_within == {7: 1.0, 14: 1.0, 28: 1.0}


def test_a_site_without_a_capacity_figure_says_capacity_unknown_and_gives_no_numbers() -> None:
    rw = capacity_runway(SiteState("Rukla", None, 150, AS_OF), constant(10))
    assert rw.status is RunwayStatus.CAPACITY_UNKNOWN
    assert "capacity unknown" in rw.message
    assert rw.p_full_within == {}
    assert rw.median_full_date is None


def test_a_site_without_an_occupancy_figure_says_occupancy_unknown() -> None:
    rw = capacity_runway(SiteState("Rukla", 212, None, AS_OF), constant(10))
    assert rw.status is RunwayStatus.OCCUPANCY_UNKNOWN


def test_a_country_with_one_site_of_unknown_capacity_has_unknown_capacity() -> None:
    sites = [SiteState("Pabradė", 250, 100, AS_OF), SiteState("Rukla", None, 100, AS_OF)]
    rw = country_runway("LT", sites, constant(10))
    assert rw.status is RunwayStatus.CAPACITY_UNKNOWN
    assert any("Rukla" in w for w in rw.warnings)


def test_a_country_adds_up_its_sites() -> None:
    sites = [SiteState("A", 100, 90, AS_OF), SiteState("B", 100, 90, AS_OF)]
    rw = country_runway("LT", sites, constant(10))
    assert rw.capacity == 200
    assert rw.median_full_date == AS_OF + timedelta(days=2)


def test_a_site_already_over_capacity_is_full_now_and_shows_its_shortfall() -> None:
    rw = capacity_runway(SiteState("Pabradė", 250, 300, AS_OF), constant(10))
    assert rw.status is RunwayStatus.FULL_NOW
    assert rw.p_full_within[7] == 1.0
    assert rw.shortfall_median[0] == 60  # 300 + 10 - 250


def test_adding_places_from_a_date_pushes_the_full_date_back() -> None:
    site = SiteState("Pabradė", 250, 200, AS_OF)
    base, more = compare_scenarios(
        site,
        constant(10),
        [Scenario(), Scenario("tents", (CapacityChange(AS_OF + timedelta(days=3), 100),))],
    )
    assert base.median_full_date == AS_OF + timedelta(days=5)
    assert more.median_full_date == AS_OF + timedelta(days=15)


def test_diverting_half_the_arrivals_doubles_the_runway() -> None:
    site = SiteState("Pabradė", 250, 200, AS_OF)
    rw = capacity_runway(site, constant(10), scenario=Scenario("divert", divert_share=0.5))
    assert rw.median_full_date == AS_OF + timedelta(days=10)


def test_departures_and_the_reception_share_slow_the_filling() -> None:
    site = SiteState("Pabradė", 250, 200, AS_OF)
    slow = RunwayAssumptions(
        reception_share=Parameter(0.5, "test"), departures_per_day=Parameter(4.0, "test")
    )
    rw = capacity_runway(site, constant(10), slow)
    assert rw.median_full_date is None  # 1 a day net: 50 days, past the 28-day horizon
    assert rw.p_full_within[28] == 0.0


def test_when_only_some_futures_fill_up_the_probability_says_how_many() -> None:
    paths = np.vstack([np.full((3, 28), 10.0), np.zeros((7, 28))])
    rw = capacity_runway(SiteState("X", 100, 50, AS_OF), arrivals(paths))
    assert rw.p_full_within[7] == 0.3
    assert rw.median_full_date is None


@settings(max_examples=25, deadline=None)
@given(
    capacity=st.floats(min_value=0, max_value=2000),
    occupancy=st.floats(min_value=0, max_value=2000),
    level=st.floats(min_value=0, max_value=200),
    seed=st.integers(0, 1000),
)
def test_the_probability_of_being_full_never_falls_as_the_horizon_grows(
    capacity: float, occupancy: float, level: float, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    paths = rng.poisson(level, size=(200, 28)).astype(float)
    rw = capacity_runway(SiteState("X", capacity, occupancy, AS_OF), arrivals(paths))
    p = rw.p_full_within
    assert 0.0 <= p[7] <= p[14] <= p[28] <= 1.0


def test_forecast_days_before_the_occupancy_date_are_dropped() -> None:
    fc = arrivals(np.full((5, 28), 10.0), first=AS_OF - timedelta(days=2))
    rw = capacity_runway(SiteState("X", 100, 50, AS_OF), fc)
    assert rw.dates[0] == AS_OF + timedelta(days=1)
    assert len(rw.dates) == 25


def test_an_occupancy_figure_older_than_the_arrivals_data_is_flagged() -> None:
    fc = arrivals(np.full((5, 28), 10.0), first=AS_OF + timedelta(days=4))
    rw = capacity_runway(SiteState("X", 100, 50, AS_OF), fc)
    assert any("arrivals in between" in w for w in rw.warnings)


def test_a_runway_from_a_real_forecast_object_works_end_to_end() -> None:
    y = synthetic_weekly_counts(120, level=20)
    fc = forecast_series(y, AS_OF - timedelta(days=119), settings=ForecastSettings(n_paths=300))
    rw = capacity_runway(SiteState("X", 500, 300, AS_OF), fc)
    assert rw.status is RunwayStatus.PROJECTED
    assert rw.median_full_date is not None
    assert AS_OF + timedelta(days=5) < rw.median_full_date < AS_OF + timedelta(days=20)


def test_the_departure_rate_is_estimated_from_past_occupancy_changes() -> None:
    # 10 arrive a day and occupancy stays at 100: 10 leave a day, 10 % of occupants
    p = estimate_departure_rate([100.0] * 8, [10.0] * 8, AS_OF)
    assert abs(p.value - 0.1) < 1e-12
    assert "7 days" in p.source


def test_without_occupancy_history_nobody_is_assumed_to_leave() -> None:
    p = estimate_departure_rate([np.nan, 100.0], [5.0, 5.0], AS_OF)
    assert p.value == 0.0
    assert "pessimistic" in p.source


def test_the_reception_share_is_the_ratio_of_arrivals_at_reception_to_border_arrivals() -> None:
    p = estimate_reception_share([5.0, 5.0, np.nan], [10.0, 10.0, 10.0], AS_OF)
    assert p.value == 0.5


def test_a_runway_fed_with_prevented_entries_warns_that_those_people_do_not_arrive() -> None:
    from sitroom.domain.measures import Measure

    site = SiteState("X", 100, 50, AS_OF)
    rw = capacity_runway(site, constant(10), arrivals_measure=Measure.PREVENTED_ENTRY)
    assert any("do not arrive" in w for w in rw.warnings)
    ok = capacity_runway(site, constant(10), arrivals_measure=Measure.APPREHENDED)
    assert not any("do not arrive" in w for w in ok.warnings)
