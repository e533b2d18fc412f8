"""What clients send to and get back from the verwijsindex: contact details and ids.

A response never carries a BSN, a reason, content or a pupil's pseudonym: the index
answers who else is involved and how to reach them, nothing more (DOMAIN flow 13).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from gateway.core.fields import Name, PastDay, Text
from gateway.crypto.bsn import is_valid_bsn

InformedWho = Literal["parents", "youth"]
WithdrawReason = Literal["unjustified", "risk_gone"]


def _eleven_proof(value: str) -> str:
    if not is_valid_bsn(value):
        raise PydanticCustomError("invalid_bsn", "The BSN does not pass the 11-proef.")
    return value


Bsn = Annotated[str, AfterValidator(_eleven_proof)]


class Contact(BaseModel):
    """How the responsible professional is reached; sealed at rest."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Name = Field(min_length=1, max_length=200, repr=False)
    phone: str = Field(pattern=r"^\+?[0-9 ()-]{6,20}$", repr=False)
    email: str = Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", repr=False)


class Parent(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    bsn: Bsn = Field(repr=False, description="A parent's BSN; must pass the 11-proef.")


class SignalCreate(BaseModel):
    """A signal: the child, who to contact, and optionally the parents for the household
    match. The acting person (X-Actor) is recorded as the person responsible."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    subject: Bsn = Field(repr=False, description="The child's BSN; must pass the 11-proef.")
    contact: Contact
    household: list[Parent] = Field(default_factory=list, max_length=4)


class MatchOut(BaseModel):
    """The other side of a match: its signal, organisation and contact, since when."""

    model_config = ConfigDict(extra="forbid")

    signal_id: str
    org: str
    contact: Contact
    since: datetime


class SignalCreated(BaseModel):
    id: str
    matches: list[MatchOut]


class MatchRead(BaseModel):
    """A current match of one of the caller's signals."""

    id: str
    signal_id: str = Field(description="The caller's own signal.")
    kind: Literal["child", "household"]
    other: MatchOut
    regie: str | None = Field(description="The organisation recorded as holding regie.")


class MatchList(BaseModel):
    items: list[MatchRead]


class SignalRead(BaseModel):
    """One of the caller's own signals: status and dates, never the child."""

    id: str
    status: Literal["active", "archived"]
    created_at: datetime
    expires_at: datetime
    informed: Literal["parents", "youth", "both", "not_told"] | None


class SignalList(BaseModel):
    items: list[SignalRead]


class WithdrawIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: WithdrawReason = Field(
        description="unjustified: deleted without a trace in the index; risk_gone: kept "
        "five years in the archive, which never matches."
    )


class InformedIn(BaseModel):
    """Who was told of the signal and when, or why nobody was (telling was unsafe)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    told: list[InformedWho] = Field(default_factory=list, max_length=2)
    on: PastDay | None = None
    not_told_reason: Text | None = Field(default=None, min_length=3, max_length=500, repr=False)


class RegieIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    org: str = Field(max_length=40, description="One of the two matched organisations.")


class NotificationRead(BaseModel):
    id: str
    kind: Literal["match", "inform_reminder"]
    signal_id: str = Field(description="The caller's own signal it is about.")
    match_id: str | None
    created_at: datetime


class NotificationList(BaseModel):
    items: list[NotificationRead]


class ArchivedRead(BaseModel):
    signal_id: str
    org: str
    contact: Contact
    since: datetime
    archived_at: datetime


class ArchiveList(BaseModel):
    items: list[ArchivedRead]


class DeathIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: Bsn = Field(repr=False, description="The child's BSN; must pass the 11-proef.")
    died_on: PastDay


class RegieRead(BaseModel):
    id: str
    regie: str
