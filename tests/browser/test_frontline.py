"""The frontline loop in a real browser: log a note, confirm the moment, follow it up."""

from __future__ import annotations

from datetime import date, timedelta

from carpe.web.filters import format_date
from tests.browser.conftest import shot, sign_in


def coming_friday(today: date) -> date:
    """The first Friday strictly after ``today`` ("on Friday" in a note written today)."""
    return today + timedelta(days=(4 - today.weekday()) % 7 or 7)


def test_frontline_logs_a_note_confirms_the_pet_moment_and_completes_the_follow_up(
    server: str, browser: object
) -> None:
    page = sign_in(browser, server, "ana")
    page.goto(f"{server}/accounts/A1")
    page.get_by_role("link", name="Log a touchpoint").click()
    page.get_by_label("Contact").select_option("C1")
    page.get_by_label("Note").fill("Her dog Max is at the vet for surgery on Friday")
    shot(page, "log-touchpoint")
    page.get_by_role("button", name="Next: check what carpe noticed").click()

    offered = page.locator("li.moment[data-kind='pet']")
    assert offered.count() == 1
    assert "Max" in offered.locator("input[name$='_subject']").input_value()
    friday = coming_friday(date.today())
    assert offered.locator("input[name$='_when']").input_value() == format_date(friday)
    shot(page, "confirm-moment")
    page.get_by_role("button", name="Save touchpoint").click()
    page.wait_for_url(f"{server}/contacts/C1?saved=*")
    assert page.get_by_text("Ask how Max is doing.").count() == 1

    page.goto(f"{server}/today")
    card = page.locator("li.card", has_text="Ask how Max is doing.")
    due = friday + timedelta(days=1)
    assert f"due {due.day} {due:%b %Y}" in card.inner_text()
    shot(page, "today")
    card.get_by_role("button", name="Done").click()
    page.get_by_text("Done — nicely remembered.").wait_for()
    page.reload()
    assert page.locator("li.card", has_text="Ask how Max is doing.").count() == 0


def test_frontline_cannot_see_another_employees_sensitive_moment(
    server: str, browser: object
) -> None:
    page = sign_in(browser, server, "ana")
    page.goto(f"{server}/touchpoints/new?account_id=A1&contact_id=C1")
    page.get_by_label("Note").fill("Her husband had a heart attack last week and is in hospital.")
    page.get_by_role("button", name="Next: check what carpe noticed").click()
    assert page.locator("li.moment[data-kind='health']").count() == 1
    page.get_by_role("button", name="Save touchpoint").click()
    page.wait_for_url(f"{server}/contacts/C1?saved=*")
    page.goto(f"{server}/accounts/A1")
    assert page.locator("text=sensitive").count() >= 1

    other = sign_in(browser, server, "ben")
    other.goto(f"{server}/accounts/A1")
    body = other.inner_text("main")
    assert "heart attack" not in body and "husband" not in body
    shot(other, "other-frontline-account")


def test_account_page_fits_a_phone_screen(server: str, browser: object) -> None:
    page = sign_in(browser, server, "ana", width=390)
    page.goto(f"{server}/accounts/A1")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.get_by_role("heading", name="Timeline").is_visible()
    shot(page, "account-390px")
