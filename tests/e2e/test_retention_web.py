"""The manager's retention page on a simulated business, analysed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from carpe.analytics.pipeline.wording import WORSE_WHEN
from carpe.config import load_settings
from carpe.context import Carpe
from carpe.services import users
from carpe.services.analysis import run_analysis
from carpe.services.data import import_data
from carpe.services.permissions import SYSTEM
from carpe.simulate import simulate_business
from carpe.web import create_app
from carpe.web.routes.deps import today

END = date(2026, 10, 31)


def _store(folder: Path, kind: str, seed: int, steps: list[str] | None) -> Carpe:
    """A simulated business of 300 accounts, imported and analysed."""
    simulate_business(folder / "sim", kind=kind, accounts=300, months=24, seed=seed, end=END)  # type: ignore[arg-type]
    carpe = Carpe(
        load_settings(database_url=f"sqlite:///{folder / 'carpe.db'}", environment="test")
    )
    carpe.migrate()
    import_data(engine=carpe.engine, folder=folder / "sim", today=END)
    run_analysis(engine=carpe.engine, today=END, steps=steps)
    return carpe


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Carpe, dict[str, str]]]:
    carpe = _store(tmp_path_factory.mktemp("retention"), "b2b", 5, None)
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
            tokens[name] = users.create_api_token(
                by=SYSTEM, session=uow.session, user_id=user.id, name="t"
            )
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
    # a difference is "less often", never "−0.5 percentage points more often"
    assert not re.search(r"[−-]\d[\d.]* percentage points? (more|less) often", page.text)


def test_retention_page_is_for_managers(analysed: tuple[Carpe, dict[str, str]]) -> None:
    assert client_for(analysed, "fay").get("/retention").status_code == 403


def test_account_page_shows_its_risk_and_reasons(analysed: tuple[Carpe, dict[str, str]]) -> None:
    client = client_for(analysed, "mona")
    first = client.get("/retention").text.split('<a href="/accounts/', 1)[1].split('"', 1)[0]
    page = client.get(f"/accounts/{first}").text
    assert "Risk of leaving" in page
    assert 'class="reason"' in page


def test_risk_bands_have_their_own_colours_and_the_backtest_is_shown(
    analysed: tuple[Carpe, dict[str, str]],
) -> None:
    page = client_for(analysed, "mona").get("/retention").text
    assert 'class="risk risk-high"' in page
    assert "Backtested on this business" in page
    assert "Calibration: predicted risk against what happened" in page


def test_every_reason_points_toward_leaving_and_links_its_records(
    analysed: tuple[Carpe, dict[str, str]],
) -> None:
    client = client_for(analysed, "mona")
    listed = client.get("/api/v1/risk?top=25", headers={"accept": "application/json"}).json()
    drivers = [d for account in listed for d in account["drivers"]]
    assert drivers
    assert all(d["feature"] in WORSE_WHEN and d["contribution"] > 0 for d in drivers)
    assert not {d["feature"] for d in drivers} & {"tenure_days", "annual_value", "segment"}
    linked = [(a, e) for a in listed for d in a["drivers"] for e in d["evidence"]]
    assert linked, "no reason came with a record behind it"
    account, evidence = linked[0]
    page = client.get(evidence["href"].split("#")[0]).text
    assert account["name"] in page
    target = evidence["href"].split("#", 1)[1] if "#" in evidence["href"] else None
    if target and not target.startswith(("tp-", "timeline")):
        assert f'id="{target}"' in page


def test_the_risk_api_is_for_managers(analysed: tuple[Carpe, dict[str, str]]) -> None:
    answer = client_for(analysed, "fay").get("/api/v1/risk", headers={"accept": "application/json"})
    assert answer.status_code == 403


@pytest.fixture(scope="module")
def consumers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Carpe, dict[str, str]]]:
    carpe = _store(tmp_path_factory.mktemp("consumers"), "b2c", 3, ["alive"])
    with carpe.unit_of_work() as uow:
        user = users.add_user(
            session=uow.session, username="mona", password="retention manager 2026", role="manager",
            employee_id=None,
        )  # fmt: skip
        token = users.create_api_token(by=SYSTEM, session=uow.session, user_id=user.id, name="t")
        uow.commit()
    yield carpe, {"mona": token}
    carpe.close()


def test_a_consumer_business_shows_probability_alive_everywhere(
    consumers: tuple[Carpe, dict[str, str]],
) -> None:
    client = client_for(consumers, "mona")
    page = client.get("/retention").text
    assert "Customers who may have quietly left" in page
    listed = client.get("/api/v1/alive?top=500", headers={"accept": "application/json"}).json()
    assert len(listed) > 100
    alive = [a["p_alive"] for a in listed]
    assert alive == sorted(alive) and 0 <= alive[0] < alive[-1] <= 1
    assert all(a["expected"] >= 0 and a["purchases"] >= 1 for a in listed)
    # the likeliest lapsed bought long ago; the surest bought recently
    assert listed[0]["last_purchase"] < listed[-1]["last_purchase"]
    first = listed[0]["account_id"]
    account = client.get(f"/accounts/{first}").text
    assert "Still a customer?" in account and "purchases expected in the next 13 weeks" in account
    one = client.get(f"/api/v1/accounts/{first}/alive", headers={"accept": "application/json"})
    assert one.status_code == 200 and one.json()["p_alive"] == listed[0]["p_alive"]
