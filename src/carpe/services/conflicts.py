"""Experience-conflict use cases: list, act (alone or in bulk), the radar.

Finding conflicts is :mod:`carpe.services.conflict_detection`; recording what a
detection found, :mod:`carpe.services.conflict_records`.

Access: managers and admins see and act on every conflict; frontline staff see
the conflicts of accounts they own (or that they own themselves) and act on
those they own (the conflict's ``owner``).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from carpe.analytics.conflicts import severity_label
from carpe.errors import ForbiddenError, NotFoundError, UsageError
from carpe.services.permissions import Resource, Viewer, allowed, require, require_actor
from carpe.store.conflicts import StoredConflict
from carpe.store.models import Account, Employee, utc_now
from carpe.vocabulary import (
    CONFLICT_STATUSES,
    CONFLICT_TYPE_MEANINGS,
    CONFLICT_TYPES,
    conflict_type_name,
)

ACTIONS: Final = {
    "acknowledge": (("open",), "acknowledged"),
    "resolve": (("open", "acknowledged"), "resolved"),
    "dismiss": (("open", "acknowledged"), "dismissed"),
    "reopen": (("acknowledged", "resolved", "dismissed"), "open"),
}
"""Action → (statuses it applies to, the status it leads to)."""


@dataclass(frozen=True, slots=True)
class ConflictView:
    """A conflict as the web, API and CLI show it."""

    conflict_id: str
    type: str
    account_id: str
    account_name: str
    departments: list[str]
    evidence: dict[str, Any]
    period: str | None
    amount_at_risk: float
    severity: float
    severity_label: str
    detected_at: datetime
    last_seen_at: datetime
    status: str
    owner: str | None
    notes: str | None
    owner_name: str | None = None
    """The owner's name (None: nobody owns it)."""
    detail: str = ""
    """What was found, in words, with people named rather than given by id."""
    names: dict[str, str] = field(default_factory=dict)
    """Employee id → name, for the owner and every employee the evidence names."""

    @property
    def type_name(self) -> str:
        """The type's short name ("Duplicate invoice")."""
        return conflict_type_name(self.type)

    @property
    def meaning(self) -> str:
        """What the type means for the customer, in one sentence."""
        return CONFLICT_TYPE_MEANINGS.get(self.type, "")


def _people(session: Session, rows: Sequence[StoredConflict]) -> dict[str, str]:
    """Employee id → name for the owners of ``rows`` and the employees their evidence names."""
    wanted: set[str] = set()
    for row in rows:
        if row.owner:
            wanted.add(row.owner)
        try:
            wanted.update(json.loads(row.evidence or "{}").get("employee_ids") or ())
        except ValueError:
            continue
    if not wanted:
        return {}
    return dict(
        session.execute(
            select(Employee.employee_id, Employee.name).where(
                Employee.employee_id.in_(sorted(wanted))
            )
        ).all()
    )


def _named(text: str, names: Mapping[str, str]) -> str:
    """``text`` with each employee id it mentions replaced by the person's name."""
    for employee_id, person in names.items():
        text = re.sub(rf"(?<![\w-]){re.escape(employee_id)}(?![\w-])", person, text)
    return text


def _view(row: StoredConflict, name: str, people: Mapping[str, str] | None = None) -> ConflictView:
    people = people or {}
    evidence = dict(json.loads(row.evidence))
    named = {
        e: people[e] for e in [row.owner, *(evidence.get("employee_ids") or ())] if e in people
    }
    return ConflictView(
        conflict_id=row.conflict_id,
        type=row.type,
        account_id=row.account_id,
        account_name=name,
        departments=list(json.loads(row.departments)),
        evidence=evidence,
        period=row.period,
        amount_at_risk=row.amount_at_risk,
        severity=row.severity,
        severity_label=severity_label(row.severity),
        detected_at=row.detected_at,
        last_seen_at=row.last_seen_at,
        status=row.status,
        owner=row.owner,
        notes=row.notes,
        owner_name=people.get(row.owner) if row.owner else None,
        detail=_named(str(evidence.get("detail") or ""), named),
        names=named,
    )


def _visible(viewer: Viewer) -> Any:
    """``None`` when the viewer sees every conflict, else the condition of those they see."""
    if allowed(require_actor(viewer), "see", Resource("conflict")):
        return None
    me = viewer.employee_id or "\x00nobody"  # as the "see" rule: its owner or the account's
    return or_(Account.owner_employee_id == me, StoredConflict.owner == me)


