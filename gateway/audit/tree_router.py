"""The log proving itself: signed checkpoints, inclusion and consistency proofs.

A checkpoint holds no personal data: any holder of `audit:read` reads it without the
context headers (a witness polls it). A proof concerns one entry of the officer's own
organisation; reading one is an act under `audit.toezicht` and is logged like any.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import PlainTextResponse, Response

from gateway.audit import checkpoints, service, tree
from gateway.audit.models import AuditCheckpoint, AuditEntry
from gateway.audit.schemas import CheckpointRead, ConsistencyProof, InclusionProof
from gateway.audit.service import AuditEvent
from gateway.catalog.enforce import supervision_decision
from gateway.core.context import ActContext, Principal
from gateway.core.errors import Conflict, NotFound, Unprocessable
from gateway.core.routing import OneTripRoute
from gateway.deps import ServicesDep, SessionDep, require_scope, scoped_context

router = APIRouter(prefix="/v1/audit", tags=["audit"], route_class=OneTripRoute)
Officer = Annotated[ActContext, Depends(scoped_context("audit:read"))]
Reader = Annotated[Principal, Depends(require_scope("audit:read"))]
NOTE_TYPE = "text/plain; charset=utf-8"
# A seq is a 64-bit integer in the database.
MAX_SEQ = 2**63 - 1

NO_CHECKPOINT: dict[int | str, dict[str, Any]] = {
    404: {"description": "`checkpoint_missing`: no checkpoint has been published yet."}
}


def _latest(session: Any) -> AuditCheckpoint:
    found = checkpoints.latest(session)
    if found is None:
        raise NotFound("No checkpoint has been published yet.", code="checkpoint_missing")
    return found


@router.get(
    "/checkpoint",
    response_model=CheckpointRead,
    responses={
        **NO_CHECKPOINT,
        200: {"content": {"text/plain": {"schema": {"type": "string"}}}},
    },
    summary="The latest signed checkpoint of the audit log (JSON, or the signed note)",
    description="With `Accept: text/plain` the checkpoint comes as the C2SP tlog-checkpoint "
    "signed note (origin, tree size, base64 root hash, a blank line, the signature line), "
    "which transparency-log witnesses cosign. `signature` is the same Ed25519 signature, "
    "base64, over the note's text; `key_id` names the key as `<origin>+<key hash>`.",
)
def checkpoint(request: Request, _: Reader, services: ServicesDep) -> Response | dict[str, Any]:
    with services.db.readers() as session:
        found = _latest(session)
    if _wants_note(request.headers.get("accept", "")):
        return PlainTextResponse(found.note, media_type=NOTE_TYPE)
    key = services.keyring.checkpoints.active(services.settings.audit_origin)
    return checkpoints.view(found, key)


def _wants_note(accept: str) -> bool:
    types = [part.split(";")[0].strip() for part in accept.split(",")]
    return "text/plain" in types and "application/json" not in types


def _against(session: Any, tree_size: int | None) -> AuditCheckpoint:
    if tree_size is None:
        return _latest(session)
    found = checkpoints.at_size(session, tree_size)
    if found is None:
        raise NotFound("No checkpoint of that size was published.", code="checkpoint_missing")
    return found


@router.get(
    "/proof/{seq}",
    response_model=InclusionProof,
    responses={
        404: {
            "description": "`not_found`: no entry of your organisation (or on its "
            "objects) with this seq, whether another's entry exists or is checkpointed or "
            "not; `checkpoint_missing`: no checkpoint (of `tree_size`)."
        },
        409: {"description": "`not_checkpointed`: your own entry is newer than the checkpoint."},
    },
    summary="An RFC 9162 inclusion proof of one entry in the latest signed checkpoint",
)
def proof(
    seq: Annotated[int, Path(ge=1, le=MAX_SEQ, description="The entry's seq")],
    session: SessionDep,
    ctx: Officer,
    services: ServicesDep,
    tree_size: Annotated[
        int | None,
        Query(ge=1, le=MAX_SEQ, description="A published checkpoint's size; default the latest"),
    ] = None,
) -> dict[str, Any]:
    now = services.clock.now()
    allowed = supervision_decision(services.catalog, ctx, action="audit.proof", now=now)
    version = services.catalog.version
    with service.attempt(
        ctx, action="audit.proof", policy_version=version, now=now, object_id=str(seq)
    ):
        entry = session.get(AuditEntry, seq)
        # Ownership first: another's entry answers as a seq that does not exist, whether
        # checkpointed or not, so probing seqs past the checkpoint finds no live head.
        if entry is None or ctx.org_id not in (entry.org, entry.owner):
            raise NotFound("No such audit entry.")
        against = _against(session, tree_size)
        if seq > against.tree_size:
            raise Conflict(
                "The entry is newer than the checkpoint; ask again after the next one.",
                code="not_checkpointed",
            )
        path = tree.inclusion_proof(session, seq - 1, against.tree_size)
        leaf = tree.leaf_hashes(session, seq - 1, seq)[0]
    event = AuditEvent.of(ctx, action="audit.proof", decision=allowed, object_id=str(seq))
    service.append(session, event, now=now)
    return {
        "leaf_index": seq - 1,
        "tree_size": against.tree_size,
        "leaf_hash": leaf.hex(),
        "audit_path": [h.hex() for h in path],
        "root_hash": against.root_hash,
        "checkpoint": against.note,
    }


@router.get(
    "/consistency",
    response_model=ConsistencyProof,
    responses={
        404: {"description": "`checkpoint_missing`: no checkpoint of that size."},
    },
    summary="An RFC 9162 consistency proof between two signed checkpoints",
    description="`second` defaults to the latest checkpoint. Both sizes must be those of "
    "published checkpoints; `first` may not exceed `second` (422 `invalid_request`).",
)
def consistency(
    session: SessionDep,
    ctx: Officer,
    services: ServicesDep,
    first: Annotated[int, Query(ge=1, le=MAX_SEQ, description="The older checkpoint's size")],
    second: Annotated[int | None, Query(ge=1, le=MAX_SEQ, description="The newer one's")] = None,
) -> dict[str, Any]:
    now = services.clock.now()
    allowed = supervision_decision(services.catalog, ctx, action="audit.consistency", now=now)
    version = services.catalog.version
    with service.attempt(ctx, action="audit.consistency", policy_version=version, now=now):
        newer = _against(session, second)
        older = _against(session, first)
        if older.tree_size > newer.tree_size:
            raise Unprocessable("`first` exceeds `second`.", code="invalid_request")
        path = tree.consistency_proof(session, older.tree_size, newer.tree_size)
    event = AuditEvent.of(ctx, action="audit.consistency", decision=allowed)
    service.append(session, event, now=now)
    return {
        "first": older.tree_size,
        "second": newer.tree_size,
        "first_root": older.root_hash,
        "second_root": newer.root_hash,
        "proof": [h.hex() for h in path],
    }
