"""The authorisation matrix: every endpoint × every role × own or other's data."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from carpe.analytics.conflicts import ConflictReport, Evidence, conflict_id
from carpe.analytics.conflicts.model import Conflict
from carpe.services import conflict_records, story_records
from tests.e2e.conftest import World
from tests.factories import story_on

EVIDENCE = Evidence(invoice_ids=("I1",), period="2026-02", detail="overbilling on I1")

BUDGET = {"owner": "E1", "period_start": "2026-04-01", "period_end": "2026-06-30", "amount": 100}
EVERYONE = {"-": 401, "ana": 200, "ben": 200, "mona": 200, "root": 200}
MANAGERS = {"-": 401, "ana": 403, "ben": 403, "mona": 200, "root": 200}
OWNER_OR_MANAGER = {"-": 401, "ana": 200, "ben": 404, "mona": 200, "root": 200}
OWN_WEEK = {"-": 401, "ana": 200, "ben": 403, "mona": 403, "root": 403}  # ana is E1; not shared

# (name, method, path, body, {user: expected status}); "-" is no credentials at all.
# ana is frontline and owns A1 (and the follow-up and moments on it); ben is frontline on A2.
MATRIX: list[tuple[str, str, str, dict[str, Any] | None, dict[str, int]]] = [
    (
        "health",
        "GET",
        "/healthz",
        None,
        {"-": 200, "ana": 200, "ben": 200, "mona": 200, "root": 200},
    ),
    ("me", "GET", "/api/v1/me", None, {"-": 401, "ana": 200, "ben": 200, "mona": 200, "root": 200}),
    (
        "accounts",
        "GET",
        "/api/v1/accounts",
        None,
        {"-": 401, "ana": 200, "ben": 200, "mona": 200, "root": 200},
    ),
    (
        "account",
        "GET",
        "/api/v1/accounts/A1",
        None,
        {"-": 401, "ana": 200, "ben": 200, "mona": 200, "root": 200},
    ),
    (
        "timeline",
        "GET",
        "/api/v1/accounts/A1/touchpoints",
        None,
        {"-": 401, "ana": 200, "ben": 200, "mona": 200, "root": 200},
    ),
    (
        "moments",
        "GET",
        "/api/v1/accounts/A1/moments",
        None,
        {"-": 401, "ana": 200, "ben": 200, "mona": 200, "root": 200},
    ),
    (
        "brief",
        "GET",
        "/api/v1/contacts/C1/brief",
        None,
        {"-": 401, "ana": 200, "ben": 200, "mona": 200, "root": 200},
    ),
    (
        "preview",
        "POST",
        "/api/v1/moments/preview",
        {"note": "Loves sailing.", "note_date": "2026-03-06"},
        {"-": 401, "ana": 200, "ben": 200, "mona": 200, "root": 200},
    ),
    (
        "log touchpoint",
        "POST",
        "/api/v1/touchpoints",
        {
            "account_id": "A1",
            "contact_id": "C1",
            "occurred_at": "2026-03-06T10:00:00",
            "channel": "phone",
            "moments": [],
        },
        {"-": 401, "ana": 201, "ben": 201, "mona": 201, "root": 201},
    ),
    (
        "own follow-ups",
        "GET",
        "/api/v1/follow-ups?employee_id=E1",
        None,
        {"-": 401, "ana": 200, "ben": 403, "mona": 200, "root": 200},
    ),
    (
        "complete follow-up",
        "POST",
        "/api/v1/follow-ups/{follow_up}/complete",
        {"outcome": "asked"},
        {"-": 401, "ana": 200, "ben": 403, "mona": 200, "root": 200},
    ),
    (
        "snooze follow-up",
        "POST",
        "/api/v1/follow-ups/{follow_up}/snooze",
        {"until": "2026-03-20"},
        {"-": 401, "ana": 200, "ben": 403, "mona": 200, "root": 200},
    ),
    (
        "dismiss follow-up",
        "POST",
        "/api/v1/follow-ups/{follow_up}/dismiss",
        None,
        {"-": 401, "ana": 200, "ben": 403, "mona": 200, "root": 200},
    ),
    (
        "review plain moment",
        "POST",
        "/api/v1/moments/{plain}/review",
        {"action": "confirm"},
        {"-": 401, "ana": 200, "ben": 403, "mona": 200, "root": 200},
    ),
    (
        "review sensitive moment",
        "POST",
        "/api/v1/moments/{sensitive}/review",
        {"action": "confirm"},
        {"-": 401, "ana": 200, "ben": 404, "mona": 200, "root": 200},
    ),
    (
        "export contact",
        "GET",
        "/api/v1/contacts/C1/export",
        None,
        {"-": 401, "ana": 403, "ben": 403, "mona": 403, "root": 200},
    ),
    (
        "erase contact",
        "POST",
        "/api/v1/contacts/C1/erase",
        None,
        {"-": 401, "ana": 403, "ben": 403, "mona": 403, "root": 200},
    ),
    (
        "conflicts",
        "GET",
        "/api/v1/conflicts",
        None,
        {"-": 401, "ana": 200, "ben": 200, "mona": 200, "root": 200},
    ),
    (
        "conflict",
        "GET",
        "/api/v1/conflicts/{conflict}",
        None,
        {"-": 401, "ana": 200, "ben": 404, "mona": 200, "root": 200},
    ),
    (
        "acknowledge conflict",
        "POST",
        "/api/v1/conflicts/{conflict}/acknowledge",
        {"notes": "Credit note asked"},
        {"-": 401, "ana": 200, "ben": 404, "mona": 200, "root": 200},
    ),
    (
        "specialists",
        "GET",
        "/api/v1/specialists",
        None,
        {"-": 401, "ana": 403, "ben": 403, "mona": 200, "root": 200},
    ),
    (
        "create token",
        "POST",
        "/api/v1/tokens",
        {"name": "x"},
        {"-": 401, "ana": 201, "ben": 201, "mona": 201, "root": 201},
    ),
    ("list tokens", "GET", "/api/v1/tokens", None, EVERYONE),
    # token 1 is ana's: she and admins may revoke it; to others it does not exist
    (
        "revoke token",
        "DELETE",
        "/api/v1/tokens/1",
        None,
        {"-": 401, "ana": 200, "ben": 404, "mona": 404, "root": 200},
    ),
    # gestures: ana (E1) owns budget B1 and gave the imported gesture G1; mona and root have
    # no employee, so they log as nobody
    ("budgets", "GET", "/api/v1/budgets", None, EVERYONE),
    (
        "create budget",
        "POST",
        "/api/v1/budgets",
        BUDGET,
        {"-": 401, "ana": 403, "ben": 403, "mona": 201, "root": 201},
    ),
    (
        "budget",
        "GET",
        "/api/v1/budgets/B1",
        None,
        {"-": 401, "ana": 200, "ben": 404, "mona": 200, "root": 200},
    ),
    ("edit budget", "PUT", "/api/v1/budgets/B1", BUDGET, MANAGERS),
    ("gestures", "GET", "/api/v1/gestures", None, EVERYONE),
    (
        "log gesture",
        "POST",
        "/api/v1/gestures",
        {"contact_id": "C1", "kind": "card", "cost": 5},
        {"-": 401, "ana": 201, "ben": 201, "mona": 400, "root": 400},
    ),
    (
        "gesture",
        "GET",
        "/api/v1/gestures/G1",
        None,
        {"-": 401, "ana": 200, "ben": 404, "mona": 200, "root": 200},
    ),
    (
        "decide gesture",
        "POST",
        "/api/v1/gestures/G1/approve",
        None,
        {"-": 401, "ana": 403, "ben": 403, "mona": 404, "root": 404},
    ),
    # stories: one on ana's account A1
    ("stories", "GET", "/api/v1/stories", None, EVERYONE),
    ("story", "GET", "/api/v1/stories/{story}", None, OWNER_OR_MANAGER),
    (
        "story consent",
        "POST",
        "/api/v1/stories/{story}/consent",
        {"status": "requested"},
        OWNER_OR_MANAGER,
    ),
    ("story markdown", "GET", "/api/v1/stories/{story}/markdown", None, OWNER_OR_MANAGER),
    ("genuineness", "GET", "/api/v1/genuineness", None, MANAGERS),
    ("gesture ideas", "GET", "/api/v1/contacts/C1/gesture-ideas", None, EVERYONE),
    ("gesture effects", "GET", "/api/v1/gesture-effects", None, MANAGERS),
    # retention: no analysis has run in this world (the risk list says so: 400)
    (
        "risk",
        "GET",
        "/api/v1/risk",
        None,
        {"-": 401, "ana": 403, "ben": 403, "mona": 400, "root": 400},
    ),
    ("alive", "GET", "/api/v1/alive", None, MANAGERS),
    (
        "account alive",
        "GET",
        "/api/v1/accounts/A1/alive",
        None,
        {"-": 401, "ana": 404, "ben": 404, "mona": 404, "root": 404},
    ),
    ("my week", "GET", "/api/v1/employees/E1/week", None, OWN_WEEK),
    ("share my week", "PUT", "/api/v1/employees/E1/week/sharing", {"shared": False}, OWN_WEEK),
    ("team week", "GET", "/api/v1/teams/week", None, MANAGERS),
]


def _plant_conflict_on_a1(world: World) -> str:
    """An open conflict on ana's account A1; its id."""
    found = Conflict(
        conflict_id=conflict_id("overbilling", "A1", EVIDENCE),
        type="overbilling",
        account_id="A1",
        departments=("Billing", "Sales"),
        evidence=EVIDENCE,
        amount_at_risk=120.0,
        severity=0.7,
    )
    with world.carpe.unit_of_work() as uow:
        conflict_records.record_conflicts(
            session=uow.session,
            report=ConflictReport(date(2026, 3, 6), [found], pd.DataFrame()),
            now=datetime(2026, 3, 6),
        )
        uow.commit()
    return found.conflict_id


