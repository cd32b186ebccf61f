"""Retention-story use cases: the library (list and search, show, evidence, export).

``record_stories`` (:mod:`carpe.services.story_records`) upserts the stories of an
analysis run by their stable id: score, theme, draft and evidence are refreshed,
consent and an edited title are kept, nothing is duplicated. A story is *internal*
until the customer's consent is recorded (:mod:`carpe.services.story_consent`:
``requested`` → ``granted`` | ``declined``, who recorded it, for which contact, when;
every step is kept in ``story_consents`` and the audit log). The anonymised version
(no names of people or companies; amounts only when the customer allowed them) is
what may be used outside the company.

Access: managers and admins see every story and record consent; frontline
staff see the stories of the accounts they own (stories quote personal
moments) and record consent for those.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carpe.analytics.stories import load_encoder, make_index, redact_amounts
from carpe.analytics.stories.search import Encoder
from carpe.errors import NotFoundError, UsageError
from carpe.services.permissions import Resource, Viewer, allowed, require_actor
from carpe.store.models import Account, Contact, Employee, Feedback, Touchpoint
from carpe.store.stories import StoredStory, StoryConsent
from carpe.vocabulary import CONSENT_STATUSES, STORY_THEMES


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


def story_view(
    row: StoredStory, name: str, history: list[dict[str, Any]] | None = None
) -> StoryView:
    """A stored story as shown, with its account's ``name`` and consent ``history``."""
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
    if theme is not None and theme not in STORY_THEMES:
        raise UsageError(f"unknown theme {theme!r}; known: {', '.join(STORY_THEMES)}")
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
        return StoryPage(int(total), [story_view(r, n) for r, n in rows], "")
    views = [story_view(r, n) for r, n in session.execute(query)]
    chosen = encoder or _installed_encoder()
    index = make_index(
        [v.story_id for v in views], [_search_text(v) for v in views], encoder=chosen
    )
    by_id = {v.story_id: v for v in views}
    hits = [by_id[i] for i, _ in index.search(q, limit=len(views))]
    return StoryPage(len(hits), hits[offset : offset + limit], index.kind)


def load_story(
    session: Session, story_id: str, viewer: Viewer
) -> tuple[StoredStory, str, str | None]:
    """The stored story, its account's name and owner, if ``viewer`` may see it.

    Raises
    ------
    NotFoundError
        When there is none, or the viewer may not see it.
    """
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


def consent_history(session: Session, story_id: str) -> list[dict[str, Any]]:
    """Every recorded step of a story's consent, oldest first."""
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
    row, name, _ = load_story(session, story_id, viewer)
    view = story_view(row, name, consent_history(session, story_id))
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
    row, _, _ = load_story(session, story_id, viewer)
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


def anonymised_story(*, session: Session, story_id: str, viewer: Viewer) -> AnonymousStory:
    """The story without names of people or companies; amounts only if the customer allowed them.

    Raises
    ------
    NotFoundError
        When there is no such story, or the viewer may not see it.
    """
    row, _, _ = load_story(session, story_id, viewer)
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


__all__ = [
    "AnonymousStory",
    "ConsentView",
    "EvidenceItem",
    "StoryPage",
    "StoryView",
    "anonymised_story",
    "consent_history",
    "get_story",
    "list_stories",
    "load_story",
    "story_evidence",
    "story_markdown",
    "story_view",
]
