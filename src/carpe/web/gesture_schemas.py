"""The JSON API's gesture schemas: budgets, gestures, decisions, genuineness, ideas, effects."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class BudgetOut(_Schema):
    budget_id: str
    owner: str = Field(description="An employee id or a department (a team is a department)")
    owner_name: str
    owner_kind: Literal["employee", "department"]
    period_start: date
    period_end: date
    amount: float
    spent: float = Field(description="Gestures given (approved or imported) charged to it")
    reserved: float = Field(description="Gestures waiting for a manager's approval")
    left: float = Field(description="amount - spent - reserved")
    gestures: int
    givers: int


class BudgetIn(_Schema):
    owner: str = Field(min_length=1, max_length=128, description="An employee id or a department")
    period_start: date
    period_end: date = Field(description="After period_start")
    amount: float = Field(ge=0, le=10_000_000)


class GestureOut(_Schema):
    gesture_id: str = Field(description="Logged in carpe: starts with carpe-g-")
    request_id: int | None
    source: Literal["carpe", "import"]
    status: Literal["pending", "approved", "declined"]
    account_id: str
    account_name: str
    contact_id: str | None
    employee_id: str = Field(description="The giver")
    employee_name: str
    given_on: date
    kind: str
    description: str | None
    cost: float | None
    moment_id: int | None = Field(description="The moment it answers")
    budget_id: str | None = Field(description="The budget it is charged to")
    reason: str | None = Field(description="Why it waits (or waited) for a manager")
    logged_by: str | None
    logged_at: datetime | None
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None


class GesturePage(_Schema):
    items: list[GestureOut]
    page: int
    page_size: int
    total: int


class GestureIn(_Schema):
    contact_id: str = Field(min_length=1, max_length=128)
    kind: str = Field(min_length=1, max_length=50, description="card, gift card, book, flowers…")
    description: str | None = Field(default=None, max_length=2000)
    cost: float = Field(ge=0, le=100_000)
    given_on: date | None = Field(default=None, description="Default today; not in the future")
    moment_id: int | None = Field(
        default=None, ge=1, le=2**63 - 1, description="The moment it answers"
    )
    budget_id: str | None = Field(
        default=None, max_length=128, description="Your own or your department's budget"
    )
    employee_id: str | None = Field(
        default=None, max_length=128, description="Log for this employee (managers only)"
    )


class LoggedOut(_Schema):
    gesture: GestureOut
    budget: BudgetOut | None = Field(description="The budget it was charged to, afterwards")


class DecisionIn(_Schema):
    note: str | None = Field(default=None, max_length=4000)


class GenuinenessOut(_Schema):
    employee_id: str = Field(description="The giver (a department name when by=department)")
    name: str
    department: str
    score: float = Field(description="0 (templated) … 1 (personal)")
    flags: list[str] = Field(description="What to talk about, in words")
    gestures: int
    contacts: int


class IdeaOut(_Schema):
    kind: str
    idea: str
    cost: float = Field(description="Typical cost")
    answers: str = Field(description="The moment it answers")
    moment_kind: str


class IdeasOut(_Schema):
    contact_id: str
    giver: str | None
    budget_left: float | None = Field(description="Left on the giver's own budget today")
    pool_left: float | None = Field(description="Left in the giver's department's pool today")
    pool_name: str | None = Field(description="The department whose pool it is")
    last_gesture_kind: str | None
    suggestions: list[IdeaOut]


class EffectOut(_Schema):
    dimension: Literal["all", "kind", "cost band"]
    group: str
    outcome: Literal["stayed", "warmer"] = Field(
        description="stayed: retained to as_of; warmer: sentiment after above sentiment before"
    )
    effect: float | None = Field(description="Risk difference on the treated (None: too few)")
    ci_low: float | None
    ci_high: float | None
    naive: float | None = Field(description="Unadjusted difference, for comparison")
    n_treated: int
    n_control: int
    treated_rate: float | None


class PayoffOut(_Schema):
    run_id: int | None = Field(description="The analysis run (None: run carpe analyze)")
    as_of: date | None
    landmark: date | None = Field(description="Outcomes after it, exposure before it")
    exposure_start: date | None
    accounts: int
    note: str
    effects: list[EffectOut]
