"""My week's reads from the store: a gesture thanked, a moment closed, the team's total."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from carpe.context import Carpe
from carpe.errors import ForbiddenError, NotFoundError
from carpe.ingest import import_folder
from carpe.services import my_week
from carpe.services.permissions import Viewer
from tests.factories import make_touchpoint, small_business, write_folder

ANA = Viewer(1, "ana", "frontline", "E1")
BOSS = Viewer(2, "mona", "manager", None)
DAY = date(2026, 3, 9)


@pytest.fixture
def store(carpe: Carpe, tmp_path: Path) -> Carpe:
    files = small_business()
    files["feedback"].append(
        {"feedback_id": "F2", "account_id": "A1", "contact_id": "C1",
         "received_at": "2026-03-08T18:00:00", "survey": "csat", "score": "5",
         "comment": "Thank you so much for the lovely card!"}
    )  # fmt: skip
    files["touchpoints"].append(
        make_touchpoint(touchpoint_id="T4", account_id="A2", contact_id="C2", employee_id="E2",
                        occurred_at="2026-03-09T09:00:00", kind="call", sentiment="")
    )  # fmt: skip
    import_folder(write_folder(tmp_path / "in", files), engine=carpe.engine)
    return carpe


def test_my_week_shows_a_gesture_thanked_with_the_customers_words(store: Carpe) -> None:
    with store.unit_of_work() as uow:
        page = my_week.my_week(session=uow.session, viewer=ANA, employee_id="E1", day=DAY)
    events = [b for c in page.customers for b in c.basis if b.role == "event"]
    thanked = [b for b in events if b.kind == "thanked"]
    assert thanked, events
    assert "lovely card" in (thanked[0].text or "") and thanked[0].link == "/accounts/A1"
    assert page.week.better >= 1 and page.mine and not page.shared


def test_my_week_counts_a_contact_with_nothing_to_go_on(store: Carpe) -> None:
    with store.unit_of_work() as uow:
        my_week.set_sharing(
            session=uow.session, viewer=Viewer(3, "ben", "frontline", "E2"),
            employee_id="E2", shared=True,
        )  # fmt: skip
        page = my_week.my_week(session=uow.session, viewer=BOSS, employee_id="E2", day=DAY)
    assert page.week.unknown == 1
    (silent,) = [c for c in page.customers if c.verdict == "unknown"]
    assert silent.words == "nothing to go on" and silent.account_id == "A2"
    # No words after; the words before on A2 are E2's own, which say nothing of how A2 came in.
    assert [b.role for b in silent.basis] == []


def test_team_week_totals_a_department_and_refuses_the_frontline(store: Carpe) -> None:
    with store.unit_of_work() as uow:
        billing = my_week.team_week(session=uow.session, viewer=BOSS, day=DAY, department="Billing")
        everyone = my_week.team_week(session=uow.session, viewer=BOSS, day=DAY)
        assert billing.employees == 1 and everyone.employees == 2
        assert billing.week.contacts <= everyone.week.contacts
        with pytest.raises(ForbiddenError):
            my_week.team_week(session=uow.session, viewer=ANA, day=DAY)
        with pytest.raises(NotFoundError):
            my_week.team_week(session=uow.session, viewer=BOSS, day=DAY, department="Nope")
        with pytest.raises(ForbiddenError):
            my_week.set_sharing(session=uow.session, viewer=BOSS, employee_id="E1", shared=True)


def test_my_week_counts_a_ticket_answered_that_did_not_come_back(
    carpe: Carpe, tmp_path: Path
) -> None:
    files = small_business()
    files["touchpoints"] += [
        make_touchpoint(touchpoint_id="K1", occurred_at="2026-03-04T09:00:00", kind="ticket",
                        direction="inbound", subject="Ticket S7: scanner offline",
                        note="Scanner offline again", sentiment="-0.6"),
        make_touchpoint(touchpoint_id="K2", occurred_at="2026-03-04T15:00:00", kind="ticket",
                        direction="outbound", subject="Ticket S7: scanner offline",
                        note="Replaced the cable", sentiment=""),
    ]  # fmt: skip
    import_folder(write_folder(tmp_path / "in", files), engine=carpe.engine)
    with carpe.unit_of_work() as uow:
        page = my_week.my_week(session=uow.session, viewer=ANA, employee_id="E1", day=DAY)
    tickets = [b for c in page.customers for b in c.basis if b.kind == "ticket"]
    assert [(b.source_id, b.link) for b in tickets] == [("K2", "/accounts/A1#tp-K2")]
    assert tickets[0].label == "you answered their ticket and the problem did not come back"
    assert "Scanner offline again" in (tickets[0].text or "")
