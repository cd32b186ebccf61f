"""The running carpe: settings and the store engine, built on demand, never at import."""

from __future__ import annotations

from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from carpe.config import Settings
from carpe.store.engine import check_schema, create_store_engine, migrate
from carpe.store.uow import UnitOfWork, session_factory

__all__ = ["Carpe", "UnitOfWork"]


class Carpe:
    """Holds one configuration's state: its settings and its store engine.

    Tests build as many differently configured instances as they like.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def engine(self) -> Engine:
        """The store's engine, created on first use."""
        return create_store_engine(self.settings.database_url)

    @cached_property
    def _sessions(self) -> sessionmaker[Session]:
        return session_factory(self.engine)

    def migrate(self) -> None:
        """Bring the store to the newest schema."""
        migrate(self.engine)

    def check_schema(self) -> None:
        """Refuse a store whose schema is not the newest, changing nothing (``StoreError``)."""
        check_schema(self.engine)

    def unit_of_work(self) -> UnitOfWork:
        """A new unit of work on the store."""
        return UnitOfWork(self.engine, self._sessions)

    def close(self) -> None:
        """Release the engine's connections."""
        if "engine" in self.__dict__:
            self.engine.dispose()
