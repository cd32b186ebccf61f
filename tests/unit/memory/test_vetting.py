"""The learned filter: trains, round-trips through JSON, and is off unless asked for."""

from __future__ import annotations

from datetime import date

from carpe.memory import Extractor
from carpe.memory.vetting import MomentFilter, load_filter, train


def test_the_filter_learns_to_drop_what_people_did_not_label() -> None:
    rows = [("interest", "i love rock climbing", 1)] * 20 + [
        ("interest", "like 700 dollars", 0)
    ] * 20
    model = train(rows, epochs=200)
    assert model.keep("interest", "i love rock climbing")
    assert not model.keep("interest", "like 700 dollars")
    again = MomentFilter.from_json(model.to_json())
    assert abs(again.probability("interest", "i love rock climbing")
               - model.probability("interest", "i love rock climbing")) < 1e-3  # fmt: skip


def test_the_committed_filter_loads_and_is_off_by_default() -> None:
    assert load_filter() is not None
    note = "Her dog Max is sick."
    assert [m.kind for m in Extractor().extract(note, date(2026, 3, 2))] == ["pet"]
    assert Extractor().filter_ is None
    assert Extractor(use_filter=True).filter_ is not None
