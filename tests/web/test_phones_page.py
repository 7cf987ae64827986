"""The Phones page: credentials made once with the QR code that configures Collect, working
against the OpenRosa server at once, revocable only by their owner."""

from __future__ import annotations

import base64
import json
import re
import warnings
import zlib

from sitroom.field.collect_settings import collect_settings, settings_payload
from tests import phone
from tests.web.conftest import World

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


def _made(world: World, name: str) -> tuple[str, str, int, str]:
    client, csrf = world.browser(name)
    response = client.post("/phones", data={"name": "patrol 3 phone", "csrf_token": csrf})
    assert response.status_code == 201
    page = response.text
    login = re.search(r'id="phone-login">([^<]+)<', page)
    password = re.search(r'id="phone-password">([^<]+)<', page)
    server = re.search(r'id="server-url">([^<]+)<', page)
    assert login and password and server
    assert "<svg" in page and "Scan with ODK Collect" in page
    listing = client.get("/phones").text
    ident = re.search(r'action="/phones/(\d+)/revoke"', listing)
    assert ident and password[1] not in listing
    return login[1], password[1], int(ident[1]), server[1]


def test_a_phone_made_on_the_page_can_fetch_the_forms_until_revoked(world: World) -> None:
    login, password, ident, server = _made(world, "alice")
    assert server == "https://testserver/openrosa"
    assert login.startswith("alice.phone")
    field = TestClient(world.app, base_url="https://testserver")
    credentials = phone.basic(login, password)
    assert field.get("/openrosa/formList", headers=credentials).status_code == 200
    client, csrf = world.browser("alice")
    revoked = client.post(f"/phones/{ident}/revoke", data={"csrf_token": csrf})
    assert revoked.status_code == 303
    assert field.get("/openrosa/formList", headers=credentials).status_code == 401
    assert "revoked" in client.get("/phones").text


def test_charlie_cannot_revoke_alices_phone(world: World) -> None:
    login, password, ident, _server = _made(world, "alice")
    client, csrf = world.browser("charlie")
    response = client.post(f"/phones/{ident}/revoke", data={"csrf_token": csrf})
    assert response.status_code == 404
    field = TestClient(world.app, base_url="https://testserver")
    assert field.get("/openrosa/formList", headers=phone.basic(login, password)).status_code == 200


def test_making_a_phone_needs_the_forms_csrf_token(world: World) -> None:
    client, _csrf = world.browser("alice")
    response = client.post("/phones", data={"name": "sneaky"})
    assert response.status_code == 403


def test_the_qr_payload_is_collects_settings_compressed_as_central_does() -> None:
    settings = collect_settings("https://sitroom.example.org/openrosa", "alice.phone1", "pw", "p")
    payload = settings_payload(settings)
    assert re.fullmatch(r"[A-Za-z0-9+/=]+", payload)
    back = json.loads(zlib.decompress(base64.b64decode(payload)))
    assert back["general"]["server_url"] == "https://sitroom.example.org/openrosa"
    assert back["general"]["username"] == "alice.phone1"
    assert back["general"]["password"] == "pw"
    assert back["admin"] == {}
