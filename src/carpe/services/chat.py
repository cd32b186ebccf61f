"""Chat: follow-ups due and new conflicts posted to Slack- and Teams-compatible incoming webhooks.

A channel is an incoming-webhook URL with its format, for a department (every
follow-up due to its employees, every new conflict it is involved in) or for
one user (their own follow-ups and the conflicts they own). Beside the signed
webhooks of :mod:`carpe.services.webhooks`, and like them: each message is
queued once per channel (``chat_deliveries``, unique per channel and subject),
claimed before it is posted so two workers never post it both, and retried
on failure up to ``MAX_ATTEMPTS`` times.

Chat rooms are read by many and kept by a third party, so a follow-up about a
sensitive moment (health, loss) is posted without its subject or opener: only
that a private follow-up waits, with the link to carpe, where the pages'
rules decide who sees more.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.orm import Session

from carpe.errors import NotFoundError, UsageError
from carpe.memory.opener import suggest_opener
from carpe.services.digest_mail import DigestLinks
from carpe.services.users import get_user_by_name
from carpe.services.webhooks import Sender, post_json
from carpe.store.access import User
from carpe.store.conflicts import StoredConflict
from carpe.store.memory import FollowUp, StoredMoment
from carpe.store.models import Account, Contact, Employee, utc_now
from carpe.store.reminders import CHAT_FORMATS, ChatChannel, ChatDelivery
from carpe.vocabulary import conflict_type_name

MAX_ATTEMPTS = 5
CLAIM_MINUTES = 5
"""A delivery claimed this long ago and still not posted belonged to a process that died."""
BACKLOG_DAYS = 7
"""A new channel is sent follow-ups due in the last week, not every old overdue one."""


@dataclass(frozen=True, slots=True)
class Notice:
    """What a chat message says, before it is put in Slack's or Teams' format."""

    title: str
    lines: tuple[str, ...]
    link: str


def slack_message(notice: Notice) -> dict[str, Any]:
    """A Slack incoming-webhook body: ``text`` (notifications) and Block Kit blocks."""
    body = "\n".join(notice.lines)
    return {
        "text": f"{notice.title}: {notice.lines[0]}" if notice.lines else notice.title,
        "blocks": [
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"*{_slack_escape(notice.title)}*\n"
                         + _slack_escape(body)},
            },
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "Open in carpe"},
                        "url": notice.link,
                    }
                ],
            },
        ],
    }  # fmt: skip


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def teams_message(notice: Notice) -> dict[str, Any]:
    """A Teams incoming-webhook (or Workflows) body: a message with one Adaptive Card."""
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": [
                        {"type": "TextBlock", "text": notice.title, "weight": "Bolder",
                         "size": "Medium", "wrap": True},
                        *({"type": "TextBlock", "text": line, "wrap": True}
                          for line in notice.lines),
                    ],
                    "actions": [
                        {"type": "Action.OpenUrl", "title": "Open in carpe", "url": notice.link}
                    ],
                },
            }
        ],
    }  # fmt: skip


FORMATTERS = {"slack": slack_message, "teams": teams_message}


# ---- channels -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChannelView:
    """A chat channel as listed (the URL is a secret: only its start is shown)."""

    channel_id: int
    format: str
    scope: str
    url_start: str
    created_at: datetime


def add_channel(
    *,
    session: Session,
    format: str,
    url: str,
    department: str | None = None,
    username: str | None = None,
    now: datetime | None = None,
) -> ChannelView:
    """Add an incoming webhook for a department or a user (``now``: when it was added).

    Raises
    ------
    UsageError
        Unknown format, a URL that is not http(s), or not exactly one of
        department and user, or a department no employee belongs to.
    NotFoundError
        No user of that name.
    """
    if format not in CHAT_FORMATS:
        raise UsageError(f"unknown chat format {format!r}; known: {', '.join(CHAT_FORMATS)}")
    if not url.startswith(("https://", "http://")):
        raise UsageError(f"a chat webhook URL starts with https://, not {url[:20]!r}")
    if (department is None) == (username is None):
        raise UsageError("a chat channel is for one department or one user (give one of them)")
    user_id = None
    if username is not None:
        user_id = get_user_by_name(session=session, username=username).id
    elif not session.scalar(select(Employee.employee_id).where(Employee.department == department)):
        known = sorted(set(session.scalars(select(Employee.department))))
        raise UsageError(f"no employee works in {department!r}; departments: {', '.join(known)}")
    row = ChatChannel(
        format=format,
        url=url,
        department=department,
        user_id=user_id,
        created_at=now or utc_now(),
    )
    session.add(row)
    session.flush()
    return _channel_view(row, username)


def _channel_view(row: ChatChannel, username: str | None) -> ChannelView:
    scope = f"department {row.department}" if row.department else f"user {username}"
    return ChannelView(row.id, row.format, scope, row.url[:40] + "…", row.created_at)


def list_channels(*, session: Session) -> list[ChannelView]:
    """Every chat channel, oldest first."""
    rows = session.execute(
        select(ChatChannel, User.username)
        .outerjoin(User, User.id == ChatChannel.user_id)
        .order_by(ChatChannel.id)
    )
    return [_channel_view(row, name) for row, name in rows]


def remove_channel(*, session: Session, channel_id: int) -> None:
    """Remove a channel and what was queued for it.

    Raises
    ------
    NotFoundError
        No such channel.
    """
    row = session.get(ChatChannel, channel_id)
    if row is None:
        raise NotFoundError("chat channel", str(channel_id))
    session.delete(row)
    session.flush()


# ---- what to post ---------------------------------------------------------------------


def _follow_up_notice(row: Any, links: DigestLinks, today: date, *, for_department: bool) -> Notice:
    follow_up, moment, account, first, last, employee = row
    who = " ".join(p for p in (first, last) if p) or account
    path = (
        f"/contacts/{follow_up.contact_id}"
        if follow_up.contact_id
        else (f"/accounts/{follow_up.account_id}")
    )
    title = f"Follow-up due: {who} ({account})"
    lines = [f"For {employee}" if for_department and employee else ""]
    if moment.sensitive:
        lines.append("A private follow-up: open carpe for what it is about.")
    else:
        lines.append(moment.summary)
        lines.append(
            "Opener: "
            + suggest_opener(
                kind=moment.kind,
                subject=moment.subject,
                summary=moment.summary,
                sensitive=moment.sensitive,
                when=moment.event_on,
                today=today,
            )
        )
    return Notice(title, tuple(line for line in lines if line), links.to(path))


def _conflict_notice(row: StoredConflict, account: str, links: DigestLinks) -> Notice:
    label = conflict_type_name(row.type)
    departments = ", ".join(json.loads(row.departments))
    return Notice(
        f"New conflict: {label} at {account}",
        (f"{departments} · {row.amount_at_risk:,.0f} at stake",),
        links.to(f"/conflicts/{row.conflict_id}"),
    )


def _channel_items(
    session: Session, channel: ChatChannel, today: date, links: DigestLinks
) -> list[tuple[str, Notice]]:
    employees: Sequence[str]
    if channel.department is not None:
        employees = session.scalars(
            select(Employee.employee_id).where(Employee.department == channel.department)
        ).all()
    else:
        user = session.get(User, channel.user_id)
        employees = [user.employee_id] if user is not None and user.employee_id else []
    since = channel.created_at.date() - timedelta(days=BACKLOG_DAYS)
    found: list[tuple[str, Notice]] = []
    if employees:
        rows = session.execute(
            select(FollowUp, StoredMoment, Account.name, Contact.first_name, Contact.last_name,
                   Employee.name)
            .join(StoredMoment, StoredMoment.id == FollowUp.moment_id)
            .join(Account, Account.account_id == FollowUp.account_id)
            .outerjoin(Contact, Contact.contact_id == FollowUp.contact_id)
            .outerjoin(Employee, Employee.employee_id == FollowUp.employee_id)
            .where(
                FollowUp.status == "open",
                FollowUp.due_on <= today,
                FollowUp.due_on >= since,
                FollowUp.employee_id.in_(list(employees)),
            )
            .order_by(FollowUp.due_on, FollowUp.id)
        )  # fmt: skip
        department = channel.department is not None
        found += [
            (f"follow_up:{r[0].id}", _follow_up_notice(r, links, today, for_department=department))
            for r in rows
        ]
    conflicts = (
        select(StoredConflict, Account.name)
        .join(Account, Account.account_id == StoredConflict.account_id)
        .where(StoredConflict.status == "open", StoredConflict.detected_at >= channel.created_at)
    )
    if channel.department is not None:
        conflicts = conflicts.where(
            StoredConflict.departments.contains(json.dumps(channel.department))
        )
    else:
        conflicts = conflicts.where(StoredConflict.owner.in_(list(employees) or ["\x00"]))
    found += [
        (f"conflict:{c.conflict_id}", _conflict_notice(c, name, links))
        for c, name in session.execute(conflicts.order_by(StoredConflict.detected_at))
    ]
    return found


def queue_chat(*, session: Session, today: date, links: DigestLinks) -> int:
    """Queue, for every channel, what it has not been sent yet; how many messages were queued."""
    queued = 0
    now = utc_now()
    for channel in session.scalars(select(ChatChannel).order_by(ChatChannel.id)).all():
        items = _channel_items(session, channel, today, links)
        if not items:
            continue
        known = set(
            session.scalars(
                select(ChatDelivery.key).where(
                    ChatDelivery.channel_id == channel.id,
                    ChatDelivery.key.in_([key for key, _ in items]),
                )
            )
        )
        format_message = FORMATTERS[channel.format]
        rows = [
            {
                "channel_id": channel.id,
                "key": key,
                "payload": json.dumps(format_message(notice)),
                "created_at": now,
                "attempts": 0,
            }
            for key, notice in items
            if key not in known
        ]
        if rows:
            session.execute(insert(ChatDelivery), rows)
            queued += len(rows)
    return queued


@dataclass(frozen=True, slots=True)
class ChatReport:
    """What a chat pass did."""

    queued: int
    sent: int
    failed: int


def deliver_chat(
    *, session: Session, send: Sender = post_json, now: datetime | None = None, limit: int = 200
) -> tuple[int, int]:
    """Post pending messages, each claimed first; (sent, failed). Commits per message."""
    moment = now or utc_now()
    pending = session.execute(
        select(ChatDelivery.id, ChatChannel.url)
        .join(ChatChannel, ChatChannel.id == ChatDelivery.channel_id)
        .where(ChatDelivery.delivered_at.is_(None), ChatDelivery.attempts < MAX_ATTEMPTS)
        .order_by(ChatDelivery.id)
        .limit(limit)
    ).all()
    stale = moment - timedelta(minutes=CLAIM_MINUTES)
    sent = failed = 0
    for delivery_id, url in pending:
        claimed = session.execute(
            update(ChatDelivery)
            .where(
                ChatDelivery.id == delivery_id,
                ChatDelivery.delivered_at.is_(None),
                or_(ChatDelivery.claimed_at.is_(None), ChatDelivery.claimed_at <= stale),
            )
            .values(claimed_at=moment)
            .execution_options(synchronize_session=False)
        )
        session.commit()
        if getattr(claimed, "rowcount", 0) != 1:
            continue
        delivery = session.get(ChatDelivery, delivery_id)
        assert delivery is not None
        status = send(url, delivery.payload.encode(), {"Content-Type": "application/json"})
        delivery.attempts += 1
        if 200 <= status < 300:
            delivery.delivered_at = utc_now()
            delivery.last_error = None
            sent += 1
        else:
            delivery.claimed_at = None  # let the next pass try again
            delivery.last_error = f"HTTP {status}" if status else "no answer"
            failed += 1
        session.commit()
    return sent, failed


def post_chat(
    *, session: Session, today: date, links: DigestLinks, send: Sender = post_json
) -> ChatReport:
    """Queue what is new for every channel, then post everything pending."""
    queued = queue_chat(session=session, today=today, links=links)
    session.commit()
    sent, failed = deliver_chat(session=session, send=send)
    return ChatReport(queued, sent, failed)
