"""The records behind a risk reason: the ones the reason counts, dated as the pages date."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from carpe.context import Carpe
from carpe.ingest import import_folder
from carpe.services.risk_evidence import reason_evidence
from tests.factories import small_business, write_folder


def test_detractor_evidence_lists_only_detractors_answers_with_the_day_as_pages_write_it(
    carpe: Carpe, tmp_path: Path
) -> None:
    data = small_business()
    base = data["feedback"][0]
    data["feedback"] = [
        base | {"feedback_id": f"F{score}", "score": str(score), "received_at": at}
        for score, at in (
            (4, "2026-03-05T12:00:00"),
            (6, "2026-04-07T12:00:00"),
            (9, "2026-05-01T12:00:00"),
        )
    ]
    import_folder(write_folder(tmp_path / "in", data), engine=carpe.engine)
    with carpe.unit_of_work() as uow:
        found = reason_evidence(
            session=uow.session,
            account_id="A1",
            features=["detractor_answers_365d", "nps_365d"],
            as_of=date(2026, 6, 1),
        )
    detractors = [e.label for e in found["detractor_answers_365d"]]
    assert len(detractors) == 2 and not any("NPS 9" in t for t in detractors)
    assert detractors[0].startswith("NPS 4 on 5 Mar 2026")  # not "05 Mar 2026"
    assert len(found["nps_365d"]) == 3  # the average reads every answer


def test_a_touchpoint_is_named_by_what_it_was_and_when_not_by_its_record_id(
    carpe: Carpe, tmp_path: Path
) -> None:
    import_folder(write_folder(tmp_path / "in", small_business()), engine=carpe.engine)
    with carpe.unit_of_work() as uow:
        found = reason_evidence(
            session=uow.session,
            account_id="A1",
            features=["days_since_touch"],
            as_of=date(2026, 6, 1),
        )
    labels = [e.label for e in found["days_since_touch"]]
    assert labels and all(
        not any(w.startswith("T") and w[1:].isdigit() for w in t.split()) for t in labels
    )
    assert labels[0].split(" on ")[0] in ("call", "visit", "email", "meeting", "ticket", "phone")
