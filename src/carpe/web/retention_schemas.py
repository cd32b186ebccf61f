"""Response schemas of the risk and probability-alive endpoints (for the OpenAPI document)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class _Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class EvidenceOut(_Schema):
    label: str = Field(description="The record in words, e.g. 'invoice INV-7: unpaid 41 days'")
    href: str = Field(description="Where the record is shown")


class ReasonOut(_Schema):
    feature: str
    contribution: float = Field(description="Log-odds the reason adds to the risk (always > 0)")
    text: str = Field(description="The reason in a customer-success manager's words")
    evidence: list[EvidenceOut]


class RiskOut(_Schema):
    account_id: str
    name: str
    risk: float = Field(description="Probability of leaving within the analysis horizon")
    band: str = Field(description="high, raised, usual or low against the book's mean risk")
    rank: int
    drivers: list[ReasonOut]


class AliveOut(_Schema):
    account_id: str
    name: str
    p_alive: float = Field(description="Probability the customer is still a customer (BG/NBD)")
    expected: float = Field(description="Expected purchases over the next horizon_weeks")
    purchases: int = Field(description="Distinct purchase days so far")
    last_purchase: date
    as_of: date
    horizon_weeks: int
