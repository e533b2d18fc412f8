"""HTTP for transfers: thin handlers over `transfers.service`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from gateway.audit.schemas import BreakGlassReviewRead, LiftIn
from gateway.catalog.enforce import decision_json
from gateway.core import paging
from gateway.core.context import ActContext
from gateway.core.errors import Unprocessable
from gateway.core.idempotency import answer_once, earlier_answer, fingerprint, run_once
from gateway.core.openapi import COMPONENT_SCHEMAS
from gateway.core.routing import OneTripRoute
from gateway.deps import (
    RawBody,
    Services,
    ServicesDep,
    SessionDep,
    edges_of,
    parse_json,
    scoped_context,
)
from gateway.edges import Edges
from gateway.transfers import restriction, service
from gateway.transfers.models import Transfer
from gateway.transfers.schemas import (
    AcknowledgeIn,
    InzageIn,
    TransferCreate,
    TransferCreated,
    TransferList,
    TransferRead,
    TransferSummary,
)
from policies.model import Decision

router = APIRouter(prefix="/v1/transfers", tags=["transfers"], route_class=OneTripRoute)
Writer = Annotated[ActContext, Depends(scoped_context("transfers:write"))]
Reader = Annotated[ActContext, Depends(scoped_context("transfers:read"))]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]

XML_TYPES = ("application/xml", "text/xml")
# What may precede the first tag of an XML document: a byte order mark, white space.
_LEADING = b"\xef\xbb\xbf \t\r\n"


def summary(transfer: Transfer, refs: Callable[[str], str]) -> dict[str, Any]:
    """A transfer as the caller sees it: the pupil under the caller's own pseudonym."""
    return TransferSummary(
        id=transfer.id,
        status=transfer.status,
        purpose=transfer.purpose,
        subject_ref=refs(transfer.subject_ref),
        sender=transfer.sender_org_id,
        recipient=transfer.recipient_org_id,
        categories=transfer.categories,
        format=transfer.format,
        created_at=transfer.created_at,
        updated_at=transfer.updated_at,
    ).model_dump(mode="json")


# The push parses its body itself (JSON or XML), so FastAPI cannot see the model: the
# body is declared here, its models referred to where the components hold them.
OPENAPI_PUSH: dict[str, Any] = {
    "requestBody": {
        "content": {
            "application/json": {
                "schema": TransferCreate.model_json_schema(ref_template=COMPONENT_SCHEMAS)
            },
            "application/xml": {
                "schema": {
                    "type": "string",
                    "description": "An OSO 2019.1 dossier that validates against the XSD "
                    "and the standard's business-rule validators (else 422 invalid_dossier, "
                    "with their meldingen); name the recipient with ?recipient=. A "
                    "passend-onderwijs dossier (POSWV, VOSWV) carries no BSN: name the "
                    "pupil with &subject_ref=<your subject_ref>.",
                }
            },
        },
        "required": True,
    }
}
OPENAPI_READ: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "application/xml": {
                "schema": {
                    "type": "string",
                    "description": "With Accept: application/xml, the dossier as OSO 2019.1 "
                    "XML holding only the released categories.",
                }
            }
        }
    },
    409: {"description": "The parents have not had inzage yet (inzage_missing)."},
}


OPENAPI_PUSH_REFUSALS: dict[int | str, dict[str, Any]] = {
    403: {
        "description": "Refused by policy, with the decision: the flow or a category is "
        "not allowed, consent or a precondition is missing. `sender_not_related`: the "
        "sender has no standing with the pupil that its route asks (`sender_relation` in "
        "GET /v1/policies: its own pupil, or the request or referral it received); it is "
        "judged before the pupil's record is read, so it reads the same for any pupil.",
    },
}


