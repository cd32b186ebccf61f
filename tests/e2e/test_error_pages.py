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


def test_dates_are_typed_as_the_pages_write_them_and_an_ambiguous_one_is_refused_by_name(
    signed_in: Callable[[str], TestClient],
) -> None:
    client = signed_in("mona")
    form = client.get("/gestures/budgets")
    assert 'type="date"' not in form.text  # never the browser's own locale (mm/dd/yyyy)
    base = {"csrf_token": csrf_of(form.text), "owner": "Operations", "amount": "100"}
    headers = {"Referer": "http://testserver/gestures/budgets", "Accept": "text/html"}
    saved = client.post(
        "/gestures/budgets",
        data=base | {"period_start": "1 Jan 2026", "period_end": "31 Mar 2026"},
        headers=headers,
        follow_redirects=True,
    )
    assert saved.status_code == 200 and "1 Jan 2026" in saved.text
    refused = client.post(
        "/gestures/budgets",
        data=base | {"period_start": "3/4/2026", "period_end": "30 Jun 2026"},
        headers=headers,
    )
    assert refused.status_code == 422
    assert "Period start" in refused.text and "write the day as" in refused.text


def test_your_account_and_the_users_page_name_the_employee_not_their_id(
    signed_in: Callable[[str], TestClient],
) -> None:
    own = signed_in("ana").get("/account").text
    assert "Ana Ruiz" in own and "employee E1" not in own
    users_page = signed_in("root").get("/admin/users").text
    row = users_page[users_page.index('id="user-ana"') :].split("</tr>")[0]
    assert "<td>Ana Ruiz</td>" in row
