"""The web pages through an in-process client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from carpe.context import Carpe
from carpe.ingest import import_folder
from carpe.web import create_app
from tests.factories import small_business, write_folder


@pytest.fixture
def client(carpe: Carpe, tmp_path: Path) -> Iterator[TestClient]:
    import_folder(write_folder(tmp_path / "in", small_business()), engine=carpe.engine)
    with TestClient(create_app(carpe.settings, carpe=carpe)) as client:
        yield client


def test_healthz_answers_ok(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_accounts_page_lists_accounts_with_owner(client: TestClient) -> None:
    page = client.get("/accounts").text
    assert "Acme Tools" in page and "Bolt &amp; Co" in page
    assert "Ana Ruiz" in page
    assert "left 1 Feb 2026" in page


def test_accounts_search_finds_an_account_by_contact_email(client: TestClient) -> None:
    page = client.get("/accounts", params={"q": "li@bolt"}).text
    assert "Bolt &amp; Co" in page
    assert "Acme Tools" not in page
    assert "1 account matching" in page


def test_accounts_search_returns_only_rows_to_htmx(client: TestClient) -> None:
    response = client.get(
        "/accounts",
        params={"q": "acme"},
        headers={"HX-Request": "true", "HX-Target": "account-rows"},
    )
    assert "<html" not in response.text
    assert "Acme Tools" in response.text


def test_account_page_shows_contacts_and_timeline_across_departments(client: TestClient) -> None:
    page = client.get("/accounts/A1").text
    assert "Maria Lopez" in page
    assert "maria@acme.example" in page
    assert "Her dog Max is sick" in page
    assert "Operations" in page
    assert "2 touchpoints" in page
    assert page.index("3 Mar 2026") < page.index("2 Mar 2026")  # newest first


def test_account_timeline_filters_by_channel(client: TestClient) -> None:
    response = client.get(
        "/accounts/A1", params={"channel": "in_person"}, headers={"HX-Request": "true"}
    )
    assert "1 touchpoint" in response.text
    assert "Her dog Max" in response.text
    assert "Asked about the spare part" not in response.text


def test_unknown_account_is_a_404_page(client: TestClient) -> None:
    response = client.get("/accounts/NOPE", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert (
        "no account with id &#39;NOPE&#39;" in response.text
        or "no account with id 'NOPE'" in response.text
    )
