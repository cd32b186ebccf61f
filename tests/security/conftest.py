"""What the security tests share: a store with a frontline user and an admin, served in-process.

Each test in this folder repeats one probe of the running product that got
through before (issue 17) and asserts what the person probing would now see.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from carpe.cli import app as cli_app
from carpe.config import Settings
from carpe.context import Carpe
from carpe.services import users
from carpe.web import create_app
from tests.e2e.conftest import csrf_of

__all__ = ["csrf_of"]

PASSWORD = "correct horse battery"
ROLES = {"ana": "frontline", "root": "admin"}


@pytest.fixture
def people(carpe: Carpe) -> Carpe:
    """The store with ``ana`` (frontline) and ``root`` (admin), both with :data:`PASSWORD`."""
    with carpe.unit_of_work() as uow:
        for name, role in ROLES.items():
            users.add_user(
                session=uow.session, username=name, password=PASSWORD, role=role, employee_id=None
            )
        uow.commit()
    return carpe


def make_client(carpe: Carpe, settings: Settings | None = None) -> TestClient:
    """A client of a new app (a new "worker") on ``carpe``'s store, with other settings if given.

    Use it in a ``with`` block: with ``settings`` the app opens (and closes) its own engine.
    """
    if settings is None:
        return TestClient(create_app(carpe.settings, carpe=carpe))
    return TestClient(create_app(settings))


@pytest.fixture
def client(people: Carpe) -> Iterator[TestClient]:
    """A browser-like client of the app over :func:`people`'s store."""
    with make_client(people) as test_client:
        yield test_client


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> int:
    """Post the sign-in form as a browser would; the response's status (303 when signed in)."""
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    return response.status_code


@pytest.fixture
def signed_in(client: TestClient) -> Callable[[str], TestClient]:
    """Sign the client in as a user; returns it (fails when sign-in does not succeed)."""

    def signer(username: str) -> TestClient:
        client.cookies.clear()
        assert sign_in(client, username) == 303
        return client

    return signer


def run_cli(*args: str, input: str | None = None) -> tuple[int, str, str]:
    """Run ``carpe ARGS``; its exit status, standard output and standard error."""
    result = CliRunner().invoke(cli_app, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr
