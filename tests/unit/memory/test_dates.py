"""Date resolution against the note's date (issue 3 rules)."""

from __future__ import annotations

from datetime import date

import pytest

from carpe.memory import extract_moments
from carpe.memory.dates import find_date_mentions

WEDNESDAY = date(2026, 1, 14)


def when(text: str, on: date = WEDNESDAY) -> date | None:
    mentions = find_date_mentions(text, on)
    assert len(mentions) == 1, mentions
    return mentions[0].when


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("surgery next Tuesday", date(2026, 1, 20)),
        ("surgery next Wednesday", date(2026, 1, 21)),  # strictly after, never today
        ("her daughter had twins on Saturday", date(2026, 1, 10)),
        ("she retired last Friday", date(2026, 1, 9)),
        ("the vet is coming on Friday", date(2026, 1, 16)),
        ("missing since Tuesday", date(2026, 1, 13)),
        ("leaving in two weeks", date(2026, 1, 28)),
        ("back in 3 days", date(2026, 1, 17)),
        ("born two weeks ago", date(2025, 12, 31)),
        ("arrives tomorrow", date(2026, 1, 15)),
        ("flooded yesterday", date(2026, 1, 13)),
        ("a fender bender this morning", WEDNESDAY),
        ("the wedding is on March 14", date(2026, 3, 14)),
        ("dinner on 27 March", date(2026, 3, 27)),
        ("moving on the 12th", date(2026, 2, 12)),
        ("married in Tuscany on June 12 next year", date(2027, 6, 12)),
        ("due 2026-05-01", date(2026, 5, 1)),
        ("this Friday", date(2026, 1, 16)),
    ],
)
def test_find_date_mentions_resolves_exact_dates(text: str, expected: date) -> None:
    assert when(text) == expected


@pytest.mark.parametrize(
    "text",
    ["last week", "next month", "over the weekend", "end of June", "in May", "this summer"],
)
def test_find_date_mentions_gives_no_date_for_vague_spans(text: str) -> None:
    assert when(text) is None


def test_find_date_mentions_gives_a_horizon_for_a_future_span() -> None:
    [mention] = find_date_mentions("starts school next week", WEDNESDAY)
    assert mention.when is None
    assert mention.horizon == date(2026, 1, 25)


def test_find_date_mentions_prefers_the_calendar_date_to_its_weekday() -> None:
    [mention] = find_date_mentions("booked for Friday 27 March", date(2026, 3, 23))
    assert mention.when == date(2026, 3, 27)


def test_find_date_mentions_does_not_read_may_the_verb_as_a_month() -> None:
    assert find_date_mentions("they may miss the next cleaning", WEDNESDAY) == []


def test_extract_moments_reads_the_tense_of_a_bare_weekday() -> None:
    [past] = extract_moments("Cheryl was laid off on Wednesday.", date(2026, 5, 1))
    [future] = extract_moments("Bethany starts her new job on Monday.", date(2026, 10, 6))
    assert past.when == date(2026, 4, 29)
    assert future.when == date(2026, 10, 12)


def test_extract_moments_reads_tense_within_the_clause_of_the_date() -> None:
    [m] = extract_moments(
        "Carla's kitten Mochi swallowed a hair tie, surgery on Friday.", date(2026, 4, 9)
    )
    assert m.when == date(2026, 4, 10)
