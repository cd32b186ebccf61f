"""Experience conflicts: one experience ledger across departments, and the detectors.

Pure code: every function takes tables (pandas, Arrow or Ibis) and returns
frozen results; nothing here opens a connection or reads settings.

- :mod:`~carpe.analytics.conflicts.ledger` maps each department's KPIs and
  carpe's own signals onto one per-account, per-month 0..100 scale;
- :mod:`~carpe.analytics.conflicts.billing` finds ``duplicate_invoice``,
  ``overbilling``, ``backbilling`` and ``billing_returned``;
- :mod:`~carpe.analytics.conflicts.promises` finds ``promise_lead_time`` (open
  quotes too, pre-sale) and ``promise_price``;
- :mod:`~carpe.analytics.conflicts.gaps` finds ``kpi_disagreement`` and
  ``handoff_gap``;
- :func:`detect_conflicts` runs them all as of a day and ranks the conflicts by
  severity (money at stake combined with the account's churn risk).
"""

from carpe.analytics.conflicts.detect import ConflictReport, as_of_tables, detect_conflicts
from carpe.analytics.conflicts.ledger import (
    build_ledger,
    carpe_signals,
    department_views,
    infer_mapping,
    infer_mappings,
)
from carpe.analytics.conflicts.model import (
    Conflict,
    DetectorSettings,
    Evidence,
    MetricMapping,
    conflict_id,
    score_severity,
    severity_label,
)

__all__ = [
    "Conflict",
    "ConflictReport",
    "DetectorSettings",
    "Evidence",
    "MetricMapping",
    "as_of_tables",
    "build_ledger",
    "carpe_signals",
    "conflict_id",
    "department_views",
    "detect_conflicts",
    "infer_mapping",
    "infer_mappings",
    "score_severity",
    "severity_label",
]
