"""Gestures in a real browser: an idea on the brief becomes a logged gesture, at phone width."""

from __future__ import annotations

from tests.browser.conftest import shot, sign_in


def test_frontline_logs_a_gesture_from_an_idea_on_the_brief_at_phone_width(
    server: str, browser: object
) -> None:
    page = sign_in(browser, server, "ana", width=390)
    page.goto(f"{server}/touchpoints/new?account_id=A1&contact_id=C1")
    page.get_by_label("Note").fill("She is training for her first marathon in Valencia.")
    page.get_by_role("button", name="Next: check what carpe noticed").click()
    page.get_by_role("button", name="Save touchpoint").click()
    page.wait_for_url(f"{server}/contacts/C1?saved=*")
    ideas = page.locator(
        "section", has=page.get_by_role("heading", name="Ideas for a small gesture")
    )
    assert "marathon" in ideas.inner_text()
    ideas.get_by_role("link", name="log it…").first.click()
    page.wait_for_url(f"{server}/gestures/log?*")
    assert page.get_by_label("What kind of gesture").input_value() == "book"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "gesture-log-390px")
    page.get_by_role("button", name="Log the gesture").click()
    page.wait_for_url(f"{server}/contacts/C1?gesture=*")
    page.goto(f"{server}/gestures")
    row = page.locator("tr", has_text="marathon")
    assert row.count() == 1
    assert any(s in row.inner_text() for s in ("approved", "pending"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "my-gestures-390px")
