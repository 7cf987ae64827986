"""Engines and the unit of work: the one place where a write is committed."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session

from ..config import Settings
from . import staleness

# How long a writer waits for another's commit before giving up: longer than the largest
# import an upload may hold (20 MiB takes well under a minute).
SQLITE_BUSY_TIMEOUT_MS = 120_000


def make_engine(settings: Settings) -> Engine:
    if settings.is_sqlite:
        engine = create_engine(settings.database_url)
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    return create_engine(settings.database_url, pool_pre_ping=True)


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    # Write-ahead log: readers never block the writer nor it them, so a long export or the
    # map's polling cannot hold up an import's commit (in the rollback journal a writer must
    # wait for every reader to finish, and the web app has many). The mode is stored in the
    # file; asking again on each connection costs nothing.
    cursor.execute("PRAGMA journal_mode = WAL")
    # Writers still take turns: a second one (concurrent imports, the web app while the
    # command line imports) waits for the first to commit instead of failing at once.
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


class UnitOfWork:
    """`with UnitOfWork(engine) as uow: ...; uow.commit()` — anything not committed is rolled
    back on exit, so a use case that fails half-way leaves the database as it was."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._session: Session | None = None

    def __enter__(self) -> Self:
        self._session = Session(self._engine, expire_on_commit=False)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._session is not None
        self._session.rollback()
        staleness.forget_noted(self._session)
        self._session.close()
        self._session = None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the unit of work is used outside its `with` block")
        return self._session

    def commit(self) -> None:
        # The series the figures written here feed are marked stale in the same transaction.
        staleness.write_marks(self.session)
        self.session.commit()
