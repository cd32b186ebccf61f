"""Days typed into forms: the pages' own form, ISO, and numbers only when unambiguous."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from carpe.errors import UsageError
from carpe.web.dates import parse_day, parse_moment
from carpe.web.filters import format_date, format_datetime


@pytest.mark.parametrize(
    "typed",
    ["7 Dec 2026", "7 december 2026", "Dec 7, 2026", "2026-12-07", " 7  Dec  2026 "],
)
def test_parse_day_reads_the_pages_form_and_iso(typed: str) -> None:
    assert parse_day(typed, "given_on") == date(2026, 12, 7)


def test_parse_day_round_trips_every_day_the_pages_write() -> None:
    for month in range(1, 13):
        day = date(2027, month, 28)
        assert parse_day(format_date(day), "x") == day
    moment = datetime(2026, 3, 5, 14, 5)
    assert parse_moment(format_datetime(moment), "occurred_at") == moment


@pytest.mark.parametrize("typed", ["3/4/2026", "12/11/2026", "31 Feb 2026", "soon", "7 Foo 2026"])
def test_parse_day_refuses_what_it_cannot_read_one_way_naming_the_field(typed: str) -> None:
    with pytest.raises(UsageError, match=r"period_end: .* write it as"):
        parse_day(typed, "period_end")


def test_parse_day_takes_numbers_when_a_part_is_above_12() -> None:
    assert parse_day("25/12/2026", "x") == date(2026, 12, 25)
    assert parse_day("12/25/2026", "x") == date(2026, 12, 25)
    assert parse_day("5/5/2026", "x") == date(2026, 5, 5)
    assert parse_day("", "x") is None
