"""Run a blocking call that uses asyncio.run() in a thread of its own: the browser tests
leave Playwright's event loop running in the main thread, where asyncio.run() refuses."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def in_own_thread(call: Callable[[], T]) -> T:
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()
