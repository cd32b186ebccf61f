"""Follow-ups on customer moments: list them, mark them done, snooze or dismiss them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from carpe.errors import NotFoundError, UsageError
from carpe.memory.opener import suggest_opener
from carpe.services.permissions import Resource, Viewer, allowed, require, require_actor
from carpe.services.permissions import moment as moment_resource
from carpe.store.memory import FollowUp, StoredMoment
from carpe.store.models import Account, Contact, Employee


@dataclass(frozen=True, slots=True)
class FollowUpRow:
    """A follow-up as listed on Today and by ``carpe followups``."""

    follow_up_id: int
    due_on: date
    status: str
    employee_id: str | None
    employee: str | None
    account_id: str
    account: str
    contact_id: str | None
    contact: str | None
    moment_id: int
    kind: str
    subject: str
    summary: str
    sensitive: bool
    opener: str


def list_follow_ups(
    *,
    session: Session,
    today: date,
    employee_id: str | None = None,
    due_by: date | None = None,
    statuses: tuple[str, ...] = ("open",),
    limit: int = 500,
    viewer: Viewer,
) -> list[FollowUpRow]:
    """Follow-ups, soonest first; snoozed ones count as open again once their day comes.

    Follow-ups about sensitive moments the ``viewer`` may not see are left out,
    and frontline staff may list only their own.

    Raises
    ------
    ForbiddenError
        A frontline viewer asking for anyone's but their own.
    """
    whose = Resource("follow_ups", owners=(employee_id,))
    require(viewer, "list", whose, why="frontline staff see their own follow-ups")
    query = (
        select(
            FollowUp,
            StoredMoment,
            Account.name,
            Contact.first_name,
            Contact.last_name,
            Employee.name,
            Account.owner_employee_id,
        )
        .join(StoredMoment, StoredMoment.id == FollowUp.moment_id)
        .join(Account, Account.account_id == FollowUp.account_id)
        .outerjoin(Contact, Contact.contact_id == FollowUp.contact_id)
        .outerjoin(Employee, Employee.employee_id == FollowUp.employee_id)
        .order_by(FollowUp.due_on, FollowUp.id)
        .limit(limit)
    )
    wanted = set(statuses)
    if "open" in wanted:
        wanted.add("snoozed")
    query = query.where(FollowUp.status.in_(sorted(wanted)))
    if employee_id:
        query = query.where(FollowUp.employee_id == employee_id)
    if due_by:
        query = query.where(FollowUp.due_on <= due_by)
    rows: list[FollowUpRow] = []
    for follow_up, moment, account, first, last, employee, owner in session.execute(query):
        it = moment_resource(
            sensitive=moment.sensitive, recorded_by=moment.recorded_by, owner=owner
        )
        if not allowed(viewer, "see", it):
            continue
        status = follow_up.status
        if status == "snoozed" and follow_up.snoozed_until and follow_up.snoozed_until <= today:
            status = "open"
        if status not in statuses and not (status == "snoozed" and "snoozed" in statuses):
            continue
        rows.append(
            FollowUpRow(
                follow_up.id,
                follow_up.due_on,
                status,
                follow_up.employee_id,
                employee,
                follow_up.account_id,
                account,
                follow_up.contact_id,
                " ".join(p for p in (first, last) if p) or None,
                moment.id,
                moment.kind,
                moment.subject,
                moment.summary,
                moment.sensitive,
                suggest_opener(
                    kind=moment.kind,
                    subject=moment.subject,
                    summary=moment.summary,
                    sensitive=moment.sensitive,
                    when=moment.event_on,
                    today=today,
                    contact=first,
                ),
            )
        )
    return rows


def _follow_up(session: Session, follow_up_id: int, viewer: Viewer) -> FollowUp:
    """The follow-up, if it exists and is the viewer's to act on, or they manage."""
    require_actor(viewer)
    found = session.get(FollowUp, follow_up_id)
    if found is None:
        raise NotFoundError("follow-up", str(follow_up_id))
    theirs = Resource("follow_up", owners=(found.employee_id,))
    require(viewer, "act", theirs, why="this follow-up is someone else's")
    return found


def complete_follow_up(
    *,
    session: Session,
    follow_up_id: int,
    today: date,
    outcome: str | None = None,
    viewer: Viewer,
) -> FollowUp:
    """Mark a follow-up done (the contact was asked), with what they said.

    The ``viewer``'s own follow-ups only, unless they are a manager
    (:class:`~carpe.errors.ForbiddenError`); the same holds for snooze and dismiss.
    """
    follow_up = _follow_up(session, follow_up_id, viewer)
    follow_up.status = "done"
    follow_up.completed_on = today
    follow_up.outcome = outcome
    return follow_up


def snooze_follow_up(
    *, session: Session, follow_up_id: int, until: date, today: date, viewer: Viewer
) -> FollowUp:
    """Put a follow-up off until a later day.

    Raises
    ------
    UsageError
        When ``until`` is not after ``today``.
    """
    follow_up = _follow_up(session, follow_up_id, viewer)
    if until <= today:
        raise UsageError("a follow-up can only be snoozed to a later day")
    follow_up.status = "snoozed"
    follow_up.snoozed_until = until
    return follow_up


def dismiss_follow_up(*, session: Session, follow_up_id: int, viewer: Viewer) -> FollowUp:
    """Drop a follow-up (it no longer makes sense to ask)."""
    follow_up = _follow_up(session, follow_up_id, viewer)
    follow_up.status = "dismissed"
    return follow_up


__all__ = [
    "FollowUpRow",
    "complete_follow_up",
    "dismiss_follow_up",
    "list_follow_ups",
    "snooze_follow_up",
]
