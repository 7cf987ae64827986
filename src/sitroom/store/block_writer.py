"""One thread that stores the blocks of a large import while the caller reads the next ones."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from contextlib import suppress
from typing import Generic, TypeVar

Block = TypeVar("Block")


class BlockWriter(Generic[Block]):
    """Hands each block to `store` in a thread of its own, in order, one at a time.

    The database drivers let go of the GIL while the database works, and so does polars
    while it checks the next block, so the two overlap on a machine with two cores. `store`
    runs on the import's own connection, which nothing else may use until `close`; at most
    two blocks wait in the queue, which bounds the memory they hold."""

    def __init__(self, store: Callable[[Block], None], *, name: str) -> None:
        self._store = store
        self._queue: queue.Queue[tuple[Block] | None] = queue.Queue(maxsize=2)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def write(self, block: Block) -> None:
        """Queue `block`; raise at once the error an earlier block met, if any."""
        if self._error is not None:
            self.close()
        self._queue.put((block,))

    def close(self) -> None:
        """Wait until every queued block is stored; raise the first error of any."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        if self._error is not None:
            raise self._error

    def abandon(self) -> None:
        """Drop what waits, let the block being stored finish, and forget any error: the
        caller rolls the transaction back next."""
        with suppress(queue.Empty):
            while True:
                self._queue.get_nowait()
        with suppress(BaseException):
            self.close()

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._error is not None:
                continue  # drain: the caller learns of the error on its next call
            try:
                self._store(item[0])
            except BaseException as exc:  # handed to the caller's thread
                self._error = exc
