"""What arrives at the edges is stored one way: instants with offsets, and moments' sensitivity."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from carpe.ingest import import_folder
from carpe.store.models import Touchpoint
from carpe.vocabulary import MOMENT_KINDS, is_sensitive
from tests.e2e.conftest import World, csrf_of
from tests.factories import make_touchpoint, small_business, write_folder

INSTANT = "2026-03-05T10:30:00+02:00"
IN_UTC = datetime(2026, 3, 5, 8, 30)


def _bearer(world: World, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[user]}"}


def test_an_instant_with_an_offset_is_stored_the_same_by_import_api_and_form(
    world: World, app_client: TestClient, signed_in: Callable[[str], TestClient], tmp_path: Path
) -> None:
    business = small_business()
    business["touchpoints"].append(make_touchpoint(touchpoint_id="T-IMPORT", occurred_at=INSTANT))
    import_folder(write_folder(tmp_path / "again", business), engine=world.carpe.engine)

    by_api = app_client.post(
        "/api/v1/touchpoints",
        json={"account_id": "A1", "contact_id": "C1", "occurred_at": INSTANT,
              "channel": "phone", "moments": []},
        headers=_bearer(world, "ana"),
    )  # fmt: skip
    assert by_api.status_code == 201, by_api.text

    client = signed_in("ana")
    token = csrf_of(client.get("/touchpoints/new", params={"account_id": "A1"}).text)
    by_form = client.post(
        "/touchpoints",
        data={"account_id": "A1", "contact_id": "C1", "channel": "phone",
              "occurred_at": "2026-03-05T10:30+02:00", "csrf_token": token},
        follow_redirects=False,
    )  # fmt: skip
    assert by_form.status_code == 303, by_form.text
    form_id = re.search(r"saved=([\w-]+)", by_form.headers["location"])
    assert form_id

    ids = ["T-IMPORT", by_api.json()["touchpoint_id"], form_id.group(1)]
    with world.carpe.unit_of_work() as uow:
        stored = dict(
            uow.session.execute(
                select(Touchpoint.touchpoint_id, Touchpoint.occurred_at).where(
                    Touchpoint.touchpoint_id.in_(ids)
                )
            ).all()
        )
    assert stored == dict.fromkeys(ids, IN_UTC)


def test_every_kind_is_sensitive_as_the_vocabulary_says_in_the_api_the_page_and_the_export(
    world: World, app_client: TestClient, signed_in: Callable[[str], TestClient]
) -> None:
    summaries = {kind: f"checking the {kind} moment" for kind in MOMENT_KINDS}
    logged = app_client.post(
        "/api/v1/touchpoints",
        json={"account_id": "A1", "contact_id": "C1", "occurred_at": "2026-03-05T10:30:00",
              "channel": "phone",
              "moments": [{"kind": k, "subject": k, "summary": s, "evidence": s}
                          for k, s in summaries.items()]},
        headers=_bearer(world, "ana"),
    )  # fmt: skip
    assert logged.status_code == 201, logged.text
    expected = {kind: is_sensitive(kind) for kind in MOMENT_KINDS}
    assert {m["kind"]: m["sensitive"] for m in logged.json()["moments"]} == expected

    listed = app_client.get("/api/v1/accounts/A1/moments", headers=_bearer(world, "mona"))
    by_summary = {m["summary"]: m["sensitive"] for m in listed.json()}
    assert {k: by_summary[s] for k, s in summaries.items()} == expected

    exported = app_client.get("/api/v1/contacts/C1/export", headers=_bearer(world, "root"))
    in_export = {m["summary"]: m["sensitive"] for m in exported.json()["moments"]}
    assert {k: in_export[s] for k, s in summaries.items()} == expected

    page = html.unescape(signed_in("mona").get("/accounts/A1").text)
    tagged = {
        kind: bool(re.search(rf"sensitive</span>\s*{re.escape(s)}", page))
        for kind, s in summaries.items()
    }
    assert tagged == expected
