from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat

from gateway.core.fields import Day, PastDay, Text
from gateway.subjects.schemas import ClientSubject

Status = Literal["awaiting_inzage", "available", "received", "acknowledged", "withdrawn"]


class InzageIn(BaseModel):
    """Parents (and a pupil from 16) have seen the dossier; a zienswijze is no veto."""

    model_config = ConfigDict(extra="forbid")

    date: PastDay
    akkoord: StrictBool
    zienswijze: Text | None = Field(default=None, max_length=20_000, repr=False)


class SkippedStepIn(BaseModel):
    """A meldcode step not taken, and why (the afwegingskader allows it when unsafe)."""

    model_config = ConfigDict(extra="forbid")

    step: str = Field(
        max_length=64,
        description="The step's code. Only `gesprek` may be skipped (talking with the parents "
        "or the child would endanger the child); any other skipped step leaves the meldcode "
        "incomplete (403 `meldcode_incomplete`).",
    )
    reason: Text | None = Field(
        default=None,
        max_length=2_000,
        repr=False,
        description="Why the step was skipped; required (422 `meldcode_skip_reason_missing`). "
        "Sealed with the report like `not_told_reason`; the privacy officer's review shows "
        "the step's code, never this text.",
    )


class MeldcodeIn(BaseModel):
    """Break-glass to Veilig Thuis (Wmo 2015 art. 5.2.6): the steps and the reasons.

    Every one of the five steps (`signalen`, `collegiale_consultatie`, `gesprek`,
    `afweging`, `besluit`) is in `steps` or, for `gesprek` only, in `skipped` with its
    reason; a step in both is refused (422 `meldcode_step_conflict`).
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "steps": ["signalen", "collegiale_consultatie", "afweging", "besluit"],
                    "skipped": [
                        {"step": "gesprek", "reason": "Een gesprek brengt het kind in gevaar."}
                    ],
                    "reasons": ["Acute onveiligheid volgens het afwegingskader."],
                    "parents_told": False,
                    "not_told_reason": "Vertellen brengt het kind in gevaar.",
                }
            ]
        },
    )

    steps: list[str] = Field(max_length=10, description="The meldcode steps taken.")
    skipped: list[SkippedStepIn] = Field(
        default_factory=list,
        max_length=5,
        description="Steps not taken, each with its reason; the report then goes on the "
        "privacy officer's review list with the skipped steps shown.",
    )
    reasons: list[Text] = Field(min_length=1, max_length=10, repr=False)
    parents_told: StrictBool
    not_told_reason: Text | None = Field(default=None, max_length=2_000, repr=False)


class ActFacts(BaseModel):
    """What the sender declares with an act; kept sealed so the release sees the same."""

    informed: bool = False
    # The verzuimmelding's hours, kind and period length in days (`facts.absence_facts`).
    absence_hours: float | None = None
    absence_type: str | None = None
    absence_days: int | None = None
    meldcode: MeldcodeIn | None = None


class TransferCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    recipient: str = Field(max_length=40)
    subject: ClientSubject
    dossier: dict[str, Any] = Field(
        min_length=1,
        repr=False,
        description="Category name to its value. Each value must fit the closed fields the "
        "catalog gives its category (`GET /v1/policies`, `categories`), else 422 "
        "category_invalid naming the field path.",
    )
    inzage: InzageIn | None = None
    informed: StrictBool = Field(
        default=False, description="The parents (or the youth) were told of this transfer."
    )
    absence_hours: StrictFloat | None = Field(
        default=None,
        ge=0,
        le=1000,
        description="Deprecated: `verzuim_melding.uren` states the hours the policy decides "
        "on. When given it must equal that field (else 422 `absence_hours_mismatch`, naming "
        "`verzuim_melding.uren`); without a verzuimmelding it is ignored.",
    )
    meldcode: MeldcodeIn | None = None

    def facts(self) -> ActFacts:
        return ActFacts(
            informed=self.informed, absence_hours=self.absence_hours, meldcode=self.meldcode
        )


class AcknowledgeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # May lie ahead: the recipient may confirm the conversation it has planned.
    conversation_date: Day
    notes: Text | None = Field(default=None, max_length=20_000, repr=False)


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
    """One page of a box, newest first."""

    items: list[TransferSummary]
    next: str | None = Field(
        description="The cursor of the next, older page: pass it back as `cursor` with the "
        "same `box`. Null when this is the last page."
    )


class InzageRead(BaseModel):
    date: date
    akkoord: bool | None


class TransferRead(TransferSummary):
    dossier: dict[str, Any]
    zienswijze: str | None
    inzage: InzageRead | None
    decision: DecisionOut
