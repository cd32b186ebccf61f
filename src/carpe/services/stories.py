"""Retention-story use cases: record after a run, list and search, show, consent, export.

``record_stories`` upserts the stories of an analysis run by their stable id:
score, theme, draft and evidence are refreshed, consent and an edited title
are kept, nothing is duplicated. A story is *internal* until the customer's
consent is recorded (``requested`` → ``granted`` | ``declined``, who recorded
it, for which contact, when; every step is kept in ``story_consents`` and the
audit log). The anonymised version (no names of people or companies; amounts
only when the customer allowed them) is what may be used outside the company.

Access: managers and admins see every story and record consent; frontline
staff see the stories of the accounts they own (stories quote personal
moments) and record consent for those.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carpe.analytics.stories import (
    THEMES,
    Story,
    load_encoder,
    make_index,
    redact_amounts,
)
from carpe.analytics.stories.search import Encoder
from carpe.errors import NotFoundError, UsageError
from carpe.services.audit import audit
from carpe.services.permissions import Resource, Viewer, allowed, require, require_actor
from carpe.store.models import Account, Contact, Employee, Feedback, Touchpoint, utc_now
from carpe.store.stories import CONSENT_STATUSES, StoredStory, StoryConsent

MOVES: Final = {
    "internal": ("requested",),
    "requested": ("granted", "declined", "internal"),
    "granted": ("declined", "requested"),
    "declined": ("requested", "granted"),
}
"""Consent status → the statuses it may move to (a customer may change their mind)."""
ERASED_QUOTE: Final = "“[erased]”"
BATCH: Final = 500


@dataclass(frozen=True, slots=True)
class ConsentView:
    """Where a story's consent stands, and its history."""

    status: str
    recorded_by: str | None
    contact_id: str | None
    recorded_at: datetime | None
    amounts_allowed: bool
    external_use: bool
    history: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class StoryView:
    """A story as the web, API and CLI show it."""

    story_id: str
    account_id: str
    account_name: str
    employee_ids: list[str]
    hero_employee_id: str | None
    title: str
    theme: str
    score: float
    scores: dict[str, float]
    narrative: str
    sentences: list[dict[str, Any]]
    evidence: dict[str, list[str]]
    consent: ConsentView
    started_at: datetime
    problem_kinds: list[str]
    effort_signals: list[str]
    outcomes: list[str]
    redacted: bool
    detected_at: datetime
    last_seen_at: datetime
    names: dict[str, str] = field(default_factory=dict)
    """Employee and contact id → name, for the people the story and its consent name."""


@dataclass(frozen=True, slots=True)
class AnonymousStory:
    """A story without names of people or companies (nor amounts unless allowed)."""

    story_id: str
    title: str
    theme: str
    narrative: str
    sentences: list[dict[str, Any]]
    external_use: bool


@dataclass(frozen=True, slots=True)
class StoryPage:
    """One page of the library."""

    total: int
    items: list[StoryView]
    search: str
    """``"words"`` or ``"semantic"``: how ``q`` was matched (``""`` without ``q``)."""


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    """One record of a story's evidence timeline."""

    record_id: str
    source: str
    at: datetime
    text: str
    channel: str | None
    direction: str | None
    employee: str | None
    department: str | None
    survey: str | None
    score: float | None
    sentences: list[int]


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


def _visible(viewer: Viewer) -> Any:
    """``None`` when the viewer sees every story, else the condition of those they see."""
    if allowed(require_actor(viewer), "see", Resource("story")):
        return None
    return Account.owner_employee_id == (viewer.employee_id or "\x00nobody")  # the "see" rule


def _consent(row: StoredStory, history: list[dict[str, Any]] | None = None) -> ConsentView:
    return ConsentView(
        status=row.consent,
        recorded_by=row.consent_by,
        contact_id=row.consent_contact_id,
        recorded_at=row.consent_at,
        amounts_allowed=row.amounts_allowed,
        external_use=row.consent == "granted",
        history=history or [],
    )


