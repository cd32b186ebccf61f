"""The morning digest: what one person should know today, composed from the pages' services.

:func:`compose_digest` asks the same services Today and the contact brief ask
(follow-ups, the brief, gesture ideas, conflicts, contacts going quiet) as the
person themselves, so a sensitive moment is in their digest exactly when their
pages would show it. :func:`send_due_digests` sends each person's digest once
per day (their own day, in their time zone): each send is first *claimed* in
``digest_sends`` — a unique row per user and day — so several workers or a
cron job beside ``carpe serve`` never send it twice; a failure is recorded and
retried on a later pass, a few minutes apart, up to ``MAX_ATTEMPTS`` times.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from carpe.errors import NotFoundError, UsageError
from carpe.services import brief, gestures
from carpe.services.conflicts import list_conflicts
from carpe.services.digest_mail import DigestLinks, build_message
from carpe.services.follow_ups import FollowUpRow, list_follow_ups
from carpe.services.mail import MailServer, send_message
from carpe.services.permissions import Viewer, require_actor
from carpe.services.preferences import parse_digest_time, parse_time_zone
from carpe.services.users import get_user_by_name, viewer_of
from carpe.store.access import User
from carpe.store.models import Employee, utc_now
from carpe.store.reminders import DigestSend, UserPreferences
from carpe.store.uow import UnitOfWork
from carpe.vocabulary import conflict_type_name

MAX_FOLLOW_UPS = 12
FACTS_PER_FOLLOW_UP = 3
MAX_CONFLICTS = 5
MAX_QUIET = 5
MAX_ATTEMPTS = 5
RETRY_MINUTES = 5
"""A failed send is tried again after ``RETRY_MINUTES`` × the attempts so far."""
STALE_CLAIM_MINUTES = 30
"""A claim still ``sending`` after this long belonged to a process that died: re-claimable."""


@dataclass(frozen=True, slots=True)
class DigestFollowUp:
    """A follow-up due, with the opener and the few facts worth having in mind."""

    follow_up_id: int
    due_on: date
    contact: str
    account: str
    path: str
    what: str
    sensitive: bool
    opener: str
    facts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DigestIdea:
    """A gesture idea within the person's budget."""

    contact: str
    account: str
    path: str
    idea: str
    cost: float
    answers: str


@dataclass(frozen=True, slots=True)
class DigestConflict:
    """A live conflict the person owns."""

    conflict_id: str
    type: str
    account: str
    departments: tuple[str, ...]
    amount_at_risk: float
    severity_label: str
    status: str
    path: str


@dataclass(frozen=True, slots=True)
class DigestQuiet:
    """A contact gone quiet beyond their own rhythm."""

    contact: str
    account: str
    path: str
    days_since: int
    usual_gap_days: float


@dataclass(frozen=True, slots=True)
class Digest:
    """One person's morning digest for one day."""

    username: str
    name: str
    day: date
    follow_ups: tuple[DigestFollowUp, ...]
    more_follow_ups: int
    ideas: tuple[DigestIdea, ...]
    budget_left: float | None
    conflicts: tuple[DigestConflict, ...]
    quiet: tuple[DigestQuiet, ...]

    @property
    def items(self) -> int:
        """How many things it tells (0: nothing worth a mail)."""
        return (
            len(self.follow_ups)
            + self.more_follow_ups
            + len(self.ideas)
            + len(self.conflicts)
            + len(self.quiet)
        )


def _contact_path(contact_id: str | None, account_id: str) -> str:
    return f"/contacts/{contact_id}" if contact_id else f"/accounts/{account_id}"


def _facts(session: Session, row: FollowUpRow, today: date, viewer: Viewer) -> tuple[str, ...]:
    """The brief's few facts that matter: an open problem, other open moments, what they like."""
    if row.contact_id is None:
        return ()
    found = brief.contact_brief(
        session=session, contact_id=row.contact_id, today=today, viewer=viewer
    )
    facts = [p.text for p in found.open_problems[:1]]
    facts += [m.summary for m in found.open_moments if m.moment_id != row.moment_id]
    facts += list(found.preferences) + list(found.interests)
    return tuple(dict.fromkeys(facts))[:FACTS_PER_FOLLOW_UP]


