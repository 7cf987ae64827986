"""A short-lived cache of the situation data, per visibility: the map is polled by every open
browser, and the picture changes only when figures, sites or alarms do. Each worker keeps its
own; an entry lives `seconds` (WebSettings.situation_cache_seconds), so the map is at most that
old. Zero turns it off."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from ..domain.accounts import User, sees_everything


class SituationCache:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._entries: dict[tuple[object, ...], tuple[float, bytes]] = {}
        self._refreshing: set[tuple[object, ...]] = set()
        self._lock = threading.Lock()

    @staticmethod
    def key(user: User) -> tuple[object, ...]:
        # Everyone of one organisation (below coordinator) sees the same picture.
        return ("all",) if sees_everything(user) else ("organisation", user.organisation_id)

    def get(self, user: User, compute: Callable[[], bytes]) -> bytes:
        if self.seconds <= 0:
            return compute()
        key, now = self.key(user), time.monotonic()
        with self._lock:
            found = self._entries.get(key)
            if found is not None and (found[0] > now or key in self._refreshing):
                # Fresh, or stale while one request computes the new picture: when an entry
                # expires under load, one request pays for it rather than every waiting one.
                return found[1]
            self._refreshing.add(key)
        try:
            value = compute()
            with self._lock:
                self._entries[key] = (time.monotonic() + self.seconds, value)
        finally:
            with self._lock:
                self._refreshing.discard(key)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
