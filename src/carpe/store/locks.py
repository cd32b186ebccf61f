"""Locks on a store that outlive no process: one import at a time, live analysis runs.

On PostgreSQL a lock is a session advisory lock, keyed by the schema and the
lock's name, held on a connection of its own: the server drops it when that
connection ends, however the process ended. On SQLite it is an exclusive
``flock`` on a file beside the database (``shop.db-import.lock``), which the
kernel drops when the process ends, ``kill -9`` included. An in-memory SQLite
store has a single process and needs none.
"""

from __future__ import annotations

import os
import sys
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url

POLL_SECONDS = 0.1


class HeldLock(Protocol):
    """A lock this process holds until :meth:`release`."""

    def release(self) -> None:
        """Let the lock go (a no-op the second time)."""
        ...


class _NoLock:
    def release(self) -> None:
        return None


class _FileLock:
    """An exclusive ``flock`` on ``path``; the file tells waiters who holds it."""

    def __init__(self, descriptor: int, path: Path, *, remove: bool) -> None:
        self.descriptor: int | None = descriptor
        self.path = path
        self.remove = remove

    def release(self) -> None:
        if self.descriptor is None:
            return
        if self.remove:
            self.path.unlink(missing_ok=True)
        os.close(self.descriptor)  # closing the descriptor drops the flock
        self.descriptor = None


class _AdvisoryLock:
    """A PostgreSQL session advisory lock held on its own connection."""

    def __init__(self, connection: Connection, keys: tuple[int, int]) -> None:
        self.connection: Connection | None = connection
        self.keys = keys

    def release(self) -> None:
        if self.connection is None:
            return
        try:
            self.connection.execute(
                text("SELECT pg_advisory_unlock(:a, :b)"), {"a": self.keys[0], "b": self.keys[1]}
            )
            self.connection.commit()
        finally:
            self.connection.close()
            self.connection = None


def _lock_path(engine: Engine, name: str) -> Path | None:
    database = make_url(str(engine.url)).database
    if not database or database == ":memory:":
        return None
    return Path(database).expanduser().resolve().with_name(f"{Path(database).name}-{name}.lock")


def _int32(value: int) -> int:
    return value - 2**32 if value >= 2**31 else value


def _try_file(path: Path, *, remove: bool) -> HeldLock | None:
    if sys.platform == "win32":  # pragma: no cover - carpe runs its stores on POSIX systems
        return _NoLock()
    import fcntl

    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        return None
    os.ftruncate(descriptor, 0)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    os.write(descriptor, f"process {os.getpid()} since {stamp}\n".encode())
    return _FileLock(descriptor, path, remove=remove)


def _try_advisory(engine: Engine, name: str) -> HeldLock | None:
    connection = engine.connect()
    try:
        schema = connection.execute(text("SELECT current_schema()")).scalar_one()
        keys = (
            _int32(zlib.crc32(f"carpe:{schema}".encode())),
            _int32(zlib.crc32(name.encode())),
        )
        got = connection.execute(
            text("SELECT pg_try_advisory_lock(:a, :b)"), {"a": keys[0], "b": keys[1]}
        ).scalar_one()
        connection.commit()
    except BaseException:
        connection.close()
        raise
    if not got:
        connection.close()
        return None
    return _AdvisoryLock(connection, keys)


def try_lock(engine: Engine, name: str, *, remove: bool = False) -> HeldLock | None:
    """Take the store's lock ``name`` if nobody holds it; ``None`` when someone does.

    Parameters
    ----------
    engine:
        The store.
    name:
        What the lock guards, e.g. ``"import"`` or ``"analysis-run-7"``.
    remove:
        On SQLite, remove the lock's file when it is released (for one-off
        names such as a run's; a permanent name keeps its file).
    """
    if engine.dialect.name == "postgresql":
        return _try_advisory(engine, name)
    path = _lock_path(engine, name)
    if path is None:
        return _NoLock()
    return _try_file(path, remove=remove)


def holder(engine: Engine, name: str) -> str | None:
    """Who holds the lock, as its SQLite lock file tells (``None`` when unknown)."""
    path = _lock_path(engine, name) if engine.dialect.name == "sqlite" else None
    try:
        return path.read_text(encoding="utf-8").strip() or None if path else None
    except OSError:
        return None


@contextmanager
def waiting_lock(engine: Engine, name: str, *, wait_seconds: float) -> Iterator[bool]:
    """Hold the store's lock ``name`` for the block, waiting for it up to ``wait_seconds``.

    Yields ``True`` once the lock is held, or ``False`` when it was not free in
    time (the block then runs without it and should say so).
    """
    deadline = time.monotonic() + wait_seconds
    lock = try_lock(engine, name)
    while lock is None and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        lock = try_lock(engine, name)
    try:
        yield lock is not None
    finally:
        if lock is not None:
            lock.release()
