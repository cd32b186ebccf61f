"""A retention story's consent workflow and its own title: who may record them, and how."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy.orm import Session

from carpe.errors import NotFoundError, UsageError
from carpe.services.audit import audit
from carpe.services.permissions import Resource, Viewer, allowed, require, require_actor
from carpe.services.stories import StoryView, consent_history, load_story, story_view
from carpe.store.models import Contact, utc_now
from carpe.store.stories import StoryConsent
from carpe.vocabulary import CONSENT_STATUSES

MOVES: Final = {
    "internal": ("requested",),
    "requested": ("granted", "declined", "internal"),
    "granted": ("declined", "requested"),
    "declined": ("requested", "granted"),
}
"""Consent status → the statuses it may move to (a customer may change their mind)."""


def may_record_consent(*, session: Session, story_id: str, viewer: Viewer) -> bool:
    """Whether ``viewer`` may record consent for this story (it must be visible to them)."""
    _, _, owner = load_story(session, story_id, viewer)
    return allowed(viewer, "consent", Resource("story", owners=(owner,)))


def record_consent(
    *,
    session: Session,
    story_id: str,
    status: str,
    viewer: Viewer,
    contact_id: str | None = None,
    note: str | None = None,
    amounts_allowed: bool | None = None,
    now: datetime | None = None,
) -> StoryView:
    """Move a story's consent: requested, then granted or declined (logged and audited).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The caller's session (the caller commits).
    story_id : str
        Which story.
    status : {"requested", "granted", "declined", "internal"}
        The new status (``internal`` withdraws a request).
    viewer : Viewer
        Who records it (:data:`~carpe.services.permissions.SYSTEM` for the local command line).
    contact_id : str, optional
        The customer's contact who was asked or decided (one of the account's).
    note : str, optional
        How it was asked or given ("signed release", "by e-mail").
    amounts_allowed : bool, optional
        With ``granted``: the customer allows amounts in the anonymised version.
    now : datetime, optional
        When (default: now).

    Returns
    -------
    StoryView
        The story after the change.

    Raises
    ------
    NotFoundError
        No such story (or not visible), or a contact not of the account.
    ForbiddenError
        Frontline staff recording consent for an account they do not own.
    UsageError
        An unknown status, or a move the workflow does not allow.
    """
    require_actor(viewer)
    if status not in CONSENT_STATUSES:
        raise UsageError(f"unknown consent {status!r}; choose one of {', '.join(CONSENT_STATUSES)}")
    row, name, owner = load_story(session, story_id, viewer)
    why = "only the account's owner or a manager may record consent"
    require(viewer, "consent", Resource("story", owners=(owner,)), why=why)
    if status not in MOVES[row.consent]:
        raise UsageError(
            f"consent that is {row.consent} cannot become {status}; "
            f"it can become {', '.join(MOVES[row.consent])}"
        )
    if contact_id is not None:
        contact = session.get(Contact, contact_id)
        if contact is None or contact.account_id != row.account_id:
            raise NotFoundError("contact of this account", contact_id)
    now = now or utc_now()
    who = viewer.username
    row.consent = status
    row.consent_by = who
    row.consent_at = now
    row.consent_contact_id = contact_id or row.consent_contact_id
    row.amounts_allowed = status == "granted" and bool(amounts_allowed)
    session.add(
        StoryConsent(
            story_id=story_id,
            status=status,
            recorded_by=who,
            contact_id=contact_id,
            note=note,
            recorded_at=now,
        )
    )
    audit(
        session=session,
        viewer=viewer,
        action=f"story.consent.{status}",
        subject_type="story",
        subject_id=story_id,
        detail=note,
    )
    session.flush()
    return story_view(row, name, consent_history(session, story_id))


def edit_title(*, session: Session, story_id: str, title: str | None, viewer: Viewer) -> StoryView:
    """Give a story a title of one's own (empty: back to the drafted one); re-runs keep it.

    Raises
    ------
    ForbiddenError
        Frontline staff editing a story of an account they do not own.
    UsageError
        A title over 300 characters.
    """
    row, name, owner = load_story(session, story_id, viewer)
    why = "only the account's owner or a manager may edit a story"
    require(viewer, "edit", Resource("story", owners=(owner,)), why=why)
    text = (title or "").strip()
    if len(text) > 300:
        raise UsageError("a title has at most 300 characters")
    row.custom_title = text or None
    session.flush()
    return story_view(row, name, consent_history(session, story_id))


__all__ = ["MOVES", "edit_title", "may_record_consent", "record_consent"]