def _view(row: StoredStory, name: str, history: list[dict[str, Any]] | None = None) -> StoryView:
    sentences = list(json.loads(row.sentences))
    return StoryView(
        story_id=row.story_id,
        account_id=row.account_id,
        account_name=name,
        employee_ids=list(json.loads(row.employee_ids)),
        hero_employee_id=row.hero_employee_id,
        title=row.custom_title or row.title,
        theme=row.theme,
        score=row.score,
        scores=dict(json.loads(row.scores)),
        narrative=" ".join(s["text"] for s in sentences),
        sentences=sentences,
        evidence={
            "touchpoint_ids": list(json.loads(row.touchpoint_ids)),
            "feedback_ids": list(json.loads(row.feedback_ids)),
        },
        consent=_consent(row, history),
        started_at=row.started_at,
        problem_kinds=list(json.loads(row.problem_kinds)),
        effort_signals=list(json.loads(row.effort_signals)),
        outcomes=list(json.loads(row.outcomes)),
        redacted=row.redacted,
        detected_at=row.detected_at,
        last_seen_at=row.last_seen_at,
    )


@lru_cache(maxsize=1)
def _installed_encoder() -> Encoder | None:
    return load_encoder()


def _search_text(view: StoryView) -> str:
    return " ".join(
        [view.title, view.theme, view.narrative, *view.effort_signals, *view.problem_kinds]
    )


def list_stories(
    *,
    session: Session,
    viewer: Viewer,
    theme: str | None = None,
    q: str | None = None,
    consent: str | None = None,
    account_id: str | None = None,
    limit: int = 50,
    offset: int = 0,
    encoder: Encoder | None = None,
) -> StoryPage:
    """The library: stories the viewer may see, most compelling first (or best match for ``q``).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        A session on the store.
    viewer : Viewer
        Who asks (:data:`~carpe.services.permissions.SYSTEM` sees everything).
    theme : str, optional
        One of the themes (billing trust, delivery rescue, going the extra mile, personal care).
    q : str, optional
        Words to search for: by meaning when an embedding model is installed
        (or ``encoder`` is given), by words (TF-IDF) otherwise.
    consent : str, optional
        Only stories with this consent status.
    account_id : str, optional
        Only this account's stories.
    limit, offset : int
        The page.
    encoder : callable, optional
        A text encoder for semantic search (tests inject one).

    Returns
    -------
    StoryPage
        The page and the total that matched.

    Raises
    ------
    UsageError
        For an unknown theme or consent status, or a bad page.
    """
    if theme is not None and theme not in THEMES:
        raise UsageError(f"unknown theme {theme!r}; known: {', '.join(THEMES)}")
    if consent is not None and consent not in CONSENT_STATUSES:
        raise UsageError(f"unknown consent {consent!r}; known: {', '.join(CONSENT_STATUSES)}")
    if limit < 1 or offset < 0:
        raise UsageError("limit must be at least 1 and offset at least 0")
    query = select(StoredStory, Account.name).join(
        Account, Account.account_id == StoredStory.account_id
    )
    visible = _visible(viewer)
    if visible is not None:
        query = query.where(visible)
    for column, value in (
        (StoredStory.theme, theme),
        (StoredStory.consent, consent),
        (StoredStory.account_id, account_id),
    ):
        if value is not None:
            query = query.where(column == value)
    query = query.order_by(StoredStory.score.desc(), StoredStory.story_id)
    if not q or not q.strip():
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.execute(query.limit(limit).offset(offset))
        return StoryPage(int(total), [_view(r, n) for r, n in rows], "")
    views = [_view(r, n) for r, n in session.execute(query)]
    chosen = encoder or _installed_encoder()
    index = make_index(
        [v.story_id for v in views], [_search_text(v) for v in views], encoder=chosen
    )
    by_id = {v.story_id: v for v in views}
    hits = [by_id[i] for i, _ in index.search(q, limit=len(views))]
    return StoryPage(len(hits), hits[offset : offset + limit], index.kind)


