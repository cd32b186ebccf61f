"""The specialists page, its API and ``carpe specialists`` (managers and admins only)."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable

import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from carpe.analytics.specialists import SpecialistsResult, find_specialists
from carpe.cli import specialists_cmd
from carpe.services import specialist_records
from carpe.store.analysis import AnalysisRun
from tests.e2e.conftest import World
from tests.unit.specialists.conftest import AS_OF, SEED, make_company


@functools.cache
def _result() -> SpecialistsResult:
    inputs, _, _ = make_company(accounts=900)
    return find_specialists(inputs)


@pytest.fixture
def stored(world: World) -> World:
    """A specialists result with known flagged people, stored under a finished run."""
    print(f"seed {SEED}")
    result = _result()
    with world.carpe.unit_of_work() as uow:
        run = AnalysisRun(as_of=AS_OF, engine="duckdb", status="finished", horizon_days=0,
                          started_at=AS_OF, finished_at=AS_OF)  # fmt: skip
        uow.session.add(run)
        uow.session.flush()
        specialist_records.write_specialists(session=uow.session, run_id=run.id, result=result)
        uow.commit()
    return world


def test_specialists_page_shows_intervals_recognition_and_key_people(
    stored: World, signed_in: Callable[[str], TestClient]
) -> None:
    page = signed_in("mona").get("/specialists")
    assert page.status_code == 200
    html = page.text
    assert "<svg" in html and "95% intervals" in html
    assert "Recognise" in html and "Person1 Lastname" in html  # E01, a planted hero
    assert 'id="key-people"' in html and "Key-person (poaching) risk" in html
    assert "larger share of that rate" in html  # the statistics, one click away
    main = html[: html.index("<details")]  # what a manager reads first
    assert "q-value" not in main and "false-discovery" not in main
    table = html[
        html.index('id="specialists"') : html.index("</table>", html.index('id="specialists"'))
    ]
    shown = [float(v) for v in re.findall(r'<td class="num">([+-]\d+\.\d)</td>', table)]
    assert shown and shown == sorted(shown, reverse=True)  # "largest effect first", as it says
    board = html[html.index('id="key-people"') :]
    assert not re.search(r"<td>E\d+</td>", board)  # owners by name, never an id


def test_specialists_page_never_calls_someone_a_specialist_on_an_interval_crossing_zero(
    stored: World, signed_in: Callable[[str], TestClient]
) -> None:
    html = signed_in("mona").get("/specialists").text
    table = html[
        html.index('id="specialists"') : html.index("</table>", html.index('id="specialists"'))
    ]
    rows = re.findall(r"<tr( class=\"flagged\")?><td>(.*?)</tr>", table, flags=re.S)
    assert rows
    for flagged, row in rows:
        low, high = (float(v) for v in re.findall(r"<td>([+-]\d+\.\d) to ([+-]\d+\.\d)", row)[0])
        unproven = "not enough evidence yet" in row
        assert unproven == (low <= 0 <= high), row
        assert not (flagged and unproven), row
        assert bool(flagged) == ("<strong>specialist</strong>" in row)
    assert any(flagged for flagged, _ in rows)


def test_specialists_page_is_refused_to_frontline_staff(
    stored: World, signed_in: Callable[[str], TestClient]
) -> None:
    assert signed_in("ana").get("/specialists").status_code == 403


def test_specialists_page_explains_what_to_run_before_any_analysis(
    world: World, signed_in: Callable[[str], TestClient]
) -> None:
    html = signed_in("root").get("/specialists").text
    assert "No specialists analysis yet" in html


def test_specialists_api_lists_effects_sorted_for_managers_only(
    stored: World, app_client: TestClient
) -> None:
    manager = {"Authorization": f"Bearer {stored.tokens['mona']}"}
    body = app_client.get("/api/v1/specialists", headers=manager).json()
    effects = [s["effect"] for s in body["specialists"] if s["effect"] is not None]
    assert effects == sorted(effects, reverse=True)
    flagged = {s["employee_id"] for s in body["specialists"] if s["flagged"]}
    # E02, a planted hero, holds only with the habit weighting and its interval crosses zero
    assert "E01" in flagged and not flagged & {"E02", "E03", "E04"}
    assert all(s["ci_low"] > 0 for s in body["specialists"] if s["flagged"])
    assert body["outcome_days"] == 365
    tested = [s["weight"] for s in body["specialists"] if s["q_value"] is not None]
    assert tested and all(w is not None for w in tested)
    assert sum(tested) / len(tested) == pytest.approx(1.0)  # the weights average 1
    frontline = {"Authorization": f"Bearer {stored.tokens['ana']}"}
    refused = app_client.get("/api/v1/specialists", headers=frontline)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"


def test_specialists_command_prints_json_sorted_by_effect(
    stored: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARPE_DATABASE_URL", stored.carpe.settings.database_url)
    app = typer.Typer()
    specialists_cmd.register(app)
    result = CliRunner().invoke(app, ["--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert list(rows[0]) == list(specialists_cmd.FIELDS)
    assert rows[0]["flagged"] and isinstance(rows[0]["components"], list)
    assert [r["effect"] for r in rows if r["effect"] is not None] == sorted(
        (r["effect"] for r in rows if r["effect"] is not None), reverse=True
    )


def test_specialists_command_analyses_a_store_that_has_no_result_yet(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARPE_DATABASE_URL", world.carpe.settings.database_url)
    app = typer.Typer()
    specialists_cmd.register(app)
    result = CliRunner().invoke(app, [])
    assert result.exit_code == 0, result.output
    assert "accounts followed for" in result.output
