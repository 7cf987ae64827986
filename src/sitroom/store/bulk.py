"""Fast inserts that skip rows already stored (same `ref`), one strategy per database."""

from __future__ import annotations

import os
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

# A large load's index builds sort in runs of this size (see _SqliteStaged).
SQLITE_BUILD_CACHE_KIB = 4 * 1024

# From this many rows, and more than twice what the table holds, the table's indexes are
# built once at the end of the insert rather than kept up row by row.
REBUILD_FROM_ROWS = 50_000

# What makes a row the same as a stored one, per table: a figure's or an incident's content ref
# within its scope (the readers it is shared with, see tables.FigureRow); a quarantined row's.
UNIQUE_KEYS: dict[str, tuple[str, ...]] = {
    "figures": ("ref", "scope"),
    "incidents": ("ref", "scope"),
    "quarantine": ("ref",),
}


def unique_key(table: str) -> str:
    """The table's unique key as a column list, for ON CONFLICT and PARTITION BY."""
    return ", ".join(UNIQUE_KEYS[table])


BulkInsert = Callable[[Session, str, Sequence[str], Sequence[tuple[Any, ...]]], int]


def _sqlite(
    session: Session, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> int:
    names = ", ".join(columns)
    marks = ", ".join("?" for _ in columns)
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    cursor.executemany(
        f"INSERT INTO {table} ({names}) VALUES ({marks}) "
        f"ON CONFLICT ({unique_key(table)}) DO NOTHING",
        rows,
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
            f"ON CONFLICT ({unique_key(table)}) DO NOTHING"
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
    """SQLite needs no staging: each frame goes straight in, inside the import's transaction
    (rollback journal, synchronous as configured).

    Into a table holding less than half as many rows as come, every index is dropped first
    and built once at the end, from sorted rows: kept up row by row, they cost far more. The
    rows then go in without ON CONFLICT, and if the unique `ref` cannot be built, the rows of
    this import whose ref came earlier (stored before, or earlier in the file) are deleted
    first. The drops are inside the transaction, so a killed import leaves the indexes as they
    were. Otherwise rows whose ref is stored are skipped as they come (ON CONFLICT)."""

    def __init__(
        self, session: Session, table: str, columns: Sequence[str], batch_id: int, rows: int
    ) -> None:
        connection = session.connection().connection.driver_connection
        assert isinstance(connection, sqlite3.Connection)
        self.connection, self.table, self.columns = connection, table, tuple(columns)
        self.batch_id, self.inserted = int(batch_id), 0
        self.unique: list[str] = []
        self.indexes: list[str] = []
        self.threads_before: int | None = None
        (stored,) = connection.execute(f"SELECT count(*) FROM {table}").fetchone()
        if rows >= REBUILD_FROM_ROWS and rows > 2 * stored:
            found = connection.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                "AND sql IS NOT NULL",
                (table,),
            ).fetchall()
            for name, sql in found:
                connection.execute(f'DROP INDEX "{name}"')
                unique = sql.upper().startswith("CREATE UNIQUE")
                (self.unique if unique else self.indexes).append(sql)
            # No index is looked up during the load: half the usual cache is plenty
            # (roomy_cache puts the connection's own setting back after the import).
            connection.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB // 2}")
        # A ref that is a table constraint (a database not yet migrated) is never dropped.
        self.on_conflict = "" if self.unique else f" ON CONFLICT ({unique_key(table)}) DO NOTHING"
        self.writer: BlockWriter[tuple[str, pl.DataFrame]] = BlockWriter(
            self._insert, name="sitroom-insert"
        )

    def add(self, frame: pl.DataFrame) -> None:
        if not frame.height:
            return
        import polars as pl

        # A column holding one value in the whole frame (status, the source, who entered
        # it) goes into the statement once rather than into every row. The first column,
        # the ref, varies: every row binds it.
        distinct = frame.select(pl.col(self.columns[1:]).n_unique()).row(0, named=True)
        same = {
            name: value
            for name, count in distinct.items()
            if count == 1 and (value := _literal(frame.get_column(name)[0])) is not None
        }
        varying = [name for name in self.columns if name not in same]
        names = ", ".join((*varying, *same, "import_batch_id"))
        values = ", ".join("?" for _ in varying)
        values = ", ".join(v for v in (values, *same.values(), str(self.batch_id)) if v)
        statement = f"INSERT INTO {self.table} ({names}) VALUES ({values}){self.on_conflict}"
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
        if not (self.unique or self.indexes):
            return self.inserted
        self._sort_in_runs()
        try:
            removed = sum(self._build_unique(sql) for sql in self.unique)
            for sql in self.indexes:
                self.connection.execute(sql)
        finally:
            self._put_threads_back()
        return self.inserted - removed

    def _build_unique(self, sql: str) -> int:
        """Build a unique index dropped for the load; return how many repeats were removed
        for it."""
        self.connection.execute("SAVEPOINT unique_ref")
        removed = 0
        try:
            self.connection.execute(sql)
        except sqlite3.IntegrityError:
            self.connection.execute("ROLLBACK TO SAVEPOINT unique_ref")
            removed = self._remove_repeats()
            self.connection.execute(sql)
        self.connection.execute("RELEASE SAVEPOINT unique_ref")
        return removed

    def _remove_repeats(self) -> int:
        """Delete this import's rows whose ref was stored before it or came earlier in it
        (rowids follow the file); return how many. Rows stored before are unique among
        themselves, so only this import's rows can come second."""
        cursor = self.connection.execute(
            f"DELETE FROM {self.table} WHERE id IN (SELECT id FROM (SELECT id, row_number() "
            f"OVER (PARTITION BY {unique_key(self.table)} ORDER BY import_batch_id IS ?, id) "
            "AS place "
            f"FROM {self.table}) WHERE place > 1)",
            (self.batch_id,),
        )
        return cursor.rowcount

    def abandon(self) -> None:
        self.writer.abandon()
        with suppress(sqlite3.Error):  # the connection may be gone with the error
            self._put_threads_back()

    def _sort_in_runs(self) -> None:
        # The index builds sort faster in small runs merged by helper threads than in one
        # large in-memory sort (measured: 2.0 s instead of 3.6 s for the three indexes of a
        # million rows, on two cores). roomy_cache puts the cache setting back afterwards.
        self.connection.execute(f"PRAGMA cache_size = -{SQLITE_BUILD_CACHE_KIB}")
        (self.threads_before,) = self.connection.execute("PRAGMA threads").fetchone()
        self.connection.execute(f"PRAGMA threads = {min(4, os.cpu_count() or 1)}")

    def _put_threads_back(self) -> None:
        # Pooled connections outlive the import.
        if self.threads_before is not None:
            self.connection.execute(f"PRAGMA threads = {int(self.threads_before)}")


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
