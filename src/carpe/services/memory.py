"""Customer-memory use cases: extract moments from new notes, follow-ups, review."""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from carpe.errors import NotFoundError, UsageError
from carpe.memory import DURABLE_KINDS, KINDS, SENSITIVE_KINDS, Extractor, Moment
from carpe.memory.filing import named_contact, same_moment
from carpe.memory.opener import suggest_opener
from carpe.memory.resolve import drop_resolved, find_resolutions
from carpe.services.audit import audit
from carpe.services.permissions import Resource, Viewer, allowed, require, require_actor
from carpe.services.permissions import moment as moment_resource
from carpe.store.memory import FollowUp, MomentEvidence, NoteExtraction, StoredMoment
from carpe.store.models import Account, Contact, Employee, Touchpoint, utc_now

STALE_AFTER_DAYS = 30
"""A follow-up found in history more than this long past its day is recorded as expired."""
UNDATED_FOLLOW_UP_DAYS = 7
_WORD = re.compile(r"[a-z]{3,}")
EXTRACT_BATCH = 5_000


@dataclass(frozen=True, slots=True)
class ExtractionReport:
    """What a pass of the extractor over new notes did."""

    notes_read: int
    moments_found: int
    follow_ups_created: int
    moments_resolved: int
    seconds: float


def _as_moment(row: StoredMoment) -> Moment:
    return Moment(
        kind=row.kind,  # type: ignore[arg-type]
        subject=row.subject,
        summary=row.summary,
        when=row.event_on,
        follow_up_on=row.follow_up_on,
        sensitive=row.sensitive,
        confidence=row.confidence,
        evidence=row.evidence,
    )


def _open_moments(session: Session) -> dict[str, list[StoredMoment]]:
    """Open, time-bound, not-dismissed moments by contact (or account when no contact)."""
    rows = session.scalars(
        select(StoredMoment).where(
            StoredMoment.closed_at.is_(None),
            StoredMoment.review != "dismissed",
            StoredMoment.kind.not_in(sorted(DURABLE_KINDS)),
        )
    )
    found: dict[str, list[StoredMoment]] = defaultdict(list)
    for row in rows:
        found[row.contact_id or f"account:{row.account_id}"].append(row)
    return found


def _active_owners(session: Session) -> dict[str, str]:
    """Account id → owner employee id, for owners still employed."""
    rows = session.execute(
        select(Account.account_id, Account.owner_employee_id)
        .join(Employee, Employee.employee_id == Account.owner_employee_id)
        .where(Employee.left_on.is_(None))
    )
    return {a: o for a, o in rows if o}


def follow_up_day(moment: Moment, noted_on: date) -> date | None:
    """When to ask about ``moment``: its own day, a week after an undated event, never for facts."""
    if moment.kind in DURABLE_KINDS:
        return None
    return moment.follow_up_on or noted_on + timedelta(days=UNDATED_FOLLOW_UP_DAYS)


@dataclass(frozen=True, slots=True)
class NoteSource:
    """A note and where it came from."""

    touchpoint_id: str
    account_id: str
    contact_id: str | None
    employee_id: str | None
    noted_on: date
    note: str


@dataclass(frozen=True, slots=True)
class RecordedNote:
    """What recording one note's moments did."""

    moments: list[StoredMoment]
    follow_ups: int
    resolved: int
    still_open: list[StoredMoment]