def compose_digest(*, session: Session, viewer: Viewer, today: date) -> Digest:
    """Everything the viewer's digest for ``today`` tells, as the viewer may see it.

    Sensitive moments follow the pages' rules (the services are asked as the
    viewer; showing one is written to the audit log as a page view is).
    """
    me = require_actor(viewer).employee_id
    name = viewer.username
    due: list[FollowUpRow] = []
    if me is not None:
        employee = session.get(Employee, me)
        name = employee.name if employee is not None else name
        due = list_follow_ups(
            session=session, today=today, employee_id=me, due_by=today, viewer=viewer
        )
    follow_ups = tuple(
        DigestFollowUp(
            f.follow_up_id,
            f.due_on,
            f.contact or f.account,
            f.account,
            _contact_path(f.contact_id, f.account_id),
            f.summary,
            f.sensitive,
            f.opener,
            _facts(session, f, today, viewer),
        )
        for f in due[:MAX_FOLLOW_UPS]
    )
    contact_ideas = gestures.ideas_for_today(session=session, viewer=viewer, today=today, limit=3)
    ideas = tuple(
        DigestIdea(
            c.name,
            c.account_name,
            f"/contacts/{c.contact_id}",
            c.ideas.suggestions[0].idea,
            c.ideas.suggestions[0].cost,
            c.ideas.suggestions[0].answers,
        )
        for c in contact_ideas
    )
    budget_left = contact_ideas[0].ideas.budget_left if contact_ideas else None
    owned = list_conflicts(session=session, viewer=viewer, owner=me) if me is not None else []
    conflicts = tuple(
        DigestConflict(
            c.conflict_id,
            conflict_type_name(c.type),
            c.account_name,
            tuple(c.departments),
            c.amount_at_risk,
            c.severity_label,
            c.status,
            f"/conflicts/{c.conflict_id}",
        )
        for c in owned
        if c.status in ("open", "acknowledged")
    )[:MAX_CONFLICTS]
    drifting = (
        brief.losing_touch(session=session, today=today, employee_id=me, limit=MAX_QUIET)
        if me is not None
        else []
    )
    quiet = tuple(
        DigestQuiet(d.name, d.account, f"/contacts/{d.contact_id}", d.days_since, d.usual_gap_days)
        for d in drifting
    )
    return Digest(
        viewer.username,
        name,
        today,
        follow_ups,
        max(0, len(due) - MAX_FOLLOW_UPS),
        ideas,
        budget_left,
        conflicts,
        quiet,
    )


@dataclass(frozen=True, slots=True)
class Recipient:
    """Someone whose digest is due: who, where to, and their own day."""

    user_id: int
    username: str
    email: str | None
    day: date


def local_day(now: datetime, time_zone: str) -> date:
    """The date it is at ``now`` (aware) in ``time_zone``."""
    return now.astimezone(parse_time_zone(time_zone)).date()


def due_recipients(*, session: Session, now: datetime) -> list[Recipient]:
    """Users who want a digest, whose time of day has come and whose digest is not done today.

    ``now`` is an aware datetime. "Not done" means no send recorded for their
    local day, or a failed one that may be retried.
    """
    rows = session.execute(
        select(User, UserPreferences)
        .join(UserPreferences, UserPreferences.user_id == User.id)
        .where(
            User.active.is_(True),
            UserPreferences.digest_enabled.is_(True),
            UserPreferences.email.is_not(None),
        )
        .order_by(User.id)
    ).all()
    found: list[Recipient] = []
    for user, prefs in rows:
        local = now.astimezone(parse_time_zone(prefs.time_zone))
        if local.time() < parse_digest_time(prefs.digest_time):
            continue
        found.append(Recipient(user.id, user.username, prefs.email, local.date()))
    if not found:
        return []
    done = {
        (s.user_id, s.day)
        for s in session.scalars(
            select(DigestSend).where(DigestSend.user_id.in_([r.user_id for r in found]))
        )
        if s.status in ("sent", "empty") or s.attempts >= MAX_ATTEMPTS
    }
    return [r for r in found if (r.user_id, r.day) not in done]


