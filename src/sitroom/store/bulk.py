"""Fast inserts that skip rows already stored (same `ref`), one strategy per database."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.orm import Session

from .block_writer import BlockWriter

if TYPE_CHECKING:
    import polars as pl

# SQLite keeps 2 MB of pages by default: a large import's indexes (the random `ref` above all)
# then miss the cache on nearly every row and spill dirty pages to the journal over and over.
# 64 MiB holds the hot index pages of a million-row import and bounds what the process uses.
SQLITE_IMPORT_CACHE_KIB = 64 * 1024

# From this many rows, and more than the table holds, SQLite's secondary indexes are built
# once at the end of the insert rather than kept up row by row.
REBUILD_FROM_ROWS = 50_000

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


class Staged(Protocol):
    """A large insert fed a frame at a time; `finish` stores what is new, returns how many.
    `abandon` stops it after an error (the caller then rolls the transaction back)."""

    def add(self, frame: pl.DataFrame) -> None: ...

    def finish(self) -> int: ...

    def abandon(self) -> None: ...


class _SqliteStaged:
    # SQLite needs no staging: each frame goes straight in, skipping stored refs, inside the
    # import's transaction (rollback journal, synchronous as configured).
    def __init__(
        self, session: Session, table: str, columns: Sequence[str], batch_id: int, rows: int
    ) -> None:
        connection = session.connection().connection.driver_connection
        assert isinstance(connection, sqlite3.Connection)
        self.connection, self.table, self.columns = connection, table, tuple(columns)
        self.batch_id, self.inserted = int(batch_id), 0
        self.indexes: list[str] = []
        (stored,) = connection.execute(f"SELECT count(*) FROM {table}").fetchone()
        if rows >= REBUILD_FROM_ROWS and rows > 2 * stored:
            # Kept up row by row, an index on (section, day) costs far more than built once
            # from sorted rows at the end. Dropped inside the transaction, so a killed import
            # leaves them as they were; the unique index on ref stays, for ON CONFLICT.
            found = connection.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                "AND sql IS NOT NULL",
                (table,),
            ).fetchall()
            for name, sql in found:
                connection.execute(f'DROP INDEX "{name}"')
                self.indexes.append(sql)
            # Only the ref index is then looked up at random: half the usual cache holds it
            # (roomy_cache puts the connection's own setting back after the import).
            connection.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB // 2}")
        self.writer: BlockWriter[tuple[str, pl.DataFrame]] = BlockWriter(
            self._insert, name="sitroom-insert"
        )

    def add(self, frame: pl.DataFrame) -> None:
        if not frame.height:
            return
        # A column holding one value in the whole frame (status, the source, who entered
        # it) goes into the statement once rather than into every row.
        same = {
            name: value
            for name in self.columns[1:]  # the first, the ref, varies: every row binds it
            if frame.get_column(name).n_unique() == 1
            and (value := _literal(frame.get_column(name)[0])) is not None
        }
        varying = [name for name in self.columns if name not in same]
        names = ", ".join((*varying, *same, "import_batch_id"))
        values = ", ".join("?" for _ in varying)
        values = ", ".join(v for v in (values, *same.values(), str(self.batch_id)) if v)
        statement = (
            f"INSERT INTO {self.table} ({names}) VALUES ({values}) ON CONFLICT (ref) DO NOTHING"
        )
        self.writer.write((statement, frame.select(varying)))

    def _insert(self, block: tuple[str, pl.DataFrame]) -> None:
        # In the writer's thread. SQLAlchemy opens file databases without sqlite3's
        # same-thread check, and nothing else uses the import's connection meanwhile.
        statement, frame = block
        cursor = self.connection.executemany(statement, frame.iter_rows())
        self.inserted += cursor.rowcount
        cursor.close()

    def finish(self) -> int:
        self.writer.close()
        for sql in self.indexes:
            self.connection.execute(sql)
        return self.inserted

    def abandon(self) -> None:
        self.writer.abandon()


def _literal(value: object) -> str | None:
    """`value` written as an SQL literal, or None when it had better be bound."""
    if value is None:
        return "NULL"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and "\0" not in value and len(value) <= 200:
        return "'" + value.replace("'", "''") + "'"
    return None


def staged_insert(
    session: Session, table: str, columns: Sequence[str], batch_id: int, *, rows: int = 0
) -> Staged:
    """Insert frames whose columns are `columns` (in that order) into `table`, with
    `import_batch_id` set to `batch_id`, skipping rows whose ref is stored (or came earlier).
    `rows`: about how many will come. Runs inside the session's transaction: nothing is
    committed here."""
    if session.get_bind().dialect.name == "sqlite":
        return _SqliteStaged(session, table, columns, batch_id, rows)
    # Imported here: the PostgreSQL way needs psycopg, which a SQLite user may not load.
    from .bulk_postgresql import PostgresqlStaged

    return PostgresqlStaged(session, table, columns, batch_id, rows, rebuild_from=REBUILD_FROM_ROWS)
