"""Alarms written as CAP 1.2 alerts validate against the OASIS schema and the standard's rules.

Every alarm here is SYNTHETIC: invented values on real place ids. The border sections are the
bundled (derived, published) ones, plus one SYNTHETIC section.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
import socket
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from importlib import resources
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitroom.domain.alarms import Alarm, AlarmLevel, AlarmState
from sitroom.domain.measures import Measure
from sitroom.domain.places import BorderSection
from sitroom.interchange import cap_rules
from sitroom.interchange.cap import (
    NS,
    CapArea,
    alarm_identifier,
    alarm_to_cap,
    alert_reference,
    validate_cap,
)
from sitroom.interchange.cap_area import area_for_country, area_for_section

SENDER = "sitroom@example.org"
SENT = datetime(2021, 11, 9, 6, 0, tzinfo=UTC)
Q = f"{{{NS}}}"
DSIG = "http://www.w3.org/2000/09/xmldsig#"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
FAR = "http://example.invalid/CAP-v1.2.xsd"


def bundled_sections() -> list[BorderSection]:
    path = resources.files("sitroom") / "data" / "belarus_2021" / "sections.csv"
    with path.open(encoding="utf-8") as handle:
        return [
            BorderSection(
                row["id"],
                row["country"],
                row["neighbour"],
                row["name"],
                tuple((float(lon), float(lat)) for lon, lat in json.loads(row["line"])),
                float(row["length_km"]),
            )
            for row in csv.DictReader(handle)
        ]


SECTIONS = {section.id: section for section in bundled_sections()}
SYNTHETIC_SECTION = BorderSection(
    "LT-BY-X",
    "LT",
    "BY",
    "SYNTHETIC section with a hairpin bend",
    ((25.0, 54.0), (25.1, 54.05), (25.0, 54.1), (25.1, 54.15), (25.0, 54.2)),
    25.0,
)


def synthetic_alarm(**overrides: Any) -> Alarm:
    values: dict[str, Any] = {
        "measure": Measure.APPREHENDED,
        "place": "LT-BY-1",
        "day": date(2021, 11, 8),
        "method": "synthetic-cusum",
        "observed": 312.0,
        "expected": 40.0,
        "threshold": 95.5,
        "level": AlarmLevel.RED,
        "raised_at": SENT,
        "probability": 0.93,
    }
    values.update(overrides)
    return Alarm(**values)


def in_state(alarm: Alarm, state: AlarmState) -> Alarm:
    if state is AlarmState.ACKNOWLEDGED:
        return alarm.acknowledge("duty officer", "SYNTHETIC: checked with the border guard")
    if state is AlarmState.CLOSED:
        return alarm.acknowledge("duty officer", "SYNTHETIC").close("duty officer")
    return alarm


def area_for(place: str) -> CapArea:
    return area_for_section(SECTIONS[place]) if place in SECTIONS else area_for_country(place)


def write(alarm: Alarm, **kwargs: Any) -> bytes:
    if alarm.state is not AlarmState.NEW and "references" not in kwargs:
        kwargs["references"] = [alert_reference(alarm, sender=SENDER, sent=SENT)]
    kwargs.setdefault("area", area_for(alarm.place))
    return alarm_to_cap(alarm, sender=SENDER, sent=SENT + timedelta(hours=1), **kwargs)


def element(xml: bytes, path: str) -> ET.Element:
    found = ET.fromstring(xml).find(path.replace("cap:", Q))
    assert found is not None, path
    return found


def text(xml: bytes, path: str) -> str:
    return element(xml, path).text or ""


def inside(point: tuple[float, float], ring: tuple[tuple[float, float], ...]) -> bool:
    """Ray casting, in (lat, lon); enough for the small polygons here."""
    y, x = point
    hit = False
    for (y1, x1), (y2, x2) in itertools.pairwise(ring):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            hit = not hit
    return hit


@pytest.mark.parametrize("state", list(AlarmState))
@pytest.mark.parametrize("level", list(AlarmLevel))
@pytest.mark.parametrize("place", ["LT-BY-1", "PL", "FI"])
def test_every_level_and_state_gives_a_valid_cap_alert(
    level: AlarmLevel, state: AlarmState, place: str
) -> None:
    alarm = in_state(synthetic_alarm(level=level, place=place), state)
    xml = write(alarm)
    assert validate_cap(xml) == []
    expected = {"new": "Alert", "acknowledged": "Update", "closed": "Cancel"}[state.value]
    assert text(xml, "cap:msgType") == expected
    assert text(xml, "cap:info/cap:category") == "Security"
    assert text(xml, "cap:info/cap:language") == "en"


def test_red_and_amber_map_onto_cap_urgency_severity_and_certainty() -> None:
    red = write(synthetic_alarm(level=AlarmLevel.RED, probability=None))
    amber = write(synthetic_alarm(level=AlarmLevel.AMBER, probability=None))
    grade = ("cap:info/cap:urgency", "cap:info/cap:severity", "cap:info/cap:certainty")
    assert [text(red, p) for p in grade] == ["Expected", "Severe", "Likely"]
    assert [text(amber, p) for p in grade] == ["Future", "Moderate", "Possible"]
    unsure_red = write(synthetic_alarm(level=AlarmLevel.RED, probability=0.3))
    assert text(unsure_red, "cap:info/cap:certainty") == "Possible"
    closed = write(in_state(synthetic_alarm(), AlarmState.CLOSED))
    assert text(closed, "cap:info/cap:urgency") == "Past"
    assert text(closed, "cap:info/cap:responseType") == "AllClear"


def test_the_alert_carries_the_figures_as_parameters_and_says_them_in_words() -> None:
    xml = write(synthetic_alarm())
    info = element(xml, "cap:info")
    parameters = {
        p.findtext(f"{Q}valueName"): p.findtext(f"{Q}value") for p in info.iter(f"{Q}parameter")
    }
    assert parameters["observed"] == "312"
    assert parameters["expected"] == "40"
    assert parameters["threshold"] == "95.5"
    assert parameters["method"] == "synthetic-cusum"
    assert parameters["level"] == "red"
    assert text(xml, "cap:info/cap:event") == "Surge in apprehended persons at LT-BY-1"
    description = text(xml, "cap:info/cap:description")
    assert "312 persons observed against 40 expected" in description
    assert "95.5" in description and "2021-11-08" in description
    assert text(xml, "cap:info/cap:onset") == "2021-11-08T00:00:00-00:00"


def test_the_identifier_is_stable_for_the_same_alarm_and_differs_for_another() -> None:
    alarm = synthetic_alarm()
    first = text(write(alarm), "cap:identifier")
    again = text(
        write(synthetic_alarm(observed=999.0, raised_at=SENT + timedelta(days=1))), "cap:identifier"
    )
    assert first == again == alarm_identifier(alarm)
    other = text(write(synthetic_alarm(method="synthetic-other")), "cap:identifier")
    assert other != first


def test_an_update_has_its_own_identifier_and_references_the_alert() -> None:
    alarm = synthetic_alarm()
    update = write(in_state(alarm, AlarmState.ACKNOWLEDGED))
    assert text(update, "cap:identifier") != alarm_identifier(alarm)
    assert text(update, "cap:references") == (
        f"{SENDER},{alarm_identifier(alarm)},2021-11-09T06:00:00-00:00"
    )
    assert "SYNTHETIC: checked with the border guard" in text(update, "cap:note")


def test_sent_keeps_its_offset_and_drops_fractions_of_a_second() -> None:
    riga = timezone(timedelta(hours=2))
    xml = alarm_to_cap(
        synthetic_alarm(),
        sender=SENDER,
        area=area_for_country("LV"),
        sent=datetime(2021, 11, 9, 8, 0, 0, 500_000, tzinfo=riga),
    )
    assert text(xml, "cap:sent") == "2021-11-09T08:00:00+02:00"
    assert text(xml, "cap:info/cap:onset") == "2021-11-08T00:00:00+02:00"
    assert validate_cap(xml) == []


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"sent": datetime(2021, 11, 9, 6, 0)}, "time zone"),  # naive on purpose
        ({"sender": "sitroom example"}, "sender"),
        ({"identifier": "a,b"}, "identifier"),
        ({"scope": "Restricted"}, "restriction"),
        ({"msg_type": "Update"}, "reference"),
    ],
)
def test_what_cap_forbids_is_refused_when_writing(change: dict[str, Any], reason: str) -> None:
    kwargs: dict[str, Any] = {"sender": SENDER, "area": area_for_country("LT"), "sent": SENT}
    kwargs.update(change)
    with pytest.raises(ValueError, match=reason):
        alarm_to_cap(synthetic_alarm(), **kwargs)


def test_country_and_section_polygons_are_closed_and_within_bounds() -> None:
    areas = [area_for_country(code) for code in ("LT", "LV", "PL", "EE", "BY")]
    areas += [area_for_section(section) for section in SECTIONS.values()]
    areas.append(area_for_section(SYNTHETIC_SECTION))
    for area in areas:
        assert area.polygons, area.desc
        for ring in area.polygons:
            assert len(ring) >= 4
            assert ring[0] == ring[-1]
            assert all(-90 <= lat <= 90 and -180 <= lon <= 180 for lat, lon in ring)
    assert sum(len(ring) for ring in area_for_country("PL").polygons) < 400


def test_a_section_corridor_covers_every_point_of_its_line() -> None:
    for section in [*SECTIONS.values(), SYNTHETIC_SECTION]:
        area = area_for_section(section)
        for lon, lat in section.line:
            assert any(inside((lat, lon), ring) for ring in area.polygons), (section.id, lon, lat)


def test_a_country_without_an_outline_or_a_section_without_a_line_uses_a_geocode() -> None:
    finland = area_for_country("fi")
    assert finland.polygons == () and finland.geocodes == (("ISO3166-1", "FI"),)
    lineless = BorderSection("LV-BY-X", "LV", "BY", "SYNTHETIC section, no line", (), 10.0)
    assert area_for_section(lineless).geocodes == (("ISO3166-1", "LV"),)
    xml = write(synthetic_alarm(place="FI"))
    assert text(xml, "cap:info/cap:area/cap:geocode/cap:value") == "FI"


def tamper(xml: bytes, old: str, new: str) -> bytes:
    assert old.encode() in xml, old
    return xml.replace(old.encode(), new.encode(), 1)


def first_polygon(xml: bytes) -> str:
    return text(xml, "cap:info/cap:area/cap:polygon")


def open_polygon(xml: bytes) -> bytes:
    ring = first_polygon(xml)
    return tamper(xml, ring, ring.rsplit(" ", 1)[0])


def short_polygon(xml: bytes) -> bytes:
    pairs = first_polygon(xml).split()
    return tamper(xml, first_polygon(xml), " ".join([*pairs[:2], pairs[0]]))


def far_polygon(xml: bytes) -> bytes:
    pairs = first_polygon(xml).split()
    lat, lon = pairs[0].split(",")
    far = f"{float(lat) + 100},{lon}"
    return tamper(xml, first_polygon(xml), " ".join([far, *pairs[1:-1], far]))


TAMPERINGS: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "missing category": (
        lambda x: tamper(x, "<category>Security</category>", ""),
        "category",
    ),
    "fractional-second sent": (
        lambda x: tamper(x, "<sent>2021-11-09T07:00:00-00:00", "<sent>2021-11-09T07:00:00.5-00:00"),
        "fractional seconds",
    ),
    "UTC as +00:00": (
        lambda x: tamper(x, "<sent>2021-11-09T07:00:00-00:00", "<sent>2021-11-09T07:00:00+00:00"),
        "-00:00",
    ),
    "onset without a time zone": (
        lambda x: tamper(x, "<onset>2021-11-08T00:00:00-00:00", "<onset>2021-11-08T00:00:00"),
        "onset",
    ),
    "open polygon": (open_polygon, "not closed"),
    "three-point polygon": (short_polygon, "at least 4"),
    "latitude beyond 90": (far_polygon, "outside"),
    "sender with a space": (lambda x: tamper(x, SENDER, "sitroom example.org"), "sender"),
    "unknown severity": (
        lambda x: tamper(x, "<severity>Severe", "<severity>Grave"),
        "severity",
    ),
    "Update without references": (
        lambda x: tamper(x, "<msgType>Alert", "<msgType>Update"),
        "references: required",
    ),
    "private without addresses": (
        lambda x: tamper(x, "<scope>Public", "<scope>Private"),
        "addresses",
    ),
    "bad circle": (
        lambda x: tamper(x, "</area>", "<circle>54.5,25.0</circle></area>"),
        "circle",
    ),
}


@pytest.mark.parametrize("name", list(TAMPERINGS))
def test_a_tampered_alert_is_reported_with_a_message(name: str) -> None:
    change, expected = TAMPERINGS[name]
    problems = validate_cap(change(write(synthetic_alarm())))
    assert problems, name
    assert any(expected in problem for problem in problems), problems


def test_malformed_references_are_reported() -> None:
    xml = write(in_state(synthetic_alarm(), AlarmState.ACKNOWLEDGED))
    reference = text(xml, "cap:references")
    broken = tamper(
        xml, reference, reference.replace(",2021-11-09T06:00:00", ",2021-11-09 06:00:00")
    )
    assert any("references" in problem for problem in validate_cap(broken))
    two_parts = tamper(xml, reference, reference.rsplit(",", 1)[0])
    assert any("sender,identifier,sent" in p for p in validate_cap(two_parts))


def test_what_is_not_xml_or_not_cap_is_reported_not_raised() -> None:
    assert validate_cap(b"")[0].startswith("not well-formed XML")
    assert validate_cap(b"/etc/passwd")[0].startswith("not well-formed XML")
    assert validate_cap(b"<alert xmlns='urn:example:not-cap'/>")
    bomb = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'
    assert validate_cap(bomb)[0].startswith("not well-formed XML")


def test_the_schema_loads_from_the_package_without_the_network(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("validate_cap tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    cap_rules._schema.cache_clear()
    xml = write(synthetic_alarm())
    assert validate_cap(xml) == []
    signed = tamper(xml, "</alert>", f"<Signature xmlns='{DSIG}'><SignedInfo/></Signature></alert>")
    hinted = tamper(xml, "<alert ", f"<alert xmlns:xsi='{XSI}' xsi:schemaLocation='{NS} {FAR}' ")
    assert validate_cap(signed) == []
    assert validate_cap(hinted) == []
    assert cap_rules._schema.cache_info().misses == 1


def test_the_bundled_schema_is_the_oasis_file_and_imports_nothing() -> None:
    data = cap_rules.SCHEMA.read_bytes()
    assert hashlib.sha256(data).hexdigest() == (
        "b7798ef25868b068c97b268bda02d067c7d4ba9373adc5638bf37105804ee723"
    )
    assert b"<import" not in data and b"<include" not in data and b"<redefine" not in data


reason_text = st.text(st.characters(codec="utf-8"), min_size=1, max_size=30).filter(str.strip)
finite = st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False)


@st.composite
def random_alarms(draw: st.DrawFn) -> Alarm:
    alarm = Alarm(
        measure=draw(st.sampled_from(Measure)),
        place=draw(st.sampled_from(["LT", "LV", "PL", "LT-BY-1", "LV-BY-2", "PL-BY-4"])),
        day=draw(st.dates(date(2015, 1, 1), date(2030, 12, 31))),
        method=draw(st.text(max_size=20)),
        observed=draw(finite),
        expected=draw(finite),
        threshold=draw(finite),
        level=draw(st.sampled_from(AlarmLevel)),
        raised_at=draw(st.datetimes(timezones=st.just(UTC))),
        probability=draw(st.none() | st.floats(0, 1)),
    )
    state = draw(st.sampled_from(AlarmState))
    if state is not AlarmState.NEW:
        alarm = alarm.acknowledge(draw(reason_text), draw(reason_text))
    if state is AlarmState.CLOSED:
        alarm = alarm.close(draw(reason_text))
    return alarm


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    alarm=random_alarms(),
    offset_minutes=st.integers(-12 * 60, 14 * 60),
    sent=st.datetimes(datetime(2000, 1, 2), datetime(2099, 12, 30)),
)
def test_any_synthetic_alarm_gives_valid_cap(
    alarm: Alarm, offset_minutes: int, sent: datetime
) -> None:
    moment = sent.replace(tzinfo=timezone(timedelta(minutes=offset_minutes)))
    xml = alarm_to_cap(
        alarm,
        sender=SENDER,
        area=area_for(alarm.place),
        sent=moment,
        references=[alert_reference(alarm, sender=SENDER, sent=moment - timedelta(hours=1))]
        if alarm.state is not AlarmState.NEW
        else (),
    )
    assert validate_cap(xml) == []
    assert text(xml, "cap:identifier") == alarm_identifier(alarm)
