"""Typed settings, read from the environment by a function; nothing happens at import time."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from .notify_settings import NotificationSettings, load_notification_settings

DEFAULT_DATABASE_URL = "sqlite:///sitroom.db"


class SettingsError(ValueError):
    """A setting has a value sitroom refuses to run with."""


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    notifications: NotificationSettings = field(default_factory=NotificationSettings)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build settings from SITROOM_* variables; SQLite in the working directory by default."""
    env = os.environ if environ is None else environ
    url = env.get("SITROOM_DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
    if url.startswith("postgresql://"):
        # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if not url.startswith(("sqlite", "postgresql+psycopg")):
        raise SettingsError(
            f"SITROOM_DATABASE_URL must name SQLite or PostgreSQL, not {url.split(':')[0]!r}"
        )
    return Settings(database_url=url, notifications=load_notification_settings(env, SettingsError))
