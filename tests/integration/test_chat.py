"""Chat: follow-ups due and new conflicts posted to Slack and Teams webhooks on a local receiver."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from carpe.context import Carpe
from carpe.errors import UsageError
from carpe.services import chat
from carpe.services.data import import_data
from carpe.services.digest_mail import DigestLinks
from carpe.store.conflicts import StoredConflict
from tests.factories import add_viewer, make_touchpoint, small_business, write_folder
from tests.receivers import http_receiver

DAY = date(2026, 3, 20)
ADDED = datetime(2026, 3, 10, 9, 0)
LINKS = DigestLinks("https://carpe.example")


@pytest.fixture
def business(carpe: Carpe, tmp_path: Path) -> Carpe:
    """Maria's dog is sick (ordinary) and her mother died (sensitive): two follow-ups for E1."""
    files = small_business()
    files["touchpoints"].append(
        make_touchpoint(touchpoint_id="T9", occurred_at="2026-03-05T10:00:00",
                        note="Maria's mother passed away last week.")
    )  # fmt: skip
    files["touchpoints"][1]["occurred_at"] = "2026-03-12T09:00:00"
    import_data(engine=carpe.engine, folder=write_folder(tmp_path / "in", files), today=DAY)
    with carpe.unit_of_work() as uow:
        add_viewer(uow.session, "ana", "frontline", "E1")
        uow.session.add(
            StoredConflict(
                conflict_id="CF1", type="duplicate_invoice", account_id="A1",
                departments=json.dumps(["Billing", "Operations"]), evidence="{}",
                amount_at_risk=1500.0, severity=0.7, detected_at=datetime(2026, 3, 18),
                last_seen_at=datetime(2026, 3, 18), status="open", owner="E1",
            )
        )  # fmt: skip
        uow.commit()
    return carpe


def test_chat_posts_slack_and_teams_messages_once(business: Carpe) -> None:
    with (
        http_receiver() as (slack, slack_url),
        http_receiver() as (teams, teams_url),
        business.unit_of_work() as uow,
    ):
        chat.add_channel(session=uow.session, format="slack", url=slack_url,
                         department="Operations", now=ADDED)  # fmt: skip
        chat.add_channel(
            session=uow.session, format="teams", url=teams_url, username="ana", now=ADDED
        )
        uow.commit()
        report = chat.post_chat(session=uow.session, today=DAY, links=LINKS)
        again = chat.post_chat(session=uow.session, today=DAY, links=LINKS)
    assert report.failed == 0 and report.sent == report.queued == len(slack.bodies) * 2
    assert (again.queued, again.sent) == (0, 0)
    texts = [b["blocks"][0]["text"]["text"] for b in slack.bodies]
    assert any("Follow-up due: Maria Lopez" in t and "Max" in t for t in texts)
    assert any("New conflict: Duplicate invoice at Acme Tools" in t for t in texts)
    assert all(
        b["blocks"][1]["elements"][0]["url"].startswith("https://carpe.example/")
        for b in slack.bodies
    )
    private = [t for t in texts if "private follow-up" in t]
    assert private and not any("mother" in t or "passed" in t for t in texts)
    cards = [b["attachments"][0] for b in teams.bodies]
    assert {c["contentType"] for c in cards} == {"application/vnd.microsoft.card.adaptive"}
    titles = [c["content"]["body"][0]["text"] for c in cards]
    assert any(t.startswith("Follow-up due: Maria Lopez") for t in titles)
    assert cards[0]["content"]["actions"][0]["type"] == "Action.OpenUrl"
    assert teams.headers[0]["Content-Type"] == "application/json"


def test_chat_retries_a_message_the_receiver_refused(business: Carpe) -> None:
    with http_receiver() as (hook, url):
        hook.status = 500
        with business.unit_of_work() as uow:
            chat.add_channel(
                session=uow.session, format="slack", url=url, username="ana", now=ADDED
            )
            uow.commit()
            first = chat.post_chat(session=uow.session, today=DAY, links=LINKS)
            hook.status = 200
            second = chat.post_chat(session=uow.session, today=DAY, links=LINKS)
    assert first.sent == 0 and first.failed == first.queued > 0
    assert second.sent == first.failed and second.queued == 0


def test_chat_channel_refuses_an_unknown_department(business: Carpe) -> None:
    with business.unit_of_work() as uow, pytest.raises(UsageError, match="no employee works in"):
        chat.add_channel(session=uow.session, format="slack", url="https://x.example/h",
                         department="Marketing")  # fmt: skip
