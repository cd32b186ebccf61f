"""Gestures logged against budgets in the store (SQLite and PostgreSQL): approval, re-import."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carpe.context import Carpe
from carpe.errors import ForbiddenError, UsageError
from carpe.services import gesture_budgets, gesture_log, gesture_payoff, personal_data
from carpe.services.analysis import run_analysis
from carpe.services.data import import_data
from carpe.services.permissions import SYSTEM, Viewer
from carpe.store.access import AuditEntry, WebhookDelivery
from carpe.store.gestures import LOGGED_ID_PREFIX, GestureRequest
from carpe.store.memory import StoredMoment
from carpe.store.models import Gesture
from tests.factories import add_viewer, small_business, write_folder

TODAY = date(2026, 3, 6)
THRESHOLD = 50.0


@pytest.fixture
def imported(carpe: Carpe, tmp_path: Path) -> tuple[Carpe, Viewer, Viewer]:
    folder = write_folder(tmp_path / "in", small_business())
    import_data(engine=carpe.engine, folder=folder, today=TODAY)
    with carpe.unit_of_work() as uow:
        ana = add_viewer(uow.session, "ana", "frontline", "E1")
        mona = add_viewer(uow.session, "mona", "manager", None)
        uow.commit()
    return carpe, ana, mona


def _log(
    session: Session, viewer: Viewer, cost: float, **extra: object
) -> gesture_log.LoggedGesture:
    return gesture_log.log_gesture(
        session=session,
        viewer=viewer,
        contact_id="C1",
        kind="card",
        cost=cost,
        description="A get-well card for Max",
        today=TODAY,
        threshold=THRESHOLD,
        **extra,  # type: ignore[arg-type]
    )


def test_log_gesture_within_budget_is_given_at_once_and_spent(
    imported: tuple[Carpe, Viewer, Viewer],
) -> None:
    carpe, ana, _ = imported
    with carpe.unit_of_work() as uow:
        logged = _log(uow.session, ana, 12.5)
        uow.commit()
    g = logged.gesture
    assert (
        g.status == "approved" and g.source == "carpe" and g.gesture_id.startswith(LOGGED_ID_PREFIX)
    )
    assert logged.budget is not None and logged.budget.budget_id == "B1"
    assert logged.budget.spent == pytest.approx(4.5 + 12.5)  # the imported card and this one
    with Session(carpe.engine) as session:
        stored = session.get(Gesture, g.gesture_id)
        assert stored is not None and stored.cost == 12.5 and stored.employee_id == "E1"


def test_log_gesture_above_the_threshold_waits_reserved_until_a_manager_approves(
    imported: tuple[Carpe, Viewer, Viewer],
) -> None:
    carpe, ana, mona = imported
    with carpe.unit_of_work() as uow:
        logged = _log(uow.session, ana, 60.0)
        uow.commit()
    g = logged.gesture
    assert g.status == "pending" and "threshold" in (g.reason or "")
    assert logged.budget is not None and logged.budget.reserved == 60.0
    assert logged.budget.left == pytest.approx(150 - 4.5 - 60)
    with carpe.unit_of_work() as uow:
        assert uow.session.get(Gesture, g.gesture_id) is None
        events = uow.session.scalars(select(WebhookDelivery.event)).all()
        assert events == ["gesture.pending"]
        with pytest.raises(ForbiddenError):
            gesture_log.decide_gesture(
                session=uow.session, viewer=ana, gesture_id=g.gesture_id, approve=True
            )
        decided = gesture_log.decide_gesture(
            session=uow.session, viewer=mona, gesture_id=g.gesture_id, approve=True, note="Kind."
        )
        uow.commit()
    assert decided.status == "approved" and decided.decided_by == "mona"
    assert decided.decision_note == "Kind."
    with carpe.unit_of_work() as uow:
        assert uow.session.get(Gesture, g.gesture_id) is not None
        entry = uow.session.scalars(select(AuditEntry)).one()
        assert (entry.action, entry.subject_id, entry.actor) == (
            "gesture.approve",
            g.gesture_id,
            "mona",
        )
        (budget,) = gesture_budgets.list_budgets(session=uow.session, viewer=ana, on=TODAY)
        assert (budget.spent, budget.reserved) == (pytest.approx(64.5), 0.0)
        with pytest.raises(UsageError, match="already approved"):
            gesture_log.decide_gesture(
                session=uow.session, viewer=mona, gesture_id=g.gesture_id, approve=False
            )


def test_declined_gesture_is_never_given_and_releases_its_reservation(
    imported: tuple[Carpe, Viewer, Viewer],
) -> None:
    carpe, ana, mona = imported
    with carpe.unit_of_work() as uow:
        g = _log(uow.session, ana, 149.0, given_on=date(2026, 3, 1)).gesture
        assert "threshold" in (g.reason or "")
        gesture_log.decide_gesture(
            session=uow.session,
            viewer=mona,
            gesture_id=g.gesture_id,
            approve=False,
            note="Too much",
        )
        uow.commit()
    with carpe.unit_of_work() as uow:
        assert uow.session.get(Gesture, g.gesture_id) is None
        (budget,) = gesture_budgets.list_budgets(session=uow.session, viewer=ana, on=TODAY)
        assert (budget.spent, budget.reserved, budget.left) == (4.5, 0.0, 145.5)
        listed = gesture_log.list_gestures(session=uow.session, viewer=ana, status="declined")
        assert [x.decision_note for x in listed.items] == ["Too much"]


def test_log_gesture_over_budget_waits_even_below_the_threshold(
    imported: tuple[Carpe, Viewer, Viewer],
) -> None:
    carpe, ana, _ = imported
    with carpe.unit_of_work() as uow:
        for _ in range(3):
            assert _log(uow.session, ana, 45.0).gesture.status == "approved"  # 4.5 + 135 spent
        late = _log(uow.session, ana, 45.0).gesture
        uow.commit()
    assert late.status == "pending" and "over budget" in (late.reason or "")


def test_reimporting_gestures_leaves_logged_ones_and_their_approval_alone(
    imported: tuple[Carpe, Viewer, Viewer], tmp_path: Path
) -> None:
    carpe, ana, _ = imported
    with carpe.unit_of_work() as uow:
        logged = _log(uow.session, ana, 10.0).gesture
        uow.commit()
    import_data(
        engine=carpe.engine, folder=write_folder(tmp_path / "again", small_business()), today=TODAY
    )
    with Session(carpe.engine) as session:
        assert session.scalar(select(func.count()).select_from(Gesture)) == 2
        request = session.scalars(select(GestureRequest)).one()
        assert (request.gesture_id, request.status) == (logged.gesture_id, "approved")


def test_log_gesture_links_a_moment_of_the_contact_and_refuses_others(
    imported: tuple[Carpe, Viewer, Viewer],
) -> None:
    carpe, ana, _ = imported
    with carpe.unit_of_work() as uow:
        pet = uow.session.scalars(select(StoredMoment).where(StoredMoment.kind == "pet")).one()
        g = _log(uow.session, ana, 5.0, moment_id=pet.id).gesture
        assert g.moment_id == pet.id
        with pytest.raises(UsageError, match="someone else"):
            gesture_log.log_gesture(
                session=uow.session,
                viewer=ana,
                contact_id="C2",
                kind="card",
                cost=5.0,
                moment_id=pet.id,
                today=TODAY,
                threshold=THRESHOLD,
            )
        with pytest.raises(UsageError, match="not before"):
            _log(uow.session, ana, 5.0, given_on=date(2026, 3, 7))
        with pytest.raises(ForbiddenError):
            _log(uow.session, ana, 5.0, employee_id="E2")


def test_list_gestures_pages_and_filters_by_day_and_status(
    imported: tuple[Carpe, Viewer, Viewer],
) -> None:
    carpe, ana, mona = imported
    with carpe.unit_of_work() as uow:
        for day in (1, 2, 3):
            _log(uow.session, ana, 1.0, given_on=date(2026, 2, day))
        _log(uow.session, ana, 70.0)
        uow.commit()
    with carpe.unit_of_work() as uow:
        first = gesture_log.list_gestures(session=uow.session, viewer=mona, page_size=2)
        assert first.total == 5 and len(first.items) == 2 and first.has_next
        assert first.items[0].given_on == TODAY
        february = gesture_log.list_gestures(
            session=uow.session, viewer=ana, since=date(2026, 2, 2), until=date(2026, 2, 28)
        )
        assert [x.given_on.day for x in february.items] == [3, 2]
        waiting = gesture_log.list_gestures(session=uow.session, viewer=mona, status="pending")
        assert [x.cost for x in waiting.items] == [70.0]
        imported_too = gesture_log.list_gestures(session=uow.session, viewer=ana, status="approved")
        assert {x.source for x in imported_too.items} == {"carpe", "import"}


def test_save_budget_validates_and_is_for_managers(imported: tuple[Carpe, Viewer, Viewer]) -> None:
    carpe, ana, mona = imported
    with carpe.unit_of_work() as uow:
        s = uow.session
        with pytest.raises(ForbiddenError):
            gesture_budgets.save_budget(
                session=s, viewer=ana, owner="E1", period_start=TODAY, period_end=TODAY, amount=1
            )
        with pytest.raises(UsageError, match="end after"):
            gesture_budgets.save_budget(
                session=s, viewer=mona, owner="E1", period_start=TODAY, period_end=TODAY, amount=1
            )
        with pytest.raises(UsageError, match="no employee or department"):
            gesture_budgets.save_budget(
                session=s,
                viewer=mona,
                owner="Nobody",
                period_start=date(2026, 4, 1),
                period_end=date(2026, 6, 30),
                amount=1,
            )
        team = gesture_budgets.save_budget(
            session=s,
            viewer=mona,
            owner="Billing",
            period_start=date(2026, 1, 1),
            period_end=date(2026, 3, 31),
            amount=400,
        )
        uow.commit()
    assert team.owner_kind == "department" and team.left == 400
    with carpe.unit_of_work() as uow:
        mine = gesture_budgets.list_budgets(session=uow.session, viewer=ana)
        assert [b.budget_id for b in mine] == ["B1"]  # not Billing's
        assert len(gesture_budgets.list_budgets(session=uow.session, viewer=mona)) == 2


def test_analysis_stores_the_gesture_effects_step(imported: tuple[Carpe, Viewer, Viewer]) -> None:
    carpe, _, mona = imported
    run_analysis(engine=carpe.engine, as_of=TODAY, steps=["gestures"])
    with Session(carpe.engine) as session:
        view = gesture_payoff.load_payoff(session=session, viewer=mona)
    assert view.run_id is not None and view.as_of == TODAY
    assert view.landmark is not None and view.exposure_start is not None
    assert view.exposure_start < view.landmark < TODAY
    assert view.accounts == 2 and "no gestures" in view.note


def test_a_contacts_export_holds_their_logged_gestures_and_erasure_keeps_only_the_money(
    imported: tuple[Carpe, Viewer, Viewer],
) -> None:
    carpe, ana, _ = imported
    with carpe.unit_of_work() as uow:
        _log(uow.session, ana, 7.0)
        uow.commit()
    with carpe.unit_of_work() as uow:
        exported = personal_data.export_contact(session=uow.session, viewer=SYSTEM, contact_id="C1")
        assert [r["cost"] for r in exported["gesture_requests"]] == [7.0]
        report = personal_data.erase_contact(session=uow.session, viewer=SYSTEM, contact_id="C1")
        assert report.gestures_redacted >= 1
        uow.commit()
    with Session(carpe.engine) as session:
        request = session.scalars(select(GestureRequest)).one()
        assert (request.description, request.cost) == ("[erased]", 7.0)
