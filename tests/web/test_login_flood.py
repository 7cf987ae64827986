"""Login flood: failures are throttled per account and per address with a growing wait (the
clock is moved, never slept on), and password hashing is bounded so that a flood of wrong
passwords cannot take the server from people who are signed in."""

from __future__ import annotations

import asyncio
import re
import threading
import time
import warnings
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import time_machine
from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from sitroom.domain.accounts import Role
from sitroom.services import accounts
from sitroom.store.account_tables import AuditRow
from sitroom.web.app import create_app
from sitroom.web.deps import LOGIN_CSRF_COOKIE, SESSION_COOKIE
from sitroom.web.login_gate import GateFull, LoginGate
from tests.web.conftest import FAST_HASHER, World
from tests.web.own_loop import run_in_own_loop

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

GOOD = "a long passphrase of theirs"


def signin_client(world: World, address: str) -> TestClient:
    return TestClient(
        world.app, base_url="https://testserver", follow_redirects=False, client=(address, 4000)
    )


def attempt(client: TestClient, username: str, password: str) -> httpx.Response:
    client.cookies.clear()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token
    form = {"username": username, "password": password, "csrf_token": token.group(1)}
    return client.post("/login", data=form)


def make_user(world: World, name: str) -> None:
    accounts.create_user(
        world.engine,
        name,
        GOOD,
        organisation_id=None,
        role=Role.VIEWER,
        actor=None,
        hasher=FAST_HASHER,
    )


def test_an_account_is_throttled_after_five_failures_and_admitted_after_the_backoff(
    world: World,
) -> None:
    make_user(world, "dora")
    client = signin_client(world, "192.0.2.10")
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        for _ in range(5):
            assert attempt(client, "dora", "not the password").status_code == 400
        refused = attempt(client, "dora", GOOD)  # right, but too soon
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "30"
        assert "try again in 30 seconds" in refused.text
        clock.shift(timedelta(seconds=29))
        assert attempt(client, "dora", GOOD).status_code == 429
        clock.shift(timedelta(seconds=2))
        assert attempt(client, "dora", GOOD).status_code == 303
    with Session(world.engine) as session:
        trail = session.scalars(
            select(AuditRow).where(AuditRow.record_ref == "dora").order_by(AuditRow.id)
        ).all()
    # Five failures (the two throttled attempts cost nothing, not even an entry), one login.
    assert [e.action for e in trail][-6:] == ["login_failed"] * 5 + ["login"]
    assert trail[-2].after == {"address": "192.0.2.10"}


def test_each_further_failure_doubles_the_wait_from_another_address_too(world: World) -> None:
    make_user(world, "edna")
    first, second = signin_client(world, "192.0.2.20"), signin_client(world, "192.0.2.21")
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        for _ in range(5):
            assert attempt(first, "edna", "wrong guess").status_code == 400
        clock.shift(timedelta(seconds=31))
        assert attempt(second, "edna", "wrong guess again").status_code == 400
        refused = attempt(second, "edna", GOOD)
        assert refused.status_code == 429 and refused.headers["retry-after"] == "60"


def test_an_address_guessing_at_many_accounts_is_throttled_but_others_are_not(
    world: World,
) -> None:
    make_user(world, "fred")
    guesser = signin_client(world, "198.51.100.7")
    with time_machine.travel(datetime.now(UTC), tick=False):
        for n in range(20):
            assert attempt(guesser, f"nobody{n}", "a guess").status_code == 400
        assert attempt(guesser, "fred", GOOD).status_code == 429
        elsewhere = signin_client(world, "198.51.100.8")
        assert attempt(elsewhere, "fred", GOOD).status_code == 303


class CountingHasher(PasswordHasher):
    """FAST_HASHER's parameters, slowed down and counting how many verify at once."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.lock = threading.Lock()
        self.now = self.most = self.calls = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        with self.lock:
            self.now += 1
            self.calls += 1
            self.most = max(self.most, self.now)
        try:
            time.sleep(0.02)  # holds the slot long enough for the others to pile up
            return super().verify(hash, password)
        finally:
            with self.lock:
                self.now -= 1


def test_a_hundred_concurrent_wrong_logins_hash_one_at_a_time_and_a_reader_is_served(
    world: World,
) -> None:
    hasher = CountingHasher()
    app = create_app(world.app.state.settings, hasher=hasher)
    reader, _csrf = world.browser("alice")
    session_cookie = reader.cookies[SESSION_COOKIE]

    async def flood() -> tuple[list[int], int]:
        transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as c:
            login_cookie = {"cookie": f"{LOGIN_CSRF_COOKIE}=same-token"}

            async def guess(n: int) -> int:
                form = {"username": f"target{n % 3}", "password": "x", "csrf_token": "same-token"}
                return (await c.post("/login", data=form, headers=login_cookie)).status_code

            async def read() -> int:
                await asyncio.sleep(0.05)
                response = await c.get(
                    "/api/me", headers={"cookie": f"{SESSION_COOKIE}={session_cookie}"}
                )
                return response.status_code

            *codes, signed_in = await asyncio.gather(*(guess(n) for n in range(100)), read())
        return codes, signed_in

    codes, signed_in = run_in_own_loop(flood)
    app.state.engine.dispose()
    assert signed_in == 200
    assert set(codes) <= {400, 429, 503}, set(codes)
    assert 503 in codes  # the queue was full: refused at once, without a hash
    assert hasher.most == 1
    assert hasher.calls <= 20


def test_the_gate_refuses_at_once_when_its_queue_is_full() -> None:
    gate = LoginGate(concurrent=1, waiting=1)

    async def scenario() -> None:
        holding = asyncio.Event()
        release = asyncio.Event()

        async def hold() -> None:
            async with gate.slot():
                holding.set()
                await release.wait()

        first = asyncio.create_task(hold())
        await holding.wait()
        queued = asyncio.create_task(hold())
        await asyncio.sleep(0)
        with pytest.raises(GateFull):
            async with gate.slot():
                pass
        release.set()
        await asyncio.gather(first, queued)
        async with gate.slot():  # free again once the others are done
            pass

    run_in_own_loop(scenario)