def _load(session: Session, story_id: str, viewer: Viewer) -> tuple[StoredStory, str, str | None]:
    require_actor(viewer)
    found = session.execute(
        select(StoredStory, Account.name, Account.owner_employee_id)
        .join(Account, Account.account_id == StoredStory.account_id)
        .where(StoredStory.story_id == story_id)
    ).first()
    if found is None:
        raise NotFoundError("story", story_id)
    row, name, owner = found
    if not allowed(viewer, "see", Resource("story", owners=(owner,))):
        raise NotFoundError("story", story_id)
    return row, name, owner


def _history(session: Session, story_id: str) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(StoryConsent)
        .where(StoryConsent.story_id == story_id)
        .order_by(StoryConsent.recorded_at, StoryConsent.id)
    )
    return [
        {
            "status": r.status,
            "recorded_by": r.recorded_by,
            "contact_id": r.contact_id,
            "note": r.note,
            "recorded_at": r.recorded_at,
        }
        for r in rows
    ]


def get_story(*, session: Session, story_id: str, viewer: Viewer) -> StoryView:
    """One story with its draft, evidence ids and consent history.

    Raises
    ------
    NotFoundError
        When there is none, or the viewer may not see it.
    """
    row, name, _ = _load(session, story_id, viewer)
    view = _view(row, name, _history(session, story_id))
    return replace(view, names=_names(session, view))


def _names(session: Session, view: StoryView) -> dict[str, str]:
    """Names of the employees a story names and the contacts its consent names."""
    employees = set(view.employee_ids) | ({view.hero_employee_id} - {None})
    contacts = {h.get("contact_id") for h in view.consent.history} | {view.consent.contact_id}
    contacts.discard(None)
    names: dict[str, str] = dict(
        session.execute(
            select(Employee.employee_id, Employee.name).where(
                Employee.employee_id.in_(sorted(e for e in employees if e))
            )
        ).all()
    )
    for contact_id, first, last in session.execute(
        select(Contact.contact_id, Contact.first_name, Contact.last_name).where(
            Contact.contact_id.in_(sorted(c for c in contacts if c))
        )
    ):
        names[contact_id] = " ".join(p for p in (first, last) if p)
    return names


def story_evidence(*, session: Session, story_id: str, viewer: Viewer) -> list[EvidenceItem]:
    """The touchpoints and feedback a story cites, in time order, with the sentences citing each.

    Raises
    ------
    NotFoundError
        When there is no such story, or the viewer may not see it.
    """
    row, _, _ = _load(session, story_id, viewer)
    sentences = json.loads(row.sentences)
    citing: dict[str, list[int]] = {}
    for n, s in enumerate(sentences):
        for i in [*s["touchpoint_ids"], *s["feedback_ids"]]:
            citing.setdefault(i, []).append(n + 1)
    items: list[EvidenceItem] = []
    tps = json.loads(row.touchpoint_ids)
    if tps:
        for tp, emp_name, dept in session.execute(
            select(Touchpoint, Employee.name, Employee.department)
            .outerjoin(Employee, Employee.employee_id == Touchpoint.employee_id)
            .where(Touchpoint.touchpoint_id.in_(tps))
        ):
            items.append(
                EvidenceItem(
                    tp.touchpoint_id,
                    "touchpoint",
                    tp.occurred_at,
                    tp.note or "",
                    tp.channel,
                    tp.direction,
                    emp_name,
                    dept,
                    None,
                    None,
                    citing.get(tp.touchpoint_id, []),
                )
            )
    fbs = json.loads(row.feedback_ids)
    if fbs:
        for fb in session.scalars(select(Feedback).where(Feedback.feedback_id.in_(fbs))):
            items.append(
                EvidenceItem(
                    fb.feedback_id,
                    "feedback",
                    fb.received_at,
                    fb.comment or "",
                    None,
                    None,
                    None,
                    None,
                    fb.survey,
                    fb.score,
                    citing.get(fb.feedback_id, []),
                )
            )
    return sorted(items, key=lambda i: (i.at, i.record_id))


