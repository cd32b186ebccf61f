"""Gesture pages, API and commands through the app: who logs, sees and approves what."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from carpe.cli import app
from carpe.store.access import AuditEntry
from tests.e2e.conftest import World, csrf_of


def _auth(world: World, who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[who]}"}


def _log(client: TestClient, world: World, who: str, **body: Any) -> Any:
    payload = {"contact_id": "C1", "kind": "card", "cost": 5.0, **body}
    return client.post("/api/v1/gestures", headers=_auth(world, who), json=payload)


def test_api_frontline_logs_within_budget_and_sees_it_spent(
    app_client: TestClient, world: World
) -> None:
    done = _log(app_client, world, "ana", description="A card asking after Max")
    assert done.status_code == 201, done.text
    body = done.json()
    assert body["gesture"]["status"] == "approved"
    assert body["gesture"]["gesture_id"].startswith("carpe-g-")
    assert body["budget"]["budget_id"] == "B1" and body["budget"]["left"] == 150 - 4.5 - 5
    listed = app_client.get("/api/v1/gestures", headers=_auth(world, "ana")).json()
    assert listed["total"] == 2 and listed["items"][0]["employee_id"] == "E1"
    budgets = app_client.get("/api/v1/budgets", headers=_auth(world, "ana")).json()
    assert [(b["budget_id"], b["spent"]) for b in budgets] == [("B1", 9.5)]


def test_api_pending_gesture_needs_a_manager_and_frontline_cannot_approve(
    app_client: TestClient, world: World
) -> None:
    waiting = _log(app_client, world, "ana", kind="flowers", cost=80.0).json()["gesture"]
    assert waiting["status"] == "pending" and "threshold" in waiting["reason"]
    url = f"/api/v1/gestures/{waiting['gesture_id']}"
    assert app_client.post(f"{url}/approve", headers=_auth(world, "ana")).status_code == 403
    assert app_client.post(f"{url}/approve", headers=_auth(world, "ben")).status_code == 403
    mine = app_client.get("/api/v1/gestures?status=pending", headers=_auth(world, "mona")).json()
    assert [g["gesture_id"] for g in mine["items"]] == [waiting["gesture_id"]]
    approved = app_client.post(
        f"{url}/approve", headers=_auth(world, "mona"), json={"note": "A lovely thought"}
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["decided_by"] == "mona"
    again = app_client.post(f"{url}/decline", headers=_auth(world, "mona"))
    assert again.status_code == 400
    with world.carpe.unit_of_work() as uow:
        actions = uow.session.scalars(
            select(AuditEntry.action).where(AuditEntry.subject_type == "gesture")
        ).all()
    assert actions == ["gesture.approve"]


def test_api_frontline_cannot_log_against_or_look_at_someone_elses(
    app_client: TestClient, world: World
) -> None:
    made = app_client.post(
        "/api/v1/budgets",
        headers=_auth(world, "mona"),
        json={
            "owner": "E2",
            "period_start": "2026-01-01",
            "period_end": "2026-03-31",
            "amount": 90,
        },
    )
    assert made.status_code == 201 and made.json()["owner_kind"] == "employee"
    bens_budget = made.json()["budget_id"]
    assert _log(app_client, world, "ana", budget_id=bens_budget).status_code == 403
    assert _log(app_client, world, "ana", employee_id="E2").status_code == 403
    bens = _log(app_client, world, "ben", contact_id="C2").json()["gesture"]
    hidden = app_client.get(f"/api/v1/gestures/{bens['gesture_id']}", headers=_auth(world, "ana"))
    assert hidden.status_code == 404
    others = app_client.get("/api/v1/gestures?employee_id=E2", headers=_auth(world, "ana"))
    assert others.status_code == 403
    assert (
        app_client.get(f"/api/v1/budgets/{bens_budget}", headers=_auth(world, "ana")).status_code
        == 404
    )
    seen = app_client.get(f"/api/v1/gestures/{bens['gesture_id']}", headers=_auth(world, "mona"))
    assert seen.status_code == 200 and seen.json()["employee_name"] == "Ben Ode"


def test_api_budgets_are_validated_and_set_by_managers_only(
    app_client: TestClient, world: World
) -> None:
    body = {"owner": "Operations", "period_start": "2026-04-01", "period_end": "2026-06-30"}
    refused = app_client.post(
        "/api/v1/budgets", headers=_auth(world, "ana"), json={**body, "amount": 10}
    )
    assert refused.status_code == 403
    backwards = app_client.post(
        "/api/v1/budgets",
        headers=_auth(world, "mona"),
        json={**body, "period_end": "2026-03-01", "amount": 10},
    )
    assert backwards.status_code == 400 and "period_end" in backwards.json()["error"]["message"]
    negative = app_client.post(
        "/api/v1/budgets", headers=_auth(world, "mona"), json={**body, "amount": -1}
    )
    assert negative.status_code == 422
    nobody = app_client.post(
        "/api/v1/budgets", headers=_auth(world, "mona"), json={**body, "owner": "X", "amount": 1}
    )
    assert nobody.status_code == 400
    edited = app_client.put(
        "/api/v1/budgets/B1",
        headers=_auth(world, "mona"),
        json={
            "owner": "E1",
            "period_start": "2026-01-01",
            "period_end": "2026-03-31",
            "amount": 200,
        },
    )
    assert edited.status_code == 200 and edited.json()["left"] == 200 - 4.5


def test_api_genuineness_and_effects_are_for_managers(app_client: TestClient, world: World) -> None:
    assert app_client.get("/api/v1/genuineness", headers=_auth(world, "ana")).status_code == 403
    assert app_client.get("/api/v1/gesture-effects", headers=_auth(world, "ana")).status_code == 403
    scores = app_client.get("/api/v1/genuineness", headers=_auth(world, "mona"))
    assert scores.status_code == 200 and scores.json() == []  # one gesture: too few to judge
    effects = app_client.get("/api/v1/gesture-effects", headers=_auth(world, "mona")).json()
    assert effects["run_id"] is None and effects["effects"] == []
    ideas = app_client.get("/api/v1/contacts/C1/gesture-ideas", headers=_auth(world, "ana"))
    assert ideas.status_code == 200 and ideas.json()["suggestions"]


def test_today_offers_an_idea_and_one_click_leads_to_a_prefilled_form(
    signed_in: Callable[[str], TestClient],
) -> None:
    client = signed_in("ana")
    today = client.get("/today")
    assert today.status_code == 200 and "Ideas for a small gesture" in today.text
    link = re.search(r'href="(/gestures/log\?[^"]+)"', today.text)
    assert link, "no link to log an idea"
    form = client.get(link.group(1).replace("&amp;", "&"))
    assert form.status_code == 200
    assert 'name="moment_id"' in form.text and 'name="cost"' in form.text
    card = re.search(
        r'<form method="post" action="/gestures" class="actions">(.*?)</form>', today.text, re.S
    )
    assert card, "no one-click form on the idea"
    fields = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', card.group(1)))
    assert fields["next"] == "today" and fields["moment_id"]
    done = client.post("/gestures", data=fields, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/today?gesture=approved"
    assert "Gesture logged and charged" in client.get(done.headers["location"]).text
    assert signed_in("mona").get("/today").status_code == 200  # no employee: no ideas, no error


def test_contact_form_logs_a_gesture_with_the_csrf_token_and_my_page_shows_it(
    signed_in: Callable[[str], TestClient],
) -> None:
    client = signed_in("ana")
    page = client.get("/contacts/C1")
    assert "Log a gesture" in page.text
    forged = client.post("/gestures", data={"contact_id": "C1", "kind": "card", "cost": "5"})
    assert forged.status_code == 403
    done = client.post(
        "/gestures",
        data={
            "csrf_token": csrf_of(page.text),
            "contact_id": "C1",
            "kind": "book",
            "cost": "18.50",
            "description": "A training log for the Berlin marathon",
            "next": "contact",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/contacts/C1?gesture=approved"
    mine = client.get("/gestures")
    assert "A training log for the Berlin marathon" in mine.text
    assert "Get-well card for Max" in mine.text  # the imported one is mine too
    assert "My budget" in mine.text and "127" in mine.text  # 150 - 4.50 - 18.50
    assert client.get("/gestures/team").status_code == 403


def test_manager_view_approves_from_the_page_and_shows_spend_and_budgets(
    app_client: TestClient, world: World, signed_in: Callable[[str], TestClient]
) -> None:
    waiting = _log(app_client, world, "ana", kind="gift", cost=75.0).json()["gesture"]
    client = signed_in("mona")
    page = client.get("/gestures/team")
    assert page.status_code == 200
    assert "Waiting for your approval" in page.text and "Ana Ruiz" in page.text
    assert "Operations" in page.text  # spend by department
    decided = client.post(
        f"/gestures/{waiting['gesture_id']}/decline",
        data={"csrf_token": csrf_of(page.text), "note": "Not this quarter"},
        follow_redirects=False,
    )
    assert decided.status_code == 303
    assert "Nothing waiting" in client.get("/gestures/team").text
    budgets = client.get("/gestures/budgets")
    assert budgets.status_code == 200 and "Ana Ruiz" in budgets.text
    saved = client.post(
        "/gestures/budgets",
        data={
            "csrf_token": csrf_of(budgets.text),
            "owner": "Billing",
            "period_start": "2026-01-01",
            "period_end": "2026-03-31",
            "amount": "300",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303 and "Budget saved" in client.get(saved.headers["location"]).text


def test_cli_logs_lists_and_approves_gestures_and_lists_budgets(world: World) -> None:
    url = world.carpe.settings.database_url
    run = CliRunner().invoke
    logged = run(
        app,
        [
            "--db",
            url,
            "gestures",
            "log",
            "C1",
            "--employee",
            "E1",
            "--kind",
            "flowers",
            "--cost",
            "60",
            "--description",
            "Flowers for her husband",
            "--on",
            "2026-03-06",
            "--json",
        ],
    )
    assert logged.exit_code == 0, logged.stderr
    gesture = json.loads(logged.stdout)["gesture"]
    assert gesture["status"] == "pending"
    waiting = run(app, ["--db", url, "gestures", "pending", "--json"])
    assert [g["gesture_id"] for g in json.loads(waiting.stdout)] == [gesture["gesture_id"]]
    done = run(app, ["--db", url, "gestures", "approve", gesture["gesture_id"], "--note", "ok"])
    assert done.exit_code == 0 and "approved" in done.stdout
    twice = run(app, ["--db", url, "gestures", "decline", gesture["gesture_id"]])
    assert twice.exit_code == 2 and "already approved" in twice.stderr
    budgets = run(app, ["--db", url, "budgets", "--on", "2026-03-06", "--json"])
    assert json.loads(budgets.stdout)[0]["spent"] == 64.5
    bad = run(
        app,
        [
            "--db",
            url,
            "gestures",
            "log",
            "C404",
            "--employee",
            "E1",
            "--kind",
            "card",
            "--cost",
            "1",
        ],
    )
    assert bad.exit_code == 1 and "C404" in bad.stderr
