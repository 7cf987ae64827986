"""Conformance: the requests ODK Collect sends, replayed against sitroom's OpenRosa server on
both databases, with alice's and charlie's phones (SYNTHETIC reports)."""

from __future__ import annotations

import asyncio
import hashlib
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sitroom.services import entries
from sitroom.services.field_devices import create_device, revoke_device
from sitroom.store.account_tables import AuditRow
from sitroom.store.field_tables import FieldAttachmentRow, FieldSubmissionRow
from sitroom.store.tables import FigureRow, IncidentRow
from sitroom.web.app import create_app
from tests import phone
from tests.web.conftest import FAST_HASHER, SECRET_SITE, World

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

LIST_NS = "{http://openrosa.org/xforms/xformsList}"
MANIFEST_NS = "{http://openrosa.org/xforms/xformsManifest}"
RESPONSE_NS = "{http://openrosa.org/http/response}"


@dataclass
class Field:
    world: World
    app: object
    folder: Path
    logins: dict[str, dict[str, str]]

    def phone(self, name: str, *, https: bool = True) -> TestClient:
        scheme = "https" if https else "http"
        client = TestClient(self.app, base_url=f"{scheme}://testserver")
        client.headers.update(self.logins[name])
        client.headers["X-OpenRosa-Version"] = "1.0"
        return client

    def count(self, table: type) -> int:
        with self.world.engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(table)) or 0)

    def stored_files(self) -> list[Path]:
        return [p for p in (self.folder / "attachments").rglob("*") if p.is_file()]


@pytest.fixture(scope="module")
def field(world: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Field]:
    folder = tmp_path_factory.mktemp("field")
    settings = replace(world.app.state.settings, field_dir=folder)
    app = create_app(settings, hasher=FAST_HASHER)
    logins = {}
    for name in ("alice", "charlie", "viola"):
        made = create_device(world.engine, world.users[name], f"{name}'s phone", hasher=FAST_HASHER)
        logins[name] = phone.basic(made.device.login, made.password)
    yield Field(world, app, folder, logins)
    app.state.engine.dispose()


def message(response: object) -> str:
    root = ElementTree.fromstring(response.content)  # type: ignore[attr-defined]
    found = root.find(f"{RESPONSE_NS}message")
    assert found is not None and found.text
    return found.text


def post(client: TestClient, xml: bytes, photos: dict[str, bytes] | None = None, **kw: bool):  # type: ignore[no-untyped-def]
    assert client.head("/openrosa/submission").status_code == 204
    return client.post("/openrosa/submission", **phone.submission_files(xml, photos, **kw))


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


def test_a_viewers_phone_may_fetch_forms_but_not_report(field: Field) -> None:
    client = field.phone("viola")
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


BAD_XML = {
    "malformed": b"<data id='sitroom_incident'><persons>3</data>",
    "entity expansion": (
        b'<?xml version="1.0"?><!DOCTYPE data [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<data id="sitroom_incident" version="2026120501"><description>&b;</description>'
        b"<meta><instanceID>uuid:bomb</instanceID></meta></data>"
    ),
    "external entity": (
        b'<?xml version="1.0"?><!DOCTYPE data [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<data id="sitroom_incident" version="2026120501"><description>&x;</description>'
        b"<meta><instanceID>uuid:xxe</instanceID></meta></data>"
    ),
    "no instance id": (
        b'<data id="sitroom_incident" version="2026120501"><persons>3</persons></data>'
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_XML))
def test_unreadable_or_dangerous_form_data_is_refused_and_nothing_is_stored(
    field: Field, case: str
) -> None:
    before = (field.count(FieldSubmissionRow), len(field.stored_files()))
    response = post(field.phone("alice"), BAD_XML[case], {"p.jpg": phone.synthetic_jpeg(9000, 77)})
    assert response.status_code == 400
    assert "passwd" not in response.text and "aaaaaaaaaaaaaaaaaaaa" not in response.text
    assert message(response)
    assert (field.count(FieldSubmissionRow), len(field.stored_files())) == before


