"""Fast inserts that skip rows already stored (same `ref`), one strategy per database."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

from sqlalchemy.orm import Session

# SQLite keeps 2 MB of pages by default: a large import's indexes (the random `ref` above all)
# then miss the cache on nearly every row and spill dirty pages to the journal over and over.
# 64 MiB holds the hot index pages of a million-row import and bounds what the process uses.
SQLITE_IMPORT_CACHE_KIB = 64 * 1024

BulkInsert = Callable[[Session, str, Sequence[str], Sequence[tuple[Any, ...]]], int]


def _sqlite(
    session: Session, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> int:
    names = ", ".join(columns)
    marks = ", ".join("?" for _ in columns)
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    cursor.executemany(
        f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT (ref) DO NOTHING", rows
    )
    inserted: int = cursor.rowcount
    cursor.close()
    return inserted


def _postgresql(
    session: Session, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> int:
    # COPY is PostgreSQL's fast path, but it cannot skip conflicts: copy into a scratch table,
    # then move what is new in one statement.
    names = ", ".join(columns)
    connection = session.connection().connection.driver_connection
    assert connection is not None
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS incoming_{table} "
            f"(LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP"
        )
        cursor.execute(f"TRUNCATE incoming_{table}")
        with cursor.copy(f"COPY incoming_{table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM incoming_{table} "
            "ON CONFLICT (ref) DO NOTHING"
        )
        return int(cursor.rowcount)


STRATEGIES: dict[str, BulkInsert] = {"sqlite": _sqlite, "postgresql": _postgresql}


def insert_new(
    session: Session, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> int:
    """Insert `rows` into `table`, skipping any whose ref is stored; return how many were new.
    Runs inside the session's transaction: nothing is committed here."""
    if not rows:
        return 0
    return STRATEGIES[session.get_bind().dialect.name](session, table, columns, rows)


@contextmanager
def roomy_cache(session: Session) -> Iterator[None]:
    """A page cache large enough for a long run of inserts, for the length of the `with`;
    the connection's own setting is put back after, as pooled connections outlive imports.
    Only the cache changes: the journal and synchronous settings, which keep a killed import
    from leaving half its rows, stay as they are."""
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    connection = session.connection().connection.driver_connection
    assert isinstance(connection, sqlite3.Connection)
    (before,) = connection.execute("PRAGMA cache_size").fetchone()
    connection.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        # The connection may be closed by now (an error tore it down): nothing left to restore.
        with suppress(sqlite3.Error):
            connection.execute(f"PRAGMA cache_size = {int(before)}")
