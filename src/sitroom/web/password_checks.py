"""What every route that checks a password does around it (the login form, changing one's
own password): refuse at once while the account or the address is throttled, hash in the
thread pool behind the login gate, and count a failure towards the throttle."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ..services import login_throttle
from .login_gate import LoginGate

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Throttled(Exception):
    """Too many recent failures for this account or address: wait `seconds`."""

    seconds: int

    def __str__(self) -> str:
        return f"too many failed sign-ins: try again in {self.seconds} seconds"


def address(request: Request) -> str:
    # Behind a proxy, run uvicorn with --proxy-headers so that this is the client's address.
    return request.client.host if request.client else "unknown"


async def _refuse_if_throttled(session: Session, username: str, origin: str) -> None:
    wait = await run_in_threadpool(login_throttle.wait_before_login, session, username, origin)
    if wait > 0:
        raise Throttled(wait)


async def checked(
    request: Request,
    session: Session,
    gate: LoginGate,
    username: str,
    check: Callable[[], T],
    *,
    failed: Callable[[T], bool],
) -> T:
    """Run `check` (which hashes a password) unless throttled; record a failure when
    `failed(result)`."""
    origin = address(request)
    await _refuse_if_throttled(session, username, origin)
    async with gate.slot():
        # Asked again: attempts that queued behind the gate while others failed are refused
        # now, before they cost a hash.
        await _refuse_if_throttled(session, username, origin)
        result = await run_in_threadpool(check)
    engine: Engine = request.app.state.engine
    if failed(result):
        await run_in_threadpool(login_throttle.record_failure, engine, username, origin)
    else:
        await run_in_threadpool(login_throttle.forget_account_failures, engine, username)
    return result
