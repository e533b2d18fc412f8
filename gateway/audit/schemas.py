from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from gateway.core import paging
from gateway.subjects.schemas import ClientSubject


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
    transaction_id: str | None = Field(
        default=None,
        description="The unit of work that wrote the entry: every entry of one act carries "
        "it, on the acting organisation's side and on the owner's. Null on older entries.",
    )
    trace_id: str | None = Field(
        default=None,
        description="The W3C trace-id of the request (a caller's `traceparent` continued) or "
        "of the job run that wrote the entry. Null on older entries.",
    )
    prev_hash: str
    hash: str


NEXT = (
    "The cursor of the next, older page: pass it back as `cursor` with the same filters. "
    "Null when this is the last page."
)


class AuditEvents(BaseModel):
    """One page of entries, newest first."""

    items: list[AuditEventRead]
    next: str | None = Field(description=NEXT)


class AuditSearch(BaseModel):
    """The pupil in the body (never in a URL); paging like `GET /v1/audit/events`."""

    model_config = ConfigDict(extra="forbid")

    subject: ClientSubject
    cursor: str | None = Field(
        default=None,
        max_length=256,
        description="The `next` of the previous page, with the same subject; omit for the newest.",
    )
    limit: int = Field(
        default=paging.DEFAULT_LIMIT,
        ge=1,
        le=paging.MAX_LIMIT,
        description=f"Page size, 1 to {paging.MAX_LIMIT}.",
    )


class BreakGlassReviewRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    actor: str
    purpose: str
    object_id: str
    subject_ref: str
    parents_told: bool
    skipped_steps: list[str] = Field(
        default_factory=list,
        description="Meldcode steps the reporter skipped (codes, e.g. `gesprek` when talking "
        "with the parents was unsafe); the reason is kept sealed with the report.",
    )
    created_at: datetime
    reviewed_at: datetime | None
    reviewed_by: str | None
    verdict: str | None
    restricted: bool = Field(
        description="Hidden from the parents (they were not told) until someone lifts it."
    )
    restriction_lifted_at: datetime | None
    restriction_lifted_by: str | None
    restriction_lift_reason: str | None


class BreakGlassReviews(BaseModel):
    items: list[BreakGlassReviewRead]


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    verdict: Literal["justified", "unjustified"]


class LiftIn(BaseModel):
    """Why the parents may now see the report."""

    model_config = ConfigDict(extra="forbid")

    reason: Literal["parents_informed", "no_longer_unsafe"]


HEX = "Lowercase hex of a SHA-256 hash."


class CheckpointRead(BaseModel):
    """A signed tree head of the audit log (RFC 9162 Merkle tree over the entries)."""

    tree_size: int = Field(description="How many entries the tree holds (seq 1 to tree_size).")
    root_hash: str = Field(description=HEX)
    signature: str = Field(description="Base64 Ed25519 signature over the checkpoint's note text.")
    key_id: str = Field(description="`<origin>+<hex key hash>` (c2sp.org/signed-note).")
    time: datetime
    note: str = Field(description="The same checkpoint as a C2SP tlog-checkpoint signed note.")
    verifier_key: str | None = Field(
        default=None,
        description="The public key as witnesses configure it: "
        "`<origin>+<hex key hash>+<base64(0x01 || Ed25519 public key)>`; "
        "present while the checkpoint's key is the active one.",
    )


class InclusionProof(BaseModel):
    """Entry `seq` is leaf `seq - 1`; its leaf hash is SHA-256(0x00 || canonical bytes)."""

    leaf_index: int
    tree_size: int
    leaf_hash: str = Field(description=HEX)
    audit_path: list[str] = Field(description="Sibling hashes from the leaf up (RFC 9162 §2.1.3).")
    root_hash: str = Field(description=HEX)
    checkpoint: str = Field(description="The signed note of the checkpoint proven against.")


class ConsistencyProof(BaseModel):
    first: int
    second: int
    first_root: str = Field(description=HEX)
    second_root: str = Field(description=HEX)
    proof: list[str] = Field(description="RFC 9162 §2.1.4 consistency proof, lowercase hex.")


def _attr(name: str, description: str) -> Any:
    return Field(default=None, alias=name, description=description)


class LogboekAttributes(BaseModel):
    """`dpl.core.*` as the Logboek Dataverwerkingen standard defines them; `gateway.*`
    the gateway's own, tying the record to its audit entry."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    processing_activity_id: str = Field(
        alias="dpl.core.processing_activity_id",
        description="The purpose code, as the register of processing activities (the "
        "catalog) names the activity.",
    )
    data_subject_id: str | None = _attr(
        "dpl.core.data_subject_id", "The pupil's pseudonym for your organisation; never a BSN."
    )
    data_subject_id_type: str | None = _attr(
        "dpl.core.data_subject_id_type", "Which pseudonym: `urn:gateway:pseudoniem:<org>`."
    )
    org: str = Field(alias="gateway.org", description="The organisation that acted.")
    owner: str | None = _attr("gateway.owner", "The organisation whose object it was.")
    actor: str | None = _attr("gateway.actor", "The acting person's opaque id.")
    actor_role: str | None = _attr("gateway.actor_role", "The actor's role.")
    object_id: str | None = _attr("gateway.object_id", "The object acted on.")
    categories: list[str] = Field(
        default_factory=list, alias="gateway.categories", description="Data categories."
    )
    decision: Literal["permit", "deny"] = Field(alias="gateway.decision")
    decision_code: str | None = _attr("gateway.decision_code", "Why it was refused.")
    rule: str = Field(alias="gateway.rule", description="The policy rule that decided.")
    legal_basis: str | None = _attr("gateway.legal_basis", "The legal basis of a permit.")
    policy_version: str = Field(alias="gateway.policy_version")
    request_id: str | None = _attr("gateway.request_id", "The request's X-Request-Id.")
    transaction_id: str | None = _attr(
        "gateway.transaction_id", "The unit of work: shared by every entry of one act."
    )
    seq: int = Field(alias="gateway.audit.seq", description="The entry's place in the log.")
    hash: str = Field(
        alias="gateway.audit.hash", description="The entry's chain hash, to check against the log."
    )


class LogboekRecord(BaseModel):
    """One processing, as a span (Logboek Dataverwerkingen 1.0.0)."""

    trace_id: str = Field(description="W3C trace-id (16 bytes, hex) of the request or job run.")
    span_id: str = Field(description="8 bytes, hex: the first 16 hex digits of the entry hash.")
    name: str = Field(description="The act (`transfer.read`).")
    start_time: datetime
    end_time: datetime
    status: Literal["Ok", "Unset"] = Field(
        description="`Ok` when permitted; `Unset` for a refusal, which is no system error."
    )
    resource: dict[str, dict[str, str]]
    attributes: LogboekAttributes


class LogboekPage(BaseModel):
    """One page of records, newest first."""

    items: list[LogboekRecord]
    next: str | None = Field(description=NEXT)
