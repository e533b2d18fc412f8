from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from gateway.rights.grounds import GroundCode, Outcome, RequestGroundCode
from gateway.subjects.schemas import ClientSubject


class RefusalIn(BaseModel):
    """A rights request the controller refuses or restricts, on a ground the law names."""

    model_config = ConfigDict(extra="forbid")

    subject: ClientSubject
    requester: Literal["parent", "guardian", "pupil"] = Field(
        description="Who made the request; the catalog's age rule says who may."
    )
    outcome: Outcome = Field(
        description="`refused`: nothing is given; `restricted`: part of it is withheld."
    )
    ground: GroundCode = Field(
        description="`child_interest`, `third_party_interest` (Jeugdwet art. 7.3.11 lid 3; "
        "youth care, Veilig Thuis and JGZ only) or `avg_23` (AVG art. 23 with UAVG art. 41)."
    )


class RefusalRecorded(BaseModel):
    subject_ref: str
    right: str
    outcome: Outcome
    ground: GroundCode
    legal_basis: str
    decision: dict[str, Any]


class ReportIn(BaseModel):
    """The pupil in the body, never in a URL."""

    model_config = ConfigDict(extra="forbid")

    subject: ClientSubject


class DecisionIn(BaseModel):
    """The controller's answer to a correction or erasure request."""

    model_config = ConfigDict(extra="forbid")

    outcome: Literal["granted", "refused", "extended"] = Field(
        description="`granted`: done; `refused`: not done, on `ground`; `extended`: the term "
        "runs two more months (AVG art. 12(3)), once, with its reason in `note`."
    )
    ground: RequestGroundCode | None = Field(
        default=None,
        description="A refusal's ground: `accurate` (a correction: the data are right, AVG "
        "art. 16), `legal_obligation` (an erasure: the law requires keeping them, AVG art. "
        "17(3)(b)), or a restriction ground (`child_interest`, `third_party_interest` for "
        "youth care; `avg_23` for any controller).",
    )
    note: str | None = Field(
        default=None, max_length=4000, description="The reason or remark; sealed at rest."
    )


class ReminderRead(BaseModel):
    stage: Literal["soon", "overdue"]
    deadline: date
    at: datetime


class RequestRead(BaseModel):
    id: str
    subject_ref: str = Field(description="The pupil under your organisation's pseudonym.")
    right: str
    requester_role: str
    wrong: str
    should_be: str
    received_on: date
    deadline: date
    extended: bool
    status: Literal["open", "extended", "granted", "refused"]
    ground: RequestGroundCode | None
    note: str | None
    decided_at: datetime | None
    reminders: list[ReminderRead]


class RequestList(BaseModel):
    items: list[RequestRead]
