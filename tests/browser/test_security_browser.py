"""The security headers in a real browser: no page breaks its own CSP, no site can frame one."""

from __future__ import annotations

from tests.browser.test_frontline import sign_in


def _violations(page: object) -> list[str]:
    found: list[str] = []
    page.on(  # type: ignore[attr-defined]
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return found


def test_pages_and_the_api_docs_run_under_their_policy(server: str, browser: object) -> None:
    page = sign_in(browser, server, "ana")
    violations = _violations(page)
    for path in ("/today", "/accounts/A1", "/contacts/C1", "/gestures", "/stories"):
        page.goto(f"{server}{path}")  # type: ignore[attr-defined]
        page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    page.goto(f"{server}/api/docs")  # type: ignore[attr-defined]
    page.get_by_text("/api/v1/me").first.wait_for()  # type: ignore[attr-defined]
    assert violations == []


def test_another_site_cannot_frame_carpe(server: str, browser: object) -> None:
    page = sign_in(browser, server, "ana")
    page.set_content(f'<iframe id="f" src="{server}/today"></iframe>')  # type: ignore[attr-defined]
    page.wait_for_timeout(1500)  # type: ignore[attr-defined]
    framed = page.frame_locator("#f").get_by_role("button", name="Sign out")  # type: ignore[attr-defined]
    assert framed.count() == 0  # the browser refused to render carpe inside another page