def test_a_report_of_an_unknown_form_or_an_old_version_is_refused(field: Field) -> None:
    client = field.phone("alice")
    _a, unknown = phone.instance_xml("sitroom_balloons", phone.incident_fields())
    _b, old = phone.instance_xml("sitroom_incident", phone.incident_fields(), version="2020010101")
    before = field.count(FieldSubmissionRow)
    first, second = post(client, unknown), post(client, old)
    assert (first.status_code, second.status_code) == (400, 400)
    assert "no form 'sitroom_balloons'" in message(first)
    assert "version 2020010101" in message(second) and "get the form again" in message(second)
    assert field.count(FieldSubmissionRow) == before


def test_an_attachment_over_the_limit_is_refused_with_413(field: Field, world: World) -> None:
    settings = replace(field.app.state.settings, field_max_attachment_bytes=100_000)  # type: ignore[attr-defined]
    app = create_app(settings, hasher=FAST_HASHER)
    client = TestClient(app, base_url="https://testserver")
    client.headers.update(field.logins["alice"])
    _ident, xml = phone.instance_xml("sitroom_incident", phone.incident_fields())
    before = (field.count(FieldSubmissionRow), len(field.stored_files()))
    response = post(client, xml, {"big.jpg": phone.synthetic_jpeg(100_001, 5)})
    app.state.engine.dispose()
    assert response.status_code == 413
    assert (field.count(FieldSubmissionRow), len(field.stored_files())) == before


@pytest.mark.parametrize(
    ("name", "data", "media"),
    [
        ("run.sh", b"#!/bin/sh\necho hi\n", "application/x-sh"),
        ("page.html", b"<html></html>", "text/html"),
        ("fake.jpg", b"#!/bin/sh\nnot a picture\n", "image/jpeg"),
    ],
)
def test_a_file_of_a_forbidden_type_is_refused(
    field: Field, name: str, data: bytes, media: str
) -> None:
    _ident, xml = phone.instance_xml("sitroom_incident", phone.incident_fields())
    files = phone.submission_files(xml)
    files["files"].append((name, (name, data, media)))
    before = field.count(FieldSubmissionRow)
    response = field.phone("alice").post("/openrosa/submission", **files)
    assert response.status_code == 400
    assert name in message(response)
    assert field.count(FieldSubmissionRow) == before


def test_a_submission_without_form_data_is_refused(field: Field) -> None:
    response = field.phone("alice").post(
        "/openrosa/submission",
        files=[("p.jpg", ("p.jpg", phone.synthetic_jpeg(2000), "image/jpeg"))],
    )
    assert response.status_code == 400
    assert "xml_submission_file" in message(response)


def test_the_openrosa_routes_are_not_in_the_api_schema(field: Field) -> None:
    schema = TestClient(field.app).get("/api/openapi.json").json()
    assert not [p for p in schema["paths"] if "openrosa" in p]


async def _cut_off(app: object, headers: dict[str, str], body: bytes) -> list[dict[str, object]]:
    """Send the first part of a body as a phone losing its signal would, then disconnect."""
    incoming = [
        {"type": "http.request", "body": body, "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "https",
        "path": "/openrosa/submission",
        "raw_path": b"/openrosa/submission",
        "root_path": "",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 40000),
        "server": ("testserver", 443),
    }
    await app(scope, receive, send)  # type: ignore[operator]
    return sent


def test_a_connection_cut_mid_upload_stores_nothing(field: Field) -> None:
    _ident, xml = phone.instance_xml("sitroom_incident", phone.incident_fields(persons="21"))
    photo = phone.synthetic_jpeg(400_000, seed=9)
    request = httpx.Request(
        "POST",
        "https://testserver/openrosa/submission",
        headers=field.logins["alice"],
        **phone.submission_files(xml, {"cut.jpg": photo}),
    )
    body = request.read()
    headers = {**dict(request.headers), "host": "testserver"}
    before = (field.count(FieldSubmissionRow), field.count(IncidentRow), len(field.stored_files()))
    sent = asyncio.run(_cut_off(field.app, headers, body[: len(body) // 2]))
    after = (field.count(FieldSubmissionRow), field.count(IncidentRow), len(field.stored_files()))
    assert after == before
    assert sent and sent[0].get("status") == 400
    assert not list((field.folder / "attachments" / "incoming").glob("*"))