def worker_name() -> str:
    """This process, as a claim names it."""
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def claim_digest(
    *, uow: UnitOfWork, user_id: int, day: date, worker: str, now: datetime | None = None
) -> bool:
    """Claim the right to send ``user_id``'s digest for ``day``; True for exactly one claimer.

    A first claim inserts the day's row (the unique key turns a second insert
    away); a failed send becomes claimable again after its retry delay, a
    claim left ``sending`` by a dead process after ``STALE_CLAIM_MINUTES``.
    The claim is committed before anything is sent. ``now`` is an aware
    datetime (default: the clock).
    """
    now = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
    try:
        uow.session.add(
            DigestSend(
                user_id=user_id,
                day=day,
                status="sending",
                attempts=0,
                claimed_at=now,
                claimed_by=worker,
                items=0,
            )
        )
        uow.commit()
        return True
    except IntegrityError:
        uow.rollback()
    row = uow.session.scalars(
        select(DigestSend).where(DigestSend.user_id == user_id, DigestSend.day == day)
    ).one()
    retry_after = now - timedelta(minutes=RETRY_MINUTES * max(row.attempts, 1))
    stale = now - timedelta(minutes=STALE_CLAIM_MINUTES)
    claimed = uow.session.execute(
        update(DigestSend)
        .where(
            DigestSend.id == row.id,
            DigestSend.attempts < MAX_ATTEMPTS,
            or_(
                and_(DigestSend.status == "failed", DigestSend.claimed_at <= retry_after),
                and_(DigestSend.status == "sending", DigestSend.claimed_at <= stale),
            ),
        )
        .values(status="sending", claimed_at=now, claimed_by=worker)
        .execution_options(synchronize_session=False)
    )
    uow.commit()
    return bool(getattr(claimed, "rowcount", 0) == 1)


def _record(
    uow: UnitOfWork,
    user_id: int,
    day: date,
    *,
    status: str,
    recipient: str | None,
    items: int,
    error: str | None,
) -> None:
    row = uow.session.scalars(
        select(DigestSend).where(DigestSend.user_id == user_id, DigestSend.day == day)
    ).one()
    row.status = status
    row.attempts += 1
    row.recipient = recipient
    row.items = items
    row.last_error = error
    row.sent_at = utc_now() if status == "sent" else None
    uow.commit()


@dataclass(frozen=True, slots=True)
class SendReport:
    """What a pass of :func:`send_due_digests` did."""

    sent: int
    empty: int
    failed: int
    skipped: int
    """Claimed by another worker, or not due for a retry yet."""


def _send_one(
    *,
    units: Callable[[], UnitOfWork],
    recipient: Recipient,
    server: MailServer,
    links: DigestLinks,
    worker: str,
    now: datetime,
) -> str:
    """Claim, compose, send and record one digest; its outcome (``sent``, ``empty``, …)."""
    with units() as uow:
        if not claim_digest(
            uow=uow, user_id=recipient.user_id, day=recipient.day, worker=worker, now=now
        ):
            return "skipped"
    message: EmailMessage | None = None
    items = 0
    error: str | None = None
    with units() as uow:
        user = uow.session.get(User, recipient.user_id)
        assert user is not None
        digest = compose_digest(session=uow.session, viewer=viewer_of(user), today=recipient.day)
        uow.commit()  # the audit entries of the sensitive moments it shows
        items = digest.items
        if items:
            assert recipient.email is not None
            message = build_message(digest, to=recipient.email, sender=server.sender, links=links)
    if message is not None:
        try:
            send_message(server, message)
        except OSError as exc:  # smtplib's errors are OSErrors too
            error = f"{type(exc).__name__}: {exc}"[:1000]
    status = "failed" if error else ("sent" if message is not None else "empty")
    with units() as uow:
        _record(
            uow,
            recipient.user_id,
            recipient.day,
            status=status,
            recipient=recipient.email,
            items=items,
            error=error,
        )
    return status


