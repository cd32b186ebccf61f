"""schemathesis over the OpenAPI document: no input makes any endpoint answer 5xx."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from carpe.config import load_settings
from carpe.context import Carpe
from carpe.ingest import import_folder
from carpe.services import users
from carpe.services.permissions import SYSTEM
from carpe.web import create_app
from tests.factories import small_business, write_folder

TOKEN: dict[str, str] = {}
STORE: dict[str, Carpe] = {}


def _fresh_token() -> str:
    """An admin-scoped token for root: one per operation, since one operation revokes tokens."""
    carpe = STORE["carpe"]
    with carpe.unit_of_work() as uow:
        user = users.get_user_by_name(session=uow.session, username="root")
        token = users.create_api_token(
            by=SYSTEM, session=uow.session, user_id=user.id, name="fuzz", scope="admin"
        )
        uow.commit()
    return token


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> object:
    """The app's OpenAPI schema, served in-process over a small business, signed in as admin."""
    folder: Path = tmp_path_factory.mktemp("fuzz")
    carpe = Carpe(
        load_settings(database_url=f"sqlite:///{folder / 'carpe.db'}", environment="test")
    )
    carpe.migrate()
    import_folder(write_folder(folder / "in", small_business()), engine=carpe.engine)
    with carpe.unit_of_work() as uow:
        users.add_user(
            session=uow.session,
            username="root",
            password="fuzzing-pass",
            role="admin",
            employee_id="E1",
        )
        uow.commit()
    STORE["carpe"] = carpe
    return schemathesis.openapi.from_asgi(
        "/api/openapi.json", create_app(carpe.settings, carpe=carpe)
    )


def test_api_never_answers_5xx(api_schema: schemathesis.schemas.BaseSchema) -> None:
    """Every operation, a dozen generated requests each (derandomised: the same every run)."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:
        TOKEN["value"] = _fresh_token()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=12,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
        )
        def check(case: schemathesis.Case) -> None:
            response = case.call(headers={"Authorization": f"Bearer {TOKEN['value']}"})
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path}: {response.text[:300]}"
            )
            if response.status_code >= 400:
                assert set(response.json()["error"]) == {"code", "message", "field"}

        check()