def record_note(
    *,
    session: Session,
    source: NoteSource,
    moments: list[Moment],
    open_moments: list[StoredMoment],
    assignee: str | None,
    today: date,
    review: str = "suggested",
) -> RecordedNote:
    """Store one note's moments and follow-ups, and close the open moments it resolves.

    ``open_moments`` are the contact's open, time-bound moments before this note;
    the result's ``still_open`` are those after it (including the new ones). A moment
    that is the same as an open one (:func:`~carpe.memory.filing.same_moment`) adds
    this note as a piece of evidence to it instead of opening a second one.
    """
    resolved = 0
    lower = source.note.lower()
    # only moments whose subject the note names can be resolved by it (cheap pre-check)
    named = [m for m in open_moments if any(w in lower for w in _WORD.findall(m.subject.lower()))]
    hits = find_resolutions(source.note, source.noted_on, [_as_moment(m) for m in named])
    for hit in hits:
        closing = named[hit.index]
        closing.closed_at = source.noted_on
        closing.closed_by_touchpoint_id = source.touchpoint_id
        for follow_up in session.scalars(select(FollowUp).where(FollowUp.moment_id == closing.id)):
            if follow_up.status in ("open", "snoozed", "expired"):
                follow_up.status = "done"
                follow_up.completed_on = source.noted_on
                follow_up.outcome = f"Resolved in a later note: “{hit.evidence}”"
        resolved += 1
    still_open = [m for m in open_moments if m.closed_at is None]
    stored = store_moments(
        session=session,
        source=source,
        moments=drop_resolved(moments, hits),
        still_open=still_open,
        assignee=assignee,
        today=today,
        review=review,
    )
    session.add(
        NoteExtraction(
            touchpoint_id=source.touchpoint_id, moments_found=len(moments), extracted_at=utc_now()
        )
    )
    return RecordedNote(stored.moments, stored.follow_ups, resolved, still_open)


def store_moments(
    *,
    session: Session,
    source: NoteSource,
    moments: list[Moment],
    still_open: list[StoredMoment],
    assignee: str | None,
    today: date,
    review: str = "suggested",
) -> RecordedNote:
    """Store moments of ``source``'s contact; ``still_open`` (updated in place) are theirs."""
    stamp = utc_now()
    stored_moments: list[StoredMoment] = []
    follow_ups = 0
    for moment in moments:
        again = next(
            (
                m
                for m in still_open
                if m.touchpoint_id != source.touchpoint_id
                and same_moment(
                    moment.kind, moment.subject, moment.when, m.kind, m.subject, m.event_on
                )
            ),
            None,
        )
        if again is not None:
            if again.id is None:
                session.flush()
            session.add(
                MomentEvidence(
                    moment_id=again.id,
                    touchpoint_id=source.touchpoint_id,
                    noted_on=source.noted_on,
                    evidence=moment.evidence,
                )
            )
            if again.event_on is None and moment.when is not None:
                again.event_on = moment.when
            continue
        row = StoredMoment(
            account_id=source.account_id,
            contact_id=source.contact_id,
            touchpoint_id=source.touchpoint_id,
            recorded_by=source.employee_id,
            noted_on=source.noted_on,
            kind=moment.kind,
            subject=moment.subject[:200],
            summary=moment.summary[:500],
            event_on=moment.when,
            follow_up_on=moment.follow_up_on,
            sensitive=moment.sensitive,
            confidence=moment.confidence,
            evidence=moment.evidence,
            review=review,
            created_at=stamp,
        )
        session.add(row)
        stored_moments.append(row)
        due = follow_up_day(moment, source.noted_on)
        if due is None:
            continue
        stale = due < today - timedelta(days=STALE_AFTER_DAYS)
        session.add(
            FollowUp(
                moment=row,
                account_id=source.account_id,
                contact_id=source.contact_id,
                employee_id=assignee,
                due_on=due,
                status="expired" if stale else "open",
                created_at=stamp,
            )
        )
        follow_ups += 1
        still_open.append(row)
    return RecordedNote(stored_moments, follow_ups, 0, still_open)


def _first_names(session: Session) -> dict[str, dict[str, str]]:
    """Account id -> {first name: contact id}, for first names unique in their account."""
    seen: dict[str, dict[str, str | None]] = defaultdict(dict)
    rows = session.execute(select(Contact.account_id, Contact.contact_id, Contact.first_name))
    for account_id, contact_id, first in rows:
        if first:
            names = seen[account_id]
            names[first] = None if first in names else contact_id
    return {a: {n: c for n, c in names.items() if c} for a, names in seen.items()}


