"""What clients send to and get back from the registry. Never a BSN or a name back."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator
from pydantic_core import PydanticCustomError

from gateway.core.fields import Day, Name
from gateway.crypto.bsn import is_valid_bsn
from gateway.subjects.schemas import ClientSubject

GrantorRole = Literal["parent", "guardian", "pupil"]
Evidence = Literal["digital", "paper"]
Status = Literal["active", "renewal_needed", "withdrawn", "expired"]


def _eleven_proof(value: str) -> str:
    if not is_valid_bsn(value):
        raise PydanticCustomError("invalid_bsn", "The BSN does not pass the 11-proef.")
    return value


class GrantorIn(BaseModel):
    """One person giving consent; the BSN lets the registry check gezag."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    role: GrantorRole
    name: Name = Field(min_length=1, max_length=200, repr=False)
    bsn: str | None = Field(default=None, repr=False)

    @field_validator("bsn")
    @classmethod
    def _bsn(cls, value: str | None) -> str | None:
        return None if value is None else _eleven_proof(value)


class ConsentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    subject: ClientSubject
    purpose: str = Field(max_length=64)
    recipients: list[str] = Field(min_length=1, max_length=20)
    categories: list[str] = Field(min_length=1, max_length=32)
    granted_by: list[GrantorIn] = Field(min_length=1, max_length=4)
    valid_until: Day = Field(description="The last day the consent counts (Dutch time).")
    evidence: Evidence
    evidence_ref: Name | None = Field(
        default=None,
        max_length=200,
        repr=False,
        description="Paper: the reference of the signed form the school keeps.",
    )
    case_id: str | None = Field(
        default=None, max_length=64, description="Knooppunt: the one case this consent is for."
    )


class ConsentSearch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: ClientSubject


class ConsentEventRead(BaseModel):
    kind: str
    at: datetime
    receipt: str | None = Field(
        default=None,
        description="The receipt issued with this event (grant, the pupil's co-consent), "
        "still verifiable after a newer one replaced it on the consent.",
    )


class RenewalRead(BaseModel):
    """Why a consent stopped counting: the pupil outgrew the age band its grantors met."""

    since: date = Field(
        description="The pupil's birthday (Dutch date) from which the consent counts no more."
    )
    reason: str = Field(description="Whose consent the age rule asks now, and under which law.")


class ConsentRead(BaseModel):
    id: str
    status: Status = Field(
        description="`renewal_needed`: within its period and not withdrawn, but since a "
        "birthday of the pupil its grantors no longer meet the age rule of the purpose "
        "(parents alone, once the pupil is 12 or 16); it counts for no access until a new "
        "consent is registered. Computed at every read, like `expired`."
    )
    renewal: RenewalRead | None = Field(
        default=None, description="Set when `status` is `renewal_needed`."
    )
    subject_ref: str
    purpose: str
    case_id: str | None
    recipients: list[str]
    categories: list[str]
    granted_by: list[str] = Field(description="The grantors' roles; never their names.")
    evidence: str
    valid_from: datetime
    valid_until: date
    registered_by: str | None
    withdrawn_at: datetime | None
    receipt: str = Field(description="Compact JWS by the gateway (typ consent-receipt+jwt).")
    history: list[ConsentEventRead]


class ConsentList(BaseModel):
    items: list[ConsentRead]


ConsentStateFilter = Literal["renewal_needed"]


class Withdrawn(BaseModel):
    id: str
    status: Literal["withdrawn"]
    withdrawn_at: datetime
    receipt: str = Field(description="Compact JWS proving the withdrawal.")


class NotificationRead(BaseModel):
    id: int
    kind: str
    consent_id: str
    subject_ref: str
    purpose: str
    created_at: datetime


class NotificationList(BaseModel):
    items: list[NotificationRead]


class PersonIn(BaseModel):
    """A parent or guardian of the pupil, identified by BSN (as DigiD will match)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    bsn: str = Field(repr=False)
    name: Name = Field(min_length=1, max_length=200, repr=False)
    role: Literal["parent", "guardian"]

    @field_validator("bsn")
    @classmethod
    def _bsn(cls, value: str) -> str:
        return _eleven_proof(value)


class GezagCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: ClientSubject
    person: PersonIn
    gezag: StrictBool


class GezagRead(BaseModel):
    id: str
    subject_ref: str
    role: str
    gezag: bool
    since: datetime
