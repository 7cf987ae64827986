"""API token scopes, expiry and revocation; password change, reset and policy. Each test makes
its own people, so that ending their sessions and tokens disturbs no other test."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from fastapi.routing import APIRoute
from sqlalchemy import select
from sqlalchemy.orm import Session

from sitroom.domain.accounts import Role, TokenScope, User
from sitroom.domain.errors import InvalidValue
from sitroom.domain.passwords import check_password
from sitroom.services import accounts, tokens
from sitroom.store.account_tables import AuditRow
from sitroom.web.deps import UNSAFE_METHODS
from tests.web.conftest import FAST_HASHER, World

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

PASSWORD = "the first long passphrase"
NEW_PASSWORD = "a second quite different one"


def person(world: World, name: str, role: Role = Role.REPORTER) -> User:
    organisation = world.users["alice"].organisation_id if role is not Role.ADMIN else None
    return accounts.create_user(
        world.engine,
        name,
        PASSWORD,
        organisation_id=organisation,
        role=role,
        actor=None,
        hasher=FAST_HASHER,
    )


def bearer(world: World, secret: str) -> TestClient:
    client = TestClient(world.app, base_url="https://testserver", follow_redirects=False)
    client.headers["authorization"] = f"Bearer {secret}"
    return client


def token_of(world: World, user: User, scope: str | None = None, days: int = 30) -> str:
    _info, secret = tokens.create_token(
        world.engine,
        user,
        "test",
        actor=user,
        scope=TokenScope(scope) if scope else None,
        days=days,
    )
    return secret


def every_route(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    """Each route with its full path. FastAPI keeps an included router as one entry of
    `app.routes` (its routes are not copied up), so the walk goes down into each."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route
        elif hasattr(route, "original_router"):
            inner = prefix + route.include_context.prefix
            yield from every_route(route.original_router.routes, inner)


def unsafe_routes(world: World) -> list[tuple[str, str]]:
    found = []
    for path, route in every_route(world.app.routes):
        if path == "/login":
            continue
        filled = re.sub(r"\{[^}]+\}", "1", path)
        found += [(method, filled) for method in sorted(route.methods & UNSAFE_METHODS)]
    return found


def test_a_read_token_reads_but_every_route_that_changes_anything_refuses_it(
    world: World,
) -> None:
    reader = bearer(world, token_of(world, world.users["admin"], scope="read"))
    assert reader.get("/api/figures").status_code == 200
    assert reader.get("/api/users").status_code == 403  # administration needs the admin scope
    routes = unsafe_routes(world)
    assert len(routes) > 20  # every write of the API and the pages, found by walking the app
    for method, path in routes:
        response = reader.request(method, path, json={})
        # Phones report with their own Basic credentials: a token there is no one at all.
        refused = 401 if path.startswith("/openrosa/") else 403
        assert response.status_code == refused, (method, path, response.status_code)


def test_an_administrators_write_token_reports_but_cannot_administer(world: World) -> None:
    writer = bearer(world, token_of(world, world.users["admin"], scope="write"))
    assert writer.get("/api/users").status_code == 403
    refused = writer.post("/api/users", json={"username": "zed", "password": PASSWORD})
    assert refused.status_code == 403 and "admin-scope" in refused.json()["error"]
    assert writer.get("/api/figures").status_code == 200
    admin = bearer(world, token_of(world, world.users["admin"], scope="admin"))
    assert admin.get("/api/users").status_code == 200


def test_a_token_is_never_wider_than_its_owner_or_the_token_that_made_it(world: World) -> None:
    reporter = person(world, "tilda")
    with pytest.raises(tokens.TokenRefused):
        token_of(world, reporter, scope="admin")
    parent = bearer(world, token_of(world, reporter, scope="write", days=10))
    wider = parent.post("/api/tokens", json={"name": "wider", "scope": "admin"})
    assert wider.status_code == 403
    child = parent.post("/api/tokens", json={"name": "child", "days": 300})
    assert child.status_code == 201
    body = child.json()
    assert body["scope"] == "write" and body["made_by_token"] is not None
    # It lives no longer than its parent: ten days, not three hundred.
    expires = datetime.fromisoformat(body["expires_at"])
    assert expires < datetime.now(UTC) + timedelta(days=11)


def test_an_expired_token_is_refused(world: World) -> None:
    secret = token_of(world, person(world, "ursula"), days=1)
    client = bearer(world, secret)
    assert client.get("/api/me").status_code == 200
    with time_machine.travel(datetime.now(UTC) + timedelta(days=1, minutes=1)):
        refused = client.get("/api/me")
    assert refused.status_code == 401 and "expired" in refused.json()["error"]


def test_revoking_a_token_ends_every_token_it_made_and_theirs(world: World) -> None:
    owner = person(world, "vera")
    root = bearer(world, token_of(world, owner))
    made = root.post("/api/tokens", json={"name": "child"}).json()
    child = bearer(world, made["token"])
    grandchild = bearer(
        world, child.post("/api/tokens", json={"name": "grandchild"}).json()["token"]
    )
    unrelated = bearer(world, token_of(world, owner))
    assert grandchild.get("/api/me").status_code == 200
    with Session(world.engine) as session:
        root_id = next(
            t.id for t in tokens.list_tokens(session, owner) if t.made_by_token_id is None
        )
    answer = unrelated.delete(f"/api/tokens/{root_id}")
    assert answer.status_code == 200 and answer.json()["tokens_revoked"] == 3
    for revoked in (root, child, grandchild):
        assert revoked.get("/api/me").status_code == 401
    assert unrelated.get("/api/me").status_code == 200


