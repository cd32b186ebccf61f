"""Rules that lived in routes and templates, now in services: what they decide."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from carpe.analytics.effects import EffectEstimate
from carpe.errors import UsageError
from carpe.ingest.instants import parse_instant, stored_instant
from carpe.services.confirmed_moments import confirmed_moment
from carpe.services.gesture_effect import effect_verdict
from carpe.services.today import snooze_until


def _effect(low: float, high: float) -> EffectEstimate:
    return EffectEstimate(
        (low + high) / 2, low, high, 0.01, 0.05, 40, 400, "aipw", "att", 0.0, 0.95
    )


@pytest.mark.parametrize(
    ("low", "high", "sentence"),
    [
        (-0.08, -0.02, "Gestures go with customers staying."),
        (0.02, 0.08, "Gestures go with customers leaving — look at how they are given."),
        (-0.03, 0.04, "The data cannot tell yet whether gestures make a difference."),
    ],
)
def test_effect_verdict_says_only_what_the_interval_supports(
    low: float, high: float, sentence: str
) -> None:
    assert effect_verdict(_effect(low, high)) == sentence


def test_snooze_until_is_three_days_on_unless_a_day_is_chosen() -> None:
    assert snooze_until(today=date(2026, 3, 9), until=None) == date(2026, 3, 12)
    assert snooze_until(today=date(2026, 3, 9), until=date(2026, 4, 1)) == date(2026, 4, 1)


def test_confirmed_moment_is_certain_cut_to_the_store_and_sensitive_by_kind() -> None:
    moment = confirmed_moment(
        kind="loss", subject="s" * 300, summary="m" * 600, when=None, follow_up_on=None,
        evidence="her father died",
    )  # fmt: skip
    assert (moment.confidence, len(moment.subject), len(moment.summary)) == (1.0, 200, 500)
    assert moment.sensitive


def test_confirmed_moment_refuses_a_kind_outside_the_vocabulary() -> None:
    with pytest.raises(UsageError, match="moment kind must be one of health, pet"):
        confirmed_moment(
            kind="gossip", subject="", summary="", when=None, follow_up_on=None, evidence=""
        )


def test_an_offset_is_converted_to_utc_and_a_plain_time_kept_as_written() -> None:
    paris = datetime(2026, 3, 5, 10, 30, tzinfo=timezone(timedelta(hours=2)))
    assert stored_instant(paris) == datetime(2026, 3, 5, 8, 30)
    assert stored_instant(datetime(2026, 3, 5, 10, 30, tzinfo=UTC)) == datetime(2026, 3, 5, 10, 30)
    assert parse_instant(" 2026-03-05T10:30 ") == datetime(2026, 3, 5, 10, 30)
    assert parse_instant("2026-03-05T10:30Z") == datetime(2026, 3, 5, 10, 30)


def test_an_instant_pushed_past_year_9999_by_its_offset_is_refused() -> None:
    with pytest.raises(ValueError, match="out of range"):
        parse_instant("9999-12-31T23:30:00-05:00")
