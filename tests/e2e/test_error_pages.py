"""Error pages name what is wrong in words and keep the way back."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.e2e.conftest import csrf_of


def test_a_missing_form_field_is_named_and_the_page_leads_back(
    signed_in: Callable[[str], TestClient],
) -> None:
    client = signed_in("mona")
    form = client.get("/gestures/budgets")
    refused = client.post(
        "/gestures/budgets",
        data={"csrf_token": csrf_of(form.text), "owner": "Operations", "amount": "100",
              "period_start": "2026-01-01"},
        headers={"Referer": "http://testserver/gestures/budgets", "Accept": "text/html"},
    )  # fmt: skip
    assert refused.status_code == 422
    assert "Period end is required." in refused.text
    assert "Field required" not in refused.text
    assert 'href="/gestures/budgets">Back to the page you came from' in refused.text
    assert "<nav" in refused.text  # signed in: the navigation is there


def test_the_api_keeps_its_machine_readable_error(
    app_client: TestClient,
) -> None:
    answer = app_client.get("/api/v1/accounts?limit=0", headers={"Accept": "application/json"})
    assert answer.status_code in (401, 422)
    assert "error" in answer.json()


def test_a_page_that_does_not_exist_keeps_the_navigation(
    signed_in: Callable[[str], TestClient],
) -> None:
    missing = signed_in("ana").get("/no-such-page", headers={"Accept": "text/html"})
    assert missing.status_code == 404
    assert "<nav" in missing.text and 'href="/today"' in missing.text
