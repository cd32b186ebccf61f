"""A real carpe server on a free port, and Chromium driven by Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from carpe.config import load_settings
from carpe.context import Carpe
from carpe.ingest import import_folder
from carpe.services import users
from carpe.services.demo import Demo, prepare_demo
from tests.factories import small_business, write_folder

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "correct horse battery"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(url: str, folder: Path, *, workers: int = 1) -> tuple[subprocess.Popen[bytes], Any, str]:
    """Start ``carpe serve`` on a free port; return the process, its log and the base URL."""
    port = _free_port()
    log = (folder / "server.log").open("wb")
    # Several worker processes: a session signed in on one must be honoured by another.
    command = [sys.executable, "-m", "carpe.cli", "--db", url, "serve", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--workers", str(workers)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=os.environ | {"CARPE_ENVIRONMENT": "test"},
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300  # workers import carpe first; CI machines are busy
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        process.kill()
        raise RuntimeError(
            f"carpe serve did not start: {process.stdout.read() if process.stdout else ''}"
        )
    return process, log, base


def sign_in(
    browser: object, base: str, username: str, width: int = 1200, password: str = PASSWORD
) -> object:
    """A new page, signed in as ``username``, on Today."""
    context = browser.new_context(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(f"{base}/today")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/today")
    return page


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A served store with a small business and two frontline users (ana owns A1, ben A2)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    folder = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{folder / 'carpe.db'}"
    carpe = Carpe(load_settings(database_url=url))
    carpe.migrate()
    import_folder(write_folder(folder / "in", small_business()), engine=carpe.engine)
    with carpe.unit_of_work() as uow:
        users.add_user(
            session=uow.session,
            username="ana",
            password=PASSWORD,
            role="frontline",
            employee_id="E1",
        )
        users.add_user(
            session=uow.session,
            username="ben",
            password=PASSWORD,
            role="frontline",
            employee_id="E2",
        )
        uow.commit()
    carpe.close()
    process, log, base = serve(url, folder, workers=2)
    yield base
    process.terminate()
    process.wait(timeout=10)
    log.close()


DEMO_ACCOUNTS = 500
"""The demo's own size: a smaller business leaves the manager's Today nearly empty on some days."""


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Demo]]:
    """The demo, prepared once and served: (base url, what ``prepare_demo`` returned)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    folder = tmp_path_factory.mktemp("demo")
    prepared = prepare_demo(folder=folder, today=date.today(), accounts=DEMO_ACCOUNTS)
    process, log, base = serve(f"sqlite:///{folder / 'carpe.db'}", folder)
    yield base, prepared
    process.terminate()
    process.wait(timeout=10)
    log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Chromium, headless."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


def shot(page: object, name: str) -> None:
    """Save a screenshot as a test artifact."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]
