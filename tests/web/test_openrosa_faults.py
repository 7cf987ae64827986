"""OpenRosa under bad input and faults: malformed and dangerous XML, unknown forms and
versions, files too large or of a forbidden type, a connection cut mid-upload — each answered
with a clear OpenRosa error, and nothing half-stored (SYNTHETIC reports)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest

from sitroom.store.field_tables import FieldSubmissionRow
from sitroom.store.tables import IncidentRow
from sitroom.web.app import create_app
from tests import phone
from tests.web.conftest import FAST_HASHER, World
from tests.web.openrosa_world import Field, TestClient, field_world, message, post


@pytest.fixture(scope="module")
def field(world: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Field]:
    yield from field_world(world, tmp_path_factory)


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


def _in_own_thread(app: object, headers: dict[str, str], body: bytes) -> list[dict[str, object]]:
    # Its own thread and event loop: Playwright's sync API may hold this thread's loop when
    # the browser tests run in the same session.
    sent: list[list[dict[str, object]]] = []
    thread = threading.Thread(target=lambda: sent.append(asyncio.run(_cut_off(app, headers, body))))
    thread.start()
    thread.join(timeout=60)
    return sent[0]


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
    sent = _in_own_thread(field.app, headers, body[: len(body) // 2])
    after = (field.count(FieldSubmissionRow), field.count(IncidentRow), len(field.stored_files()))
    assert after == before
    assert sent and sent[0].get("status") == 400
    assert not list((field.folder / "attachments" / "incoming").glob("*"))
