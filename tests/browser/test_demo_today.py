"""The demo's Today in a real browser: every card names its subject, no moment twice.

Issue 18: carpe re-read its own follow-up and gesture notes ("Ask about Followed — and
how it went.", three cards for one anniversary) and lost the person ("Ask how turns 50
went."). This reads every card of the demo's Today as its manager sees it.
"""

from __future__ import annotations

import re

import pytest

from carpe.services.demo import DEMO_USER, Demo
from tests.browser.conftest import shot, sign_in

pytestmark = pytest.mark.browser


def test_every_card_on_the_demos_today_names_its_subject_and_no_moment_shows_twice(
    demo: tuple[str, Demo], browser: object
) -> None:
    base, prepared = demo
    page = sign_in(browser, base, DEMO_USER, password=prepared.password)
    shot(page, "demo-today")
    cards = page.locator("li.card[id^='fu-']")
    assert cards.count() >= 3, "the demo's manager should have follow-ups to read"
    seen: set[tuple[str, str]] = set()
    for i in range(cards.count()):
        card = cards.nth(i)
        contact = card.locator(".card-head strong").inner_text().strip()
        kind = card.locator(".card-head .tag").first.inner_text().strip()
        opener = card.locator("p.idea").inner_text().strip()
        summary = card.locator("p.small").inner_text() if card.locator("p.small").count() else ""
        first = contact.split()[0]
        # a sentence: a capital first, a full stop last, no empty or garbled subject
        assert re.match(r"^[A-Z].*\.$", opener), opener
        assert "()" not in opener and "  " not in opener, opener
        assert "Followed" not in opener and "Asked" not in opener, opener
        named = {first} | set(re.findall(r"\b[A-Z][a-z]+\b", summary))
        assert any(name in opener for name in named if name not in ("Ask", "If")), (
            f"{contact}: {opener!r} names nobody"
        )
        key = (contact, opener)
        assert key not in seen, f"two cards for one moment: {contact}, {kind}: {opener}"
        seen.add(key)


def test_the_demo_has_a_frontline_user_who_sees_a_frontline_day(
    demo: tuple[str, Demo], browser: object
) -> None:
    base, prepared = demo
    assert prepared.frontline_password and prepared.frontline_employee
    page = sign_in(browser, base, prepared.frontline_username, password=prepared.frontline_password)
    assert page.locator("header .role").inner_text() == "frontline"
    nav = page.inner_text("nav")
    assert "Retention" not in nav and "Specialists" not in nav  # a manager's pages
    assert page.locator("li.card[id^='fu-']").count() >= 1, "their own follow-ups"
    assert page.goto(f"{base}/retention").status == 403  # type: ignore[union-attr]
    shot(page, "demo-frontline-forbidden")
