"""Session cookies and CSRF: every form carries the session's token, and a post without it
changes nothing; API calls with a bearer token need none; the login form has its own."""

from __future__ import annotations

import re

from tests.web.conftest import PASSWORD, World
from tests.web.test_access import INCIDENT


def test_a_form_post_without_the_csrf_token_is_refused(world: World) -> None:
    client, _csrf = world.browser("alice")
    form = {k: str(v) for k, v in INCIDENT.items()}
    assert client.post("/report/incident", data=form).status_code == 403
    wrong = client.post("/report/incident", data={**form, "csrf_token": "guess"})
    assert wrong.status_code == 403
    assert "reload" in wrong.text


def test_a_cookie_authenticated_api_write_needs_the_csrf_header(world: World) -> None:
    client, csrf = world.browser("alice")
    body = {**INCIDENT, "persons": 2, "occurred_at": "2021-07-10T01:00+03:00"}
    assert client.post("/api/incidents", json=body).status_code == 403
    ok = client.post("/api/incidents", json=body, headers={"x-csrf-token": csrf})
    assert ok.status_code == 201, ok.text


def test_every_form_on_every_page_carries_the_csrf_token(world: World) -> None:
    client, csrf = world.browser("admin")
    for page in ("/", "/report", "/import", "/admin"):
        html = client.get(page).text
        forms = re.findall(r"<form[^>]*method=\"post\".*?</form>", html, re.S)
        assert forms, page
        for form in forms:
            assert f'name="csrf_token" value="{csrf}"' in form, (page, form[:120])


def test_logging_in_sets_a_secure_http_only_same_site_cookie(world: World) -> None:
    client, _ = world.browser("alice")
    client.cookies.clear()
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    refused = client.post(
        "/login", data={"username": "alice", "password": PASSWORD, "csrf_token": "x"}
    )
    assert refused.status_code == 400
    client.cookies.clear()
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    done = client.post(
        "/login",
        data={"username": "alice", "password": PASSWORD, "csrf_token": token.group(1)},
    )
    assert done.status_code == 303
    cookie = done.headers["set-cookie"].lower()
    assert "httponly" in cookie and "secure" in cookie and "samesite=lax" in cookie
    assert client.get("/").status_code == 200


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(world: World) -> None:
    client, _ = world.browser("alice")
    client.cookies.clear()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token
    response = client.post(
        "/login", data={"username": "alice", "password": "nope", "csrf_token": token.group(1)}
    )
    assert response.status_code == 400
    assert "wrong user name or password" in response.text


def test_pages_send_a_signed_out_browser_to_the_login(world: World) -> None:
    client, _ = world.browser("alice")
    client.cookies.clear()
    response = client.get("/figures")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_logging_out_ends_the_session(world: World) -> None:
    client, csrf = world.browser("bob")
    assert client.post("/logout", data={"csrf_token": csrf}).status_code == 303
    assert client.get("/").status_code == 303
