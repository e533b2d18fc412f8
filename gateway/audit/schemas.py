from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from gateway.subjects.schemas import SubjectIn


class AuditEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    time: datetime
    org: str
    actor: str | None
    actor_role: str | None
    purpose: str
    legal_basis: str | None
    subject_ref: str | None
    categories: list[str]
    action: str
    object_id: str | None
    decision: Literal["permit", "deny"]
    code: str | None
    rule: str
    policy_version: str
    request_id: str | None
    owner: str | None = None
    prev_hash: str
    hash: str


class AuditEvents(BaseModel):
    items: list[AuditEventRead]


class AuditSearch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: SubjectIn


class BreakGlassReviewRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    actor: str
    purpose: str
    object_id: str
    subject_ref: str
    parents_told: bool
    created_at: datetime
    reviewed_at: datetime | None
    reviewed_by: str | None
    verdict: str | None


class BreakGlassReviews(BaseModel):
    items: list[BreakGlassReviewRead]


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    verdict: Literal["justified", "unjustified"]
