"""Engines and the schema: open a store, bring it to the current migration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from carpe.errors import StoreError

MIGRATIONS = Path(__file__).with_name("migrations")


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    # Freed space is zeroed as it is freed, so deleted or overwritten values (an erased
    # contact's name, say) do not linger in the file (see carpe.store.scrub).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def is_sqlite(engine_or_url: Engine | str) -> bool:
    """Tell whether an engine or URL is SQLite."""
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else make_url(engine_or_url)
    return url.get_backend_name() == "sqlite"


def create_store_engine(url: str) -> Engine:
    """Create an engine for ``url``: SQLite in WAL mode with foreign keys on, or PostgreSQL.

    Parameters
    ----------
    url:
        ``sqlite:///path.db`` or ``postgresql+psycopg://...``.

    Returns
    -------
    Engine
        A new engine; the caller disposes of it.
    """
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _on_sqlite_connect)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    """Return the newest migration's revision id."""
    script = ScriptDirectory(str(MIGRATIONS))
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """Return the store's migration revision, or ``None`` for an empty database."""
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except OperationalError as exc:
        raise StoreError(f"cannot open the store at {engine.url!r}: {exc.orig}") from None


def check_schema(engine: Engine) -> None:
    """Refuse a store whose schema is not this carpe's newest (changing nothing).

    Raises
    ------
    StoreError
        When the database cannot be reached, has no schema yet, or is at another
        revision; the message names ``carpe init``, which brings it up to date.
    """
    found, wanted = current_revision(engine), head_revision()
    if found == wanted:
        return
    where = engine.url.render_as_string(hide_password=True)
    if found is None:
        raise StoreError(f"the store at {where} has no schema yet: run 'carpe init' to create it")
    raise StoreError(
        f"the store's schema at {where} is at revision {found}, this carpe needs {wanted}: "
        "run 'carpe init' to bring it up to date"
    )


def migrate(engine: Engine) -> None:
    """Bring the store's schema to the newest migration (a no-op when it is there).

    Raises
    ------
    StoreError
        When the database cannot be reached.
    """
    if current_revision(engine) == head_revision():
        return
    command.upgrade(_alembic_config(engine), "head")
