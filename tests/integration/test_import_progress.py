"""An import tells its progress through the notes it reads, not only the rows it loads."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from carpe.context import Carpe
from carpe.services.data import import_data
from tests.factories import small_business, write_folder


def test_import_reports_the_notes_read_against_how_many_there_are(
    carpe: Carpe, tmp_path: Path
) -> None:
    business = small_business()
    with_notes = sum(1 for t in business["touchpoints"] if t.get("note"))
    told: list[tuple[str, int, int]] = []
    outcome = import_data(
        engine=carpe.engine,
        folder=write_folder(tmp_path / "in", business),
        today=date(2026, 3, 6),
        progress=lambda name, done, total: told.append((name, done, total)),
    )
    notes = [t for t in told if t[0] == "notes read"]
    assert outcome.extraction is not None and outcome.extraction.notes_read == with_notes
    assert notes and notes[-1] == ("notes read", with_notes, with_notes)
