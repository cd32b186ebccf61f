"""The iCalendar writer: what it escapes and folds, icalendar reads back exactly."""

from __future__ import annotations

from datetime import UTC, date, datetime

import icalendar

from carpe.services.calendar import CalendarEvent, write_calendar


def test_write_calendar_round_trips_long_text_with_commas_semicolons_and_accents() -> None:
    summary = "Follow up with Zoë Müller-Łukasiewicz; ask, gently, about the café 🎉 " * 3
    description = "Opener: Ask how it went.\nAcme; Tools, S.L.\nhttps://carpe.example/contacts/C1"
    text = write_calendar(
        [CalendarEvent("follow-up-1@carpe.example", date(2026, 3, 20), summary, description,
                       "https://carpe.example/contacts/C1")],
        name="carpe follow-ups (ana)",
        stamp=datetime(2026, 3, 20, 7, 0, tzinfo=UTC),
    )  # fmt: skip
    lines = text.split("\r\n")
    assert lines[-1] == "" and all(len(line.encode()) <= 75 for line in lines)
    event = next(iter(icalendar.Calendar.from_ical(text).walk("VEVENT")))
    assert str(event["SUMMARY"]) == summary
    assert str(event["DESCRIPTION"]) == description
    assert event.decoded("DTSTART") == date(2026, 3, 20)
    assert event.decoded("DTEND") == date(2026, 3, 21)
