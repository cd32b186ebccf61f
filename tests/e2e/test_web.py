"""The web pages through an in-process client, signed in."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from carpe.services.accounts import WITHHELD_NOTE
from tests.e2e.conftest import PASSWORD, World, csrf_of


def test_healthz_answers_ok_without_signing_in(app_client: TestClient) -> None:
    response = app_client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_pages_redirect_to_sign_in_when_signed_out(app_client: TestClient) -> None:
    response = app_client.get(
        "/accounts/A1", headers={"accept": "text/html"}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/accounts/A1"


def test_sign_in_refuses_a_wrong_password_and_then_rate_limits(app_client: TestClient) -> None:
    token = csrf_of(app_client.get("/login").text)
    statuses = [
        app_client.post(
            "/login", data={"username": "ana", "password": "nope", "csrf_token": token}
        ).status_code
        for _ in range(6)
    ]
    assert statuses == [401] * 5 + [429]
    right = app_client.post(
        "/login", data={"username": "ana", "password": PASSWORD, "csrf_token": token}
    )
    assert right.status_code == 429  # still blocked for this address and name


def test_sign_in_without_the_csrf_token_is_refused(app_client: TestClient) -> None:
    app_client.get("/login")
    response = app_client.post("/login", data={"username": "ana", "password": PASSWORD})
    assert response.status_code == 403


def test_session_cookie_is_httponly_and_samesite(app_client: TestClient) -> None:
    response = app_client.get("/login")
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_accounts_page_lists_accounts_with_owner(signed_in: Callable[[str], TestClient]) -> None:
    page = signed_in("ana").get("/accounts").text
    assert "Acme Tools" in page and "Bolt &amp; Co" in page
    assert "Ana Ruiz" in page
    assert "left 1 Feb 2026" in page


def test_accounts_search_finds_an_account_by_contact_email(
    signed_in: Callable[[str], TestClient],
) -> None:
    page = signed_in("ana").get("/accounts", params={"q": "li@bolt"}).text
    assert "Bolt &amp; Co" in page
    assert "Acme Tools" not in page


def test_search_page_finds_contacts_by_phone(signed_in: Callable[[str], TestClient]) -> None:
    page = signed_in("ben").get("/search", params={"q": "600 000 001"}).text
    assert "/contacts/C1" in page


def test_account_page_shows_contacts_timeline_orders_and_invoices(
    signed_in: Callable[[str], TestClient],
) -> None:
    page = signed_in("ana").get("/accounts/A1").text
    assert "Maria Lopez" in page
    assert "Her dog Max is sick" in page
    assert "Operations" in page
    assert "O1" in page and "I1" in page
    assert "Ana in dispatch saved us again" in page


def test_account_timeline_filters_by_channel(signed_in: Callable[[str], TestClient]) -> None:
    client = signed_in("ana")
    response = client.get(
        "/accounts/A1", params={"channel": "in_person"}, headers={"HX-Request": "true"}
    )
    assert "1 touchpoint" in response.text
    assert "Her dog Max" in response.text
    assert "Asked about the spare part" not in response.text


def test_sensitive_moment_shows_to_its_recorder_not_to_another_frontline(
    signed_in: Callable[[str], TestClient], world: World
) -> None:
    assert "husband in hospital" in signed_in("ana").get("/accounts/A1").text
    page = signed_in("ben").get("/accounts/A1").text
    assert "husband in hospital" not in page
    brief = signed_in("ben").get("/contacts/C1").text
    assert "A get-well card for husband" not in brief  # no idea gives away a hidden moment
    assert "A book for Berlin marathon" in brief
    assert "training for the Berlin marathon" in page


def test_the_brief_withholds_a_note_holding_a_hidden_sensitive_moment(
    app_client: TestClient, world: World
) -> None:
    def recent_notes(user: str) -> list[str]:
        response = app_client.get(
            "/api/v1/contacts/C1/brief",
            headers={"Authorization": f"Bearer {world.tokens[user]}"},
        )
        assert response.status_code == 200
        return [t["note"] or "" for t in response.json()["recent_touchpoints"]]

    assert any("husband is in hospital" in note for note in recent_notes("ana"))
    hidden = recent_notes("ben")
    assert not any("husband" in note for note in hidden)
    assert WITHHELD_NOTE in hidden


def test_today_lists_my_follow_up_and_completes_it(
    signed_in: Callable[[str], TestClient], world: World
) -> None:
    client = signed_in("ana")
    page = client.get("/today").text
    assert "Wish them luck with Berlin marathon" in page or "Berlin marathon" in page
    response = client.post(
        f"/follow-ups/{world.follow_up_ana}/complete",
        data={"csrf_token": csrf_of(page)},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "Done" in response.text
    assert f"fu-{world.follow_up_ana}" not in client.get("/today").text


def test_frontline_cannot_complete_another_persons_follow_up(
    signed_in: Callable[[str], TestClient], world: World
) -> None:
    client = signed_in("ben")
    token = csrf_of(client.get("/today").text)
    response = client.post(
        f"/follow-ups/{world.follow_up_ana}/complete", data={"csrf_token": token}
    )
    assert response.status_code == 403


def test_log_a_touchpoint_offers_the_moment_and_saves_it_confirmed(
    signed_in: Callable[[str], TestClient],
) -> None:
    client = signed_in("ana")
    form = client.get("/touchpoints/new", params={"account_id": "A1", "contact_id": "C1"}).text
    fields = {
        "csrf_token": csrf_of(form),
        "account_id": "A1",
        "contact_id": "C1",
        "channel": "in_person",
        "kind": "visit",
        "direction": "inbound",
        "occurred_at": "2026-03-06T10:00",
        "subject": "",
        "note": "Her cat Luna is at the vet for surgery on Friday.",
    }
    confirm = client.post("/touchpoints/preview", data=fields)
    assert confirm.status_code == 200
    assert 'data-kind="pet"' in confirm.text
    assert "Luna" in confirm.text
    saved = client.post(
        "/touchpoints",
        data=fields
        | {
            "m0_keep": "on",
            "m0_kind": "pet",
            "m0_subject": "cat Luna",
            "m0_summary": "cat Luna: surgery",
            "m0_when": "2026-03-13",
            "m0_follow_up_on": "2026-03-14",
            "m0_evidence": "Her cat Luna is at the vet",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    brief = client.get(saved.headers["location"]).text
    assert "Touchpoint saved" in brief
    assert "Ask how Luna is doing." in brief
    assert "A treat or toy for Luna" in brief  # a gesture idea for the moment


def test_unknown_account_is_a_404_page(signed_in: Callable[[str], TestClient]) -> None:
    response = signed_in("ana").get("/accounts/NOPE", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert "no account with id" in response.text
