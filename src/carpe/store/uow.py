"""The unit of work: one transaction that services work inside."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """The sessions units of work open on ``engine`` (objects stay readable after commit)."""
    return sessionmaker(engine, expire_on_commit=False)


class UnitOfWork:
    """A transaction around a :class:`~sqlalchemy.orm.Session`.

    Use as ``with UnitOfWork(engine) as uow: ...; uow.commit()``. Leaving the
    block without :meth:`commit` rolls everything back. ``sessions`` is the
    factory of sessions to use (built once per engine by a long-lived owner,
    since building one costs more than a short request's queries); without it,
    one is made for this unit of work.
    """

    def __init__(self, engine: Engine, sessions: sessionmaker[Session] | None = None) -> None:
        self.engine = engine
        self._factory = sessions or session_factory(engine)
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        """The open session (only inside the ``with`` block)."""
        if self._session is None:
            raise RuntimeError("UnitOfWork used outside its 'with' block")
        return self._session

    def __enter__(self) -> UnitOfWork:
        self._session = self._factory()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._session is not None
        self._session.rollback()
        self._session.close()
        self._session = None

    def commit(self) -> None:
        """Commit the work done so far."""
        self.session.commit()

    def rollback(self) -> None:
        """Throw away the work done since the last commit."""
        self.session.rollback()