def open_moments_of(
    *, session: Session, account_id: str, contact_id: str | None
) -> list[StoredMoment]:
    """A contact's (or, without one, an account's) open, time-bound, not-dismissed moments."""
    query = select(StoredMoment).where(
        StoredMoment.closed_at.is_(None),
        StoredMoment.review != "dismissed",
        StoredMoment.kind.not_in(sorted(DURABLE_KINDS)),
    )
    if contact_id is not None:
        query = query.where(StoredMoment.contact_id == contact_id)
    else:
        query = query.where(
            StoredMoment.account_id == account_id, StoredMoment.contact_id.is_(None)
        )
    return list(session.scalars(query.order_by(StoredMoment.id)))


def _unread_notes(*columns: Any) -> Any:
    """``columns`` of the touchpoints whose note carpe has not read yet."""
    return (
        select(*columns)
        .select_from(Touchpoint)
        .outerjoin(NoteExtraction, NoteExtraction.touchpoint_id == Touchpoint.touchpoint_id)
        .where(NoteExtraction.touchpoint_id.is_(None), Touchpoint.note.is_not(None))
    )


def count_unread_notes(*, engine: Engine) -> int:
    """How many notes :func:`extract_new_notes` would read now (for a progress bar)."""
    with engine.connect() as connection:
        return int(connection.scalar(_unread_notes(func.count())) or 0)


def extract_new_notes(
    *,
    engine: Engine,
    today: date,
    extractor: Extractor | None = None,
    progress: Callable[[int], None] | None = None,
) -> ExtractionReport:
    """Read every note not read before, store its moments, close what it resolves.

    Notes are read in the order they were written, so "Max is fine now" closes
    the moment an earlier note opened. Each time-bound moment gets a follow-up
    for the account owner (or, when the owner has left, the employee who wrote
    the note), due when it would be natural to ask. Follow-ups whose day lies
    more than ``STALE_AFTER_DAYS`` before ``today`` are recorded as expired.
    Idempotent: a note is read once. A note carpe wrote itself (``origin`` set: a
    follow-up done, a gesture logged) is never read for new moments, though it may
    still close one ("Max is fine now"). A moment that names another contact of the
    account is filed under that contact.
    """
    started = time.perf_counter()
    extractor = extractor or Extractor()
    notes = found = created = resolved = 0
    pending = _unread_notes(
        Touchpoint.touchpoint_id,
        Touchpoint.account_id,
        Touchpoint.contact_id,
        Touchpoint.employee_id,
        Touchpoint.occurred_at,
        Touchpoint.note,
        Touchpoint.origin,
    ).order_by(Touchpoint.occurred_at, Touchpoint.touchpoint_id)
    with Session(engine) as session, engine.connect() as reader:
        open_by_contact = _open_moments(session)
        owners = _active_owners(session)
        names = _first_names(session)
        result = reader.execution_options(yield_per=EXTRACT_BATCH).execute(pending)
        for partition in result.partitions():
            batch = list(partition)
            extracted = extractor.extract_many(
                ("" if r.origin else r.note, r.occurred_at.date()) for r in batch
            )
            for row, moments in zip(batch, extracted, strict=True):
                source = NoteSource(
                    row.touchpoint_id,
                    row.account_id,
                    row.contact_id,
                    row.employee_id,
                    row.occurred_at.date(),
                    row.note,
                )
                elsewhere: dict[str, list[Moment]] = defaultdict(list)
                own: list[Moment] = []
                for moment in moments:
                    other = named_contact(
                        moment.evidence, names.get(row.account_id, {}), row.contact_id
                    )
                    (elsewhere[other] if other else own).append(moment)
                key = row.contact_id or f"account:{row.account_id}"
                assignee = owners.get(row.account_id, row.employee_id)
                recorded = record_note(
                    session=session,
                    source=source,
                    moments=own,
                    open_moments=open_by_contact.get(key, []),
                    assignee=assignee,
                    today=today,
                )
                open_by_contact[key] = recorded.still_open
                found += len(recorded.moments)
                created += recorded.follow_ups
                resolved += recorded.resolved
                for contact_id, theirs in elsewhere.items():
                    filed = store_moments(
                        session=session,
                        source=replace(source, contact_id=contact_id),
                        moments=theirs,
                        still_open=open_by_contact.setdefault(contact_id, []),
                        assignee=assignee,
                        today=today,
                    )
                    found += len(filed.moments)
                    created += filed.follow_ups
                notes += 1
            session.commit()
            if progress is not None:
                progress(notes)
    return ExtractionReport(notes, found, created, resolved, time.perf_counter() - started)


