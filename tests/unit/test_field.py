"""The field package without a database: the XLSForms convert, instances are read safely,
answers become record cells, attachments are kept once by digest (SYNTHETIC data)."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sitroom.domain.incidents import IncidentCategory
from sitroom.domain.measures import Measure, Qualifier
from sitroom.field.attachments import AttachmentRefused, AttachmentStore
from sitroom.field.choices import vocabulary_lists
from sitroom.field.forms import field_forms
from sitroom.field.instance import InstanceRefused, parse_instance
from sitroom.field.records import FORM_RECORDS, field_entries
from sitroom.interchange.records.registry import SCHEMAS
from sitroom.interchange.records.schema import EntryContext, RecordKind
from tests import phone

PLACE_LISTS = {"sections.csv", "sites.csv", "places.csv"}


def test_every_bundled_xlsform_converts_to_an_xform_sitroom_can_turn_into_records() -> None:
    forms = field_forms()
    assert set(forms) == set(FORM_RECORDS)
    for form in forms.values():
        assert form.version == phone.FORM_VERSION
        assert form.xml.startswith(b"<?xml") and b'jr:preload="uid"' in form.xml
        assert set(form.media) <= set(vocabulary_lists()) | PLACE_LISTS


def test_the_vocabulary_lists_offer_exactly_what_the_parsers_accept() -> None:
    lists = vocabulary_lists()
    assert [n for n, _ in lists["measures.csv"]] == [m.value for m in Measure]
    assert [n for n, _ in lists["qualifiers.csv"]] == [q.value for q in Qualifier]
    assert [n for n, _ in lists["categories.csv"]] == [c.value for c in IncidentCategory]


def test_an_instance_in_groups_with_a_namespaced_meta_block_is_read() -> None:
    xml = (
        b'<data xmlns:orx="http://openrosa.org/xforms" id="sitroom_figure" version="7">'
        b"<grp><value>12</value></grp><orx:meta><orx:instanceID>uuid:1</orx:instanceID>"
        b"</orx:meta></data>"
    )
    instance = parse_instance(xml)
    assert (instance.form_id, instance.version, instance.instance_id) == (
        "sitroom_figure",
        "7",
        "uuid:1",
    )
    assert instance.text("value") == "12"


def test_a_billion_laughs_is_refused_before_any_expansion() -> None:
    laughs = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE data [<!ENTITY l0 "lol">{laughs}]>'
        '<data id="sitroom_incident" version="1"><description>&l9;</description>'
        "<meta><instanceID>uuid:x</instanceID></meta></data>"
    ).encode()
    with pytest.raises(InstanceRefused, match="DTD or entities"):
        parse_instance(xml)


def test_a_geopoint_gives_the_incident_its_place_and_the_report_its_accuracy() -> None:
    _ident, xml = phone.instance_xml("sitroom_incident", phone.incident_fields())
    instance = parse_instance(xml)
    [entry] = field_entries(instance)
    assert entry.kind is RecordKind.INCIDENTS
    assert (entry.cells["lat"], entry.cells["lon"]) == ("54.3012", "25.1543")
    assert entry.cells["external_ref"] == instance.instance_id
    point = instance.point("location")
    assert point is not None and (point.altitude, point.accuracy) == (151.0, 4.5)
    # Received the day the synthetic phone says it was filled in (tests/phone.py).
    received = datetime(2026, 12, 5, 12, tzinfo=UTC)
    incident = SCHEMAS[RecordKind.INCIDENTS].parse(entry.cells, EntryContext("alice", received))
    assert incident.persons == 12 and incident.nationalities == (("IQ", 7), ("SY", 5))


def test_an_occupancy_report_without_capacity_is_one_figure() -> None:
    fields = phone.occupancy_fields("LT-OPENCAMP", capacity="")
    entries = field_entries(parse_instance(phone.instance_xml("sitroom_occupancy", fields)[1]))
    assert [e.cells["measure"] for e in entries] == ["occupancy"]


def test_the_same_photo_twice_is_kept_once_under_its_digest(tmp_path: Path) -> None:
    store = AttachmentStore(tmp_path, max_bytes=100_000)
    photo = phone.synthetic_jpeg(50_000, seed=3)
    first = store.receive("a.jpg", "image/jpeg", io.BytesIO(photo))
    second = store.receive("../../b.jpg", "image/jpeg; q=1", io.BytesIO(photo))
    assert first.sha256 == second.sha256 == hashlib.sha256(photo).hexdigest()
    assert (first.new, second.new, second.name) == (True, False, "b.jpg")
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [first.sha256]


def test_a_file_over_the_cap_leaves_nothing_behind(tmp_path: Path) -> None:
    store = AttachmentStore(tmp_path, max_bytes=10_000)
    with pytest.raises(AttachmentRefused) as refused:
        store.receive("big.jpg", "image/jpeg", io.BytesIO(phone.synthetic_jpeg(10_001)))
    assert refused.value.too_large
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_a_file_that_is_not_what_it_says_is_refused(tmp_path: Path) -> None:
    store = AttachmentStore(tmp_path)
    with pytest.raises(AttachmentRefused, match="does not hold the image/png"):
        store.receive("x.png", "image/png", io.BytesIO(phone.synthetic_jpeg(2000)))
    with pytest.raises(AttachmentRefused, match="not accepted"):
        store.receive("x.svg", "image/svg+xml", io.BytesIO(b"<svg/>"))


def test_docs_field_names_every_form_and_choice_list() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "field.md").read_text(encoding="utf-8")
    for form in field_forms().values():
        assert f"`{form.form_id}`" in text, form.form_id
        for name in form.media:
            assert f"`{name}`" in text, name
