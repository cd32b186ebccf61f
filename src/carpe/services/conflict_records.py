"""Recording what a conflict detection found: upsert by stable id, a webhook for each new one.

``record_conflicts`` is the conflicts step's writer (``carpe analyze`` and
``carpe conflicts --detect`` both record through it): a conflict's id is
stable, so a re-run updates money, severity and evidence but keeps status,
owner and notes, and never duplicates. A conflict seen for the first time
queues a ``conflict.detected`` webhook.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from carpe.analytics.conflicts import ConflictReport
from carpe.services import webhooks
from carpe.services.runs import INSERT_BATCH
from carpe.store.conflicts import StoredConflict
from carpe.store.models import Account, utc_now

EVENT: Final = "conflict.detected"


@dataclass(frozen=True, slots=True)
class RecordSummary:
    """What recording a detection run changed."""

    found: int
    new: int
    updated: int
    new_ids: list[str] = field(default_factory=list)


def record_conflicts(
    *, session: Session, report: ConflictReport, now: datetime | None = None
) -> RecordSummary:
    """Upsert a detection run's conflicts by their stable id; queue a webhook for new ones.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The caller's session (the caller commits).
    report : ConflictReport
        From the conflicts step.
    now : datetime, optional
        When it was detected (default: now, UTC).

    Returns
    -------
    RecordSummary
        How many were found, new and updated.
    """
    now = now or utc_now()
    ids = [c.conflict_id for c in report.conflicts]
    known: dict[str, StoredConflict] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = session.scalars(select(StoredConflict).where(StoredConflict.conflict_id.in_(chunk)))
        known.update({r.conflict_id: r for r in rows})
    accounts = {c.account_id for c in report.conflicts}
    owners: dict[str, str | None] = {}
    names: dict[str, str] = {}
    listed = sorted(accounts)
    for start in range(0, len(listed), 500):
        query = select(Account.account_id, Account.owner_employee_id, Account.name).where(
            Account.account_id.in_(listed[start : start + 500])
        )
        for account_id, owner, name in session.execute(query):
            owners[account_id] = owner
            names[account_id] = name
    new_ids: list[str] = []
    new_rows: list[dict[str, Any]] = []
    events: list[tuple[str, dict[str, Any]]] = []
    updated = 0
    for c in report.conflicts:
        if c.account_id not in names:
            continue  # an account the store no longer has
        evidence = json.dumps(c.evidence.as_dict(), ensure_ascii=False)
        row = known.get(c.conflict_id)
        if row is not None:
            row.amount_at_risk = c.amount_at_risk
            row.severity = c.severity
            row.evidence = evidence
            row.last_seen_at = now
            updated += 1
            continue
        new_rows.append(
            {
                "conflict_id": c.conflict_id,
                "type": c.type,
                "account_id": c.account_id,
                "departments": json.dumps(list(c.departments)),
                "evidence": evidence,
                "period": c.evidence.period,
                "amount_at_risk": c.amount_at_risk,
                "severity": c.severity,
                "detected_at": now,
                "last_seen_at": now,
                "status": "open",
                "owner": owners.get(c.account_id),
            }
        )
        new_ids.append(c.conflict_id)
        payload = {
            "conflict_id": c.conflict_id,
            "type": c.type,
            "account_id": c.account_id,
            "account_name": names[c.account_id],
            "departments": list(c.departments),
            "amount_at_risk": c.amount_at_risk,
            "severity": c.severity,
            "evidence": c.evidence.as_dict(),
        }
        events.append((f"{EVENT}:{c.conflict_id}", payload))
    for start in range(0, len(new_rows), INSERT_BATCH):
        session.execute(insert(StoredConflict), new_rows[start : start + INSERT_BATCH])
    webhooks.queue_events(session=session, event=EVENT, items=events)
    return RecordSummary(len(report.conflicts), len(new_ids), updated, new_ids)
