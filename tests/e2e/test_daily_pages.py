"""Today tells overdue follow-ups from those coming up; the navigation leads to logging."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient

from carpe.store.memory import FollowUp
from tests.e2e.conftest import TODAY, World


def test_today_marks_a_follow_up_past_its_day_as_overdue(
    signed_in: Callable[[str], TestClient], world: World
) -> None:
    with world.carpe.unit_of_work() as uow:
        follow_up = uow.session.get(FollowUp, world.follow_up_ana)
        assert follow_up is not None
        follow_up.due_on = TODAY - timedelta(days=3)
        uow.commit()
    page = signed_in("ana").get("/today").text
    card = re.search(rf'<li class="card[^"]*" id="fu-{world.follow_up_ana}">.*?</li>', page, re.S)
    assert card and "overdue" in card.group(0).split(">")[0]
    assert "overdue by 3 days" in card.group(0)


def test_the_navigation_leads_to_logging_a_touchpoint_or_a_gesture_for_a_contact(
    signed_in: Callable[[str], TestClient],
) -> None:
    client = signed_in("ana")
    assert 'href="/search?to=log"' in client.get("/today").text
    found = client.get("/search?to=log&q=Maria").text
    assert "Who was it with?" in found
    assert 'href="/touchpoints/new?account_id=A1&amp;contact_id=C1"' in found
    assert 'href="/gestures/log?contact_id=C1"' in found
    assert client.get("/touchpoints/new?account_id=A1&contact_id=C1").status_code == 200
    assert client.get("/gestures/log?contact_id=C1").status_code == 200


def test_erase_confirmation_names_the_person_and_their_account(
    signed_in: Callable[[str], TestClient],
) -> None:
    page = signed_in("root").get("/admin/contacts/C1/erase").text
    assert "<h1>Erase Maria Lopez" in page and "Acme Tools" in page
    assert "Erase Maria Lopez for good" in page
    assert signed_in("root").get("/admin/contacts/C404/erase").status_code == 404
