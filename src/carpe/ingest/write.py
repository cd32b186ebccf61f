"""Writers: upsert validated rows in bulk, one statement per chunk.

SQLite gets ``INSERT ... ON CONFLICT DO UPDATE ... WHERE changed`` through the
driver's ``executemany``; PostgreSQL gets ``COPY`` into a temporary table and
one ``INSERT ... SELECT ... ON CONFLICT``. Both update a row only when a value
differs, so re-importing the same rows changes nothing and counts nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import Connection, Table, select

from carpe.ingest.format import FILES, FileSpec

LOOKUP_BATCH = 500
REFERENCED = frozenset(c.references for spec in FILES for c in spec.columns if c.references)
"""Files whose ids other files name: their ids are remembered through the import."""


class RowWriter(Protocol):
    """Writes one file's rows inside the import's transaction."""

    def write(self, rows: Sequence[tuple[object, ...]]) -> int:
        """Upsert ``rows``; return how many were inserted or changed."""
        ...


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class SqliteWriter:
    """``executemany`` of an upsert skipping unchanged rows (plain inserts into an empty table)."""

    def __init__(self, connection: Connection, spec: FileSpec) -> None:
        self.connection = connection
        names = spec.column_names
        cols = ", ".join(_quote(n) for n in names)
        marks = ", ".join("?" for _ in names)
        key = ", ".join(_quote(k) for k in spec.key)
        rest = [n for n in names if n not in spec.key]
        table = _quote(spec.table)
        if rest:
            updates = ", ".join(f"{_quote(n)} = excluded.{_quote(n)}" for n in rest)
            changed = " OR ".join(f"{table}.{_quote(n)} IS NOT excluded.{_quote(n)}" for n in rest)
            action = f"DO UPDATE SET {updates} WHERE {changed}"
        else:
            action = "DO NOTHING"
        self.sql = f"INSERT INTO {table} ({cols}) VALUES ({marks}) ON CONFLICT ({key}) {action}"
        empty = not connection.exec_driver_sql(f"SELECT EXISTS (SELECT 1 FROM {table})").scalar()
        if empty:  # nothing to conflict with: keys are unique within a file, one file a table
            self.sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"

    def write(self, rows: Sequence[tuple[object, ...]]) -> int:
        """Upsert ``rows``; return how many were inserted or changed."""
        if not rows:
            return 0
        result = self.connection.exec_driver_sql(self.sql, list(rows))
        return max(result.rowcount, 0)


class PostgresWriter:
    """``COPY`` into a temporary table, then one upsert that skips unchanged rows.

    When the table is empty as the import starts, nothing can conflict (keys
    are unique within a file, and one file fills one table), so rows are
    copied straight into it.
    """

    def __init__(self, connection: Connection, spec: FileSpec) -> None:
        self.connection = connection
        self.names = spec.column_names
        cols = ", ".join(_quote(n) for n in self.names)
        self.direct = not connection.exec_driver_sql(
            f"SELECT EXISTS (SELECT 1 FROM {_quote(spec.table)})"
        ).scalar()
        self.direct_sql = f"COPY {_quote(spec.table)} ({cols}) FROM STDIN"
        self.temp = _quote(f"carpe_load_{spec.table}")
        key = ", ".join(_quote(k) for k in spec.key)
        rest = [n for n in self.names if n not in spec.key]
        table = _quote(spec.table)
        if rest:
            updates = ", ".join(f"{_quote(n)} = excluded.{_quote(n)}" for n in rest)
            old = ", ".join(f"{table}.{_quote(n)}" for n in rest)
            new = ", ".join(f"excluded.{_quote(n)}" for n in rest)
            action = f"DO UPDATE SET {updates} WHERE ROW({old}) IS DISTINCT FROM ROW({new})"
        else:
            action = "DO NOTHING"
        connection.exec_driver_sql(
            f"CREATE TEMP TABLE IF NOT EXISTS {self.temp} "
            f"(LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP"
        )
        self.copy_sql = f"COPY {self.temp} ({cols}) FROM STDIN"
        self.upsert_sql = (
            f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {self.temp} "
            f"ON CONFLICT ({key}) {action}"
        )

    def write(self, rows: Sequence[tuple[object, ...]]) -> int:
        """Upsert ``rows``; return how many were inserted or changed."""
        if not rows:
            return 0
        raw = self.connection.connection.driver_connection
        if self.direct:
            with raw.cursor() as cursor, cursor.copy(self.direct_sql) as copy:  # type: ignore[union-attr]
                for row in rows:
                    copy.write_row(row)
            return len(rows)
        with raw.cursor() as cursor:  # type: ignore[union-attr]
            with cursor.copy(self.copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(self.upsert_sql)
            changed: int = cursor.rowcount
            cursor.execute(f"TRUNCATE {self.temp}")
        return max(changed, 0)


def make_writer(connection: Connection, spec: FileSpec) -> RowWriter:
    """The fastest correct writer for the connection's database."""
    if connection.dialect.name == "postgresql":
        return PostgresWriter(connection, spec)
    return SqliteWriter(connection, spec)


class ReferenceIndex:
    """Answers "does this id exist?" for the import's own rows and the store's.

    The hashes of ids read in this import are remembered (duplicate detection
    needs them too); ids already in the store are looked up in batches and
    cached.
    """

    def __init__(self, connection: Connection, tables: dict[str, Table]) -> None:
        self.connection = connection
        self.tables = tables
        self.seen: dict[str, set[int]] = {}
        self._stored: dict[str, set[str]] = {}

    def remember(self, file: str, hashes: set[int]) -> None:
        """Record the hashes of the ids of ``file`` read in this import.

        Only files that other files refer to are kept for the rest of the import.
        """
        if file in REFERENCED:
            self.seen[file] = hashes

    def missing(self, file: str, key_column: str, values: Sequence[str | None]) -> list[bool]:
        """For each value, whether it names no row of ``file`` (``None`` is never missing)."""
        seen = self.seen.get(file, set())
        stored = self._stored.setdefault(file, set())
        unknown = {v for v in values if v is not None and hash(v) not in seen and v not in stored}
        if unknown:
            column = self.tables[file].c[key_column]
            pending = sorted(unknown)
            for start in range(0, len(pending), LOOKUP_BATCH):
                batch = pending[start : start + LOOKUP_BATCH]
                found = self.connection.execute(select(column).where(column.in_(batch)))
                stored.update(row[0] for row in found)
        return [v is not None and hash(v) not in seen and v not in stored for v in values]