def _plant_story_on_a1(world: World) -> str:
    """A drafted story on ana's account A1; its id."""
    told = story_on("A1", "Acme Tools", ("E1", "Ana Ruiz", "Operations"), 0.9)
    with world.carpe.unit_of_work() as uow:
        story_records.record_stories(session=uow.session, stories=[told])
        uow.commit()
    return told.story_id


CASES = [
    pytest.param(name, method, path, body, user, status, id=f"{name}-{user}")
    for name, method, path, body, expected in MATRIX
    for user, status in expected.items()
]


@pytest.mark.parametrize(("name", "method", "path", "body", "user", "status"), CASES)
def test_authorization_matrix(
    app_client: TestClient,
    world: World,
    name: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    user: str,
    status: int,
) -> None:
    url = path.format(
        follow_up=world.follow_up_ana,
        plain=world.plain_moment,
        sensitive=world.sensitive_moment,
        conflict=_plant_conflict_on_a1(world),
        story=_plant_story_on_a1(world),
    )
    headers = {} if user == "-" else {"Authorization": f"Bearer {world.tokens[user]}"}
    response = app_client.request(method, url, json=body, headers=headers)
    assert response.status_code == status, response.text
    if status >= 400:
        assert set(response.json()["error"]) == {"code", "message", "field"}


