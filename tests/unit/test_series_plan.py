"""Which stored series are reconciled together."""

from __future__ import annotations

from sitroom.domain.measures import Measure
from sitroom.services.series_plan import SeriesGroup, Tie, plan

A, OCC, ARR = Measure.APPREHENDED, Measure.OCCUPANCY, Measure.ARRIVALS_AT_RECEPTION


def test_a_country_and_its_reported_sections_form_one_group_per_measure() -> None:
    groups = plan(
        [
            ("apprehended", "LT", "country", "LT"),
            ("apprehended", "LT-BY-1", "section", "LT"),
            ("apprehended", "LT-BY-2", "section", "LT"),
            ("prevented_entry", "LT-BY-1", "section", "LT"),
            ("apprehended", "PL-BY-1", "section", "PL"),
        ]
    )
    assert SeriesGroup(Tie.HIERARCHY, ((A, "LT"), (A, "LT-BY-1"), (A, "LT-BY-2"))) in groups
    # No LT prevented_entry and no PL apprehended figure: those sections stand alone.
    assert SeriesGroup(Tie.ALONE, ((Measure.PREVENTED_ENTRY, "LT-BY-1"),)) in groups
    assert SeriesGroup(Tie.ALONE, ((A, "PL-BY-1"),)) in groups
    assert len(groups) == 3


def test_a_sites_occupancy_goes_with_its_arrivals_and_capacity_stays_alone() -> None:
    groups = plan(
        [
            ("occupancy", "LT-CAMP", "site", "LT"),
            ("arrivals_at_reception", "LT-CAMP", "site", "LT"),
            ("capacity", "LT-CAMP", "site", "LT"),
            ("occupancy", "LT-OTHER", "site", "LT"),
        ]
    )
    assert groups == sorted(groups, key=lambda g: (g.members[0][1], g.members[0][0].value))
    assert SeriesGroup(Tie.STOCK_FLOW, ((OCC, "LT-CAMP"), (ARR, "LT-CAMP"))) in groups
    assert SeriesGroup(Tie.ALONE, ((Measure.CAPACITY, "LT-CAMP"),)) in groups
    assert SeriesGroup(Tie.ALONE, ((OCC, "LT-OTHER"),)) in groups
    assert len(groups) == 3


def test_every_series_is_in_exactly_one_group() -> None:
    found = [
        ("occupancy", "LT", "country", "LT"),
        ("arrivals_at_reception", "LT", "country", "LT"),
        ("occupancy", "LT-BY-1", "section", "LT"),
        ("apprehended", "LV", "country", "LV"),
    ]
    members = [m for g in plan(found) for m in g.members]
    assert sorted(members, key=str) == sorted({(Measure(m), p) for m, p, _, _ in found}, key=str)