def list_conflicts(
    *,
    session: Session,
    viewer: Viewer,
    type: str | None = None,
    status: str | None = None,
    account_id: str | None = None,
    owner: str | None = None,
    department: str | None = None,
    limit: int | None = None,
) -> list[ConflictView]:
    """Conflicts the viewer may see, most severe first, filtered.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        A session on the store.
    viewer : Viewer
        Who asks (:data:`~carpe.services.permissions.SYSTEM` sees everything).
    type, status, account_id, owner, department : str, optional
        Filters (``department``: one of the departments involved).
    limit : int, optional
        At most this many.

    Returns
    -------
    list of ConflictView
        Most severe first, ties by id.

    Raises
    ------
    UsageError
        For an unknown type or status.
    """
    if type is not None and type not in CONFLICT_TYPES:
        raise UsageError(f"unknown conflict type {type!r}; known: {', '.join(CONFLICT_TYPES)}")
    if status is not None and status not in CONFLICT_STATUSES:
        raise UsageError(f"unknown status {status!r}; known: {', '.join(CONFLICT_STATUSES)}")
    query = select(StoredConflict, Account.name).join(
        Account, Account.account_id == StoredConflict.account_id
    )
    visible = _visible(viewer)
    if visible is not None:
        query = query.where(visible)
    for column, value in (
        (StoredConflict.type, type),
        (StoredConflict.status, status),
        (StoredConflict.account_id, account_id),
        (StoredConflict.owner, owner),
    ):
        if value is not None:
            query = query.where(column == value)
    if department is not None:
        query = query.where(StoredConflict.departments.contains(json.dumps(department)))
    query = query.order_by(StoredConflict.severity.desc(), StoredConflict.conflict_id)
    if limit is not None:
        query = query.limit(limit)
    found = session.execute(query).all()
    people = _people(session, [row for row, _ in found])
    return [_view(row, name, people) for row, name in found]


def _resource(row: StoredConflict, account_owner: str | None) -> Resource:
    return Resource("conflict", owners=(row.owner,), involved=(account_owner,))


def _load(session: Session, conflict_id: str, viewer: Viewer) -> tuple[StoredConflict, str]:
    require_actor(viewer)
    found = session.execute(
        select(StoredConflict, Account.name, Account.owner_employee_id)
        .join(Account, Account.account_id == StoredConflict.account_id)
        .where(StoredConflict.conflict_id == conflict_id)
    ).first()
    if found is None:
        raise NotFoundError("conflict", conflict_id)
    row, name, account_owner = found
    if not allowed(viewer, "see", _resource(row, account_owner)):
        raise NotFoundError("conflict", conflict_id)
    return row, name


def get_conflict(*, session: Session, conflict_id: str, viewer: Viewer) -> ConflictView:
    """One conflict with its evidence.

    Raises
    ------
    NotFoundError
        When there is none, or the viewer may not see it.
    """
    row, name = _load(session, conflict_id, viewer)
    return _view(row, name, _people(session, [row]))


def can_act(viewer: Viewer, conflict: ConflictView) -> bool:
    """Whether ``viewer`` may change a conflict: a manager, or its owner."""
    return allowed(viewer, "act", Resource("conflict", owners=(conflict.owner,)))


def act_on_conflict(
    *,
    session: Session,
    conflict_id: str,
    action: str,
    viewer: Viewer,
    notes: str | None = None,
    owner: str | None = None,
    now: datetime | None = None,
) -> ConflictView:
    """Acknowledge, resolve, dismiss or reopen a conflict, with notes and a new owner.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The caller's session (the caller commits).
    conflict_id : str
        Which conflict.
    action : {"acknowledge", "resolve", "dismiss", "reopen"}
        What to do.
    viewer : Viewer
        Who acts (:data:`~carpe.services.permissions.SYSTEM` for the local command line).
    notes : str, optional
        Added to the conflict's notes, dated and signed.
    owner : str, optional
        An employee id to hand the conflict to (managers only).
    now : datetime, optional
        When (default: now).

    Returns
    -------
    ConflictView
        The conflict after the change.

    Raises
    ------
    NotFoundError
        No such conflict (or not visible), or no such owner.
    ForbiddenError
        Frontline staff acting on a conflict they do not own, or reassigning.
    UsageError
        An unknown action, or one that does not apply to the current status.
    """
    require_actor(viewer)
    if action not in ACTIONS:
        raise UsageError(f"unknown action {action!r}; choose one of {', '.join(ACTIONS)}")
    row, name = _load(session, conflict_id, viewer)
    if not can_act(viewer, _view(row, name)):
        raise ForbiddenError("only the conflict's owner or a manager may act on it")
    from_statuses, target = ACTIONS[action]
    if row.status not in from_statuses:
        raise UsageError(f"a conflict that is {row.status} cannot be {action}d")
    if owner is not None and owner != row.owner:
        why = "only a manager may hand a conflict to someone else"
        require(viewer, "reassign", Resource("conflict"), why=why)
        if session.get(Employee, owner) is None:
            raise NotFoundError("employee", owner)
        row.owner = owner
    now = now or utc_now()
    if notes:
        line = f"{now:%Y-%m-%d %H:%M} {viewer.username} ({action}): {notes.strip()}"
        row.notes = f"{row.notes}\n{line}" if row.notes else line
    row.status = target
    row.updated_at = now
    row.updated_by = viewer.username
    session.flush()
    return _view(row, name, _people(session, [row]))


