"""Assistance rules without a database: status moves, file rows, the pipeline and allocation.
Quantities and dates here are synthetic test data unless the test says otherwise."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from sitroom.analysis.assist.allocate import Need, Supply, allocate, greedy
from sitroom.analysis.assist.draft import draft_request
from sitroom.analysis.assist.pipeline import pipeline
from sitroom.analysis.needs import Climate, needs_for_shortfall
from sitroom.domain.assistance import OfferStatus, TransitionRefused, check_move
from sitroom.domain.errors import FieldErrors
from sitroom.interchange.records.offers import parse_offer
from sitroom.interchange.records.requests import parse_request
from sitroom.interchange.records.schema import EntryContext

CONTEXT = EntryContext("test", datetime(2021, 8, 1, tzinfo=UTC))
OFFER = {
    "ref": "OFF-T-1",
    "provider": "PL",
    "item": "tent_60",
    "quantity": "10",
    "recipient": "LT",
    "source_url": "https://example.org/synthetic-test-data",
    "offered_on": "2021-07-16",
}
REQUEST = {
    "ref": "REQ-T.1",
    "request": "REQ-T",
    "requested_on": "2021-07-15",
    "country": "LT",
    "item": "tent_60",
    "quantity": "12",
    "source_url": "https://example.org/synthetic-test-data",
}


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (OfferStatus.DELIVERED, OfferStatus.OFFERED),
        (OfferStatus.ACCEPTED, OfferStatus.DELIVERED),
        (OfferStatus.OFFERED, OfferStatus.DISPATCHED),
        (OfferStatus.DECLINED, OfferStatus.ACCEPTED),
    ],
)
def test_a_status_move_that_skips_or_goes_back_is_refused_with_the_moves_allowed(
    current: OfferStatus, target: OfferStatus
) -> None:
    with pytest.raises(TransitionRefused, match="allowed"):
        check_move(current, target)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"item": "unicorn_tents"}, "item"),
        ({"quantity": "-5"}, "quantity"),
        ({"quantity": "50000000000"}, "quantity"),
        ({"quantity": "2.5"}, "quantity"),
        ({"unit": "beds"}, "unit"),
        ({"status": "delivered", "delivered_quantity": "11"}, "delivered_quantity"),
        ({"status": "accepted", "delivered_on": "2021-07-20"}, "delivered_on"),
        ({"recipient": "XX"}, "recipient"),
        ({"supersedes": "OFF-T-1"}, "supersedes"),
    ],
)
def test_a_bad_offer_row_is_refused_at_the_field_that_is_wrong(
    changes: dict[str, str], field: str
) -> None:
    with pytest.raises(FieldErrors) as caught:
        parse_offer({**OFFER, **changes}, CONTEXT)
    assert field in caught.value.errors


def test_a_request_row_without_a_ref_gets_one_from_its_content() -> None:
    first = parse_request({**REQUEST, "ref": ""}, CONTEXT)
    again = parse_request({**REQUEST, "ref": ""}, CONTEXT)
    other = parse_request({**REQUEST, "ref": "", "quantity": "13"}, CONTEXT)
    assert first.ref == again.ref != other.ref
    assert first.ref.startswith("REQ-T-")


def test_the_pipeline_counts_what_was_known_and_delivered_by_the_day() -> None:
    request = parse_request(REQUEST, CONTEXT)
    delivered = parse_offer(
        {**OFFER, "request": "REQ-T", "status": "delivered", "delivered_on": "2021-07-22"}, CONTEXT
    )
    later = parse_offer(
        {**OFFER, "ref": "OFF-T-2", "request": "REQ-T", "offered_on": "2021-08"}, CONTEXT
    )
    before = pipeline([request], [delivered, later], date(2021, 7, 20))
    (line,) = before.lines
    assert (line.asked, line.accepted, line.delivered, line.uncovered) == (12, 10, 0, 2)
    after = pipeline([request], [delivered, later], date(2021, 7, 25))
    assert (after.lines[0].delivered, after.lines[0].uncovered) == (10, 2)
    # A pledge dated only "2021-08" is surely known by 31 August, not before.
    assert pipeline([request], [delivered, later], date(2021, 8, 30)).lines[0].offered == 10
    assert pipeline([request], [delivered, later], date(2021, 8, 31)).lines[0].offered == 20


def test_a_revised_offer_stops_counting_once_its_revision_is_known() -> None:
    first = parse_offer({**OFFER, "item": "border_guard", "quantity": "20"}, CONTEXT)
    total = parse_offer(
        {
            **OFFER,
            "ref": "OFF-T-2",
            "item": "border_guard",
            "quantity": "100",
            "offered_on": "2021-07-30",
            "supersedes": "OFF-T-1",
        },
        CONTEXT,
    )
    assert pipeline([], [first, total], date(2021, 7, 20)).lines[0].offered == 20
    assert pipeline([], [first, total], date(2021, 7, 30)).lines[0].offered == 100


def test_a_package_value_is_counted_once_not_again_with_its_items() -> None:
    package = parse_offer(
        {
            **OFFER,
            "ref": "OFF-T-00",
            "item": "relief_supplies",
            "quantity": "",
            "value_eur": "125000",
            "is_package": "yes",
        },
        CONTEXT,
    )
    part = parse_offer({**OFFER, "value_eur": "90000", "package": "OFF-T-00"}, CONTEXT)
    lines = pipeline([], [package, part], date(2021, 8, 1)).lines
    assert sum(x.value_eur for x in lines) == 125000


def test_the_solver_beats_first_come_by_weighing_priority_and_lateness() -> None:
    needs = [
        Need("low-first", "bed", 100, 1.0, "LT", date(2021, 7, 20), order=1),
        Need("critical-later", "bed", 100, 8.0, "LT", date(2021, 7, 20), order=2),
    ]
    supplies = [Supply("s", "bed", 100, "PL", None, date(2021, 7, 18), order=1)]
    best, first = allocate(needs, supplies), greedy(needs, supplies)
    assert best.uncovered == {"low-first": 100, "critical-later": 0}
    assert (best.cost, first.cost) == (100, 800)
    assert best.bound == pytest.approx(best.cost) and best.gap == pytest.approx(0)


def test_a_supply_never_goes_where_its_provider_did_not_offer_it() -> None:
    needs = [Need("lv", "bed", 10, 8.0, "LV")]
    supplies = [Supply("only-lt", "bed", 10, "PL", frozenset({"LT"}))]
    assert allocate(needs, supplies).moves == []


def test_a_forecast_shortfall_becomes_a_draft_request_of_tents_beds_and_blankets() -> None:
    needs = needs_for_shortfall(340, Climate.COLD)
    draft = draft_request("LT-PABRADE", 340, needs, full_on=date(2021, 8, 13), days_to_full=9)
    quantities = {line.item.key: line.quantity for line in draft.lines}
    assert quantities["tent_60"] == 6 and quantities["bed"] == 340
    assert quantities["blanket"] == 1020 and quantities["heater"] == 68
    assert draft.priority.value == "high"
    assert "full in 9 days: 340 places short" in draft.summary
