"""Conflict pages, API and command through the app: who sees and acts on what."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from carpe.analytics.conflicts import ConflictReport, Evidence, conflict_id
from carpe.analytics.conflicts.model import Conflict
from carpe.cli import app
from carpe.services import conflict_records, conflicts
from carpe.services.permissions import SYSTEM
from tests.e2e.conftest import World, csrf_of


def _conflict(kind: str, account: str, invoice: str, amount: float) -> Conflict:
    evidence = Evidence(invoice_ids=(invoice,), period="2026-02", detail=f"{kind} on {invoice}")
    return Conflict(
        conflict_id=conflict_id(kind, account, evidence),
        type=kind,
        account_id=account,
        departments=("Billing", "Sales"),
        evidence=evidence,
        amount_at_risk=amount,
        severity=0.7,
    )


@pytest.fixture
def planted(world: World) -> dict[str, str]:
    """Two conflicts: one on ana's account A1, one on ben's account A2."""
    ana = _conflict("overbilling", "A1", "I1", 120.0)
    ben = _conflict("duplicate_invoice", "A2", "I9", 80.0)
    report = ConflictReport(date(2026, 3, 6), [ana, ben], pd.DataFrame())
    with world.carpe.unit_of_work() as uow:
        conflict_records.record_conflicts(
            session=uow.session, report=report, now=datetime(2026, 3, 6)
        )
        uow.commit()
    return {"ana": ana.conflict_id, "ben": ben.conflict_id}


def _auth(world: World, who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[who]}"}


def test_api_lists_only_the_conflicts_a_frontline_user_may_see(
    app_client: TestClient, world: World, planted: dict[str, str]
) -> None:
    mine = app_client.get("/api/v1/conflicts", headers=_auth(world, "ana")).json()
    every = app_client.get("/api/v1/conflicts", headers=_auth(world, "mona")).json()
    assert [c["conflict_id"] for c in mine] == [planted["ana"]]
    assert {c["conflict_id"] for c in every} == set(planted.values())
    assert mine[0]["evidence"]["invoice_ids"] == ["I1"]
    assert mine[0]["owner"] == "E1"


def test_api_actions_follow_the_status_workflow_and_ownership(
    app_client: TestClient, world: World, planted: dict[str, str]
) -> None:
    url = f"/api/v1/conflicts/{planted['ana']}"
    hidden = app_client.post(f"{url}/acknowledge", headers=_auth(world, "ben"))
    assert hidden.status_code == 404
    done = app_client.post(
        f"{url}/acknowledge", headers=_auth(world, "ana"), json={"notes": "Credit note asked"}
    )
    assert done.status_code == 200 and done.json()["status"] == "acknowledged"
    again = app_client.post(f"{url}/acknowledge", headers=_auth(world, "ana"))
    assert again.status_code == 400
    assert again.json()["error"]["code"]
    handed = app_client.post(f"{url}/resolve", headers=_auth(world, "mona"), json={"owner": "E2"})
    assert handed.status_code == 200 and handed.json()["owner"] == "E2"
    refused = app_client.post(f"{url}/reopen", headers=_auth(world, "ana"))
    assert refused.status_code == 403
    unknown = app_client.post(f"{url}/explode", headers=_auth(world, "mona"))
    assert unknown.status_code == 422


def test_radar_page_shows_department_pairs_types_and_money(
    signed_in: Callable[[str], TestClient], planted: dict[str, str]
) -> None:
    page = signed_in("mona").get("/conflicts")
    assert page.status_code == 200
    assert "Billing × Sales" in page.text
    assert "Duplicate invoice" in page.text and "Billed above the order" in page.text
    assert "An invoice asks for more than the order it bills." in page.text  # each type explained
    assert "200" in page.text  # 120 + 80 at stake


def test_list_names_owners_and_acts_on_the_chosen_conflicts_at_once(
    signed_in: Callable[[str], TestClient], world: World, planted: dict[str, str]
) -> None:
    client = signed_in("mona")
    handed = client.post(
        f"/api/v1/conflicts/{planted['ben']}/acknowledge",
        headers=_auth(world, "mona"),
        json={"owner": "E2"},
    )
    assert handed.status_code == 200 and handed.json()["owner_name"] == "Ben Ode"
    page = client.get("/conflicts")
    assert "Ben Ode" in page.text and "E2<" not in page.text
    done = client.post(
        "/conflicts/bulk",
        data={
            "csrf_token": csrf_of(page.text),
            "conflict_id": [planted["ana"], planted["ben"]],
            "action": "resolve",
            "notes": "Credit notes sent",
            "back": "type=&status=",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303 and "done=2" in done.headers["location"]
    after = client.get(done.headers["location"]).text
    assert "2 conflicts changed." in after and "No conflicts match." in after
    resolved = client.get("/api/v1/conflicts?status=resolved", headers=_auth(world, "mona"))
    assert {c["conflict_id"] for c in resolved.json()} == set(planted.values())
    assert all("Credit notes sent" in (c["notes"] or "") for c in resolved.json())


def test_bulk_action_skips_what_a_frontline_user_may_not_change(
    signed_in: Callable[[str], TestClient], world: World, planted: dict[str, str]
) -> None:
    with world.carpe.unit_of_work() as uow:
        conflicts.act_on_conflict(
            viewer=SYSTEM,
            session=uow.session,
            conflict_id=planted["ana"],
            action="acknowledge",
            owner="E1",
        )
        uow.commit()
    client = signed_in("ana")
    page = client.get("/conflicts")
    done = client.post(
        "/conflicts/bulk",
        data={"csrf_token": csrf_of(page.text), "conflict_id": [planted["ana"], planted["ben"]],
              "action": "resolve"},
        follow_redirects=False,
    )  # fmt: skip
    assert "done=1" in done.headers["location"] and "skipped=1" in done.headers["location"]
    assert "1 left as they were" in client.get(done.headers["location"]).text


def test_page_action_needs_the_csrf_token_and_changes_the_status(
    signed_in: Callable[[str], TestClient], planted: dict[str, str]
) -> None:
    client = signed_in("ana")
    page = client.get(f"/conflicts/{planted['ana']}")
    assert page.status_code == 200 and "I1" in page.text
    forged = client.post(f"/conflicts/{planted['ana']}/dismiss", data={"notes": "x"})
    assert forged.status_code in (400, 403)
    token = csrf_of(page.text)
    done = client.post(
        f"/conflicts/{planted['ana']}/dismiss",
        data={"csrf_token": token, "notes": "Not a conflict"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "dismissed" in client.get(f"/conflicts/{planted['ana']}").text
    assert client.get(f"/conflicts/{planted['ben']}").status_code == 404


def test_ledger_page_puts_each_department_side_by_side(
    signed_in: Callable[[str], TestClient], planted: dict[str, str]
) -> None:
    page = signed_in("mona").get("/accounts/A1/ledger?period=2026-02")
    assert page.status_code == 200
    assert "Sales" in page.text and "Billing" in page.text
    assert "overbilling" in page.text
    assert signed_in("mona").get("/accounts/A1/ledger?period=Feb").status_code == 422


def test_fragments_for_the_account_page_and_today(
    signed_in: Callable[[str], TestClient], planted: dict[str, str]
) -> None:
    client = signed_in("ana")
    account = client.get("/accounts/A1/conflicts")
    today = client.get("/today/conflicts")
    assert account.status_code == 200 and "Billed above the order" in account.text
    assert "Billed above the order" in today.text and "Duplicate invoice" not in today.text


def test_cli_lists_conflicts_as_json_filtered_by_type(
    world: World, planted: dict[str, str]
) -> None:
    url = world.carpe.settings.database_url
    result = CliRunner().invoke(app, ["--db", url, "conflicts", "--type", "overbilling", "--json"])
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [r["conflict_id"] for r in rows] == [planted["ana"]]
    bad = CliRunner().invoke(app, ["--db", url, "conflicts", "--status", "maybe"])
    assert bad.exit_code == 2
    done = CliRunner().invoke(app, ["--db", url, "conflict", "resolve", planted["ben"]])
    assert done.exit_code == 0 and "resolved" in done.stdout
