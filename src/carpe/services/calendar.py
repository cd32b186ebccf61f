"""A person's follow-ups as an iCalendar feed (RFC 5545) that calendar apps subscribe to.

Each open follow-up is an all-day event with the opener and a link to the
contact; one overdue shows on today, so it is not lost in the past. The feed
is read by a third party's servers (Google, Apple, Microsoft), so a follow-up
about a sensitive moment says only that a private follow-up waits.

carpe writes the format itself: a feed of all-day events needs escaping, line
folding and CRLF, a few dozen lines; the ``icalendar`` package checks the
result in the tests without being a run-time dependency.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from carpe.services.digest_mail import DigestLinks
from carpe.services.follow_ups import list_follow_ups
from carpe.services.permissions import Viewer, require_actor

PRODUCT_ID = "-//carpe//follow-ups//EN"
REFRESH = "PT1H"


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One all-day event."""

    uid: str
    day: date
    summary: str
    description: str
    url: str


def escape_text(value: str) -> str:
    """A TEXT value escaped as RFC 5545 §3.3.11 says (backslash, ``;``, ``,``, newlines)."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """A content line folded at 75 octets (continuations start with a space), whole characters."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    current = ""
    size = 0
    limit = 75
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            parts.append(current)
            current, size, limit = "", 0, 74  # a continuation's leading space counts
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def write_calendar(events: Iterable[CalendarEvent], *, name: str, stamp: datetime) -> str:
    """The VCALENDAR text of ``events`` (CRLF line ends, folded lines)."""
    when = stamp.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT_ID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{REFRESH}",
        f"X-PUBLISHED-TTL:{REFRESH}",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{when}",
            f"DTSTART;VALUE=DATE:{event.day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{event.day + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{escape_text(event.summary)}",
            f"DESCRIPTION:{escape_text(event.description)}",
            f"URL:{event.url}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def follow_up_feed(
    *, session: Session, viewer: Viewer, today: date, links: DigestLinks, now: datetime
) -> str:
    """The viewer's open follow-ups as an iCalendar feed (empty when they are no employee)."""
    require_actor(viewer)
    rows = (
        list_follow_ups(session=session, today=today, employee_id=viewer.employee_id, viewer=viewer)
        if viewer.employee_id
        else []
    )
    host = urlsplit(links.base_url).hostname or "carpe"
    events = []
    for f in rows:
        who = f.contact or f.account
        path = f"/contacts/{f.contact_id}" if f.contact_id else f"/accounts/{f.account_id}"
        late = f" (due since {f.due_on:%d %b})" if f.due_on < today else ""
        if f.sensitive:
            summary = f"Follow up with {who} (private)"
            description = "A private follow-up: open carpe for what it is about."
        else:
            summary = f"Follow up with {who}: {f.summary}"
            description = f"Opener: {f.opener}"
        events.append(
            CalendarEvent(
                f"follow-up-{f.follow_up_id}@{host}",
                max(f.due_on, today),
                summary + late,
                f"{description}\n{f.account}\n{links.to(path)}",
                links.to(path),
            )
        )
    return write_calendar(events, name=f"carpe follow-ups ({viewer.username})", stamp=now)
