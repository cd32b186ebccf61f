"""A frontline user opens My week on a simulated business and reads whose day they made better."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import func, select

from carpe.config import load_settings
from carpe.context import Carpe
from carpe.ingest import import_folder
from carpe.services import users
from carpe.simulate import simulate_business
from carpe.store.models import Touchpoint
from tests.browser.conftest import CHROMIUM, PASSWORD, _free_port, shot

SEED = 5


@pytest.fixture(scope="module")
def simulated_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server on a simulated business that ends today, with ``eve`` its busiest employee."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    folder = tmp_path_factory.mktemp("my-week")
    print(f"simulating b2b, 120 accounts, 3 months, seed {SEED}")
    simulate_business(
        folder / "sim", kind="b2b", accounts=120, months=3, seed=SEED, end=date.today()
    )
    url = f"sqlite:///{folder / 'carpe.db'}"
    carpe = Carpe(load_settings(database_url=url))
    carpe.migrate()
    import_folder(folder / "sim", engine=carpe.engine)
    with carpe.unit_of_work() as uow:
        since = date.today().toordinal() - 6
        busiest = uow.session.execute(
            select(Touchpoint.employee_id)
            .where(Touchpoint.occurred_at >= date.fromordinal(since))
            .group_by(Touchpoint.employee_id)
            .order_by(func.count().desc(), Touchpoint.employee_id)
        ).first()
        assert busiest is not None
        users.add_user(
            session=uow.session,
            username="eve",
            password=PASSWORD,
            role="frontline",
            employee_id=busiest[0],
        )
        uow.commit()
    carpe.close()
    port = _free_port()
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "carpe.cli", "--db", url, "serve", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=os.environ | {"CARPE_ENVIRONMENT": "test"},
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(timeout=10)
    log.close()


def test_frontline_reads_whose_day_they_made_better_and_follows_a_link(
    simulated_server: str, browser: object
) -> None:
    base = simulated_server
    context = browser.new_context(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(f"{base}/today")
    page.get_by_label("Username").fill("eve")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/today")
    page.get_by_role("link", name="My week").click()
    page.wait_for_url(f"{base}/my-week")
    headline = page.locator("#headline").inner_text()
    assert "had a better day after being in contact with you this week" in headline
    assert int(headline.split()[0]) >= 1, headline
    better = page.locator("#customers li.verdict-better")
    assert better.count() >= 1
    card = better.first
    assert "left better off" in card.inner_text()
    basis = card.locator("ul.basis li")
    assert basis.count() >= 1
    assert any(w in basis.first.inner_text() for w in ("Before", "After", "Praised"))
    assert page.locator("#trend tbody tr").count() == 8
    shot(page, "my-week")
    name = card.locator(".card-head a strong").inner_text()
    card.locator(".card-head a").click()
    page.wait_for_url(f"{base}/accounts/**")
    assert name in page.locator("h1").inner_text()
    context.close()  # type: ignore[attr-defined]
