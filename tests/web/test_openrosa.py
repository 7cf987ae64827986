"""Conformance: the requests ODK Collect sends, replayed against sitroom's OpenRosa server on
both databases, with alice's and charlie's phones (SYNTHETIC reports)."""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Iterator
from xml.etree import ElementTree

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sitroom.domain.accounts import Role
from sitroom.services import accounts, entries
from sitroom.services.accounts import NotAllowed
from sitroom.services.field_devices import create_device, revoke_device
from sitroom.store.account_tables import AuditRow
from sitroom.store.field_tables import FieldAttachmentRow, FieldSubmissionRow
from sitroom.store.tables import FigureRow, IncidentRow
from tests import phone
from tests.web.conftest import FAST_HASHER, PASSWORD, SECRET_SITE, World
from tests.web.openrosa_world import Field, field_world, message, post

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

LIST_NS = "{http://openrosa.org/xforms/xformsList}"
MANIFEST_NS = "{http://openrosa.org/xforms/xformsManifest}"


@pytest.fixture(scope="module")
def field(world: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Field]:
    yield from field_world(world, tmp_path_factory)


def test_a_phone_without_credentials_is_challenged_for_basic_auth(field: Field) -> None:
    response = TestClient(field.app, base_url="https://testserver").get("/openrosa/formList")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith('Basic realm="sitroom"')
    assert response.headers["x-openrosa-version"] == "1.0"


def test_wrong_credentials_are_refused_like_unknown_ones(field: Field) -> None:
    client = TestClient(field.app, base_url="https://testserver")
    login = field.logins["alice"]["authorization"]
    wrong = client.get("/openrosa/formList", headers=phone.basic("alice.phone1", "guess-guess"))
    unknown = client.get("/openrosa/formList", headers=phone.basic("nobody.phone9", "x"))
    assert login and wrong.status_code == unknown.status_code == 401


def test_credentials_over_plain_http_are_refused(field: Field) -> None:
    response = field.phone("alice", https=False).get("/openrosa/formList")
    assert response.status_code == 403
    assert "HTTPS" in message(response)


def test_the_form_list_names_each_form_with_its_hash_and_links(field: Field) -> None:
    client = field.phone("alice")
    response = client.get("/openrosa/formList")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    assert response.headers["x-openrosa-version"] == "1.0"
    forms = ElementTree.fromstring(response.content).findall(f"{LIST_NS}xform")
    ids = {f.findtext(f"{LIST_NS}formID") for f in forms}
    assert ids == {"sitroom_incident", "sitroom_figure", "sitroom_occupancy"}
    for form in forms:
        download = client.get(form.findtext(f"{LIST_NS}downloadUrl") or "")
        assert download.status_code == 200
        digest = hashlib.md5(download.content, usedforsecurity=False).hexdigest()
        assert form.findtext(f"{LIST_NS}hash") == f"md5:{digest}"
        assert b"<h:html" in download.content and form.findtext(f"{LIST_NS}version") == "2026120501"


def _media(client: TestClient, form_id: str) -> dict[str, bytes]:
    response = client.get(f"/openrosa/forms/{form_id}/manifest")
    assert response.status_code == 200
    files = {}
    for item in ElementTree.fromstring(response.content).findall(f"{MANIFEST_NS}mediaFile"):
        data = client.get(item.findtext(f"{MANIFEST_NS}downloadUrl") or "").content
        digest = hashlib.md5(data, usedforsecurity=False).hexdigest()
        assert item.findtext(f"{MANIFEST_NS}hash") == f"md5:{digest}"
        files[item.findtext(f"{MANIFEST_NS}filename") or ""] = data
    return files


def test_each_organisation_gets_the_sites_it_may_see_as_choices(field: Field) -> None:
    alices = _media(field.phone("alice"), "sitroom_occupancy")
    charlies = _media(field.phone("charlie"), "sitroom_occupancy")
    assert set(alices) == {"sites.csv", "qualifiers.csv"}
    assert SECRET_SITE.encode() in alices["sites.csv"]
    assert b"LT-OPENCAMP" in charlies["sites.csv"]
    assert SECRET_SITE.encode() not in charlies["sites.csv"]
    sections = _media(field.phone("charlie"), "sitroom_incident")["sections.csv"]
    assert sections.startswith(b"name,label\n") and b"LT-BY-2," in sections


def test_head_says_where_and_how_much_to_submit(field: Field) -> None:
    response = field.phone("alice").head("/openrosa/submission")
    assert response.status_code == 204
    accepted = int(response.headers["x-openrosa-accept-content-length"])
    assert accepted == field.world.app.state.settings.max_upload_bytes


