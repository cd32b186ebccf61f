"""My week through the app and the CLI: an employee sees their own, a manager the team's total."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from carpe.cli import app as cli_app
from tests.e2e.conftest import World

API = "/api/v1"


def _as(client: TestClient, world: World, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[name]}"}


def test_my_week_page_shows_whose_day_was_better_with_links(
    signed_in: Callable[[str], TestClient],
) -> None:
    client = signed_in("ana")
    page = client.get("/my-week")
    assert page.status_code == 200
    html = page.text
    assert "had a better day" in html
    assert "Acme Tools" in html
    assert "Praised you by name" in html
    assert "Ana in dispatch saved us again" in html
    assert 'href="/accounts/A1#tp-T1"' in html or 'href="/accounts/A1#tp-T2"' in html
    assert "Bolt &amp; Co" not in html  # Ben's customer, not Ana's
    assert 'href="/my-week"' in html  # the nav link


def test_my_week_api_gives_an_employee_their_own_week_and_nobody_elses(
    app_client: TestClient, world: World
) -> None:
    mine = app_client.get(f"{API}/employees/E1/week", headers=_as(app_client, world, "ana"))
    assert mine.status_code == 200, mine.text
    body = mine.json()
    assert body["week"]["better"] >= 1
    assert body["week"]["start"] == "2026-02-28" and body["week"]["end"] == "2026-03-06"
    praised = [b for c in body["customers"] for b in c["basis"] if b["kind"] == "praise"]
    assert praised and praised[0]["link"] == "/accounts/A1"
    assert len(body["trend"]) == 8
    other = app_client.get(f"{API}/employees/E2/week", headers=_as(app_client, world, "ana"))
    assert other.status_code == 403


def test_my_week_manager_sees_the_team_total_and_a_page_only_once_shared(
    app_client: TestClient, world: World
) -> None:
    boss = _as(app_client, world, "mona")
    assert app_client.get(f"{API}/employees/E1/week", headers=boss).status_code == 403
    team = app_client.get(f"{API}/teams/week", headers=boss)
    assert team.status_code == 200
    total = team.json()
    assert total["employees"] == 2 and total["department"] is None
    assert "customers" not in total and "E1" not in team.text  # a total, nobody named
    assert (
        app_client.get(f"{API}/teams/week", headers=_as(app_client, world, "ana")).status_code
        == 403
    )
    refused = app_client.put(
        f"{API}/employees/E1/week/sharing", json={"shared": True}, headers=boss
    )
    assert refused.status_code == 403
    shared = app_client.put(
        f"{API}/employees/E1/week/sharing", json={"shared": True},
        headers=_as(app_client, world, "ana"),
    )  # fmt: skip
    assert shared.json() == {"employee_id": "E1", "shared": True}
    opened = app_client.get(f"{API}/employees/E1/week", headers=boss)
    assert opened.status_code == 200 and opened.json()["shared"] is True
    assert app_client.get(f"{API}/employees/E2/week", headers=boss).status_code == 403


def test_my_week_sharing_form_lets_the_manager_open_the_page_from_the_team_total(
    signed_in: Callable[[str], TestClient],
) -> None:
    client = signed_in("mona")
    assert "Pages shared with you" not in client.get("/my-week/team").text
    assert client.get("/employees/E1/week").status_code == 403
    client = signed_in("ana")
    page = client.get("/my-week").text
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    saved = client.post(
        "/my-week/sharing", data={"csrf_token": token, "shared": "on"}, follow_redirects=False
    )
    assert saved.status_code == 303
    assert "Managers can open this page." in client.get("/my-week").text
    client = signed_in("mona")
    team = client.get("/my-week/team").text
    assert 'href="/employees/E1/week"' in team and "E2/week" not in team
    assert "Ana Ruiz's week" in client.get("/employees/E1/week").text


def test_my_week_cli_keeps_the_same_privacy(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARPE_DATABASE_URL", world.carpe.settings.database_url)
    runner = CliRunner()
    # the store comes from the environment: --db would outlive the test in the CLI's state
    day = ["--day", "2026-03-06"]
    mine = runner.invoke(cli_app, ["my-week", "--employee", "E1", "--as", "ana", *day])
    assert mine.exit_code == 0, mine.output
    assert "had a better day" in mine.output and "Acme Tools" in mine.output
    as_json = runner.invoke(cli_app, ["my-week", "--employee", "E1", "--as", "ana", "--json", *day])
    assert as_json.exit_code == 0 and '"praise"' in as_json.output
    other = runner.invoke(cli_app, ["my-week", "--employee", "E2", "--as", "ana", *day])
    assert other.exit_code == 1 and "its employee's own" in other.output
    team = runner.invoke(cli_app, ["my-week", "--team", "--as", "mona", *day])
    assert team.exit_code == 0 and "had a better day" in team.output
    assert "Acme Tools" not in team.output
    unknown = runner.invoke(cli_app, ["my-week", "--employee", "E1", "--as", "nobody"])
    assert unknown.exit_code == 2 and "nobody" in unknown.output


def test_my_week_counts_a_moment_remembered_and_asked_about(
    signed_in: Callable[[str], TestClient], world: World
) -> None:
    client = signed_in("ana")
    token = client.get("/my-week").text.split('name="csrf_token" value="')[1].split('"')[0]
    before = client.get("/my-week").text
    assert "You remembered and asked about" not in before
    done = client.post(
        f"/follow-ups/{world.follow_up_ana}/complete",
        data={"csrf_token": token, "outcome": "asked how the training goes"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    after = client.get("/my-week").text
    assert "You remembered and asked about" in after
    assert "training for the Berlin marathon" in after
    assert "husband in hospital" not in after  # a sensitive moment is never quoted
