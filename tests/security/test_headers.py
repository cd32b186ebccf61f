"""Probe 2: no CSP, no frame protection, no nosniff, no Referrer-Policy, no HSTS."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from carpe.context import Carpe
from tests.security.conftest import make_client

WEB = Path(__file__).resolve().parents[2] / "src" / "carpe" / "web"
PATHS = ["/login", "/today", "/api/v1/me", "/api/openapi.json", "/static/carpe.css", "/nowhere"]


def _directives(policy: str) -> dict[str, str]:
    return {
        part.split()[0]: " ".join(part.split()[1:]) for part in policy.split(";") if part.strip()
    }


@pytest.mark.parametrize("path", PATHS)
def test_every_response_carries_the_security_headers(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    policy = _directives(response.headers["content-security-policy"])
    assert policy["frame-ancestors"] == "'none'"
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"  # no inline script, no other site
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert "strict-transport-security" not in response.headers  # not in development


def test_signed_in_pages_with_buttons_cannot_be_framed(
    signed_in: Callable[[str], TestClient],
) -> None:
    client = signed_in("root")
    for path in ("/today", "/admin/users", "/admin/contacts/C1/erase"):
        response = client.get(path)
        assert response.headers["x-frame-options"] == "DENY", path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], path


def test_production_sends_hsts(people: Carpe) -> None:
    production = people.settings.model_copy(update={"environment": "production"})
    with make_client(people, production) as client:
        response = client.get("/login")
    assert response.headers["strict-transport-security"].startswith("max-age=31536000")


def test_templates_hold_no_inline_script_or_style_the_policy_would_block() -> None:
    for template in sorted((WEB / "templates").glob("*.html")):
        text = template.read_text()
        assert "style=" not in text, template.name
        assert "<style" not in text, template.name
        assert not re.search(r"\son[a-z]+=", text), template.name  # onclick=... handlers
        for script in re.findall(r"<script[^>]*>", text):
            assert "src=" in script, (template.name, script)


def test_the_api_docs_load_everything_from_carpe_itself(client: TestClient) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200
    policy = _directives(page.headers["content-security-policy"])
    assert policy["script-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "cdn" not in page.text and "https://" not in page.text
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text)
    assert len(assets) == 3
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert "<script>" not in page.text  # the start-up code is a file too
