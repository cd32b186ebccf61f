"""The demo's Today in a real browser: every card names its subject, no moment twice.

Issue 18: carpe re-read its own follow-up and gesture notes ("Ask about Followed — and
how it went.", three cards for one anniversary) and lost the person ("Ask how turns 50
went."). This reads every card of the demo's Today as its manager sees it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from carpe.services.demo import DEMO_USER, prepare_demo
from tests.browser.conftest import CHROMIUM, serve, shot, sign_in

pytestmark = pytest.mark.browser

ACCOUNTS = 500
"""The demo's own size: a smaller business leaves the manager's Today nearly empty on some days."""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The demo, prepared and served: (base url, the demo manager's password)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    folder = tmp_path_factory.mktemp("demo")
    prepared = prepare_demo(folder=folder, today=date.today(), accounts=ACCOUNTS)
    process, log, base = serve(f"sqlite:///{folder / 'carpe.db'}", folder)
    yield base, prepared.password
    process.terminate()
    process.wait(timeout=10)
    log.close()


def test_every_card_on_the_demos_today_names_its_subject_and_no_moment_shows_twice(
    demo: tuple[str, str], browser: object
) -> None:
    base, password = demo
    page = sign_in(browser, base, DEMO_USER, password=password)
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
