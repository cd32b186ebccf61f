"""Every use case that takes an actor refuses to run without one.

The services are found, not listed: each public function of ``carpe.services``
with a ``viewer`` (or ``by``) parameter is called on a real store with ``None``
for it, and every other required argument made up from its type. Each must
answer :class:`~carpe.errors.ForbiddenError` (a 403 in the web app), never run
as if a manager had asked, and never fail with a Python error; one that asks
whether something is allowed answers no.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

import pytest

import carpe.services
from carpe.context import Carpe
from carpe.errors import ForbiddenError
from carpe.services.digest_mail import DigestLinks

ACTOR_PARAMETERS = ("viewer", "by")


def _services() -> Iterator[tuple[str, Callable[..., Any]]]:
    for info in pkgutil.iter_modules(carpe.services.__path__):
        module = importlib.import_module(f"carpe.services.{info.name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or function.__module__ != module.__name__:
                continue
            parameters = inspect.signature(function).parameters
            if any(
                p in parameters and "Viewer" in str(parameters[p].annotation)
                for p in ACTOR_PARAMETERS
            ):
                yield f"{module.__name__}.{name}", function


SERVICES = sorted(_services())


def _made_up(name: str, annotation: str, carpe: Carpe, session: Any) -> Any:
    """A value of the parameter's type (the call must be refused before it matters)."""
    if name == "session":
        return session
    if name == "engine":
        return carpe.engine
    for type_name, value in (
        ("DigestLinks", DigestLinks("http://127.0.0.1:8000")),
        ("datetime", datetime(2026, 3, 6, 9, 0)),
        ("date", date(2026, 3, 6)),
        ("bool", False),
        ("float", 1.0),
        ("ConflictView", SimpleNamespace(owner="E1")),
        ("int", 1),
        ("list", []),
        ("Sequence", []),
        ("str", "x"),
    ):
        if type_name in annotation:
            return value
    raise AssertionError(f"no made-up value for {name}: {annotation}")


def test_every_service_taking_an_actor_is_found() -> None:
    names = [name for name, _ in SERVICES]
    assert len(names) >= 40, names
    assert "carpe.services.personal_data.erase_contact" in names


@pytest.mark.parametrize(("name", "service"), SERVICES, ids=[name for name, _ in SERVICES])
def test_service_refuses_without_an_actor(
    carpe: Carpe, name: str, service: Callable[..., Any]
) -> None:
    with carpe.unit_of_work() as uow:
        arguments: dict[str, Any] = {}
        for parameter in inspect.signature(service).parameters.values():
            if parameter.name in ACTOR_PARAMETERS:
                arguments[parameter.name] = None
            elif parameter.default is inspect.Parameter.empty:
                annotation = str(parameter.annotation)
                arguments[parameter.name] = _made_up(parameter.name, annotation, carpe, uow.session)
        if inspect.signature(service).return_annotation == "bool":  # a question: "may they?"
            with contextlib.suppress(ForbiddenError):
                assert service(**arguments) is False
            return
        with pytest.raises(ForbiddenError):
            service(**arguments)
