"""Budget use kept between requests stays right: every write to its inputs changes its version."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, insert, select, text, update

from carpe.context import Carpe
from carpe.services import gesture_budgets, gesture_log
from carpe.services.data import import_data
from carpe.services.permissions import Viewer
from carpe.store.gestures import BUDGET_USE_INPUTS, BudgetUseVersion
from carpe.store.models import Account, Budget, Employee, Gesture
from tests.factories import add_viewer, small_business, write_folder

TODAY = date(2026, 3, 6)


def _version(engine: Engine) -> str:
    with engine.connect() as connection:
        return str(connection.scalar(select(BudgetUseVersion.version)))


def _left(carpe: Carpe) -> float | None:
    with carpe.unit_of_work() as uow:
        return gesture_budgets.spending_room(session=uow.session, employee_id="E1", today=TODAY).own


@pytest.fixture
def imported(carpe: Carpe, tmp_path: Path) -> tuple[Carpe, Viewer]:
    import_data(
        engine=carpe.engine, folder=write_folder(tmp_path / "in", small_business()), today=TODAY
    )
    with carpe.unit_of_work() as uow:
        ana = add_viewer(uow.session, "ana", "frontline", "E1")
        uow.commit()
    return carpe, ana


def test_budget_use_version_changes_with_every_write_to_its_inputs(
    imported: tuple[Carpe, Viewer],
) -> None:
    carpe, _ = imported
    writes = [
        insert(Budget).values(
            budget_id="B2",
            owner="Operations",
            period_start=date(2026, 1, 1),
            period_end=date(2026, 3, 31),
            amount=80.0,
        ),
        update(Budget).where(Budget.budget_id == "B2").values(amount=90.0),
        update(Employee).where(Employee.employee_id == "E2").values(department="Operations"),
        update(Gesture).where(Gesture.gesture_id == "G1").values(cost=6.0),
        delete(Gesture).where(Gesture.gesture_id == "G1"),
        delete(Budget).where(Budget.budget_id == "B2"),
    ]
    seen = {_version(carpe.engine)}
    for write in writes:
        with carpe.engine.begin() as connection:
            connection.execute(write)
        seen.add(_version(carpe.engine))
    assert len(seen) == len(writes) + 1


def test_budget_use_version_is_left_alone_by_reads_and_other_tables(
    imported: tuple[Carpe, Viewer],
) -> None:
    carpe, _ = imported
    before = _version(carpe.engine)
    _left(carpe)
    with carpe.engine.begin() as connection:
        connection.execute(update(Account).where(Account.account_id == "A1").values(name="Acme"))
    assert _version(carpe.engine) == before


def test_budget_left_follows_a_logged_gesture_after_being_kept(
    imported: tuple[Carpe, Viewer],
) -> None:
    carpe, ana = imported
    assert _left(carpe) == 145.5 == _left(carpe)  # 150 less the imported 4.5, kept
    with carpe.unit_of_work() as uow:
        gesture_log.log_gesture(
            session=uow.session,
            viewer=ana,
            contact_id="C1",
            kind="card",
            cost=20.0,
            today=TODAY,
            threshold=50.0,
        )
        uow.commit()
    assert _left(carpe) == 125.5


@pytest.mark.parametrize(("approve", "left"), [(True, 85.5), (False, 145.5)])
def test_budget_left_follows_a_manager_decision_after_being_kept(
    imported: tuple[Carpe, Viewer], approve: bool, left: float
) -> None:
    carpe, ana = imported
    with carpe.unit_of_work() as uow:
        mona = add_viewer(uow.session, "mona", "manager", None)
        pending = gesture_log.log_gesture(
            session=uow.session,
            viewer=ana,
            contact_id="C1",
            kind="hamper",
            cost=60.0,
            today=TODAY,
            threshold=50.0,
        ).gesture
        uow.commit()
    assert pending.status == "pending"
    assert _left(carpe) == 85.5 == _left(carpe)  # reserved, and kept
    with carpe.unit_of_work() as uow:
        gesture_log.decide_gesture(
            session=uow.session, viewer=mona, gesture_id=pending.gesture_id, approve=approve
        )
        uow.commit()
    assert _left(carpe) == left


def test_budget_left_follows_raw_writes_after_being_kept(
    imported: tuple[Carpe, Viewer],
) -> None:
    carpe, _ = imported
    assert _left(carpe) == 145.5
    with carpe.engine.begin() as connection:  # as an import or another tool would write
        connection.execute(update(Budget).where(Budget.budget_id == "B1").values(amount=200.0))
    assert _left(carpe) == 195.5
    with carpe.engine.begin() as connection:
        connection.execute(delete(Gesture).where(Gesture.gesture_id == "G1"))
    assert _left(carpe) == 200.0


def test_budget_left_follows_a_reimport_after_being_kept(
    imported: tuple[Carpe, Viewer], tmp_path: Path
) -> None:
    carpe, _ = imported
    assert _left(carpe) == 145.5
    business = small_business()
    business["gestures"][0]["cost"] = "14.5"
    import_data(engine=carpe.engine, folder=write_folder(tmp_path / "again", business), today=TODAY)
    assert _left(carpe) == 135.5


def test_budget_use_is_not_kept_from_a_transaction_that_is_rolled_back(
    imported: tuple[Carpe, Viewer],
) -> None:
    carpe, _ = imported
    with carpe.unit_of_work() as uow:
        uow.session.execute(update(Budget).where(Budget.budget_id == "B1").values(amount=10.0))
        room = gesture_budgets.spending_room(session=uow.session, employee_id="E1", today=TODAY)
        assert room.own == 5.5
        uow.rollback()
    assert _left(carpe) == 145.5


def test_every_input_of_budget_use_has_its_triggers(carpe: Carpe) -> None:
    with carpe.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            found = connection.execute(
                text("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger'")
            ).scalars()
        else:
            found = connection.execute(
                text(
                    "SELECT event_object_table FROM information_schema.triggers "
                    "WHERE trigger_name LIKE 'budget_use_version_%' "
                    "AND trigger_schema = current_schema()"
                )
            ).scalars()
        assert set(BUDGET_USE_INPUTS) <= set(found)


def test_budget_use_is_computed_once_while_its_inputs_stay_the_same(
    imported: tuple[Carpe, Viewer], monkeypatch: pytest.MonkeyPatch
) -> None:
    carpe, _ = imported
    computed = []
    allocate = gesture_budgets._allocate_circles

    def counted(*args: object) -> object:
        computed.append(args[1])
        return allocate(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(gesture_budgets, "_allocate_circles", counted)
    assert [_left(carpe) for _ in range(3)] == [145.5] * 3
    assert computed == [{"Operations"}]
    with carpe.engine.begin() as connection:
        connection.execute(update(Gesture).where(Gesture.gesture_id == "G1").values(cost=5.5))
    assert _left(carpe) == 144.5
    assert len(computed) == 2
