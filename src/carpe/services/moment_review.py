"""Reviewing an extracted moment: confirm it (optionally corrected) or dismiss it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from carpe.errors import NotFoundError, UsageError
from carpe.services.audit import audit
from carpe.services.permissions import Viewer, allowed, require, require_actor
from carpe.services.permissions import moment as moment_resource
from carpe.store.memory import FollowUp, StoredMoment
from carpe.store.models import Account
from carpe.vocabulary import MOMENT_KINDS


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
    sensitivity in line with the kind: it is derived from the kind, never stored.
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
        if edit.kind not in MOMENT_KINDS:
            raise UsageError(f"kind must be one of {', '.join(MOMENT_KINDS)}, not {edit.kind!r}")
        moment.kind = edit.kind
    for name in ("subject", "summary", "event_on", "follow_up_on"):
        value = getattr(edit, name)
        if value is not None:
            setattr(moment, name, value)
    if follow_up is not None and edit.follow_up_on is not None:
        follow_up.due_on = edit.follow_up_on
    moment.review = "confirmed"
    return moment


__all__ = ["MomentEdit", "review_moment"]