def send_due_digests(
    *,
    units: Callable[[], UnitOfWork],
    server: MailServer,
    links: DigestLinks,
    now: datetime | None = None,
    username: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SendReport:
    """Send every digest that is due (or only ``username``'s, whatever the time of day).

    Parameters
    ----------
    units : callable
        Opens a unit of work on the store (``carpe.unit_of_work``); each claim,
        composition and record is its own transaction.
    server : MailServer
        Where mail goes.
    links : DigestLinks
        The base address links start with.
    now : datetime, optional
        An aware "now" (default: the clock).
    username : str, optional
        Only this user, as soon as asked (still once per day).
    progress : callable, optional
        Called with (done, total) after each recipient.

    Raises
    ------
    NotFoundError
        No user of that name.
    UsageError
        That user has no address to send to.
    """
    moment = now or datetime.now(UTC)
    with units() as uow:
        if username is None:
            recipients = due_recipients(session=uow.session, now=moment)
        else:
            recipients = [_recipient_now(uow.session, username, moment)]
    worker = worker_name()
    counts = {"sent": 0, "empty": 0, "failed": 0, "skipped": 0}
    for done, recipient in enumerate(recipients, start=1):
        outcome = _send_one(
            units=units, recipient=recipient, server=server, links=links, worker=worker, now=moment
        )
        counts[outcome] += 1
        if progress is not None:
            progress(done, len(recipients))
    return SendReport(counts["sent"], counts["empty"], counts["failed"], counts["skipped"])


def _recipient_now(session: Session, username: str, now: datetime) -> Recipient:
    user = get_user_by_name(session=session, username=username)
    prefs = session.get(UserPreferences, user.id)
    if prefs is None or prefs.email is None:
        raise UsageError(
            f"user {username!r} has no e-mail address; set one on the preferences page "
            f"or with `carpe digest preferences --user {username} --email ADDRESS`"
        )
    return Recipient(user.id, user.username, prefs.email, local_day(now, prefs.time_zone))


def preview_digest(
    *, session: Session, username: str, links: DigestLinks, sender: str, now: datetime | None = None
) -> tuple[Digest, EmailMessage]:
    """The digest ``username`` would receive now, and its message; nothing is sent or recorded.

    Raises
    ------
    NotFoundError
        No user of that name.
    """
    user = get_user_by_name(session=session, username=username)
    if not user.active:
        raise NotFoundError("active user", username)
    prefs = session.get(UserPreferences, user.id)
    zone = prefs.time_zone if prefs is not None else "UTC"
    day = local_day(now or datetime.now(UTC), zone)
    digest = compose_digest(session=session, viewer=viewer_of(user), today=day)
    to = prefs.email if prefs is not None and prefs.email else ""
    return digest, build_message(digest, to=to, sender=sender, links=links)


@dataclass(frozen=True, slots=True)
class SendRecord:
    """One recorded digest send."""

    username: str
    day: date
    status: str
    attempts: int
    items: int
    recipient: str | None
    sent_at: datetime | None
    last_error: str | None


def list_sends(*, session: Session, limit: int = 50) -> list[SendRecord]:
    """The latest recorded digest sends, newest day first."""
    rows = session.execute(
        select(DigestSend, User.username)
        .join(User, User.id == DigestSend.user_id)
        .order_by(DigestSend.day.desc(), User.username)
        .limit(limit)
    )
    return [
        SendRecord(name, s.day, s.status, s.attempts, s.items, s.recipient, s.sent_at, s.last_error)
        for s, name in rows
    ]
