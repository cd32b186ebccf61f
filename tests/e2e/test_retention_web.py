"""The manager's retention page on a simulated business, analysed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from carpe.config import load_settings
from carpe.context import Carpe
from carpe.services import users
from carpe.services.analysis import run_analysis
from carpe.services.data import import_data
from carpe.simulate import simulate_business
from carpe.web import create_app
from carpe.web.routes.deps import today

END = date(2026, 10, 31)


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Carpe, dict[str, str]]]:
    folder: Path = tmp_path_factory.mktemp("retention")
    simulate_business(folder / "sim", kind="b2b", accounts=300, months=24, seed=5, end=END)
    carpe = Carpe(
        load_settings(database_url=f"sqlite:///{folder / 'carpe.db'}", environment="test")
    )
    carpe.migrate()
    import_data(engine=carpe.engine, folder=folder / "sim", today=END)
    run_analysis(engine=carpe.engine, today=END)
    tokens = {}
    with carpe.unit_of_work() as uow:
        for name, role in (("mona", "manager"), ("fay", "frontline")):
            user = users.add_user(
                session=uow.session,
                username=name,
                password="retention reader 2026",
                role=role,
                employee_id=None,
            )
            tokens[name] = users.create_api_token(session=uow.session, user_id=user.id, name="t")
        uow.commit()
    yield carpe, tokens
    carpe.close()


def client_for(analysed: tuple[Carpe, dict[str, str]], name: str) -> TestClient:
    carpe, tokens = analysed
    app = create_app(carpe.settings, carpe=carpe)
    app.dependency_overrides[today] = lambda: END
    return TestClient(
        app, headers={"Authorization": f"Bearer {tokens[name]}", "accept": "text/html"}
    )


def test_retention_page_shows_curves_risk_reasons_and_the_gesture_effect(
    analysed: tuple[Carpe, dict[str, str]],
) -> None:
    page = client_for(analysed, "mona").get("/retention")
    assert page.status_code == 200
    assert page.text.count('<svg class="chart"') >= 2
    assert "Accounts most at risk, and why" in page.text
    assert page.text.count('class="reason"') >= 10
    assert "percentage points" in page.text or "Too few accounts" in page.text


def test_retention_page_is_for_managers(analysed: tuple[Carpe, dict[str, str]]) -> None:
    assert client_for(analysed, "fay").get("/retention").status_code == 403


def test_account_page_shows_its_risk_and_reasons(analysed: tuple[Carpe, dict[str, str]]) -> None:
    client = client_for(analysed, "mona")
    first = client.get("/retention").text.split('<a href="/accounts/', 1)[1].split('"', 1)[0]
    page = client.get(f"/accounts/{first}").text
    assert "Risk of leaving" in page
    assert 'class="reason"' in page
