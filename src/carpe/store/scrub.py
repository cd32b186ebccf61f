"""Leave nothing readable of erased rows in the database files.

SQLite keeps a deleted or overwritten value in the free space of its pages,
and the write-ahead log keeps old pages, until something overwrites them;
``strings shop.db`` would show an erased contact's name. carpe opens every
SQLite connection with ``secure_delete`` on (freed space is zeroed as it is
freed), and after an erasure checkpoints the log into the database and
truncates it to nothing. ``VACUUM`` on top rebuilds the file, which also clears
what was freed before ``secure_delete`` was on (stores made by older versions).

PostgreSQL keeps old row versions until ``VACUUM`` removes them; plain
``VACUUM`` makes them unreachable, ``VACUUM FULL`` rewrites the tables into new
files, leaving the old bytes to the file system. The server's write-ahead log
and any backups hold erased values until they are recycled or expire.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Engine

CHECKPOINT_TRIES = 50
SNAPSHOT_TRIES = 300


@dataclass(frozen=True, slots=True)
class ScrubReport:
    """What was done to the database files after an erasure."""

    checkpointed: bool
    """SQLite: the write-ahead log was copied into the database and truncated.
    PostgreSQL: no snapshot older than the erasure was open when the tables were
    vacuumed (else the old row versions stay until the next vacuum)."""
    vacuumed: bool
    """The tables (PostgreSQL) or the whole file (SQLite) were rebuilt."""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def scrub_after_delete(engine: Engine, *, tables: Iterable[str], vacuum: bool) -> ScrubReport:
    """Make what the last committed transactions deleted or overwrote unreadable on disk.

    Run it after the erasure has committed, outside any transaction.

    Parameters
    ----------
    engine:
        The store.
    tables:
        The tables the erasure changed (PostgreSQL vacuums these).
    vacuum:
        Rebuild: ``VACUUM`` the whole SQLite file, or ``VACUUM FULL`` the tables on
        PostgreSQL (which locks each table while it is rewritten).
    """
    if engine.dialect.name == "sqlite":
        return _scrub_sqlite(engine, vacuum=vacuum)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # VACUUM keeps a row version any open snapshot may still see; wait (bounded) for
        # the snapshots taken before the erasure (an autovacuum ANALYZE, a long report).
        erased = connection.exec_driver_sql("SELECT pg_current_xact_id()::xid").scalar_one()
        for _ in range(SNAPSHOT_TRIES):
            older = connection.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_xmin IS NOT NULL "
                "AND age(backend_xmin) >= age(%(erased)s::xid)",
                {"erased": str(erased)},
            ).scalar_one()
            if not older:
                break
            time.sleep(0.1)
        for table in tables:
            connection.exec_driver_sql(f"VACUUM {'(FULL) ' if vacuum else ''}{_quote(table)}")
    return ScrubReport(checkpointed=not older, vacuumed=vacuum)


def _scrub_sqlite(engine: Engine, *, vacuum: bool) -> ScrubReport:
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        connection.rollback()  # nothing of ours may be open while the file is rebuilt
        if vacuum:
            raw.execute("VACUUM")
        for _ in range(CHECKPOINT_TRIES):
            busy = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy is not None and busy[0] == 0:
                return ScrubReport(checkpointed=True, vacuumed=vacuum)
            time.sleep(0.1)  # a reader still uses the log's pages
    return ScrubReport(checkpointed=False, vacuumed=vacuum)
