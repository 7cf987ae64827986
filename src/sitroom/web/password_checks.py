"""What every route that checks a password does around it (the login form, changing one's
own password): wait for a place at the login gate (holding no thread and no database
connection), refuse while the account or the address is throttled, hash in the thread pool,
and count a failure towards the throttle. Each step takes a connection only for its query: a
flood queued at the gate must not empty the pool that signed-in people's requests use."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine

from ..services import login_throttle
from .login_gate import LoginGate

T = TypeVar("T")


class Throttled(Exception):
    """Too many recent failures for this account or address: wait `seconds`."""

    def __init__(self, seconds: int) -> None:
        super().__init__(f"too many failed sign-ins: try again in {seconds} seconds")
        self.seconds = seconds


def address(request: Request) -> str:
    # Behind a proxy, run uvicorn with --proxy-headers so that this is the client's address.
    return request.client.host if request.client else "unknown"


async def _refuse_if_throttled(engine: Engine, username: str, origin: str) -> None:
    wait = await run_in_threadpool(login_throttle.wait_before_login, engine, username, origin)
    if wait > 0:
        raise Throttled(wait)


async def checked(
    request: Request,
    gate: LoginGate,
    username: str,
    check: Callable[[], T],
    *,
    failed: Callable[[T], bool],
) -> T:
    """Run `check` (which hashes a password) unless throttled; record a failure when
    `failed(result)`."""
    origin = address(request)
    engine: Engine = request.app.state.engine
    async with gate.slot():
        # Asked inside the gate: attempts that queued while others failed are refused now,
        # before they cost a hash.
        await _refuse_if_throttled(engine, username, origin)
        result = await run_in_threadpool(check)
        if failed(result):
            await run_in_threadpool(login_throttle.record_failure, engine, username, origin)
        else:
            await run_in_threadpool(login_throttle.forget_account_failures, engine, username)
    return result