def test_an_incident_with_a_photo_is_stored_once_with_its_phone_gps_and_file(
    field: Field,
) -> None:
    client = field.phone("alice")
    photo = phone.synthetic_jpeg(300_000, seed=1)
    ident, xml = phone.instance_xml("sitroom_incident", phone.incident_fields(persons="13"))
    response = post(client, xml, {"1701766200123.jpg": photo})
    assert response.status_code == 201, response.text
    assert "stored 1 record" in message(response)
    with field.world.engine.connect() as connection:
        incident = connection.execute(
            select(IncidentRow).where(IncidentRow.external_ref == ident)
        ).one()
        submission = connection.execute(
            select(FieldSubmissionRow).where(FieldSubmissionRow.instance_id == ident)
        ).one()
        attachment = connection.execute(
            select(FieldAttachmentRow).where(FieldAttachmentRow.submission_id == submission.id)
        ).one()
    alice = field.world.users["alice"]
    assert (incident.persons, incident.organisation_id, incident.sharing) == (
        13,
        alice.organisation_id,
        "restricted",
    )
    assert (incident.lat, incident.lon, incident.source_kind) == (54.3012, 25.1543, "field_report")
    assert submission.records == [["incidents", incident.ref]]
    assert (submission.lat, submission.accuracy, submission.altitude) == (54.3012, 4.5, 151.0)
    assert submission.started_at.isoformat() == "2026-12-05T07:00:01.250000+00:00"
    assert submission.phone_id == "collect:SYNTHETICPHONE1"
    assert submission.submitted_by == "alice"
    assert attachment.sha256 == hashlib.sha256(photo).hexdigest()
    assert (attachment.size, attachment.media_type) == (len(photo), "image/jpeg")
    kept = field.folder / "attachments" / attachment.sha256[:2] / attachment.sha256
    assert kept.read_bytes() == photo


def test_a_resend_after_a_dropped_connection_stores_nothing_twice(field: Field) -> None:
    client = field.phone("alice")
    photo = phone.synthetic_jpeg(50_000, seed=2)
    _ident, xml = phone.instance_xml("sitroom_incident", phone.incident_fields(persons="14"))
    assert post(client, xml, {"p.jpg": photo}).status_code == 201
    counts = (field.count(IncidentRow), field.count(FieldSubmissionRow), len(field.stored_files()))
    again = post(client, xml, {"p.jpg": photo})
    assert again.status_code == 201
    assert "already" in message(again)
    after = (field.count(IncidentRow), field.count(FieldSubmissionRow), len(field.stored_files()))
    assert after == counts


def test_a_report_split_over_two_requests_keeps_both_photos(field: Field) -> None:
    client = field.phone("alice")
    first, second = phone.synthetic_jpeg(40_000, 3), phone.synthetic_jpeg(40_000, 4)
    ident, xml = phone.instance_xml("sitroom_incident", phone.incident_fields(persons="15"))
    assert post(client, xml, {"a.jpg": first}, incomplete=True).status_code == 201
    assert post(client, xml, {"b.jpg": second}).status_code == 201
    with field.world.engine.connect() as connection:
        names = connection.scalars(
            select(FieldAttachmentRow.name)
            .join(FieldSubmissionRow)
            .where(FieldSubmissionRow.instance_id == ident)
            .order_by(FieldAttachmentRow.name)
        ).all()
        incidents = connection.scalar(
            select(func.count()).select_from(IncidentRow).where(IncidentRow.external_ref == ident)
        )
    assert names == ["a.jpg", "b.jpg"] and incidents == 1


def test_a_changed_report_under_a_stored_instance_id_is_refused_and_logged(field: Field) -> None:
    client = field.phone("alice")
    ident, xml = phone.instance_xml("sitroom_incident", phone.incident_fields(persons="16"))
    assert post(client, xml).status_code == 201
    _same, changed = phone.instance_xml(
        "sitroom_incident", phone.incident_fields(persons="99"), instance_id=ident
    )
    before = field.count(IncidentRow)
    response = post(client, changed)
    assert response.status_code == 409
    assert "different report" in message(response)
    assert field.count(IncidentRow) == before
    with field.world.engine.connect() as connection:
        refusals = connection.scalars(
            select(AuditRow.action).where(
                AuditRow.record_kind == "field_submission", AuditRow.record_ref == ident
            )
        ).all()
    assert sorted(refusals) == ["receive", "refuse"]


