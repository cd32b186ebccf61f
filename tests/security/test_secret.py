"""Probe 1: session cookies signed with the published secret made anyone an admin."""

from __future__ import annotations

import json
from base64 import b64encode
from pathlib import Path

import itsdangerous
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from carpe.config import DEVELOPMENT_SECRET, load_settings
from carpe.context import Carpe
from carpe.errors import ConfigError
from carpe.services.instance import check_serving_host, is_loopback
from carpe.store.access import InstanceSecret
from tests.security.conftest import make_client, run_cli, sign_in


def forge(secret: str, data: dict[str, object]) -> str:
    """A session cookie as Starlette signs one, with ``secret``."""
    payload = b64encode(json.dumps(data).encode())
    return itsdangerous.TimestampSigner(secret).sign(payload).decode()


def test_a_cookie_forged_with_the_published_secret_signs_nobody_in(
    client: TestClient, people: Carpe
) -> None:
    for data in ({"uid": 1}, {"uid": 2}, {"sid": "made-up"}):
        client.cookies.set("carpe_session", forge(DEVELOPMENT_SECRET, data))
        assert client.get("/api/v1/me").status_code == 401


def test_the_default_settings_sign_with_a_secret_of_the_instance(
    client: TestClient, people: Carpe
) -> None:
    assert people.settings.secret_key is None
    assert sign_in(client, "root") == 303
    cookie = client.cookies["carpe_session"]
    with pytest.raises(itsdangerous.BadSignature):
        itsdangerous.TimestampSigner(DEVELOPMENT_SECRET).unsign(cookie)
    with people.unit_of_work() as uow:
        stored = uow.session.scalars(select(InstanceSecret.value)).one()
    itsdangerous.TimestampSigner(stored).unsign(cookie)  # signed with the instance's own
    assert len(stored) >= 43  # 256 random bits


def test_every_worker_of_a_store_reads_the_same_secret(client: TestClient, people: Carpe) -> None:
    assert sign_in(client, "ana") == 303
    with make_client(people) as other_worker:
        other_worker.cookies.set("carpe_session", client.cookies["carpe_session"])
        assert other_worker.get("/api/v1/me").json()["username"] == "ana"


def test_carpe_init_makes_a_random_secret_per_store_and_never_prints_it(tmp_path: Path) -> None:
    secrets = []
    for name in ("one", "two"):
        url = f"sqlite:///{tmp_path / name}.db"
        code, out, _ = run_cli("--db", url, "init")
        assert code == 0
        carpe = Carpe(load_settings(database_url=url))
        with carpe.unit_of_work() as uow:
            secret = uow.session.scalars(select(InstanceSecret.value)).one()
        carpe.close()
        assert secret not in out
        secrets.append(secret)
        code, _, _ = run_cli("--db", url, "init")  # a second init keeps it
        carpe = Carpe(load_settings(database_url=url))
        with carpe.unit_of_work() as uow:
            assert uow.session.scalars(select(InstanceSecret.value)).one() == secret
        carpe.close()
    assert secrets[0] != secrets[1]


def test_the_published_secret_is_refused_when_serving_beyond_this_machine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    published = load_settings(secret_key=DEVELOPMENT_SECRET)
    check_serving_host(settings=published, host="127.0.0.1")  # loopback: only this machine
    for host in ("0.0.0.0", "192.168.1.20", "::"):
        with pytest.raises(ConfigError, match="published development secret"):
            check_serving_host(settings=published, host=host)
    monkeypatch.setenv("CARPE_SECRET_KEY", DEVELOPMENT_SECRET)
    code, _, err = run_cli("--db", f"sqlite:///{tmp_path / 's.db'}", "serve", "--host", "0.0.0.0")
    assert code == 2
    assert "published development secret" in err


def test_the_demo_sign_in_is_refused_beyond_this_machine() -> None:
    demo = load_settings(demo_user="demo")
    with pytest.raises(ConfigError, match="only listens on this machine"):
        check_serving_host(settings=demo, host="0.0.0.0")
    assert is_loopback("localhost") and is_loopback("::1") and not is_loopback("10.0.0.1")


def test_production_refuses_the_published_secret_but_runs_on_its_own() -> None:
    with pytest.raises(ConfigError, match="published development secret"):
        load_settings(environment="production", secret_key=DEVELOPMENT_SECRET)
    assert load_settings(environment="production").secret_key is None


def test_webhooks_are_signed_with_a_secret_of_their_own_that_the_cli_shows(people: Carpe) -> None:
    from carpe.services.instance import signing_secret, webhook_secret

    code, shown, _ = run_cli("--db", people.settings.database_url, "webhooks", "secret")
    assert code == 0
    with people.unit_of_work() as uow:
        hooks = webhook_secret(session=uow.session, settings=people.settings)
        cookies = signing_secret(session=uow.session, settings=people.settings)
    assert shown.strip() == hooks
    assert hooks != cookies  # showing the webhook's secret reveals nothing about the cookies'
    assert hooks != DEVELOPMENT_SECRET
