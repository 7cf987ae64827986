"""Fast inserts that skip rows already stored (same `ref`), one strategy per database."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.orm import Session

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
