"""PostgreSQL's way of storing a large import (`bulk.staged_insert`): COPY, in a thread of its
own, straight into a table taken apart for the load, or into a temporary table first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from .block_writer import BlockWriter
from .bulk import UNIQUE_KEYS, unique_key

if TYPE_CHECKING:
    import polars as pl

# Index builds after a large PostgreSQL load sort a million keys: given this much memory
# (for this transaction only), they sort in memory rather than on disk.
PG_BUILD_MEMORY = "256MB"


class PostgresqlStaged:
    """Two ways, chosen at the start.

    Loaded: a large import into a table under half its size, when the table can be locked
    within 2 s. Every index and the primary key and unique constraints are dropped, every
    frame is COPYed straight into the table, and they are built again at the end; if the
    unique `ref` cannot be built, the rows of this import whose ref came earlier (stored
    before, or earlier in the file) are deleted first. All of it is inside the import's
    transaction, so a killed import leaves the table, its indexes and constraints as they
    were. The lock (ACCESS EXCLUSIVE on the table only) keeps readers of that table waiting
    until the import commits.

    Staged: every frame is COPYed into a temporary table without constraints, then one
    INSERT ... SELECT moves the rows whose ref is not stored: an anti-join skips those stored
    before without a speculative insertion each, and ON CONFLICT DO NOTHING skips the rest
    (a ref twice in the file, or stored meanwhile by another session)."""

    def __init__(
        self,
        session: Session,
        table: str,
        columns: Sequence[str],
        batch_id: int,
        rows: int,
        *,
        rebuild_from: int,
    ) -> None:
        connection = session.connection().connection.driver_connection
        assert connection is not None
        self.connection, self.table, self.batch_id = connection, table, int(batch_id)
        self.rebuild_from = rebuild_from
        self.names = ", ".join(columns)
        self.scratch, self.staged = f"staged_{table}", 0
        self.rebuild: list[str] = []
        self.unique: list[str] = []
        with connection.cursor() as cursor:
            self.loaded = rows >= rebuild_from and self._take_apart(cursor, rows)
            if not self.loaded:
                cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{self.scratch}")
                cursor.execute(
                    f"CREATE TEMP TABLE {self.scratch} ON COMMIT DROP AS "
                    f"SELECT {self.names} FROM {table} WITH NO DATA"
                )
        self.writer: BlockWriter[tuple[str, bytes]] = BlockWriter(self._copy, name="sitroom-copy")

    def add(self, frame: pl.DataFrame) -> None:
        if not frame.height:
            return
        import polars as pl

        if self.loaded:
            frame = frame.with_columns(pl.lit(self.batch_id).alias("import_batch_id"))
            target = f"{self.table} ({self.names}, import_batch_id)"
        else:
            target = f"{self.scratch} ({self.names})"
        data = frame.write_csv(include_header=False).encode()
        self.writer.write((f"COPY {target} FROM STDIN (FORMAT csv)", data))
        self.staged += frame.height

    def abandon(self) -> None:
        self.writer.abandon()

    def _copy(self, block: tuple[str, bytes]) -> None:
        # In the writer's thread, on the import's connection, which nothing else uses meanwhile.
        statement, data = block
        with self.connection.cursor() as cursor, cursor.copy(statement) as copy:
            copy.write(data)

    def finish(self) -> int:
        self.writer.close()
        with self.connection.cursor() as cursor:
            if self.loaded:
                return self._put_together(cursor)
            indexes = self._drop_secondary_indexes(cursor)
            same = " AND ".join(f"t.{c} = s.{c}" for c in UNIQUE_KEYS[self.table])
            cursor.execute(
                f"INSERT INTO {self.table} ({self.names}, import_batch_id) "
                f"SELECT {self.names}, {self.batch_id} FROM {self.scratch} AS s "
                f"WHERE NOT EXISTS (SELECT 1 FROM {self.table} AS t WHERE {same}) "
                f"ON CONFLICT ({unique_key(self.table)}) DO NOTHING"
            )
            inserted = int(cursor.rowcount)
            for sql in indexes:
                cursor.execute(sql)
            cursor.execute(f"DROP TABLE pg_temp.{self.scratch}")
        return inserted

    def _take_apart(self, cursor: Any, rows: int) -> bool:
        """For a large import into a smaller table: lock it, drop its indexes (unique ones
        too), primary key and unique constraints, remember how to build them again. False,
        with nothing changed, if the table holds too much or another session holds it over
        2 s."""
        import psycopg

        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {self.table} LIMIT %s) AS stored", (rows,)
        )
        (stored,) = cursor.fetchone()
        if 2 * stored >= rows:
            return False
        cursor.execute("SELECT current_setting('lock_timeout')")
        (before,) = cursor.fetchone()
        cursor.execute("SAVEPOINT take_apart")
        cursor.execute("SELECT set_config('lock_timeout', '2s', true)")
        try:
            cursor.execute(f"LOCK TABLE {self.table} IN ACCESS EXCLUSIVE MODE")
        except psycopg.errors.LockNotAvailable:
            cursor.execute("ROLLBACK TO SAVEPOINT take_apart")
            cursor.execute("RELEASE SAVEPOINT take_apart")
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", (before,))
            return False
        cursor.execute("RELEASE SAVEPOINT take_apart")
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", (before,))
        # Counted again under the lock: nobody can add rows from here to the commit.
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {self.table} LIMIT %s) AS stored", (rows,)
        )
        (stored,) = cursor.fetchone()
        if 2 * stored >= rows:
            return False
        cursor.execute(
            "SELECT c.conname, c.contype, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "WHERE c.conrelid = %s::regclass AND c.contype IN ('p', 'u') ORDER BY c.contype",
            (self.table,),
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT count(*) FROM pg_constraint f JOIN pg_constraint c ON c.conindid = f.conindid "
            "WHERE f.contype = 'f' AND f.confrelid = %s::regclass AND c.conrelid = f.confrelid "
            "AND c.contype IN ('p', 'u')",
            (self.table,),
        )
        (referenced,) = cursor.fetchone()
        if referenced:
            # Another table's foreign key needs the key: it cannot be dropped for the load.
            return False
        cursor.execute(
            "SELECT i.relname, x.indisunique, pg_get_indexdef(i.oid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = %s::regclass "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)",
            (self.table,),
        )
        indexes = cursor.fetchall()
        # The unique ref (a constraint or an index) is built first: if it cannot be, the
        # repeats are removed before anything else is built.
        for name, kind, definition in constraints:
            cursor.execute(f'ALTER TABLE {self.table} DROP CONSTRAINT "{name}"')
            add = f'ALTER TABLE {self.table} ADD CONSTRAINT "{name}" {definition}'
            (self.unique if kind == "u" else self.rebuild).append(add)
        for name, unique, definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
            (self.unique if unique else self.rebuild).append(definition)
        cursor.execute("SELECT set_config('maintenance_work_mem', %s, true)", (PG_BUILD_MEMORY,))
        return True

    def _put_together(self, cursor: Any) -> int:
        """Build the unique constraints, primary key and indexes again; return how many of
        this import's rows stay."""
        import psycopg

        removed = 0
        for sql in self.unique:
            cursor.execute("SAVEPOINT unique_ref")
            try:
                cursor.execute(sql)
            except psycopg.errors.UniqueViolation:
                cursor.execute("ROLLBACK TO SAVEPOINT unique_ref")
                removed += self._remove_repeats(cursor)
                cursor.execute(sql)
            cursor.execute("RELEASE SAVEPOINT unique_ref")
        for sql in self.rebuild:
            cursor.execute(sql)
        # The table at least doubled: the planner's statistics describe the table before the
        # load until autovacuum comes round, and the situation page's plans depend on them.
        # ANALYZE samples a fixed number of rows and runs inside the import's transaction.
        cursor.execute(f"ANALYZE {self.table}")
        return self.staged - removed

    def _remove_repeats(self, cursor: Any) -> int:
        """Delete this import's rows whose ref was stored before it or came earlier in it
        (rows are numbered in file order); return how many."""
        batch = self.batch_id
        same = " AND ".join(f"b.{c} = a.{c}" for c in UNIQUE_KEYS[self.table])
        cursor.execute(
            f"DELETE FROM {self.table} AS a USING {self.table} AS b "
            f"WHERE a.import_batch_id = {batch} AND {same} AND b.ctid <> a.ctid "
            f"AND (b.import_batch_id IS DISTINCT FROM {batch} OR b.id < a.id)"
        )
        return int(cursor.rowcount)

    def _drop_secondary_indexes(self, cursor: Any) -> list[str]:
        """As on SQLite: for a large import into a smaller table, the non-unique indexes are
        built once after the insert. Dropping one locks the table until the import commits,
        so this is skipped when another session holds it for more than a moment."""
        import psycopg

        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {self.table} LIMIT %s) AS stored",
            (self.staged,),
        )
        (stored,) = cursor.fetchone()
        if self.staged < self.rebuild_from or 2 * stored >= self.staged:
            return []
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = %s::regclass AND NOT x.indisunique AND NOT x.indisprimary",
            (self.table,),
        )
        found = cursor.fetchall()
        cursor.execute("SELECT current_setting('lock_timeout')")
        (before,) = cursor.fetchone()
        cursor.execute("SAVEPOINT drop_indexes")
        cursor.execute("SELECT set_config('lock_timeout', '2s', true)")
        try:
            for name, _ in found:
                cursor.execute(f'DROP INDEX "{name}"')
        except psycopg.errors.LockNotAvailable:
            cursor.execute("ROLLBACK TO SAVEPOINT drop_indexes")
            found = []
        cursor.execute("RELEASE SAVEPOINT drop_indexes")
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", (before,))
        return [sql for _, sql in found]
