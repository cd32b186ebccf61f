"""Probe 4: API tokens never expired, could not be revoked, and could mint new tokens."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from carpe.context import Carpe
from carpe.errors import ForbiddenError, UsageError
from carpe.services import users
from carpe.services.permissions import SYSTEM
from carpe.store.access import ApiToken
from tests.security.conftest import csrf_of, run_cli


def _token(carpe: Carpe, username: str, scope: str, days: int = 30) -> str:
    with carpe.unit_of_work() as uow:
        user = users.get_user_by_name(session=uow.session, username=username)
        token = users.create_api_token(
            by=SYSTEM,
            session=uow.session,
            user_id=user.id,
            name=f"{scope} test",
            scope=scope,
            days=days,
        )
        uow.commit()
    return token


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_write_token_cannot_mint_tokens_but_an_admin_scoped_one_can(
    client: TestClient, people: Carpe
) -> None:
    write = _token(people, "ana", "write")
    refused = client.post("/api/v1/tokens", json={"name": "more"}, headers=_bearer(write))
    assert refused.status_code == 403
    admin = _token(people, "ana", "admin")
    made = client.post(
        "/api/v1/tokens", json={"name": "more", "scope": "read", "days": 7}, headers=_bearer(admin)
    )
    assert made.status_code == 201
    body = made.json()
    assert body["scope"] == "read" and body["expires_at"]
    assert client.get("/api/v1/me", headers=_bearer(body["token"])).status_code == 200


def test_a_read_token_reads_but_changes_nothing(client: TestClient, people: Carpe) -> None:
    read = _token(people, "ana", "read")
    assert client.get("/api/v1/me", headers=_bearer(read)).status_code == 200
    response = client.post("/api/v1/tokens", json={"name": "x"}, headers=_bearer(read))
    assert response.status_code == 403
    assert "only reads" in response.json()["error"]["message"]


def test_an_expired_token_is_refused(client: TestClient, people: Carpe) -> None:
    token = _token(people, "ana", "read", days=1)
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 200
    with people.unit_of_work() as uow:
        row = uow.session.scalars(select(ApiToken)).one()
        assert row.expires_at is not None
        row.expires_at -= timedelta(days=2)
        uow.commit()
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 401


def test_revoking_through_the_api_stops_the_token_and_records_its_last_use(
    client: TestClient, people: Carpe
) -> None:
    admin = _token(people, "ana", "admin")
    victim = _token(people, "ana", "write")
    assert client.get("/api/v1/me", headers=_bearer(victim)).status_code == 200
    listed = client.get("/api/v1/tokens", headers=_bearer(admin)).json()
    row = next(t for t in listed if t["scope"] == "write")
    assert row["last_used_at"] is not None and row["active"]
    gone = client.delete(f"/api/v1/tokens/{row['token_id']}", headers=_bearer(admin))
    assert gone.status_code == 200 and gone.json()["revoked_at"]
    assert client.get("/api/v1/me", headers=_bearer(victim)).status_code == 401


def test_a_user_cannot_revoke_anothers_token(client: TestClient, people: Carpe) -> None:
    theirs = _token(people, "root", "write")
    mine = _token(people, "ana", "admin")
    with people.unit_of_work() as uow:
        root_token = users.list_tokens(session=uow.session, username="root")[0].token_id
    response = client.delete(f"/api/v1/tokens/{root_token}", headers=_bearer(mine))
    assert response.status_code == 404
    assert client.get("/api/v1/me", headers=_bearer(theirs)).status_code == 200


def test_the_cli_creates_lists_and_revokes_tokens(client: TestClient, people: Carpe) -> None:
    url = people.settings.database_url
    code, token, _ = run_cli(
        "--db", url, "token", "create", "ana", "--scope", "read", "--days", "5"
    )
    assert code == 0
    token = token.strip()
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 200
    code, listing, _ = run_cli("--db", url, "token", "list", "ana")
    assert code == 0 and "read" in listing and "active" in listing
    with people.unit_of_work() as uow:
        token_id = users.list_tokens(session=uow.session, username="ana")[0].token_id
    assert run_cli("--db", url, "token", "revoke", str(token_id))[0] == 0
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 401
    assert "revoked" in run_cli("--db", url, "token", "list", "ana")[1]
    code, _, err = run_cli("--db", url, "token", "create", "ana", "--scope", "god")
    assert code == 2 and "scope" in err


def test_an_admin_revokes_a_token_in_the_ui(
    signed_in: Callable[[str], TestClient], people: Carpe
) -> None:
    token = _token(people, "ana", "write")
    admin = signed_in("root")
    page = admin.get("/admin/users")
    assert "write test" in page.text
    with people.unit_of_work() as uow:
        token_id = users.list_tokens(session=uow.session, username="ana")[0].token_id
    admin.post(f"/admin/tokens/{token_id}/revoke", data={"csrf_token": csrf_of(page.text)})
    admin.cookies.clear()
    assert admin.get("/api/v1/me", headers=_bearer(token)).status_code == 401


def test_the_service_refuses_unknown_scopes_and_token_minting_tokens(people: Carpe) -> None:
    with people.unit_of_work() as uow:
        with pytest.raises(UsageError, match="scope"):
            users.create_api_token(
                by=SYSTEM, session=uow.session, user_id=1, name="x", scope="root"
            )
        viewer = users.viewer_for_token(session=uow.session, token=_token(people, "ana", "write"))
        assert viewer is not None and viewer.scope == "write"
        with pytest.raises(ForbiddenError):
            users.create_api_token(session=uow.session, user_id=1, name="x", by=viewer)


def test_a_person_creates_and_revokes_their_own_token_on_their_account_page(
    signed_in: Callable[[str], TestClient],
) -> None:
    client = signed_in("ana")
    page = client.get("/account")
    token = csrf_of(page.text)
    made = client.post(
        "/account/tokens", data={"csrf_token": token, "name": "sheet", "scope": "read", "days": "7"}
    )
    assert made.status_code == 200
    found = re.search(r'<code id="new-token">([^<]+)</code>', made.text)
    assert found, "the new token is shown once"
    secret = found.group(1)
    assert client.get("/api/v1/me", headers=_bearer(secret)).status_code == 200
    row = re.search(r'id="token-(\d+)"', made.text)
    assert row
    client.post(f"/account/tokens/{row.group(1)}/revoke", data={"csrf_token": token})
    assert "revoked" in client.get("/account").text
    client.cookies.clear()
    assert client.get("/api/v1/me", headers=_bearer(secret)).status_code == 401
