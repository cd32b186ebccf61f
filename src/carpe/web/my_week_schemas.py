"""Schemas of the My week API: an employee's week, a team's total, sharing."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class _Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class WeekCountOut(_Schema):
    start: date
    end: date
    contacts: int = Field(description="Contacts: one employee with one customer on one day")
    better: int = Field(description="Customers who left the contact better off")
    same: int
    worse: int
    unknown: int = Field(description="Contacts with nothing to go on (no words after, no event)")
    judged: int = Field(description="Contacts with something to go on")
    share: float | None = Field(description="better / judged; null when nothing was judged")


class BasisOut(_Schema):
    role: str = Field(description="before, after or event")
    kind: str = Field(description="touchpoint, feedback, praise, resolved, follow_up or thanked")
    source_id: str
    on: date
    sentiment: float | None = Field(description="The words' sentiment, -1..1 (events: null)")
    label: str = Field(description="What it is, in plain words")
    link: str = Field(description="Where to read it in carpe")
    text: str | None


class CustomerDayOut(_Schema):
    account_id: str
    account_name: str
    contact_name: str | None
    day: date
    verdict: str = Field(description="better, same, worse or unknown")
    words: str = Field(description="The verdict in plain words")
    before: float | None = Field(description="Sentiment of the customer's last words before")
    after: float | None = Field(description="Sentiment of their first words from the contact on")
    touchpoint_ids: list[str]
    link: str
    basis: list[BasisOut]


class MyWeekOut(_Schema):
    employee_id: str
    name: str
    department: str
    shared: bool = Field(description="Whether the employee shares this page with managers")
    week: WeekCountOut
    customers: list[CustomerDayOut]
    trend: list[WeekCountOut] = Field(description="The employee's own weeks, oldest first")


class TeamWeekOut(_Schema):
    department: str | None = Field(description="The team (null: everyone)")
    employees: int
    week: WeekCountOut
    trend: list[WeekCountOut] = Field(description="The team's total per week, oldest first")


class SharingIn(BaseModel):
    shared: bool


class SharingOut(_Schema):
    employee_id: str
    shared: bool
