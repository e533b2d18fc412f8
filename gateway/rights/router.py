"""HTTP for data-subject rights: the controller records a refusal or restriction."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header
from fastapi.responses import Response

from gateway.catalog.enforce import decision_json
from gateway.core.context import ActContext
from gateway.core.idempotency import answer_once
from gateway.core.routing import OneTripRoute
from gateway.deps import ServicesDep, SessionDep, edges_of, scoped_context
from gateway.rights import service
from gateway.rights.grounds import GROUNDS
from gateway.rights.schemas import RefusalIn, RefusalRecorded

router = APIRouter(prefix="/v1/rights", tags=["rights"], route_class=OneTripRoute)
Writer = Annotated[ActContext, Depends(scoped_context("transfers:write"))]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]


@router.post(
    "/refusals",
    status_code=201,
    response_model=RefusalRecorded,
    summary="Record that a rights request is refused or restricted, with its legal ground",
    description="X-Purpose names the right (`rechten.inzage`, `rechten.correctie`, "
    "`rechten.verwijdering`). The catalog must let the caller answer that right for the "
    "requester (the age rule), and the ground must be one the caller may invoke: "
    "`child_interest` and `third_party_interest` (Jeugdwet art. 7.3.11 lid 3) for youth "
    "care, Veilig Thuis and JGZ; `avg_23` (AVG art. 23, UAVG art. 41) for every "
    "controller. Else 403 (`ground_not_applicable`, `requester_not_entitled`, "
    "`flow_not_allowed`), on record. The refusal is kept in the audit log with its ground "
    "as the rule and the statute as the legal basis; the requester reads it, explained, in "
    "the portal.",
)
def record_refusal(
    body: RefusalIn,
    session: SessionDep,
    ctx: Writer,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    edges = edges_of(services)

    def act() -> tuple[int, dict[str, Any]]:
        ref, decision = service.record_refusal(session, body, ctx=ctx, edges=edges)
        return 201, {
            "subject_ref": services.keyring.pseudonyms.refs_for(ctx.org_id)(ref),
            "right": ctx.purpose,
            "outcome": body.outcome,
            "ground": body.ground,
            "legal_basis": GROUNDS[body.ground].statute,
            "decision": decision_json(decision),
        }

    return answer_once(
        session,
        ctx,
        key=idempotency_key,
        path="/v1/rights/refusals",
        body=body.model_dump_json().encode(),
        now=edges.now,
        act=act,
    )
