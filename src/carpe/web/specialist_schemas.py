"""Response schemas of ``GET /api/v1/specialists`` (they make its OpenAPI document)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ComponentOut(_Schema):
    name: str = Field(description="on-time delivery, first-contact resolution, billing accuracy, …")
    value: float | None = Field(
        description="The employee's rate (a share; proactive outreach: contacts per account-month)"
    )
    peers: float | None = Field(description="Their department peers' rate")
    z: float = Field(description="Standard errors above the peers")
    n: int = Field(
        description="What the rate rests on (events; proactive outreach: account-months)"
    )


class SpecialistOut(_Schema):
    employee_id: str
    name: str
    department: str
    effect: float | None = Field(
        description="Change in 12-month retention of the accounts they served, percentage points"
    )
    ci_low: float | None = Field(description="95% interval, low end (percentage points)")
    ci_high: float | None = Field(description="95% interval, high end (percentage points)")
    q_value: float | None = Field(
        description="Weighted Benjamini-Hochberg q-value of a positive effect (weights from"
        " working habits; see docs/specialists.md)"
    )
    weight: float | None = Field(
        default=None,
        description="Their test's weight (mean 1 over the tested; above 1: their working habits"
        " are clearly better than their peers', so the test gets a larger share of the"
        " false-discovery budget; null: not tested)",
    )
    flagged: bool = Field(description="The positive effect holds after false-discovery control")
    verdict: str = Field(
        default="no sign",
        description="specialist, safer accounts (their accounts stay as well without their"
        " recent work: not flagged), not enough evidence, or no sign",
    )
    settle: str = Field(default="", description="What would settle it, in words")
    n_accounts: int
    n_touchpoints: int
    naive_retention: float | None = Field(description="Raw retention of their accounts (0..1)")
    components: list[ComponentOut]
    praise_mentions: int
    dependent_value: float = Field(
        description="Annual value of active accounts whose positive experience rests on them"
    )
    dependent_accounts: int
    recognition: str = Field(description="A suggested recognition (flagged people only)")


class KeyPersonOut(_Schema):
    account_id: str
    name: str
    employee_id: str
    employee_name: str
    share: float = Field(description="Share of the account's positive experience (0..1)")
    annual_value: float
    value_resting: float = Field(description="Share × annual value: what rests on this person")
    owner_employee_id: str | None
    owner_name: str | None = Field(default=None, description="The account owner's name")


class EngagementOut(_Schema):
    employee_id: str
    name: str
    first: float
    last: float
    trend: float
    declining: bool
    accounts_sentiment: float | None
    company_sentiment: float | None
    accounts_churn: float | None
    company_churn: float | None
    apathy_spreads: bool


class SpecialistsPage(_Schema):
    run_id: int | None = Field(description="The analysis run; null when none has run yet")
    as_of: str | None = None
    outcome_days: int | None = Field(default=None, description="Length of the retention window")
    fdr: float | None = None
    cohort_accounts: int | None = None
    specialists: list[SpecialistOut]
    key_people: list[KeyPersonOut]
    engagement: list[EngagementOut]
