"""What every command shares: the running carpe, the consoles, error → exit status."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import typer
from rich.console import Console

from carpe.config import Settings, load_settings
from carpe.context import Carpe
from carpe.errors import CarpeError, ConfigError, ImportDataError, NotFoundError, UsageError
from carpe.services.runs import recover_interrupted_runs

EXIT_OK = 0
EXIT_BAD_DATA = 1
EXIT_USAGE = 2

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


Access = Literal["write", "read", "none"]
"""What a command does with the store (see :func:`running`)."""


@dataclass(frozen=True, slots=True)
class Invocation:
    """Options given before the command (``carpe --db URL ...``), kept in this invocation's
    context (``ctx.obj``), so two invocations in one process never share them."""

    database_url: str | None = None


def settings(ctx: typer.Context) -> Settings:
    """Settings from the environment, with this invocation's ``--db`` on top."""
    invocation = ctx.find_object(Invocation)
    if invocation is not None and invocation.database_url:
        return load_settings(database_url=invocation.database_url)
    return load_settings()


def parse_day(option: str, value: str | None) -> date | None:
    """An option's ``YYYY-MM-DD`` value as a date (``None`` stays ``None``); exit 2 otherwise."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        err.print(f"[red]error[/red]: {option} must be a date YYYY-MM-DD, not {value!r}")
        raise typer.Exit(EXIT_USAGE) from None


@contextmanager
def running(ctx: typer.Context, *, access: Access = "write") -> Iterator[Carpe]:
    """Open carpe for one command; map carpe's errors to messages and exit statuses.

    ``access="write"`` brings the store's schema up to date first; ``"read"``
    changes nothing and refuses a store whose schema is behind, in one line that
    names ``carpe init`` (a :class:`~carpe.errors.StoreError`, exit 1); ``"none"``
    does not touch the store. Bad data exits 1, bad usage or configuration 2;
    never a traceback for a user's mistake.
    """
    carpe: Carpe | None = None
    try:
        carpe = Carpe(settings(ctx))
        if access == "read":
            carpe.check_schema()
        elif access == "write":
            carpe.migrate()
            # An analysis killed midway stays "running" until a start finds its lock free.
            recover_interrupted_runs(engine=carpe.engine)
        yield carpe
    except ImportDataError as exc:
        err.print(f"[red]import refused[/red]: {exc.total} problem(s); nothing was written.")
        for problem in exc.problems:
            err.print(str(problem), markup=False)
        if exc.total > len(exc.problems):
            err.print(f"... and {exc.total - len(exc.problems)} more problem(s)")
        raise typer.Exit(EXIT_BAD_DATA) from None
    except (UsageError, ConfigError) as exc:
        err.print(f"[red]error[/red]: {exc}")
        raise typer.Exit(EXIT_USAGE) from None
    except (NotFoundError, CarpeError) as exc:  # BusyError too: one import at a time
        err.print(f"[red]error[/red]: {exc}")
        raise typer.Exit(EXIT_BAD_DATA) from None
    finally:
        if carpe is not None:
            carpe.close()


def jsonable(value: Any) -> Any:
    """Dataclasses, lists and dates as plain JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def print_json(value: Any) -> None:
    """Print dataclasses, lists and dates as JSON on standard output."""
    out.print_json(json.dumps(jsonable(value), ensure_ascii=False))
