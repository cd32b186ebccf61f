"""Customer memory in the store: moments from imported notes, follow-ups, brief, review."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carpe.context import Carpe
from carpe.errors import UsageError
from carpe.services import brief, follow_ups, memory, moment_review
from carpe.services.data import import_data
from carpe.services.permissions import SYSTEM
from carpe.store.memory import FollowUp, MomentEvidence, StoredMoment
from tests.factories import make_contact, make_touchpoint, small_business, write_folder

TODAY = date(2026, 3, 6)


@pytest.fixture
def imported(carpe: Carpe, tmp_path: Path) -> Carpe:
    import_data(
        engine=carpe.engine, folder=write_folder(tmp_path / "in", small_business()), today=TODAY
    )
    return carpe


def test_import_extracts_the_pet_moment_with_a_follow_up_for_the_owner(imported: Carpe) -> None:
    with Session(imported.engine) as session:
        moment = session.scalars(select(StoredMoment).where(StoredMoment.kind == "pet")).one()
        follow_up = session.scalars(select(FollowUp)).one()
    assert moment.touchpoint_id == "T2"
    assert "Max" in moment.subject
    assert moment.evidence in "Her dog Max is sick,\nshe was worried."
    assert follow_up.employee_id == "E1"  # the account owner
    assert follow_up.status == "open"
    assert moment.noted_on <= follow_up.due_on <= moment.noted_on + timedelta(days=7)


def test_brief_suggests_asking_about_the_pet_by_name(imported: Carpe) -> None:
    with imported.unit_of_work() as uow:
        found = brief.contact_brief(
            viewer=SYSTEM, session=uow.session, contact_id="C1", today=TODAY
        )
    assert [m.opener for m in found.open_moments] == ["Ask how Max is doing."]
    assert found.address_as == "Maria"
    assert found.last_gesture is not None and found.last_gesture.kind == "card"
    assert any("arrived 2 days late" in p.text for p in found.open_problems)
    assert found.recent_touchpoints[0].touchpoint_id == "T2"


def test_extraction_reads_each_note_once(imported: Carpe) -> None:
    again = memory.extract_new_notes(engine=imported.engine, today=TODAY)
    assert again.notes_read == 0
    with Session(imported.engine) as session:
        assert session.scalar(select(func.count()).select_from(StoredMoment)) == 1


def test_a_later_note_resolves_the_open_moment(imported: Carpe, tmp_path: Path) -> None:
    later = {
        "accounts": [],
        "touchpoints": [
            make_touchpoint(
                touchpoint_id="T20",
                occurred_at="2026-03-10T10:00:00",
                note="Maria says Max is fine now.",
            )
        ],
    }
    outcome = import_data(
        engine=imported.engine, folder=write_folder(tmp_path / "later", later), today=TODAY
    )
    assert outcome.extraction is not None and outcome.extraction.moments_resolved == 1
    with Session(imported.engine) as session:
        moment = session.scalars(select(StoredMoment)).one()
        follow_up = session.scalars(select(FollowUp)).one()
    assert moment.closed_by_touchpoint_id == "T20"
    assert follow_up.status == "done"
    with imported.unit_of_work() as uow:
        assert (
            brief.contact_brief(
                viewer=SYSTEM, session=uow.session, contact_id="C1", today=TODAY
            ).open_moments
            == ()
        )


def test_follow_ups_list_snooze_complete_and_dismiss(imported: Carpe) -> None:
    with imported.unit_of_work() as uow:
        rows = follow_ups.list_follow_ups(
            viewer=SYSTEM, session=uow.session, today=TODAY, employee_id="E1"
        )
        assert [r.contact for r in rows] == ["Maria Lopez"]
        assert (
            follow_ups.list_follow_ups(
                viewer=SYSTEM, session=uow.session, today=TODAY, employee_id="E2"
            )
            == []
        )
        follow_up_id = rows[0].follow_up_id
        with pytest.raises(UsageError):
            follow_ups.snooze_follow_up(
                viewer=SYSTEM,
                session=uow.session,
                follow_up_id=follow_up_id,
                until=TODAY,
                today=TODAY,
            )
        follow_ups.snooze_follow_up(
            viewer=SYSTEM,
            session=uow.session,
            follow_up_id=follow_up_id,
            until=TODAY + timedelta(days=3),
            today=TODAY,
        )
        uow.commit()
        assert follow_ups.list_follow_ups(viewer=SYSTEM, session=uow.session, today=TODAY) == []
        later = follow_ups.list_follow_ups(
            viewer=SYSTEM, session=uow.session, today=TODAY + timedelta(days=3)
        )
        assert [r.status for r in later] == ["open"]
        follow_ups.complete_follow_up(
            viewer=SYSTEM,
            session=uow.session,
            follow_up_id=follow_up_id,
            today=TODAY,
            outcome="Max is better",
        )
        uow.commit()
        assert (
            follow_ups.list_follow_ups(
                viewer=SYSTEM, session=uow.session, today=TODAY + timedelta(days=3)
            )
            == []
        )
        done = follow_ups.list_follow_ups(
            viewer=SYSTEM, session=uow.session, today=TODAY, statuses=("done",)
        )
        assert [r.follow_up_id for r in done] == [follow_up_id]


def test_review_confirms_with_edits_or_dismisses_with_its_follow_up(imported: Carpe) -> None:
    with imported.unit_of_work() as uow:
        moment = uow.session.scalars(select(StoredMoment)).one()
        edited = moment_review.review_moment(
            viewer=SYSTEM,
            session=uow.session,
            moment_id=moment.id,
            action="confirm",
            edit=moment_review.MomentEdit(
                summary="Max (dog) is ill", follow_up_on=date(2026, 3, 9)
            ),
        )
        assert edited.review == "confirmed" and edited.summary == "Max (dog) is ill"
        assert uow.session.scalars(select(FollowUp)).one().due_on == date(2026, 3, 9)
        moment_review.review_moment(
            viewer=SYSTEM, session=uow.session, moment_id=moment.id, action="dismiss"
        )
        uow.commit()
        assert uow.session.scalars(select(FollowUp)).one().status == "dismissed"
        with pytest.raises(UsageError):
            moment_review.review_moment(
                viewer=SYSTEM, session=uow.session, moment_id=moment.id, action="forget"
            )


def test_losing_touch_finds_a_contact_silent_beyond_their_rhythm(
    carpe: Carpe, tmp_path: Path
) -> None:
    files = small_business()
    files["touchpoints"] = [
        make_touchpoint(
            touchpoint_id=f"W{i}", occurred_at=f"2026-01-{1 + 7 * i:02d}T10:00:00", note=None
        )
        for i in range(4)
    ]  # weekly until 22 Jan
    files["feedback"][0]["touchpoint_id"] = ""
    import_data(engine=carpe.engine, folder=write_folder(tmp_path / "in", files), today=TODAY)
    with carpe.unit_of_work() as uow:
        found = brief.losing_touch(session=uow.session, today=TODAY)
        assert [(r.contact_id, r.usual_gap_days) for r in found] == [("C1", 7.0)]
        assert brief.losing_touch(session=uow.session, today=date(2026, 2, 1)) == []


def _import_later(carpe: Carpe, folder: Path, rows: dict[str, list[dict[str, str]]]) -> None:
    import_data(
        engine=carpe.engine, folder=write_folder(folder, {"accounts": []} | rows), today=TODAY
    )


def test_carpes_own_notes_are_never_read_for_moments(imported: Carpe, tmp_path: Path) -> None:
    own = "Followed up on the wedding from our last conversation; her son is getting married."
    _import_later(
        imported,
        tmp_path / "own",
        {"touchpoints": [make_touchpoint(touchpoint_id="T21", note=own, origin="follow_up")]},
    )
    with Session(imported.engine) as session:
        kinds = session.scalars(select(StoredMoment.kind)).all()
    assert kinds == ["pet"]  # only Max, from a person's note


def test_a_note_naming_another_contact_of_the_account_files_the_moment_there(
    imported: Carpe, tmp_path: Path
) -> None:
    ivan = make_contact(
        contact_id="C5", first_name="Ivan", last_name="Petrov", email="ivan@acme.example",
        phone="+34 600 000 005", is_primary="false",
    )  # fmt: skip
    note = "Ivan's cat Luna has an operation tomorrow."
    _import_later(
        imported,
        tmp_path / "ivan",
        {"contacts": [ivan], "touchpoints": [make_touchpoint(touchpoint_id="T22", note=note)]},
    )
    with Session(imported.engine) as session:
        luna = session.scalars(
            select(StoredMoment).where(StoredMoment.touchpoint_id == "T22")
        ).one()
        follow_up = session.scalars(select(FollowUp).where(FollowUp.moment_id == luna.id)).one()
    assert (luna.contact_id, luna.subject) == ("C5", "cat Luna")
    assert follow_up.contact_id == "C5"


def test_the_same_moment_in_a_later_note_is_more_evidence_not_a_second_moment(
    imported: Carpe, tmp_path: Path
) -> None:
    again = make_touchpoint(
        touchpoint_id="T23",
        occurred_at="2026-03-04T09:00:00",
        note="Her dog Max is still poorly, back at the vet.",
    )
    _import_later(imported, tmp_path / "again", {"touchpoints": [again]})
    with Session(imported.engine) as session:
        moments = session.scalars(select(StoredMoment)).all()
        evidence = session.scalars(select(MomentEvidence)).all()
    assert [m.subject for m in moments] == ["dog Max"]
    assert [(e.moment_id, e.touchpoint_id) for e in evidence] == [(moments[0].id, "T23")]
    with Session(imported.engine) as session:
        told = brief.contact_brief(
            session=session, viewer=SYSTEM, contact_id=moments[0].contact_id, today=date(2026, 3, 5)
        )
    assert [(m.subject, m.notes) for m in told.open_moments] == [("dog Max", 2)]
