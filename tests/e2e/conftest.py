"""A small business with users of every role, served in-process."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from carpe.context import Carpe
from carpe.ingest import import_folder
from carpe.memory import Moment
from carpe.services import touchpoints, users
from carpe.services.permissions import SYSTEM
from carpe.store.memory import FollowUp
from carpe.web import create_app
from carpe.web.routes.deps import today
from tests.factories import small_business, write_folder

TODAY = date(2026, 3, 6)
PASSWORD = "correct horse battery"
ROLES = {
    "ana": ("frontline", "E1"),
    "ben": ("frontline", "E2"),
    "mona": ("manager", None),
    "root": ("admin", None),
}


@dataclass
class World:
    """What the tests know about the business they act on."""

    carpe: Carpe
    tokens: dict[str, str]
    sensitive_moment: int
    plain_moment: int
    follow_up_ana: int


def _moment(kind: str, subject: str, summary: str, evidence: str) -> Moment:
    return Moment(
        kind=kind,
        subject=subject,
        summary=summary,
        when=None,  # type: ignore[arg-type]
        follow_up_on=date(2026, 3, 6),
        confidence=1.0,
        evidence=evidence,
    )


@pytest.fixture
def world(carpe: Carpe, tmp_path: Path) -> World:
    import_folder(write_folder(tmp_path / "in", small_business()), engine=carpe.engine)
    tokens: dict[str, str] = {}
    with carpe.unit_of_work() as uow:
        for name, (role, employee) in ROLES.items():
            user = users.add_user(
                session=uow.session,
                username=name,
                password=PASSWORD,
                role=role,
                employee_id=employee,
            )
            tokens[name] = users.create_api_token(
                by=SYSTEM, session=uow.session, user_id=user.id, name="tests", scope="admin"
            )
        ana = users.viewer_for_token(session=uow.session, token=tokens["ana"])
        assert ana is not None
        logged = touchpoints.log_touchpoint(
            session=uow.session,
            viewer=ana,
            account_id="A1",
            contact_id="C1",
            channel="phone",
            kind="call",
            direction="inbound",
            subject="Order check",
            note="Her husband is in hospital after a fall. She is training for the Berlin marathon.",
            occurred_at=datetime(2026, 3, 4, 9, 0),
            today=TODAY,
            moments=[
                _moment(
                    "health",
                    "husband",
                    "husband in hospital after a fall",
                    "Her husband is in hospital after a fall",
                ),
                _moment(
                    "milestone",
                    "Berlin marathon",
                    "training for the Berlin marathon",
                    "She is training for the Berlin marathon",
                ),
            ],
        )
        uow.commit()
        sensitive, plain = (m.id for m in logged.moments)
        follow_up = uow.session.query(FollowUp).filter(FollowUp.moment_id == plain).one()
        return World(carpe, tokens, sensitive, plain, follow_up.id)


@pytest.fixture
def app_client(world: World) -> Iterator[TestClient]:
    app = create_app(world.carpe.settings, carpe=world.carpe)
    app.dependency_overrides[today] = lambda: TODAY
    with TestClient(app) as client:
        yield client


def csrf_of(html: str) -> str:
    """The CSRF token a page carries."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


@pytest.fixture
def signed_in(app_client: TestClient) -> Callable[[str], TestClient]:
    """Sign the client in as one of the users; returns it."""

    def sign_in(username: str) -> TestClient:
        app_client.cookies.clear()
        token = csrf_of(app_client.get("/login").text)
        response = app_client.post(
            "/login",
            data={"username": username, "password": PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        return app_client

    return sign_in
