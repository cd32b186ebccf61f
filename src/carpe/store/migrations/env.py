"""Alembic environment: migrations run on the engine carpe hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from carpe.store import access as _access  # noqa: F401 - registers its tables
from carpe.store import analysis as _analysis  # noqa: F401 - registers its tables
from carpe.store import conflicts as _conflicts  # noqa: F401 - registers its tables
from carpe.store import gestures as _gestures  # noqa: F401 - registers its tables
from carpe.store import memory as _memory  # noqa: F401 - registers its tables
from carpe.store import reminders as _reminders  # noqa: F401 - registers its tables
from carpe.store import stories as _stories  # noqa: F401 - registers its tables
from carpe.store.models import Base

engine = context.config.attributes.get("engine")
if not isinstance(engine, Engine):  # pragma: no cover - only when alembic is run by hand
    from carpe.config import load_settings
    from carpe.store.engine import create_store_engine

    engine = create_store_engine(load_settings().database_url)

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