def test_a_disabled_then_enabled_user_finds_their_old_tokens_and_sessions_dead(
    world: World,
) -> None:
    user = person(world, "wanda")
    client = bearer(world, token_of(world, user))
    browser = TestClient(world.app, base_url="https://testserver", follow_redirects=False)
    browser.cookies.set(
        "sitroom_session",
        accounts.start_session(world.engine, user, lifetime=timedelta(hours=1)).token,
    )
    admin = world.api("admin")
    assert admin.patch(f"/api/users/{user.id}", json={"active": False}).status_code == 200
    assert admin.patch(f"/api/users/{user.id}", json={"active": True}).status_code == 200
    assert client.get("/api/me").status_code == 401
    assert browser.get("/api/me").status_code == 401
    fresh = bearer(world, token_of(world, user))
    assert fresh.get("/api/me").status_code == 200


def test_a_user_changes_their_password_and_their_other_sessions_end(world: World) -> None:
    user = person(world, "xenia")
    other = accounts.start_session(world.engine, user, lifetime=timedelta(hours=1))
    client = bearer(world, token_of(world, user))
    wrong = client.post("/api/me/password", json={"current": "not it at all", "new": NEW_PASSWORD})
    assert wrong.status_code == 422 and "current password is wrong" in wrong.json()["error"]
    weak = client.post("/api/me/password", json={"current": PASSWORD, "new": "aaaaaaaaaaaaaa"})
    assert weak.status_code == 422 and "different characters" in weak.json()["error"]
    done = client.post("/api/me/password", json={"current": PASSWORD, "new": NEW_PASSWORD})
    assert done.status_code == 200, done.text
    with Session(world.engine) as session:
        assert accounts.session_user(session, other.token) is None
        actions = session.scalars(
            select(AuditRow.action).where(AuditRow.record_ref == "xenia")
        ).all()
    assert "change_password" in actions
    assert accounts.authenticate(world.engine, "xenia", PASSWORD, hasher=FAST_HASHER) is None
    assert accounts.authenticate(world.engine, "xenia", NEW_PASSWORD, hasher=FAST_HASHER)


def test_a_wrong_current_password_counts_towards_the_login_throttle(world: World) -> None:
    client = bearer(world, token_of(world, person(world, "yvonne")))
    with time_machine.travel(datetime.now(UTC), tick=False):
        for _ in range(5):
            body = {"current": "guessing again", "new": NEW_PASSWORD}
            assert client.post("/api/me/password", json=body).status_code == 422
        body = {"current": PASSWORD, "new": NEW_PASSWORD}
        refused = client.post("/api/me/password", json=body)
    assert refused.status_code == 429 and refused.headers["retry-after"] == "30"


def test_an_administrator_resets_a_password_ending_sessions_and_tokens(world: World) -> None:
    user = person(world, "zora")
    client = bearer(world, token_of(world, user))
    login = accounts.start_session(world.engine, user, lifetime=timedelta(hours=1))
    refused = world.api("alice").post(
        f"/api/users/{user.id}/password", json={"password": NEW_PASSWORD}
    )
    assert refused.status_code == 403
    common = world.api("admin").post(
        f"/api/users/{user.id}/password", json={"password": "password1234"}
    )
    assert common.status_code == 422 and "common" in common.json()["error"]
    done = world.api("admin").post(
        f"/api/users/{user.id}/password", json={"password": NEW_PASSWORD}
    )
    assert done.status_code == 200, done.text
    assert client.get("/api/me").status_code == 401
    with Session(world.engine) as session:
        assert accounts.session_user(session, login.token) is None
        audit = session.scalars(
            select(AuditRow).where(
                AuditRow.action == "reset_password", AuditRow.record_ref == "zora"
            )
        ).one()
    assert audit.actor == "admin"
    assert accounts.authenticate(world.engine, "zora", NEW_PASSWORD, hasher=FAST_HASHER)


def test_the_admin_page_changes_and_resets_passwords(world: World) -> None:
    user = person(world, "petra")
    browser, csrf = world.browser("admin")
    page = browser.get("/admin").text
    assert f'action="/admin/users/{user.id}/password"' in page
    answer = browser.post(
        f"/admin/users/{user.id}/password", data={"password": NEW_PASSWORD, "csrf_token": csrf}
    )
    assert answer.status_code == 200 and "petra&#39;s password is reset" in answer.text
    login = accounts.start_session(world.engine, user, lifetime=timedelta(hours=1))
    own = TestClient(world.app, base_url="https://testserver", follow_redirects=False)
    own.cookies.set("sitroom_session", login.token)
    form = {"current": NEW_PASSWORD, "new": PASSWORD, "csrf_token": login.csrf_token}
    changed = own.post("/admin/password", data=form)
    assert changed.status_code == 200 and "your password is changed" in changed.text
    assert own.get("/api/me").status_code == 200  # the session it was changed from goes on


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short one", "at least 12"),
        ("aaaaaaaaaaaaaaaa", "different characters"),
        ("abababababababab", "different characters"),
        ("qwertyuiop12", "common"),
        ("Password1234", "common"),
        ("mallory-is-my-name", "user name"),
    ],
)
def test_the_password_policy_refuses_short_repetitive_common_and_personal_passwords(
    password: str, why: str
) -> None:
    with pytest.raises(InvalidValue, match=why):
        check_password(password, username="mallory")


def test_the_password_policy_accepts_a_long_uncommon_passphrase() -> None:
    assert check_password("violet kettle under a moon", username="mallory")
