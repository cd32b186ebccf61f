"""The web's date filters write what ``strftime`` writes, for every month."""

from __future__ import annotations

from datetime import date, datetime

from carpe.web.filters import format_date, format_datetime


def test_format_date_matches_strftime_for_every_month() -> None:
    for month in range(1, 13):
        day = date(2026, month, 3 + month)
        assert format_date(day) == f"{day.day} {day:%b %Y}"
    assert format_date(date(987, 6, 1)) == "1 Jun 987"
    assert format_date(None) == ""


def test_format_datetime_matches_strftime_for_every_month() -> None:
    for month in range(1, 13):
        moment = datetime(2026, month, 28, month + 7, 5 * month - 4)
        assert format_datetime(moment) == f"{moment.day} {moment:%b %Y, %H:%M}"
    assert format_datetime(datetime(2026, 3, 3, 0, 0)) == "3 Mar 2026, 00:00"
    assert format_datetime(None) == ""


def test_format_date_takes_a_datetime_as_its_day() -> None:
    assert format_date(datetime(2026, 12, 31, 23, 59)) == "31 Dec 2026"
