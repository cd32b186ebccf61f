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


def test_format_how_often_says_less_often_for_a_negative_difference_never_negative_more() -> None:
    from carpe.web.filters import format_how_often

    assert format_how_often(-0.005) == "0.5 percentage points less often than"
    assert format_how_often(0.0312) == "3.1 percentage points more often than"
    assert format_how_often(-0.0004) == "about as often as"
    assert format_how_often(-0.01, than="") == "1 percentage point less often"
    for value in (-0.2, -0.0051, 0.0049, 0.2):
        assert "−" not in format_how_often(value) and "-" not in format_how_often(value)
