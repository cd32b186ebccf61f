"""One figure for each budget: the brief, the API, the budgets page and the team view agree."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.e2e.conftest import World


def _auth(world: World, who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[who]}"}


def _spend_past_the_own_budget(client: TestClient, world: World) -> None:
    """Ana (E1, Operations) has 145.50 of her own left; four gestures of 40 spill into the pool."""
    pool = {"owner": "Operations", "period_start": "2026-01-01", "period_end": "2026-03-31",
            "amount": 300}  # fmt: skip
    made = client.post("/api/v1/budgets", headers=_auth(world, "mona"), json=pool)
    assert made.status_code == 201, made.text
    for _ in range(4):
        logged = client.post(
            "/api/v1/gestures",
            headers=_auth(world, "ana"),
            json={"contact_id": "C1", "kind": "card", "cost": 40.0},
        )
        assert logged.status_code == 201 and logged.json()["gesture"]["status"] == "approved"


def _cells(html: str, label: str) -> list[str]:
    row = re.search(rf"<tr>\s*<td>[^<]*<a[^>]*>{label}</a>.*?</tr>", html, re.S)
    assert row, f"no budget row for {label}"
    return re.findall(r'<td class="num">(?:<strong[^>]*>)?([^<]+)', row.group(0))


def test_own_budget_and_pool_are_shown_apart_and_agree_everywhere(
    app_client: TestClient, world: World, signed_in: Callable[[str], TestClient]
) -> None:
    _spend_past_the_own_budget(app_client, world)
    ideas = app_client.get("/api/v1/contacts/C1/gesture-ideas", headers=_auth(world, "ana")).json()
    assert (ideas["budget_left"], ideas["pool_left"], ideas["pool_name"]) == (
        25.5,
        260.0,
        "Operations",
    )
    brief = signed_in("ana").get("/contacts/C1").text
    assert "Your budget left: <strong>€25.50</strong>." in brief
    assert "Operations pool, shared with your department: €260 left." in brief
    assert "285.5" not in brief  # never the two added up as if they were hers
    log = signed_in("ana").get("/gestures/log?contact_id=C1").text
    room = log[log.index('id="budget-room"') :].split("</p>")[0]
    assert "Your budget left: <strong>€25.50</strong>." in room
    assert "Operations pool, shared with your department: €260 left." in room

    budgets = signed_in("mona").get("/gestures/budgets?all=1").text
    _, spent, _, left = _cells(budgets, "Ana Ruiz")
    assert (spent, left) == ("€124.50", "€25.50")
    _, pool_spent, _, pool_left = _cells(budgets, "Operations")
    assert (pool_spent, pool_left) == ("€40", "€260")

    team = app_client.get("/gestures/team?since=2026-01-01&until=2026-03-31").text
    table = team[team.index('id="spend-by-department"') :]
    row = re.search(r"<tr><td>Operations</td>(.*?)</tr>", table, re.S)
    assert row, "Operations missing from spend by department"
    given = re.findall(r'<td class="num">([^<]+)</td>', row.group(1))[1]
    assert given == "€164.50"  # 124.50 from her own budget + 40.00 drawn from the pool