def may_record_consent(*, session: Session, story_id: str, viewer: Viewer) -> bool:
    """Whether ``viewer`` may record consent for this story (it must be visible to them)."""
    _, _, owner = _load(session, story_id, viewer)
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
    row, name, owner = _load(session, story_id, viewer)
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
    return _view(row, name, _history(session, story_id))


def anonymised_story(*, session: Session, story_id: str, viewer: Viewer) -> AnonymousStory:
    """The story without names of people or companies; amounts only if the customer allowed them.

    Raises
    ------
    NotFoundError
        When there is no such story, or the viewer may not see it.
    """
    row, _, _ = _load(session, story_id, viewer)
    sentences = []
    for s in json.loads(row.anonymous_sentences):
        text = s["text"] if row.amounts_allowed else redact_amounts(s["text"])
        sentences.append({**s, "text": text})
    return AnonymousStory(
        story_id=row.story_id,
        title=row.anonymous_title,
        theme=row.theme,
        narrative=" ".join(s["text"] for s in sentences),
        sentences=sentences,
        external_use=row.consent == "granted",
    )


def story_markdown(
    *, session: Session, story_id: str, viewer: Viewer, anonymised: bool = False
) -> str:
    """The story as Markdown: title, use, narrative and (named version) its evidence.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        A session on the store.
    story_id : str
        Which story.
    viewer : Viewer
        Who asks.
    anonymised : bool, default False
        The anonymised version (no names, no amounts unless allowed, no record ids).

    Returns
    -------
    str
        Markdown text; it says whether it may be used outside the company.
    """
    story = get_story(session=session, story_id=story_id, viewer=viewer)
    use = (
        "Approved for external use: the customer's consent was recorded"
        f" ({story.consent.recorded_at:%Y-%m-%d} by {story.consent.recorded_by})."
        if story.consent.external_use and story.consent.recorded_at
        else f"Internal only: consent is {story.consent.status}."
    )
    if anonymised:
        anon = anonymised_story(session=session, story_id=story_id, viewer=viewer)
        lines = [f"# {anon.title}", "", f"*{anon.theme.capitalize()}. {use}*", "", anon.narrative]
        return "\n".join(lines) + "\n"
    lines = [
        f"# {story.title}",
        "",
        f"*{story.theme.capitalize()} · {story.account_name} ({story.account_id}) · "
        f"score {story.score:.2f}. {use}*",
        "",
        story.narrative,
        "",
        "## Evidence",
        "",
    ]
    for n, s in enumerate(story.sentences, start=1):
        cited = [*s["touchpoint_ids"], *s["feedback_ids"]]
        lines.append(f"{n}. {s['text']} — {', '.join(cited)}")
    return "\n".join(lines) + "\n"


def edit_title(*, session: Session, story_id: str, title: str | None, viewer: Viewer) -> StoryView:
    """Give a story a title of one's own (empty: back to the drafted one); re-runs keep it.

    Raises
    ------
    ForbiddenError
        Frontline staff editing a story of an account they do not own.
    UsageError
        A title over 300 characters.
    """
    row, name, owner = _load(session, story_id, viewer)
    why = "only the account's owner or a manager may edit a story"
    require(viewer, "edit", Resource("story", owners=(owner,)), why=why)
    text = (title or "").strip()
    if len(text) > 300:
        raise UsageError("a title has at most 300 characters")
    row.custom_title = text or None
    session.flush()
    return _view(row, name, _history(session, story_id))


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
    import re

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
