"""Bounds the password hashing a worker does at once. argon2 takes about 64 MiB and tens of
milliseconds of CPU per verification: a hundred logins at once would take gigabytes and every
thread of the pool, and signed-in people would wait behind them. At most `concurrent`
verifications run (in the thread pool, off the event loop), at most `waiting` more queue on
the event loop without holding a thread, and beyond that a login is refused at once."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass


class GateFull(Exception):
    """Too many logins are waiting for a password check: try again in a moment."""


@dataclass(slots=True)
class _LoopGate:
    slots: asyncio.Semaphore
    queued: int = 0


class LoginGate:
    # One hash at a time per worker: with two workers on two cores, two at once per worker
    # left nothing for signed-in people's requests (bench/web/login_flood.py).
    def __init__(self, concurrent: int = 1, waiting: int = 16) -> None:
        self.concurrent, self.waiting = concurrent, waiting
        # A semaphore belongs to one event loop: uvicorn runs one per worker, a test client
        # one per client, so each loop gets its own.
        self._gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopGate] = (
            weakref.WeakKeyDictionary()
        )

    def _gate(self) -> _LoopGate:
        loop = asyncio.get_running_loop()
        gate = self._gates.get(loop)
        if gate is None:
            gate = self._gates[loop] = _LoopGate(asyncio.Semaphore(self.concurrent))
        return gate

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        gate = self._gate()
        if gate.queued >= self.concurrent + self.waiting:
            raise GateFull("too many sign-ins at once: try again in a few seconds")
        gate.queued += 1
        try:
            async with gate.slots:
                yield
        finally:
            gate.queued -= 1
