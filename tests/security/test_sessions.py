"""Probe 3: a captured cookie worked for 14 days after sign-out; no way to disable a user."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from carpe.context import Carpe
from carpe.services import users
from carpe.store.access import WebSession
from tests.security.conftest import PASSWORD, csrf_of, make_client, run_cli, sign_in

NEW_PASSWORD = "a brand new passphrase 42"


def _replay(carpe: Carpe, cookie: str) -> int:
    """What a stolen cookie gets from /api/v1/me, in another client."""
    with make_client(carpe) as thief:
        thief.cookies.set("carpe_session", cookie)
        return thief.get("/api/v1/me").status_code


def _url(carpe: Carpe) -> str:
    return carpe.settings.database_url


def test_a_cookie_captured_before_sign_out_is_worthless_after(
    signed_in: Callable[[str], TestClient], people: Carpe
) -> None:
    client = signed_in("ana")
    captured = client.cookies["carpe_session"]
    assert _replay(people, captured) == 200
    page = client.get("/today")
    response = client.post(
        "/logout", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False
    )
    assert response.headers["location"] == "/login"
    assert _replay(people, captured) == 401


def test_a_password_change_ends_every_session(
    signed_in: Callable[[str], TestClient], people: Carpe
) -> None:
    captured = signed_in("ana").cookies["carpe_session"]
    code, out, _ = run_cli(
        "--db", _url(people), "user", "password", "ana", "--password", NEW_PASSWORD
    )
    assert code == 0, out
    assert _replay(people, captured) == 401
    with make_client(people) as client:
        assert sign_in(client, "ana", PASSWORD) == 401
        assert sign_in(client, "ana", NEW_PASSWORD) == 303


def test_a_disabled_user_is_signed_out_and_cannot_sign_in_until_enabled(
    signed_in: Callable[[str], TestClient], people: Carpe
) -> None:
    captured = signed_in("ana").cookies["carpe_session"]
    assert run_cli("--db", _url(people), "user", "disable", "ana")[0] == 0
    assert _replay(people, captured) == 401
    with make_client(people) as client:
        assert sign_in(client, "ana") == 401
        assert run_cli("--db", _url(people), "user", "enable", "ana")[0] == 0
        assert sign_in(client, "ana") == 303


def test_an_admin_disables_a_user_and_sets_a_password_in_the_ui(
    signed_in: Callable[[str], TestClient], people: Carpe
) -> None:
    captured = signed_in("ana").cookies["carpe_session"]
    admin = signed_in("root")
    page = admin.get("/admin/users")
    assert page.status_code == 200 and "ana" in page.text
    token = csrf_of(page.text)
    response = admin.post("/admin/users/ana/disable", data={"csrf_token": token})
    assert response.status_code == 200
    assert "disabled" in response.text
    assert _replay(people, captured) == 401
    admin.post("/admin/users/ana/enable", data={"csrf_token": token})
    weak = admin.post(
        "/admin/users/ana/password", data={"csrf_token": token, "new_password": "password"}
    )
    assert weak.status_code == 400 and "common" in weak.text
    strong = admin.post(
        "/admin/users/ana/password", data={"csrf_token": token, "new_password": NEW_PASSWORD}
    )
    assert strong.status_code == 200 and "Password of ana changed" in strong.text
    with make_client(people) as client:
        assert sign_in(client, "ana", NEW_PASSWORD) == 303


def test_only_admins_open_the_users_page(signed_in: Callable[[str], TestClient]) -> None:
    assert signed_in("ana").get("/admin/users").status_code == 403


@pytest.mark.parametrize(
    ("column", "age"),
    [("last_seen_at", timedelta(minutes=481)), ("created_at", timedelta(days=15))],
)
def test_a_session_ends_after_its_idle_and_absolute_lifetimes(
    signed_in: Callable[[str], TestClient], people: Carpe, column: str, age: timedelta
) -> None:
    client = signed_in("ana")
    assert client.get("/api/v1/me").status_code == 200
    with people.unit_of_work() as uow:
        for row in uow.session.scalars(select(WebSession)):
            setattr(row, column, getattr(row, column) - age)
        uow.commit()
    assert client.get("/api/v1/me").status_code == 401
    page = client.get("/today", headers={"accept": "text/html"}, follow_redirects=False)
    assert page.headers["location"].startswith("/login")


def test_the_demo_signs_in_once_and_sign_out_reaches_the_sign_in_page(
    people: Carpe, tmp_path: Path
) -> None:
    demo = people.settings.model_copy(update={"demo_user": "root", "environment": "development"})
    with make_client(people, demo) as browser:
        today = browser.get("/today", headers={"accept": "text/html"})
        assert today.status_code == 200 and "root" in today.text  # opens signed in
        response = browser.post(
            "/logout", data={"csrf_token": csrf_of(today.text)}, follow_redirects=False
        )
        assert response.headers["location"] == "/login"
        login = browser.get("/login", headers={"accept": "text/html"})
        assert login.status_code == 200 and 'name="password"' in login.text
        # the demo's sign-in page names its two users, never a password
        hint = login.text[login.text.index('id="demo-users"') :].split("</p>")[0]
        assert "<strong>root</strong>" in hint and "<strong>frontline</strong>" in hint
        again = browser.get("/today", headers={"accept": "text/html"}, follow_redirects=False)
        assert again.headers["location"].startswith("/login")
        assert sign_in(browser, "root") == 303


def test_users_service_ends_sessions_when_disabling(people: Carpe) -> None:
    with people.unit_of_work() as uow:
        user = users.get_user_by_name(session=uow.session, username="ana")
        from carpe.services import sessions

        sessions.start_session(session=uow.session, user_id=user.id)
        assert sessions.count_open_sessions(session=uow.session, user_id=user.id) == 1
        users.set_active(session=uow.session, username="ana", active=False)
        assert sessions.count_open_sessions(session=uow.session, user_id=user.id) == 0


def test_changing_ones_own_password_ends_the_other_sessions_but_not_this_one(
    people: Carpe,
) -> None:
    with make_client(people) as elsewhere, make_client(people) as here:
        assert sign_in(elsewhere, "ana") == 303
        assert sign_in(here, "ana") == 303
        page = here.get("/account")
        token = csrf_of(page.text)
        wrong = here.post(
            "/account/password",
            data={"csrf_token": token, "current_password": "nope", "new_password": NEW_PASSWORD},
        )
        assert wrong.status_code == 400 and "current password" in wrong.text
        weak = here.post(
            "/account/password",
            data={"csrf_token": token, "current_password": PASSWORD, "new_password": "iloveyou"},
        )
        assert weak.status_code == 400 and "common" in weak.text
        done = here.post(
            "/account/password",
            data={"csrf_token": token, "current_password": PASSWORD, "new_password": NEW_PASSWORD},
        )
        assert done.status_code == 200 and "Password changed" in done.text
        assert here.get("/api/v1/me").status_code == 200
        assert elsewhere.get("/api/v1/me").status_code == 401
