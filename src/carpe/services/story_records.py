"""Recording retention stories: upsert a run's drafts, redact an erased contact's words."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from carpe.analytics.stories import Story
from carpe.store.models import Account, Feedback, Touchpoint, utc_now
from carpe.store.stories import StoredStory

ERASED_QUOTE: Final = "“[erased]”"
BATCH: Final = 500


@dataclass(frozen=True, slots=True)
class RecordSummary:
    """What recording a run's stories changed."""

    found: int
    new: int
    updated: int


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _contact_of(session: Session, stories: Sequence[Story]) -> dict[tuple[str, str], str]:
    """The contact behind every touchpoint and feedback answer the stories cite, read in chunks."""
    found: dict[tuple[str, str], str] = {}
    for kind, model, key, ids in (
        (
            "touchpoint",
            Touchpoint,
            Touchpoint.touchpoint_id,
            {t for s in stories for t in s.touchpoint_ids},
        ),
        ("feedback", Feedback, Feedback.feedback_id, {f for s in stories for f in s.feedback_ids}),
    ):
        listed = sorted(ids)
        for start in range(0, len(listed), BATCH):
            rows = session.execute(
                select(key, model.contact_id).where(key.in_(listed[start : start + BATCH]))
            )
            found.update({(kind, i): c for i, c in rows if c})
    return found


def _contacts_of(story: Story, contact_of: dict[tuple[str, str], str]) -> list[str]:
    cited = [("touchpoint", t) for t in story.touchpoint_ids]
    cited += [("feedback", f) for f in story.feedback_ids]
    return sorted({contact_of[c] for c in cited if c in contact_of})


def record_stories(
    *, session: Session, stories: Sequence[Story], now: datetime | None = None
) -> RecordSummary:
    """Upsert a run's stories by their stable id, keeping consent and edits.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The caller's session (the caller commits).
    stories : sequence of Story
        From the stories step.
    now : datetime, optional
        When they were found (default: now, UTC).

    Returns
    -------
    RecordSummary
        How many were found, new and updated.
    """
    now = now or utc_now()
    ids = [s.story_id for s in stories]
    known: dict[str, StoredStory] = {}
    for start in range(0, len(ids), BATCH):
        rows = session.scalars(
            select(StoredStory).where(StoredStory.story_id.in_(ids[start : start + BATCH]))
        )
        known.update({r.story_id: r for r in rows})
    accounts = sorted({s.episode.account_id for s in stories})
    present: set[str] = set()
    for start in range(0, len(accounts), BATCH):
        present.update(
            session.scalars(
                select(Account.account_id).where(
                    Account.account_id.in_(accounts[start : start + BATCH])
                )
            )
        )
    contact_of = _contact_of(session, stories)
    new = updated = 0
    for story in stories:
        e = story.episode
        if e.account_id not in present:
            continue
        values = {
            "account_id": e.account_id,
            "theme": e.theme,
            "score": e.scores.total,
            "scores": _dump(e.scores.as_dict()),
            "title": story.title,
            "anonymous_title": story.anonymous_title,
            "started_at": e.started_at,
            "hero_employee_id": e.hero_id,
            "employee_ids": _dump(list(e.employee_ids)),
            "problem_kinds": _dump(list(e.problem_kinds)),
            "effort_signals": _dump(list(e.effort_signals)),
            "outcomes": _dump(list(e.outcomes)),
            "sentences": _dump([s.as_dict() for s in story.sentences]),
            "anonymous_sentences": _dump([s.as_dict() for s in story.anonymous_sentences]),
            "touchpoint_ids": _dump(list(story.touchpoint_ids)),
            "feedback_ids": _dump(list(story.feedback_ids)),
            "contact_ids": _dump(_contacts_of(story, contact_of)),
            "last_seen_at": now,
        }
        row = known.get(story.story_id)
        if row is None:
            session.add(StoredStory(story_id=story.story_id, detected_at=now, **values))
            new += 1
        else:
            if row.redacted:
                continue  # a quoted contact was erased: keep the redacted draft
            for key, value in values.items():
                setattr(row, key, value)
            updated += 1
    session.flush()
    return RecordSummary(len(stories), new, updated)


def redact_contact(
    *, session: Session, contact_id: str, touchpoint_ids: Sequence[str], feedback_ids: Sequence[str]
) -> int:
    """Remove an erased contact's words from the stories that quote them.

    Every quotation in a sentence citing one of the contact's records becomes
    ``“[erased]”`` (in the named and the anonymised draft), and the story is
    marked redacted so a later run does not bring the words back.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The caller's session (the caller commits).
    contact_id : str
        The erased contact.
    touchpoint_ids, feedback_ids : sequence of str
        The contact's records.

    Returns
    -------
    int
        Stories changed.
    """
    theirs = set(touchpoint_ids) | set(feedback_ids)
    quote = re.compile(r"“[^”]*”")
    changed = 0
    for row in session.scalars(
        select(StoredStory).where(StoredStory.contact_ids.contains(json.dumps(contact_id)))
    ):
        for column in ("sentences", "anonymous_sentences"):
            sentences = json.loads(getattr(row, column))
            for s in sentences:
                if theirs & {*s["touchpoint_ids"], *s["feedback_ids"]}:
                    s["text"] = quote.sub(ERASED_QUOTE, s["text"])
            setattr(row, column, _dump(sentences))
        row.redacted = True
        changed += 1
    session.flush()
    return changed


__all__ = ["ERASED_QUOTE", "RecordSummary", "record_stories", "redact_contact"]
