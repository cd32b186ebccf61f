"""The JSON API's story schemas (they make the OpenAPI document)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from carpe.vocabulary import ConsentStatus, StoryTheme


class _Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class StoryEvidenceOut(_Schema):
    touchpoint_ids: list[str] = Field(default_factory=list)
    feedback_ids: list[str] = Field(default_factory=list)


class SentenceOut(_Schema):
    text: str
    touchpoint_ids: list[str] = Field(default_factory=list)
    feedback_ids: list[str] = Field(default_factory=list)


class ConsentOut(_Schema):
    status: ConsentStatus
    recorded_by: str | None = Field(description="Who recorded the last decision")
    contact_id: str | None = Field(description="The customer's contact who was asked or decided")
    recorded_at: datetime | None
    amounts_allowed: bool = Field(description="Amounts may appear in the anonymised version")
    external_use: bool = Field(description="True once consent is granted")


class StoryOut(_Schema):
    story_id: str = Field(description="Stable across analysis runs")
    account_id: str
    account_name: str
    employee_ids: list[str] = Field(description="The employee who went furthest, then helpers")
    title: str
    theme: StoryTheme
    score: float = Field(description="How compelling, 0..1")
    scores: dict[str, float]
    narrative: str
    sentences: list[SentenceOut] = Field(description="The narrative, each sentence with evidence")
    evidence: StoryEvidenceOut
    consent: ConsentOut
    started_at: datetime
    effort_signals: list[str]
    outcomes: list[str]


class StoryPageOut(_Schema):
    total: int
    limit: int
    offset: int
    search: str = Field(description='"words" or "semantic" when q was given')
    items: list[StoryOut]


class ConsentIn(_Schema):
    status: Literal["requested", "granted", "declined", "internal"]
    contact_id: str | None = Field(default=None, max_length=128)
    note: str | None = Field(default=None, max_length=2000)
    amounts_allowed: bool = False