def test_occupancy_and_capacity_of_one_report_are_stored_together(field: Field) -> None:
    client = field.phone("alice")
    ident, xml = phone.instance_xml("sitroom_occupancy", phone.occupancy_fields(SECRET_SITE))
    response = post(client, xml)
    assert response.status_code == 201, response.text
    with field.world.engine.connect() as connection:
        stored = connection.execute(
            select(FigureRow.measure, FigureRow.value, FigureRow.place).where(
                FigureRow.source_reference == f"openrosa:{ident}"
            )
        ).all()
    assert sorted(stored) == [("capacity", 250.0, SECRET_SITE), ("occupancy", 180.0, SECRET_SITE)]


def test_charlies_phone_cannot_report_into_alices_restricted_site(field: Field) -> None:
    client = field.phone("charlie")
    ident, xml = phone.instance_xml("sitroom_occupancy", phone.occupancy_fields(SECRET_SITE))
    before = field.count(FigureRow)
    response = post(client, xml)
    assert response.status_code == 201
    assert "quarantine" in message(response) and "not a known" in message(response)
    assert field.count(FigureRow) == before
    with field.world.engine.connect() as connection:
        batch = connection.scalar(
            select(FieldSubmissionRow.batch_id).where(FieldSubmissionRow.instance_id == ident)
        )
    assert batch is not None
    with Session(field.world.engine) as session:
        charlies = entries.rejected_rows(session, field.world.users["charlie"], batch)
        alices = entries.rejected_rows(session, field.world.users["alice"], batch)
    assert charlies is not None and alices is None
    _kind, rows = charlies
    assert [(r.line, r.field) for r in rows] == [(1, "place"), (2, "place")]


def test_a_report_with_one_bad_record_is_held_whole_in_the_quarantine(field: Field) -> None:
    client = field.phone("alice")
    fields = phone.occupancy_fields("LT-OPENCAMP", capacity="-5")
    ident, xml = phone.instance_xml("sitroom_occupancy", fields)
    before = field.count(FigureRow)
    response = post(client, xml)
    assert response.status_code == 201
    assert field.count(FigureRow) == before
    with Session(field.world.engine) as session:
        batch = session.scalar(
            select(FieldSubmissionRow.batch_id).where(FieldSubmissionRow.instance_id == ident)
        )
        assert batch is not None
        found = entries.rejected_rows(session, field.world.users["bob"], batch)
    assert found is not None
    rows = found[1]
    assert [(r.line, r.cells["measure"], r.field) for r in rows] == [
        (1, "occupancy", ""),
        (2, "capacity", "value"),
    ]
    assert rows[0].reason.startswith("held back")


def test_a_viewer_gets_no_reporting_phone(world: World) -> None:
    with pytest.raises(NotAllowed, match="viewer cannot report"):
        create_device(world.engine, world.users["viola"], "viola's phone", hasher=FAST_HASHER)


def test_a_phone_whose_owner_became_a_viewer_may_fetch_forms_but_not_report(
    field: Field, world: World
) -> None:
    admin = world.users["admin"]
    vera = accounts.create_user(
        world.engine,
        "vera",
        PASSWORD,
        organisation_id=world.users["alice"].organisation_id,
        role=Role.REPORTER,
        actor=admin,
        hasher=FAST_HASHER,
    )
    made = create_device(world.engine, vera, "vera's phone", hasher=FAST_HASHER)
    accounts.change_user(world.engine, vera.id, role=Role.VIEWER, active=None, actor=admin)
    client = TestClient(field.app, base_url="https://testserver")
    client.headers.update(phone.basic(made.device.login, made.password))
    assert client.get("/openrosa/formList").status_code == 200
    _ident, xml = phone.instance_xml("sitroom_incident", phone.incident_fields())
    response = client.post("/openrosa/submission", **phone.submission_files(xml))
    assert response.status_code == 403


def test_a_revoked_phone_is_refused_at_once(field: Field, world: World) -> None:
    made = create_device(world.engine, world.users["bob"], "bob's old phone", hasher=FAST_HASHER)
    client = TestClient(field.app, base_url="https://testserver")
    credentials = phone.basic(made.device.login, made.password)
    assert client.get("/openrosa/formList", headers=credentials).status_code == 200
    revoke_device(world.engine, world.users["bob"], made.device.id)
    assert client.get("/openrosa/formList", headers=credentials).status_code == 401


def test_the_openrosa_routes_are_not_in_the_api_schema(field: Field) -> None:
    schema = TestClient(field.app).get("/api/openapi.json").json()
    assert not [p for p in schema["paths"] if "openrosa" in p]
