"""The JSON API's conflict schemas (they make the OpenAPI document)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class EvidenceOut(_Schema):
    invoice_ids: list[str] = Field(default_factory=list)
    order_ids: list[str] = Field(default_factory=list)
    quote_ids: list[str] = Field(default_factory=list)
    touchpoint_ids: list[str] = Field(default_factory=list)
    employee_ids: list[str] = Field(default_factory=list)
    period: str | None = None
    detail: str = ""


class ConflictOut(_Schema):
    conflict_id: str = Field(description="Stable across detection runs")
    type: str
    account_id: str
    account_name: str
    departments: list[str]
    evidence: EvidenceOut
    period: str | None
    amount_at_risk: float = Field(description="Money wrongly billed, or revenue at stake")
    severity: float = Field(description="0..1: money at stake combined with churn risk")
    severity_label: Literal["high", "medium", "low"]
    detected_at: datetime
    last_seen_at: datetime
    status: Literal["open", "acknowledged", "resolved", "dismissed"]
    owner: str | None = Field(description="employee_id of who handles it")
    owner_name: str | None = Field(default=None, description="The owner's name")
    notes: str | None
    type_name: str = Field(description="The type in words, e.g. 'Duplicate invoice'")
    meaning: str = Field(description="What the type means for the customer, in one sentence")
    detail: str = Field(description="What was found, with people named")


class ConflictActionIn(_Schema):
    notes: str | None = Field(default=None, max_length=4000)
    owner: str | None = Field(
        default=None, max_length=128, description="Hand it to this employee (managers only)"
    )