# ---- review -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MomentEdit:
    """Fields a person may correct when confirming a moment (``None`` keeps the value)."""

    kind: str | None = None
    subject: str | None = None
    summary: str | None = None
    event_on: date | None = None
    follow_up_on: date | None = None


def review_moment(
    *,
    session: Session,
    moment_id: int,
    action: str,
    edit: MomentEdit | None = None,
    viewer: Viewer,
) -> StoredMoment:
    """Confirm (optionally edited) or dismiss an extracted moment.

    Dismissing a moment also dismisses its follow-up. Editing the kind keeps
    sensitivity in line with the kind (health and loss are always sensitive).
    A sensitive moment the ``viewer`` may not see does not exist for them; only
    its recorder, the account owner or a manager may review it; the review of a
    sensitive moment is audited.

    Raises
    ------
    NotFoundError
        No moment with that id (that the viewer may see).
    ForbiddenError
        The viewer may see the moment but not review it.
    UsageError
        An unknown action or kind.
    """
    require_actor(viewer)
    moment = session.get(StoredMoment, moment_id)
    if moment is None:
        raise NotFoundError("moment", str(moment_id))
    owner = session.scalar(
        select(Account.owner_employee_id).where(Account.account_id == moment.account_id)
    )
    it = moment_resource(sensitive=moment.sensitive, recorded_by=moment.recorded_by, owner=owner)
    if not allowed(viewer, "see", it):
        raise NotFoundError("moment", str(moment_id))
    why = "only the person who recorded it, the account owner or a manager may review it"
    require(viewer, "review", it, why=why)
    reviewed = _review(session, moment, action, edit)
    if reviewed.sensitive:
        audit(
            session=session,
            viewer=viewer,
            action=f"review:{action}",
            subject_type="moment",
            subject_id=str(moment_id),
        )
    return reviewed


def _review(
    session: Session, moment: StoredMoment, action: str, edit: MomentEdit | None
) -> StoredMoment:
    moment_id = moment.id
    if action not in ("confirm", "dismiss"):
        raise UsageError(f"action must be confirm or dismiss, not {action!r}")
    follow_up = session.scalars(select(FollowUp).where(FollowUp.moment_id == moment_id)).first()
    if action == "dismiss":
        moment.review = "dismissed"
        if follow_up is not None and follow_up.status in ("open", "snoozed"):
            follow_up.status = "dismissed"
        return moment
    edit = edit or MomentEdit()
    if edit.kind is not None:
        if edit.kind not in KINDS:
            raise UsageError(f"kind must be one of {', '.join(KINDS)}, not {edit.kind!r}")
        moment.kind = edit.kind
        moment.sensitive = edit.kind in SENSITIVE_KINDS or moment.sensitive
    for name in ("subject", "summary", "event_on", "follow_up_on"):
        value = getattr(edit, name)
        if value is not None:
            setattr(moment, name, value)
    if follow_up is not None and edit.follow_up_on is not None:
        follow_up.due_on = edit.follow_up_on
    moment.review = "confirmed"
    return moment


# ---- follow-ups -----------------------------------------------------------------------


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
    "ExtractionReport",
    "FollowUpRow",
    "MomentEdit",
    "complete_follow_up",
    "dismiss_follow_up",
    "extract_new_notes",
    "follow_up_day",
    "list_follow_ups",
    "review_moment",
    "snooze_follow_up",
    "store_moments",
]
