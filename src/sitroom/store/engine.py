"""Engines and the unit of work: the one place where a write is committed."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session

from ..config import Settings
from . import staleness


def make_engine(settings: Settings) -> Engine:
    if settings.is_sqlite:
        engine = create_engine(settings.database_url)
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    return create_engine(settings.database_url, pool_pre_ping=True)


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    # A second writer (the web app while an import runs) waits instead of failing at once.
    cursor.execute("PRAGMA busy_timeout = 30000")
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
