"""The store: migrations reach the models, SQLite runs in WAL with foreign keys on."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError

from carpe.store import Base, current_revision, head_revision, migrate


def test_migrate_brings_an_empty_store_to_head_with_every_table(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_migrate_twice_is_a_no_op(engine: Engine) -> None:
    migrate(engine)
    assert current_revision(engine) == head_revision()


def test_store_refuses_a_row_that_references_nothing(engine: Engine) -> None:
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO contacts (contact_id, account_id, first_name) "
                    "VALUES ('C1', 'missing', 'Ann')"
                )
            )
    except IntegrityError:
        return
    raise AssertionError("a contact of a missing account was stored")


def test_sqlite_runs_in_wal_mode_with_foreign_keys(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