@router.post(
    "",
    status_code=201,
    response_model=TransferCreated,
    openapi_extra=OPENAPI_PUSH,
    responses=OPENAPI_PUSH_REFUSALS,
    summary="Push a dossier (JSON, or OSO XML with ?recipient=)",
)
async def push(
    request: Request,
    raw: RawBody,
    ctx: Writer,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
    recipient: Annotated[str | None, Query(max_length=40)] = None,
    subject_ref: Annotated[str | None, Query(max_length=80)] = None,
) -> Response:
    # The hottest endpoint: no session dependency (it would take three trips to the
    # thread pool: open, endpoint, commit), and only a few pushes at a time
    # (`GATEWAY_PUSH_CONCURRENCY`) are worked on per process.
    # Media types are case-insensitive (RFC 9110 §8.3.1); parameters such as charset
    # are the parser's business: an XML declaration names its own encoding.
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    as_xml = media_type in XML_TYPES
    if as_xml and not recipient:
        raise Unprocessable("Name the recipient with ?recipient=.", code="invalid_request")
    if not as_xml and raw.lstrip(_LEADING).startswith(b"<"):
        raise Unprocessable(
            "The body is not JSON. An OSO dossier is sent as Content-Type: application/xml "
            "with ?recipient=<org id>.",
            code="json_invalid",
            extra={"errors": [{"loc": ["body"], "type": "json_invalid"}]},
        )
    body = None if as_xml else parse_json(TransferCreate, raw)
    edges = edges_of(services)
    key = idempotency_key
    # Decided and sealed in a read-only transaction, then written: on SQLite the one
    # write lock is held only for the writes, and the pushes waiting for it are committed
    # together (`Database.decide_then_write`, bench/transfers_bench.py). With an
    # Idempotency-Key a retry is answered from the first attempt's record without
    # deciding again; the write looks once more, in its own transaction.

    request_print = ""

    def decide() -> service.Prepared | Response:
        nonlocal request_print
        with services.db.reading() as reader:
            if key is not None:
                target = f"/v1/transfers?recipient={recipient}&subject_ref={subject_ref}"
                request_print = fingerprint(ctx, "POST", target, raw)
                earlier = earlier_answer(
                    reader, org_id=ctx.org_id, key=key, request_fingerprint=request_print
                )
                if earlier is not None:
                    return earlier
            return _prepare(
                reader, ctx, edges, raw=raw, body=body, recipient=recipient, subject_ref=subject_ref
            )

    def write(session: Session, decided: service.Prepared | Response) -> Response:
        if isinstance(decided, Response):
            return decided

        def act() -> tuple[int, dict[str, Any]]:
            transfer, decision = service.store(session, decided, ctx, edges)
            return 201, _created(transfer, decision, services, ctx)

        return run_once(
            session,
            org_id=ctx.org_id,
            key=key,
            request_fingerprint=request_print,
            now=edges.now,
            act=act,
        )

    return await services.db.decide_then_write(decide, write, limiter=services.push_limiter)


def _prepare(
    session: Session,
    ctx: ActContext,
    edges: Edges,
    *,
    raw: bytes,
    body: TransferCreate | None,
    recipient: str | None,
    subject_ref: str | None,
) -> service.Prepared:
    if body is None:
        return service.prepare_oso(
            session,
            raw=raw,
            recipient_id=recipient or "",
            ctx=ctx,
            edges=edges,
            subject_ref=subject_ref,
        )
    return service.prepare_json(session, body=body, ctx=ctx, edges=edges)


def _created(
    transfer: Transfer, decision: Decision, services: Services, ctx: ActContext
) -> dict[str, Any]:
    return {
        "id": transfer.id,
        "status": transfer.status,
        "subject_ref": services.keyring.pseudonyms.for_org(transfer.subject_ref, ctx.org_id),
        "decision": decision_json(decision),
    }


