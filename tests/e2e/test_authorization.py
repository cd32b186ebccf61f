"""The authorisation matrix: every route of the app × every role × own or other's data.

The API endpoints (:data:`MATRIX`) are each asked by one user on a fresh store; the
pages and forms (:data:`PAGES`) are each asked on a fresh store by every user in
turn, signed out first. A route the app serves without a row in one of the two
fails :func:`test_every_route_is_in_the_matrix`. The same rules, asked of the one
permission check directly, are tested in ``tests/unit/test_permissions.py``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.routing import Mount, compile_path

from carpe.analytics.conflicts import ConflictReport, Evidence, conflict_id
from carpe.analytics.conflicts.model import Conflict
from carpe.services import chat, conflict_records, story_records
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


def _plant_conflict_on_a1(world: World, period: str = "2026-02") -> str:
    """An open conflict on ana's account A1 (one for each ``period``); its id."""
    evidence = dataclasses.replace(EVIDENCE, period=period)
    found = Conflict(
        conflict_id=conflict_id("overbilling", "A1", evidence),
        type="overbilling",
        account_id="A1",
        departments=("Billing", "Sales"),
        evidence=evidence,
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


def _plant_story_on_a1(world: World, tag: str = "") -> str:
    """A drafted story on ana's account A1 (one for each ``tag``); its id."""
    told = story_on("A1", "Acme Tools", ("E1", "Ana Ruiz", "Operations"), 0.9)
    if tag:
        told = dataclasses.replace(told, story_id=f"{told.story_id}-{tag}")
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


LOGIN = 303
"""Signed out, a page sends the browser to the sign-in page."""
ORDER = ("-", "ben", "ana", "mona", "root")
"""The order users ask a page in (each on their own conflict and story, see :func:`_fill`)."""
ALL = {"-": LOGIN, "ana": 200, "ben": 200, "mona": 200, "root": 200}
ALL_DONE = {"-": LOGIN, "ana": 303, "ben": 303, "mona": 303, "root": 303}
PAGE_MANAGERS = {"-": LOGIN, "ana": 403, "ben": 403, "mona": 200, "root": 200}
PAGE_ADMINS = {"-": LOGIN, "ana": 403, "ben": 403, "mona": 403, "root": 200}
ADMINS_DONE = {"-": LOGIN, "ana": 403, "ben": 403, "mona": 403, "root": 303}
PAGE_OWNER_OR_MANAGER = {"-": LOGIN, "ana": 200, "ben": 404, "mona": 200, "root": 200}
OWNER_OR_MANAGER_DONE = {"-": LOGIN, "ana": 303, "ben": 404, "mona": 303, "root": 303}
OWN_ONLY_DONE = {"-": LOGIN, "ana": 303, "ben": 303, "mona": 400, "root": 400}  # no employee
PUBLIC = {"-": 200, "ana": 200, "ben": 200, "mona": 200, "root": 200}
PASSWORDS = {
    "current_password": "correct horse battery",
    "new_password": "a much longer Passphrase 42",
}
BUDGET_FORM = {
    "owner": "E1",
    "period_start": "2026-04-01",
    "period_end": "2026-06-30",
    "amount": "100",
}
TOUCHPOINT_FORM = {
    "account_id": "A1",
    "contact_id": "C1",
    "channel": "phone",
    "occurred_at": "2026-03-06T10:00",
}

# (method, route path as the app declares it [?query], form or None, {user: status}).
# ana is frontline (E1) and owns A1, C1's follow-up, the conflicts and stories; ben is
# frontline (E2); mona a manager and root an admin, neither an employee.
PAGES: list[tuple[str, str, dict[str, str] | None, dict[str, int]]] = [
    ("GET", "/healthz", None, PUBLIC),
    ("GET", "/login", None, {"-": 200, "ana": 303, "ben": 303, "mona": 303, "root": 303}),
    (
        "POST",
        "/login",
        {"username": "ana", "password": "wrong"},
        {u: 403 for u in ORDER},
    ),  # no CSRF
    ("POST", "/logout", {}, ALL_DONE | {"-": 303}),
    ("GET", "/api/openapi.json", None, PUBLIC),
    ("GET", "/api/docs", None, PUBLIC),
    ("GET", "/", None, ALL_DONE),
    ("GET", "/today", None, ALL),
    ("GET", "/today/conflicts", None, ALL),
    (
        "POST",
        "/follow-ups/{follow_up_id}/complete",
        {"outcome": "asked"},
        OWNER_OR_MANAGER_DONE | {"ben": 403},
    ),
    (
        "POST",
        "/follow-ups/{follow_up_id}/snooze",
        {"until": "2026-03-20"},
        OWNER_OR_MANAGER_DONE | {"ben": 403},
    ),
    ("POST", "/follow-ups/{follow_up_id}/dismiss", {}, OWNER_OR_MANAGER_DONE | {"ben": 403}),
    ("GET", "/accounts", None, ALL),
    ("GET", "/accounts/{account_id}", None, ALL),
    ("GET", "/accounts/{account_id}/ledger", None, ALL),
    ("GET", "/accounts/{account_id}/conflicts", None, ALL),
    ("GET", "/contacts/{contact_id}", None, ALL),
    ("GET", "/search?q=acme", None, ALL),
    ("GET", "/touchpoints/new?account_id=A1", None, ALL),
    ("POST", "/touchpoints/preview", TOUCHPOINT_FORM | {"note": "Loves sailing."}, ALL),
    ("POST", "/touchpoints", TOUCHPOINT_FORM, ALL_DONE),
    ("GET", "/admin/contacts/{contact_id}/export", None, PAGE_ADMINS),
    ("GET", "/admin/contacts/{contact_id}/erase", None, PAGE_ADMINS),
    ("POST", "/admin/contacts/{contact_id}/erase", {}, PAGE_ADMINS),
    ("GET", "/admin/users", None, PAGE_ADMINS),
    ("POST", "/admin/users/{username}/disable", {}, ADMINS_DONE),
    ("POST", "/admin/users/{username}/enable", {}, ADMINS_DONE),
    ("POST", "/admin/users/{username}/end-sessions", {}, ADMINS_DONE),
    (
        "POST",
        "/admin/users/{username}/password",
        {"new_password": PASSWORDS["new_password"]},
        PAGE_ADMINS,
    ),
    ("POST", "/admin/tokens/{token_id}/revoke", {}, ADMINS_DONE),
    ("GET", "/account", None, ALL),
    ("POST", "/account/password", PASSWORDS, ALL),
    ("POST", "/account/tokens", {"name": "x"}, ALL),
    # token 1 is ana's: she and admins may revoke it; to others it does not exist
    ("POST", "/account/tokens/{token_id}/revoke", {}, OWNER_OR_MANAGER_DONE | {"mona": 404}),
    ("GET", "/retention", None, PAGE_MANAGERS),
    ("GET", "/conflicts", None, ALL),
    (
        "POST",
        "/conflicts/bulk",
        {"action": "acknowledge", "conflict_id": "{conflict_id}"},
        ALL_DONE,
    ),
    ("GET", "/conflicts/{conflict_id}", None, PAGE_OWNER_OR_MANAGER),
    (
        "POST",
        "/conflicts/{conflict_id}/{action}",
        {"notes": "asked billing"},
        OWNER_OR_MANAGER_DONE,
    ),
    ("GET", "/specialists", None, PAGE_MANAGERS),
    ("GET", "/gestures", None, ALL),
    ("GET", "/gestures/log?contact_id=C1", None, ALL),
    ("POST", "/gestures", {"contact_id": "C1", "kind": "card", "cost": "5"}, OWN_ONLY_DONE),
    ("GET", "/gestures/team", None, PAGE_MANAGERS),
    (
        "POST",
        "/gestures/{gesture_id}/{decision}",
        {},
        {"-": LOGIN, "ana": 403, "ben": 403, "mona": 404, "root": 404},
    ),
    ("GET", "/gestures/budgets", None, ALL),
    ("GET", "/gestures/budgets/{budget_id}", None, PAGE_OWNER_OR_MANAGER),
    ("POST", "/gestures/budgets", BUDGET_FORM, ADMINS_DONE | {"mona": 303}),
    ("GET", "/stories", None, ALL),
    ("GET", "/stories/{story_id}", None, PAGE_OWNER_OR_MANAGER),
    ("POST", "/stories/{story_id}/consent", {"status": "requested"}, OWNER_OR_MANAGER_DONE),
    ("POST", "/stories/{story_id}/title", {"title": "Saturday rescue"}, OWNER_OR_MANAGER_DONE),
    ("GET", "/stories/{story_id}/markdown", None, PAGE_OWNER_OR_MANAGER),
    ("GET", "/preferences", None, ALL),
    (
        "POST",
        "/preferences",
        {"email": "a@example.com", "digest_time": "07:30", "time_zone": "UTC"},
        ALL,
    ),
    ("POST", "/preferences/calendar", {}, ALL),
    ("POST", "/preferences/calendar/revoke", {}, ALL_DONE),
    (
        "POST",
        "/preferences/chat",
        {"url": "https://chat.example.com/hook", "format": "slack"},
        ALL_DONE,
    ),
    # channel {channel_id} is ana's own: to everyone else it does not exist
    (
        "POST",
        "/preferences/chat/{channel_id}/remove",
        {},
        OWNER_OR_MANAGER_DONE | {"mona": 404, "root": 404},
    ),
    ("GET", "/calendar/{token}.ics", None, {u: 404 for u in ORDER}),  # the path's token is the key
    (
        "GET",
        "/my-week",
        None,
        ALL | {"mona": 303, "root": 303},
    ),  # managers with no employee: the team
    (
        "GET",
        "/employees/{employee_id}/week",
        None,
        {"-": LOGIN, "ana": 200, "ben": 403, "mona": 403, "root": 403},
    ),
    ("GET", "/my-week/team", None, PAGE_MANAGERS),
    ("POST", "/my-week/sharing", {"shared": "true"}, OWN_ONLY_DONE),
]


def _fill(world: World, template: str, user: str) -> str:
    """The route's path with ids of the world: ``user``'s own conflict and story (fresh each)."""
    tag = ORDER.index(user) + 1
    params = {
        "account_id": "A1",
        "contact_id": "C1",
        "employee_id": "E1",
        "follow_up_id": world.follow_up_ana,
        "username": "ben",
        "token_id": 1,
        "conflict_id": _plant_conflict_on_a1(world, period=f"2025-{tag:02d}"),
        "action": "acknowledge",
        "story_id": _plant_story_on_a1(world, tag=str(tag)),
        "gesture_id": "G1",
        "decision": "approve",
        "budget_id": "B1",
        "token": "not-a-calendar-token",
        "channel_id": _channel_of_ana(world),
    }
    return template.format(**params)


def _channel_of_ana(world: World) -> int:
    """ana's own chat webhook (added once); its id."""
    with world.carpe.unit_of_work() as uow:
        mine = [c for c in chat.list_channels(session=uow.session) if c.scope == "user ana"]
        if mine:
            return mine[0].channel_id
        added = chat.add_channel(
            session=uow.session, format="slack", url="https://chat.example.com/ana", username="ana"
        )
        uow.commit()
        return added.channel_id


@pytest.mark.parametrize(
    ("method", "path", "form", "expected"),
    [pytest.param(*row, id=f"{row[0]} {row[1]}") for row in PAGES],
)
def test_authorization_matrix_of_pages(
    app_client: TestClient,
    world: World,
    method: str,
    path: str,
    form: dict[str, str] | None,
    expected: dict[str, int],
) -> None:
    seen = {}
    for user in ORDER:
        app_client.cookies.clear()
        url = _fill(world, path, user)
        data = {k: _fill(world, v, user) for k, v in form.items()} if form is not None else None
        headers = {"Accept": "text/html"}
        if user != "-":
            headers["Authorization"] = f"Bearer {world.tokens[user]}"
        response = app_client.request(
            method, url, data=data, headers=headers, follow_redirects=False
        )
        seen[user] = response.status_code
        if user == "-" and expected[user] == LOGIN and response.status_code == LOGIN:
            assert response.headers["location"].startswith("/login"), response.headers
    assert seen == {user: expected[user] for user in ORDER}


def _routes(app: FastAPI) -> Iterator[tuple[str, str]]:
    """(method, path) of every route the app serves, through included routers and mounts."""

    def walk(routes: list[Any], prefix: str) -> Iterator[tuple[str, str]]:
        for route in routes:
            included = getattr(route, "original_router", None)
            if included is not None:  # FastAPI's included router keeps its own routes
                yield from walk(included.routes, prefix + route.include_context.prefix)
            elif isinstance(route, Mount):
                yield "MOUNT", prefix + route.path
            else:
                for method in sorted(set(route.methods or ()) - {"HEAD"}):
                    yield method, prefix + route.path

    return walk(list(app.routes), "")


def test_every_route_is_in_the_matrix(app_client: TestClient) -> None:
    app = app_client.app
    assert isinstance(app, FastAPI)
    pages = {(method, path.split("?")[0]) for method, path, _, _ in PAGES}
    api = {(method, path.split("?")[0]) for _, method, path, _, _ in MATRIX}
    served = list(_routes(app))
    assert len(served) > 100 and ("MOUNT", "/static") in served
    missing = [
        f"{method} {path}"
        for method, path in served
        if (method, path) not in pages
        and (method, path) != ("MOUNT", "/static")  # carpe's own CSS, scripts, icons
        and not any(m == method and compile_path(path)[0].match(p) for m, p in api)
    ]
    assert not missing, f"routes with no row in the authorisation matrix: {missing}"