@dataclass(frozen=True, slots=True)
class BulkOutcome:
    """What acting on several conflicts at once did."""

    done: list[str]
    """Ids of the conflicts changed."""
    skipped: list[tuple[str, str]]
    """(id, why) for those left as they were: not visible, not theirs, already there."""


def act_on_conflicts(
    *,
    session: Session,
    conflict_ids: Sequence[str],
    action: str,
    viewer: Viewer,
    notes: str | None = None,
    now: datetime | None = None,
) -> BulkOutcome:
    """Acknowledge, resolve, dismiss or reopen several conflicts, skipping those it cannot.

    Each conflict follows :func:`act_on_conflict`'s rules; one that cannot be
    changed (not the viewer's, or already in that state) is skipped with the
    reason, and the others are still changed.

    Raises
    ------
    UsageError
        An unknown action, or no conflict chosen.
    """
    require_actor(viewer)
    if action not in ACTIONS:
        raise UsageError(f"unknown action {action!r}; choose one of {', '.join(ACTIONS)}")
    chosen = list(dict.fromkeys(conflict_ids))
    if not chosen:
        raise UsageError("choose at least one conflict")
    done: list[str] = []
    skipped: list[tuple[str, str]] = []
    for conflict_id in chosen:
        try:
            act_on_conflict(
                session=session,
                conflict_id=conflict_id,
                action=action,
                viewer=viewer,
                notes=notes,
                now=now,
            )
        except (NotFoundError, ForbiddenError, UsageError) as exc:
            skipped.append((conflict_id, str(exc)))
        else:
            done.append(conflict_id)
    return BulkOutcome(done, skipped)


@dataclass(frozen=True, slots=True)
class RadarRow:
    """One line of the radar: a type or a department pair, how many, how much."""

    key: str
    conflicts: int
    amount_at_risk: float
    high: int


@dataclass(frozen=True, slots=True)
class Radar:
    """The conflict radar: open and acknowledged conflicts by type and by department pair."""

    total: int
    amount_at_risk: float
    by_type: list[RadarRow]
    by_department_pair: list[RadarRow]
    by_status: dict[str, int]


def _rows(groups: dict[str, list[ConflictView]]) -> list[RadarRow]:
    rows = [
        RadarRow(
            key,
            len(items),
            round(sum(c.amount_at_risk for c in items), 2),
            sum(c.severity_label == "high" for c in items),
        )
        for key, items in groups.items()
    ]
    return sorted(rows, key=lambda r: (-r.amount_at_risk, r.key))


def conflict_radar(*, session: Session, viewer: Viewer) -> Radar:
    """Where the live conflicts are: by type, by department pair, money at stake.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        A session on the store.
    viewer : Viewer
        Frontline staff see their own accounts' conflicts only.

    Returns
    -------
    Radar
        Counting conflicts that are open or acknowledged; ``by_status`` counts all.
    """
    every = list_conflicts(session=session, viewer=viewer)
    live = [c for c in every if c.status in ("open", "acknowledged")]
    by_type: dict[str, list[ConflictView]] = defaultdict(list)
    by_pair: dict[str, list[ConflictView]] = defaultdict(list)
    for c in live:
        by_type[c.type].append(c)
        depts = c.departments
        pairs = [f"{a} × {b}" for i, a in enumerate(depts) for b in depts[i + 1 :]] or depts
        for pair in pairs:
            by_pair[pair].append(c)
    statuses = {s: 0 for s in CONFLICT_STATUSES}
    for c in every:
        statuses[c.status] = statuses.get(c.status, 0) + 1
    return Radar(
        total=len(live),
        amount_at_risk=round(sum(c.amount_at_risk for c in live), 2),
        by_type=_rows(by_type),
        by_department_pair=_rows(by_pair),
        by_status=statuses,
    )


def count_open(*, session: Session, viewer: Viewer) -> int:
    """Open conflicts the viewer may see (for badges)."""
    query = (
        select(func.count())
        .select_from(StoredConflict)
        .join(Account, Account.account_id == StoredConflict.account_id)
        .where(StoredConflict.status == "open")
    )
    visible = _visible(viewer)
    if visible is not None:
        query = query.where(visible)
    return int(session.scalar(query) or 0)
