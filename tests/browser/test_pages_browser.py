"""Every page of the demo, as a manager and as a frontline employee, at desktop and phone width.

Each page is saved to ``test-artifacts/pages-<role>-<width>-<page>.png`` for a person to
look at, and read for what a user would call a bug: a page that fails, a row wider than
a phone, an employee's or contact's id where their name belongs.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from carpe.services.demo import DEMO_USER, Demo
from tests.browser.conftest import shot, sign_in

pytestmark = pytest.mark.browser

WIDTHS = (1366, 390)
PAGES = (
    ("today", "/today"),
    ("accounts", "/accounts"),
    ("search", "/search?q=an"),
    ("log", "/search?to=log"),
    ("conflicts", "/conflicts"),
    ("gestures", "/gestures"),
    ("gestures-team", "/gestures/team"),
    ("gestures-budgets", "/gestures/budgets"),
    ("stories", "/stories"),
    ("my-week", "/my-week"),
    ("my-week-team", "/my-week/team"),
    ("retention", "/retention"),
    ("specialists", "/specialists"),
    ("preferences", "/preferences"),
    ("your-account", "/account"),
)
ID_WHERE_A_NAME_BELONGS = re.compile(r"\b(?:E\d{5}|C\d{8})\b")
"""The demo's employee and contact ids: a page shows people by name."""


def _first_link(page: Any, base: str, path: str, selector: str) -> str | None:
    page.goto(f"{base}{path}")
    link = page.locator(selector).first
    return str(link.get_attribute("href")) if link.count() else None


def _pages(page: Any, base: str) -> list[tuple[str, str]]:
    """The fixed pages and one of each page about something: an account, a contact, a story."""
    found = list(PAGES)
    account = _first_link(page, base, "/accounts", "main a[href^='/accounts/A']")
    if account:
        found += [("account", account), ("ledger", f"{account}/ledger")]
        contact = _first_link(page, base, account, "main a[href^='/contacts/']")
        if contact:
            contact_id = contact.rsplit("/", 1)[-1]
            touchpoint = f"/touchpoints/new?account_id={account.rsplit('/', 1)[-1]}"
            found += [
                ("contact", contact),
                ("touchpoint-new", f"{touchpoint}&contact_id={contact_id}"),
                ("gestures-log", f"/gestures/log?contact_id={contact_id}"),
            ]
    story = _first_link(page, base, "/stories", "main a[href^='/stories/S']")
    if story:
        found.append(("story", story))
    conflict = _first_link(page, base, "/conflicts", "main a[href^='/conflicts/']")
    if conflict:
        found.append(("conflict", conflict))
    return found


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("role", ["manager", "frontline"])
def test_every_page_renders_fits_the_screen_and_names_people(
    demo: tuple[str, Demo], browser: object, role: str, width: int
) -> None:
    base, prepared = demo
    user, password = (
        (DEMO_USER, prepared.password)
        if role == "manager"
        else (prepared.frontline_username, prepared.frontline_password)
    )
    page: Any = sign_in(browser, base, user, width=width, password=password)
    problems: list[str] = []
    seen = 0
    for name, path in _pages(page, base):
        response = page.goto(f"{base}{path}")
        status = response.status if response else 0
        shot(page, f"pages-{role}-{width}-{name}")
        if role == "frontline" and status == 403:
            continue  # a manager's page, refused with a page that says so
        seen += 1
        if status != 200:
            problems.append(f"{path}: status {status}")
            continue
        wide = page.evaluate("document.documentElement.scrollWidth")
        if wide > width:
            problems.append(f"{path}: {wide} px wide on a {width} px screen")
        ids = sorted(set(ID_WHERE_A_NAME_BELONGS.findall(page.inner_text("main"))))
        if ids:
            problems.append(f"{path}: ids where names belong: {ids[:5]}")
    assert seen >= 15 if role == "manager" else seen >= 10
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_sign_in_page_fits_the_screen(
    demo: tuple[str, Demo], browser: object, width: int
) -> None:
    base, _ = demo
    context = browser.new_context(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(f"{base}/login")
    shot(page, f"pages-signed-out-{width}-login")
    assert page.get_by_role("button", name="Sign in").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()
