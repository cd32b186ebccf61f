"""Follow-up rules: after the event, within a week when ongoing, none for facts."""

from __future__ import annotations

from datetime import date

from carpe.memory import extract_moments
from carpe.memory.followup import suggest_follow_up

DAY = date(2026, 3, 2)


def test_suggest_follow_up_is_the_day_after_a_future_health_event() -> None:
    got = suggest_follow_up(
        "health", note_date=DAY, when=date(2026, 3, 10), horizon=None, durable=False
    )
    assert got == date(2026, 3, 11)


def test_suggest_follow_up_is_within_a_week_for_an_ongoing_illness() -> None:
    assert suggest_follow_up("health", note_date=DAY, when=None, horizon=None, durable=False) == (
        date(2026, 3, 9)
    )


def test_suggest_follow_up_waits_for_the_end_of_a_vague_future_span() -> None:
    got = suggest_follow_up(
        "milestone", note_date=DAY, when=None, horizon=date(2026, 10, 31), durable=False
    )
    assert got == date(2026, 11, 1)


def test_suggest_follow_up_gives_a_bereavement_two_weeks() -> None:
    assert suggest_follow_up("loss", note_date=DAY, when=None, horizon=None, durable=False) == (
        date(2026, 3, 16)
    )


def test_suggest_follow_up_gives_none_for_durable_facts() -> None:
    assert (
        suggest_follow_up("interest", note_date=DAY, when=None, horizon=None, durable=False) is None
    )
    assert suggest_follow_up("pet", note_date=DAY, when=None, horizon=None, durable=True) is None


def test_extract_moments_gives_a_trip_a_follow_up_a_week_after_it_starts() -> None:
    [m] = extract_moments("Paolo is off to Sicily in three weeks.", DAY)
    assert m.when == date(2026, 3, 23)
    assert m.follow_up_on == date(2026, 3, 30)


def test_extract_moments_gives_a_past_event_a_follow_up_within_a_week() -> None:
    [m] = extract_moments("Mike's wife had a baby boy last night.", DAY)
    assert m.when == date(2026, 3, 1)
    assert m.follow_up_on == date(2026, 3, 9)
