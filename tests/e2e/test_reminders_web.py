"""My reminders page, and the calendar feed a calendar app subscribes to (checked by icalendar)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import icalendar
from fastapi.testclient import TestClient

from tests.e2e.conftest import TODAY, csrf_of


def _feed_url(client: TestClient) -> str:
    page = client.get("/preferences").text
    made = client.post("/preferences/calendar", data={"csrf_token": csrf_of(page)})
    assert made.status_code == 200
    found = re.search(r'id="feed-url" readonly value="([^"]+)"', made.text)
    assert found, "the new feed address is shown once"
    return found.group(1)


def test_preferences_save_the_digest_and_refuse_an_unknown_zone(
    signed_in: Callable[[str], TestClient],
) -> None:
    client = signed_in("ana")
    page = client.get("/preferences")
    assert page.status_code == 200 and "Morning digest by e-mail" in page.text
    form = {"csrf_token": csrf_of(page.text), "email": "ana@acme.example",
            "digest_time": "06:45", "time_zone": "Europe/Madrid", "digest_enabled": "true"}  # fmt: skip
    saved = client.post("/preferences", data=form)
    assert saved.status_code == 200 and "Saved." in saved.text
    assert 'value="06:45"' in saved.text and 'value="Europe/Madrid"' in saved.text
    bad = client.post("/preferences", data=form | {"time_zone": "Mars/Olympus"})
    assert bad.status_code == 400
    assert "unknown time zone" in bad.text


def test_calendar_feed_lists_follow_ups_as_all_day_events_and_hides_private_detail(
    signed_in: Callable[[str], TestClient],
) -> None:
    client = signed_in("ana")
    url = _feed_url(client)
    assert url.startswith("http://127.0.0.1:8000/calendar/cal_")
    client.cookies.clear()  # a calendar app has no session: the secret address is enough
    response = client.get(url.removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    feed = icalendar.Calendar.from_ical(response.content)
    events = list(feed.walk("VEVENT"))
    assert len(events) >= 2
    summaries = [str(e["SUMMARY"]) for e in events]
    assert any("Maria Lopez" in s and "marathon" in s for s in summaries)
    assert any(s.startswith("Follow up with Maria Lopez (private)") for s in summaries)
    assert not any("hospital" in str(e["DESCRIPTION"]) or "hospital" in str(e["SUMMARY"])
                   for e in events)  # fmt: skip
    for event in events:
        start = event.decoded("DTSTART")
        assert type(start) is date and start >= TODAY  # all-day, overdue ones on today
        assert "Opener" in str(event["DESCRIPTION"]) or "private" in str(event["DESCRIPTION"])
        assert str(event["URL"]).startswith("http://127.0.0.1:8000/contacts/")
    assert len({str(e["UID"]) for e in events}) == len(events)


def test_calendar_feed_stops_when_revoked_or_replaced(
    signed_in: Callable[[str], TestClient],
) -> None:
    client = signed_in("ana")
    first = _feed_url(client).removeprefix("http://127.0.0.1:8000")
    second = _feed_url(client).removeprefix("http://127.0.0.1:8000")
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    page = client.get("/preferences").text
    client.post("/preferences/calendar/revoke", data={"csrf_token": csrf_of(page)})
    assert client.get(second).status_code == 404


def test_my_chat_webhook_is_added_and_removed_on_the_page(
    signed_in: Callable[[str], TestClient],
) -> None:
    client = signed_in("ana")
    page = client.get("/preferences").text
    added = client.post("/preferences/chat", data={"csrf_token": csrf_of(page), "format": "teams",
                                                   "url": "https://example.webhook.office.com/x"})  # fmt: skip
    assert "Teams · https://example.webhook.office.com/x" in added.text
    channel = re.search(r"/preferences/chat/(\d+)/remove", added.text)
    plain = client.post("/preferences/chat", data={"csrf_token": csrf_of(page), "format": "slack",
                                                   "url": "http://10.0.0.5/internal"})  # fmt: skip
    assert plain.status_code == 400 and "starts with https://" in plain.text
    assert channel
    other = signed_in("ben")
    refused = other.post(f"/preferences/chat/{channel.group(1)}/remove",
                         data={"csrf_token": csrf_of(other.get("/preferences").text)})  # fmt: skip
    assert refused.status_code == 404