@pytest.mark.parametrize(
    ("user", "sees"), [("ana", True), ("ben", False), ("mona", True), ("root", True)]
)
def test_sensitive_moments_are_shown_only_to_allowed_roles(
    app_client: TestClient, world: World, user: str, sees: bool
) -> None:
    headers = {"Authorization": f"Bearer {world.tokens[user]}"}
    moments = app_client.get("/api/v1/accounts/A1/moments", headers=headers).json()
    assert (world.sensitive_moment in [m["moment_id"] for m in moments]) is sees
    assert world.plain_moment in [m["moment_id"] for m in moments]
    brief = app_client.get("/api/v1/contacts/C1/brief", headers=headers).json()
    assert any(m["kind"] == "health" for m in brief["open_moments"]) is sees


def test_every_api_endpoint_is_in_the_matrix(app_client: TestClient) -> None:
    from starlette.routing import compile_path

    covered = {(method, path.split("?")[0]) for _, method, path, _, _ in MATRIX}
    paths = app_client.get("/api/openapi.json").json()["paths"]
    missing = [
        f"{method.upper()} {path}"
        for path, operations in paths.items()
        for method in operations
        if not any(m == method.upper() and compile_path(path)[0].match(p) for m, p in covered)
    ]
    assert not missing, f"endpoints with no row in the authorisation matrix: {missing}"
