from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from gateway.subjects.schemas import SubjectIn

Status = Literal["awaiting_inzage", "available", "received", "acknowledged", "withdrawn"]


class InzageIn(BaseModel):
    """Parents (and a pupil from 16) have seen the dossier; a zienswijze is no veto."""

    model_config = ConfigDict(extra="forbid")

    date: date
    akkoord: bool
    zienswijze: str | None = Field(default=None, max_length=20_000, repr=False)


class TransferCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    recipient: str = Field(max_length=40)
    subject: SubjectIn
    dossier: dict[str, Any] = Field(min_length=1, repr=False)
    inzage: InzageIn | None = None


class AcknowledgeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation_date: date
    notes: str | None = Field(default=None, max_length=20_000, repr=False)


class DecisionOut(BaseModel):
    effect: Literal["permit", "deny"]
    flow: str | None
    legal_basis: str | None
    rule: str
    reasons: list[str]
    obligations: list[str]
    policy_version: str
    released: list[str]
    retention: str | None


class TransferCreated(BaseModel):
    id: str
    status: Status
    subject_ref: str
    decision: DecisionOut


class TransferSummary(BaseModel):
    """A transfer in a listing: never any dossier content."""

    id: str
    status: Status
    purpose: str
    subject_ref: str
    sender: str
    recipient: str
    categories: list[str]
    format: Literal["json", "oso"]
    created_at: datetime
    updated_at: datetime


class TransferList(BaseModel):
    items: list[TransferSummary]


class InzageRead(BaseModel):
    date: date
    akkoord: bool | None


class TransferRead(TransferSummary):
    dossier: dict[str, Any]
    zienswijze: str | None
    inzage: InzageRead | None
    decision: DecisionOut
