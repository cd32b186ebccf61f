"""Probe 9: weak passwords were accepted; names differing only in case were two users."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from carpe.config import load_settings
from carpe.context import Carpe
from carpe.errors import StoreError, UsageError
from carpe.services import users
from carpe.services.passwords import check_password
from tests.security.conftest import PASSWORD, run_cli, sign_in


@pytest.mark.parametrize(
    "weak", ["password", "12345678", "Password1", "qwertyuiop", "iloveyou", "ana12345"]
)
def test_common_and_guessable_passwords_are_refused(weak: str) -> None:
    with pytest.raises(UsageError, match=r"common|guess"):
        check_password(weak, username="ana")


def test_a_long_uncommon_passphrase_is_accepted() -> None:
    check_password("correct horse battery", username="ana")
    check_password("Vr7#kq2!Lm9z", username="ana")


def test_adding_a_user_with_a_weak_password_says_why(people: Carpe) -> None:
    code, _, err = run_cli(
        "--db", people.settings.database_url, "user", "add", "bo", "--password", "12345678"
    )
    assert code == 2
    assert "common" in err


def test_a_name_differing_only_in_case_is_the_same_user(client: TestClient, people: Carpe) -> None:
    with people.unit_of_work() as uow, pytest.raises(UsageError, match="taken"):
        users.add_user(
            session=uow.session, username="ANA", password=PASSWORD, role="admin", employee_id=None
        )
    assert sign_in(client, "ANA") == 303
    assert client.get("/api/v1/me").json()["username"] == "ana"


def test_the_migration_refuses_names_that_differ_only_in_case(tmp_path: Path) -> None:
    from alembic import command
    from sqlalchemy import text

    from carpe.store.engine import _alembic_config

    carpe = Carpe(load_settings(database_url=f"sqlite:///{tmp_path / 'old.db'}"))
    config = _alembic_config(carpe.engine)
    command.upgrade(config, "0009")
    with carpe.engine.begin() as connection:
        for name in ("Ana", "ana"):
            connection.execute(
                text(
                    "INSERT INTO users (username, password_hash, role, active, created_at) "
                    "VALUES (:n, 'x', 'frontline', 1, '2026-01-01')"
                ),
                {"n": name},
            )
    with pytest.raises(StoreError, match="differ in more than case"):
        command.upgrade(config, "head")
    carpe.close()