@router.post("/{transfer_id}/inzage", summary="Record the parents' inzage (and zienswijze)")
def inzage(
    transfer_id: str,
    body: InzageIn,
    session: SessionDep,
    ctx: Writer,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    edges = edges_of(services)

    def act() -> tuple[int, dict[str, Any]]:
        transfer = service.record_inzage(
            session, transfer_id=transfer_id, body=body, ctx=ctx, edges=edges
        )
        return 200, summary(transfer, services.keyring.pseudonyms.refs_for(ctx.org_id))

    return answer_once(
        session,
        ctx,
        key=idempotency_key,
        path=f"/v1/transfers/{transfer_id}/inzage",
        body=body.model_dump_json().encode(),
        now=edges.now,
        act=act,
    )


@router.get(
    "",
    response_model=TransferList,
    summary="Inbox or outbox, newest first, a page at a time, without content",
    description="A page that holds transfers is on the audit log (`transfer.list`, the run "
    "of ids handed over); an empty one is not. The X-Purpose is the entry's purpose, so it "
    "must be an exchange flow of the catalog.",
    responses={
        422: {
            "description": "The X-Purpose is no exchange flow of the catalog "
            "(unknown_purpose; the refusal is on the audit log), or a bad query parameter."
        }
    },
)
def list_transfers(
    session: SessionDep,
    ctx: Reader,
    services: ServicesDep,
    box: Literal["inbox", "outbox"] = "inbox",
    cursor: paging.Cursor = None,
    limit: paging.Limit = paging.DEFAULT_LIMIT,
) -> dict[str, Any]:
    page = service.listing(
        session, ctx=ctx, edges=edges_of(services), box=box, cursor=cursor, limit=limit
    )
    refs = services.keyring.pseudonyms.refs_for(ctx.org_id)
    return {"items": [summary(t, refs) for t in page.items], "next": page.next}


@router.get(
    "/{transfer_id}",
    response_model=TransferRead,
    responses=OPENAPI_READ,
    summary="Read a dossier: only the released categories, only after inzage",
)
def read(
    transfer_id: str,
    request: Request,
    session: SessionDep,
    ctx: Reader,
    services: ServicesDep,
) -> Response:
    as_xml = _wants_xml(request.headers.get("accept", ""))
    edges = edges_of(services)
    released = service.read(session, transfer_id=transfer_id, ctx=ctx, edges=edges, as_xml=as_xml)
    if isinstance(released.dossier, bytes):
        return Response(released.dossier, media_type="application/xml")
    transfer = released.transfer
    inzage_read = None
    if transfer.inzage_date is not None:
        inzage_read = {"date": transfer.inzage_date.isoformat(), "akkoord": transfer.inzage_akkoord}
    body = {
        **summary(transfer, services.keyring.pseudonyms.refs_for(ctx.org_id)),
        "dossier": released.dossier,
        "zienswijze": released.zienswijze,
        "inzage": inzage_read,
        "decision": decision_json(released.decision),
    }
    return JSONResponse(body)


@router.post("/{transfer_id}/acknowledge", summary="Confirm the warm handover conversation")
def acknowledge(
    transfer_id: str,
    body: AcknowledgeIn,
    session: SessionDep,
    ctx: Reader,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    edges = edges_of(services)

    def act() -> tuple[int, dict[str, Any]]:
        transfer = service.acknowledge(
            session, transfer_id=transfer_id, body=body, ctx=ctx, edges=edges
        )
        return 200, summary(transfer, services.keyring.pseudonyms.refs_for(ctx.org_id))

    return answer_once(
        session,
        ctx,
        key=idempotency_key,
        path=f"/v1/transfers/{transfer_id}/acknowledge",
        body=body.model_dump_json().encode(),
        now=edges.now,
        act=act,
    )


@router.post(
    "/{transfer_id}/restriction/lift",
    response_model=BreakGlassReviewRead,
    summary="Lift the restriction towards the parents on your meldcode report (the reporter)",
    description="A report sent while telling the parents was unsafe is hidden from "
    "everything they see (AVG art. 23, UAVG art. 41). Only the reporter (X-Actor) lifts "
    "it here, under X-Purpose `meldcode.melding`; the act is logged and shown on the "
    "privacy officer's review list. Someone else of the organisation: 403 `not_reporter`.",
)
def lift_restriction(
    transfer_id: str, body: LiftIn, session: SessionDep, ctx: Writer, services: ServicesDep
) -> dict[str, Any]:
    lifted = restriction.lift(
        session, transfer_id=transfer_id, reason=body.reason, ctx=ctx, edges=edges_of(services)
    )
    read = BreakGlassReviewRead.model_validate(lifted)
    ref = services.keyring.pseudonyms.refs_for(ctx.org_id)(read.subject_ref)
    return read.model_copy(update={"subject_ref": ref}).model_dump(mode="json")


def _wants_xml(accept: str) -> bool:
    kinds = [part.split(";")[0].strip() for part in accept.split(",")]
    return any(kind in XML_TYPES for kind in kinds) and "application/json" not in kinds
