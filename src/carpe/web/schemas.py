"""The JSON API's request and response schemas (they make the OpenAPI document)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from carpe.vocabulary import Channel, Direction, MomentKind, TouchpointKind


class Schema(BaseModel):
    """Base: built from dataclasses and ORM objects by attribute."""

    model_config = ConfigDict(from_attributes=True)


class ErrorDetail(Schema):
    code: str = Field(
        description="A stable, machine-readable code: not_found, forbidden, invalid, ..."
    )
    message: str
    field: str | None = Field(default=None, description="The request field at fault, when one is")


class ErrorBody(Schema):
    error: ErrorDetail


class AccountOut(Schema):
    account_id: str
    name: str
    kind: str | None
    segment: str | None
    region: str | None
    owner: str | None = Field(description="The owner's name")
    started_on: date
    ended_on: date | None
    annual_value: float | None


class AccountPage(Schema):
    items: list[AccountOut]
    page: int
    page_size: int
    total: int


class ContactOut(Schema):
    contact_id: str
    first_name: str
    last_name: str | None
    title: str | None
    email: str | None
    phone: str | None
    is_primary: bool | None


class AccountDetail(Schema):
    account: AccountOut
    contacts: list[ContactOut]
    departments: list[str]
    touchpoint_count: int


class TouchpointOut(Schema):
    touchpoint_id: str
    occurred_at: datetime
    channel: str
    kind: str | None
    direction: str | None
    subject: str | None
    note: str | None
    sentiment: float | None
    employee: str | None
    department: str | None
    contact: str | None


class TouchpointPage(Schema):
    items: list[TouchpointOut]
    page: int
    page_size: int
    total: int


class MomentIn(Schema):
    kind: MomentKind
    subject: str = Field(max_length=200)
    summary: str = Field(max_length=500)
    when: date | None = None
    follow_up_on: date | None = None
    evidence: str = Field(default="", max_length=5000)


class MomentOut(MomentIn):
    sensitive: bool
    confidence: float


class NoteIn(Schema):
    note: str = Field(max_length=20_000)
    note_date: date


class TouchpointIn(Schema):
    account_id: str = Field(max_length=128)
    contact_id: str | None = Field(default=None, max_length=128)
    occurred_at: datetime
    channel: Channel
    kind: TouchpointKind | None = None
    direction: Direction | None = None
    subject: str | None = Field(default=None, max_length=500)
    note: str | None = Field(default=None, max_length=20_000)
    moments: list[MomentIn] | None = Field(
        default=None,
        description="The moments to save, as confirmed; leave out to save what extraction finds.",
    )


class StoredMomentOut(Schema):
    moment_id: int
    contact_id: str | None
    kind: str
    subject: str
    summary: str
    noted_on: date
    event_on: date | None
    sensitive: bool
    review: str
    closed_at: date | None
    touchpoint_id: str | None


class TouchpointCreated(Schema):
    touchpoint_id: str
    account_id: str
    moments: list[StoredMomentOut]
    follow_ups: int
    resolved: int


class ReviewIn(Schema):
    action: Literal["confirm", "dismiss"]
    kind: str | None = None
    subject: str | None = Field(default=None, max_length=200)
    summary: str | None = Field(default=None, max_length=500)
    event_on: date | None = None
    follow_up_on: date | None = None


class FollowUpOut(Schema):
    follow_up_id: int
    due_on: date
    status: str
    employee_id: str | None
    employee: str | None
    account_id: str
    account: str
    contact_id: str | None
    contact: str | None
    moment_id: int
    kind: str
    subject: str
    summary: str
    sensitive: bool
    opener: str


class SnoozeIn(Schema):
    until: date


class CompleteIn(Schema):
    outcome: str | None = Field(default=None, max_length=2000)


class StatusOut(Schema):
    follow_up_id: int
    status: str


class BriefMomentOut(Schema):
    moment_id: int
    kind: str
    subject: str
    summary: str
    noted_on: date
    event_on: date | None
    sensitive: bool
    review: str
    opener: str
    follow_up_on: date | None


class ProblemOut(Schema):
    kind: str
    text: str = Field(description="What is open, with what a conflict found about it, if any")
    day: date
    conflict_id: str | None = Field(
        default=None, description="A conflict that names this invoice or order"
    )


class GestureOut(Schema):
    given_on: date
    kind: str
    description: str | None
    employee_id: str


class BriefOut(Schema):
    contact_id: str
    name: str
    address_as: str
    title: str | None
    account_id: str
    account: str
    email: str | None
    phone: str | None
    preferences: list[str]
    interests: list[str]
    open_moments: list[BriefMomentOut]
    recent_touchpoints: list[TouchpointOut]
    open_problems: list[ProblemOut]
    last_gesture: GestureOut | None


class MeOut(Schema):
    user_id: int
    username: str
    role: str
    employee_id: str | None


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    scope: Literal["read", "write", "admin"] = Field(
        default="read",
        description="read: only GET; write: also changes; admin: also creates and revokes tokens",
    )
    days: int | None = Field(
        default=None, ge=1, le=3650, description="Lifetime (default CARPE_TOKEN_DAYS)"
    )


class TokenOut(Schema):
    token: str = Field(description="Shown once; send it as `Authorization: Bearer <token>`")
    scope: str = "write"
    expires_at: datetime | None = None


class TokenInfo(Schema):
    """An API token as listed (never the token itself)."""

    token_id: int
    username: str
    name: str
    scope: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    active: bool


class ErasureOut(Schema):
    contact_id: str
    moments_deleted: int
    follow_ups_deleted: int
    notes_redacted: int
    comments_redacted: int
    gestures_redacted: int
