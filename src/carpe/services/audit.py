"""The audit log: who read or changed what, written in the caller's transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from carpe.services.permissions import Viewer, require_actor
from carpe.store.access import AuditEntry
from carpe.store.models import utc_now


def audit(
    *,
    session: Session,
    viewer: Viewer,
    action: str,
    subject_type: str,
    subject_id: str,
    detail: str | None = None,
) -> None:
    """Write one entry to the audit log (in the caller's transaction), as done by ``viewer``.

    The system actor is written as its name (``cli``), with no user id.
    """
    require_actor(viewer)
    session.add(
        AuditEntry(
            at=utc_now(),
            user_id=viewer.user_id if viewer.user_id > 0 else None,
            actor=viewer.username,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            detail=detail,
        )
    )


def audit_moment_shown(*, session: Session, viewer: Viewer, moment_id: int, where: str) -> None:
    """Write that a sensitive moment was shown to ``viewer`` (``where``: on which page)."""
    audit(
        session=session,
        viewer=viewer,
        action="view",
        subject_type="moment",
        subject_id=str(moment_id),
        detail=where,
    )
