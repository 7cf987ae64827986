from __future__ import annotations

from datetime import date, datetime

import pytest

from sitroom.domain.countries import country_code
from sitroom.domain.errors import FieldErrors, InvalidValue
from sitroom.domain.incidents import Incident, IncidentCategory, IncidentStatus
from sitroom.domain.measures import Measure, Nature
from sitroom.domain.places import place_id
from sitroom.domain.sources import Source, SourceKind
from tests import factories


def test_every_measure_is_a_flow_or_a_stock_with_a_unit() -> None:
    for measure in Measure:
        assert measure.nature in (Nature.FLOW, Nature.STOCK)
        assert measure.definition.unit
    assert Measure.OCCUPANCY.nature is Nature.STOCK
    assert Measure.APPREHENDED.nature is Nature.FLOW


@pytest.mark.parametrize("code", ["lt", " PL ", "LV"])
def test_country_codes_are_normalised(code: str) -> None:
    assert country_code(code) == code.strip().upper()


@pytest.mark.parametrize("code", ["LTU", "L", "ZZ", "12", ""])
def test_a_wrong_country_code_is_refused_with_a_reason(code: str) -> None:
    with pytest.raises(InvalidValue, match="ISO 3166-1"):
        country_code(code)


def test_place_ids_must_start_with_a_real_country() -> None:
    assert place_id("lt-by-1") == "LT-BY-1"
    with pytest.raises(InvalidValue):
        place_id("XX-BY-1")
    with pytest.raises(InvalidValue):
        place_id("LT BY 1")


def test_a_figure_whose_period_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(FieldErrors) as caught:
        factories.figure(period_start=date(2021, 7, 3), period_end=date(2021, 7, 1))
    assert "period_end" in caught.value.errors


def test_a_negative_count_is_refused() -> None:
    with pytest.raises(FieldErrors) as caught:
        factories.figure(value=-1.0)
    assert caught.value.errors["value"].startswith("a count cannot be negative")


def test_the_ref_depends_on_what_a_figure_says_not_on_who_entered_it() -> None:
    first = factories.figure(entered_by="alice")
    same = factories.figure(
        entered_by="bob", entered_at=datetime.fromisoformat("2022-01-01T00:00+00:00")
    )
    other = factories.figure(value=13.0)
    assert first.ref == same.ref
    assert first.ref != other.ref


def test_a_figure_cannot_correct_itself() -> None:
    ref = factories.figure().ref
    corrected = factories.figure(corrects=ref)
    assert corrected.ref != ref  # correcting changes the content, so a new ref


def test_an_incident_yields_its_measure_unless_retracted() -> None:
    incident = Incident(
        occurred_at=datetime.fromisoformat("2021-07-03T23:30:00+03:00"),
        section="LT-BY-1",
        category=IncidentCategory.APPREHENSION,
        persons=12,
        minors=3,
        source=Source(SourceKind.FIELD_REPORT, factories.SYNTHETIC_URL),
        entered_by="alice",
        entered_at=factories.MOMENT,
    )
    assert incident.yielded_measure is Measure.APPREHENDED
    assert incident.day == date(2021, 7, 3)  # the local day at the border, not UTC's
    retracted = Incident(**{**_fields(incident), "status": IncidentStatus.RETRACTED})
    assert retracted.yielded_measure is None


def test_an_incident_with_more_minors_or_nationals_than_persons_is_refused() -> None:
    base = {
        "occurred_at": datetime.fromisoformat("2021-07-03T02:10:00+03:00"),
        "section": "LT-BY-1",
        "category": IncidentCategory.APPREHENSION,
        "persons": 2,
        "source": Source(SourceKind.FIELD_REPORT, factories.SYNTHETIC_URL),
        "entered_by": "alice",
        "entered_at": factories.MOMENT,
    }
    with pytest.raises(FieldErrors, match="minors"):
        Incident(**base, minors=3)  # type: ignore[arg-type]
    with pytest.raises(FieldErrors, match="nationalities"):
        Incident(**base, nationalities=(("IQ", 2), ("SY", 1)))  # type: ignore[arg-type]


def test_an_incident_time_without_a_zone_is_refused() -> None:
    with pytest.raises(FieldErrors, match="time zone"):
        Incident(
            occurred_at=datetime(2021, 7, 3, 2, 10),
            section="LT-BY-1",
            category=IncidentCategory.APPREHENSION,
            persons=2,
            source=Source(SourceKind.FIELD_REPORT, factories.SYNTHETIC_URL),
            entered_by="alice",
            entered_at=factories.MOMENT,
        )


def _fields(incident: Incident) -> dict[str, object]:
    return {name: getattr(incident, name) for name in incident.__slots__}
