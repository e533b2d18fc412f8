"""What clients send to and get back from the case register. Never a BSN or a name."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator
from pydantic_core import PydanticCustomError

from gateway.core.context import ACTOR_PATTERN, ROLE_PATTERN
from gateway.core.fields import BSN_SHAPED, Text
from gateway.subjects.schemas import ClientSubject

CaseKind = Literal["knooppunt", "ot", "mdo"]
CaseStatus = Literal["open", "closed"]


class CaseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    subject: ClientSubject
    kind: CaseKind = Field(
        description="knooppunt, ot (ondersteuningsteam) or mdo (multidisciplinair overleg)."
    )
    title: Text = Field(
        min_length=1,
        max_length=200,
        repr=False,
        description="Stored sealed like dossier content and never logged; shown to "
        "participants only.",
    )


class ParticipantIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    org: str = Field(max_length=40, description="The organisation's id.")
    role: str = Field(
        pattern=f"^{ROLE_PATTERN}$",
        description="The person's role at the table, e.g. intern_begeleider, leerplichtambtenaar.",
    )
    person: str = Field(
        pattern=f"^{ACTOR_PATTERN}$",
        description="The organisation's own opaque id for the person taking part (as X-Actor): "
        "never a name, e-mail address or BSN.",
    )
    mandate: StrictBool = Field(
        description="Whether the person may decide for the organisation at this table; only "
        "a participant with a mandate adds others, closes the case or converts it to an MDO."
    )

    @field_validator("person")
    @classmethod
    def _opaque(cls, value: str) -> str:
        if BSN_SHAPED.search(value):
            raise PydanticCustomError("bsn_shaped", "The person is an opaque id, never a BSN.")
        return value


class EntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: str = Field(max_length=64, description="A category of knooppunt.casus.")
    content: Any = Field(
        repr=False,
        description="The category's value: it must fit the closed fields the catalog gives the "
        "category (`GET /v1/policies`), else 422 category_invalid naming the field path.",
    )


class MdoIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    regie: str = Field(
        max_length=40,
        description="The participant (an swv_po or swv_vo) whose trajectbegeleider takes regie.",
    )


class CaseCreated(BaseModel):
    id: str


class ParticipantRead(BaseModel):
    org: str
    kind: str
    role: str
    person: str
    mandate: bool
    joined_at: datetime


class ParticipantRecord(ParticipantRead):
    left_at: datetime | None = Field(
        description="When the organisation left the case; null: it still takes part."
    )


class CaseSummary(BaseModel):
    id: str
    kind: CaseKind
    status: CaseStatus
    subject_ref: str = Field(description="The pupil under the caller's own pseudonym.")
    title: str
    created_by: str
    regie: str = Field(description="The organisation that holds regie.")
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    evaluated_at: datetime | None
    evaluation_due: datetime = Field(
        description="A year after the last evaluation (or the start): the knooppunt is "
        "evaluated at least once a year."
    )


class CaseRead(CaseSummary):
    participants: list[ParticipantRead]


class CaseList(BaseModel):
    items: list[CaseSummary]


class EntrySummary(BaseModel):
    id: str
    category: str
    org: str = Field(description="The participant that wrote the entry and keeps it.")
    author: str
    retention: str = Field(
        description="The writer's own retention class: the catalog's own_term resolved for "
        "the writer's kind."
    )
    expires_on: date | None = Field(
        default=None,
        description="The day the entry is purged: its class's term counted from the day the "
        "case closed; null while the case is open or where the class has no fixed term.",
    )
    created_at: datetime


class EntryRead(EntrySummary):
    content: Any


class EntryList(BaseModel):
    items: list[EntryRead] = Field(
        description="Only the entries the caller may read: its own, its own task's, and what "
        "the case consent opens to it. Nothing else is listed or counted."
    )


class Agreements(BaseModel):
    regie: str = Field(description="The organisation that holds regie.")
    evaluated_at: datetime | None
    evaluation_due: datetime
    entries: list[str] = Field(
        description="The ids of the knooppunt_afspraken entries in the bundle: the agreed "
        "interventions and decisions the requesting party may read."
    )


class ExportBundle(BaseModel):
    case: CaseSummary
    participants: list[ParticipantRecord] = Field(
        description="Every organisation that ever sat at the table, in the order it joined, "
        "with when it joined and (if it did) left: entries of a party that left are still "
        "in the bundle where the requesting party may read them."
    )
    agreements: Agreements
    entries: list[EntryRead] = Field(
        description="Exactly the entries `GET /v1/cases/{case_id}/entries` returns to the "
        "requesting party now; nothing else is listed or counted."
    )


class ManifestEntry(BaseModel):
    id: str
    org: str = Field(description="The participant that wrote the entry.")
    category: str
    created_at: str = Field(description="As the bundle's entry gives it.")
    sha256: str = Field(description="SHA-256 (hex) of the entry's canonical `content`.")


class Manifest(BaseModel):
    type: Literal["case-export"]
    iss: str = Field(description="The gateway that signed the export.")
    case_id: str
    requested_by: str = Field(description="The organisation that requested the export.")
    purpose: str
    generated_at: str
    policy_version: str = Field(description="The policy catalog that decided what to include.")
    case_sha256: str = Field(
        description="SHA-256 (hex) of the canonical JSON object holding the bundle's `case`, "
        "`participants` and `agreements`."
    )
    entries: list[ManifestEntry]


class CaseExport(BaseModel):
    bundle: ExportBundle
    manifest: Manifest = Field(
        description="The signed manifest, decoded for convenience; a verifier uses the "
        "payload of `signature`."
    )
    signature: str = Field(
        description="Compact JWS (alg Ed25519, typ case-manifest+jws) by the gateway's "
        "signing key over the canonical manifest; the key is in `/.well-known/jwks.json`."
    )
