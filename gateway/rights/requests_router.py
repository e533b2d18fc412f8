"""HTTP for the privacy officer: the inzage report, and the correction and erasure requests.

The officer's client (scope `audit:read`) asks under `audit.toezicht`, the purpose of
its supervision, and sees only what its own organisation holds: a pupil it holds nothing
on, like a request of another organisation, is answered as one that never existed.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from gateway.audit import service as audit
from gateway.audit.service import AuditEvent
from gateway.catalog.enforce import supervision_decision
from gateway.core.context import ActContext
from gateway.core.idempotency import answer_once
from gateway.core.routing import OneTripRoute
from gateway.deps import ServicesDep, SessionDep, edges_of, scoped_context
from gateway.edges import Edges
from gateway.rights import reminders, requests
from gateway.rights.models import RightsRequest
from gateway.rights.report import OfficerViewer, as_json, build_report
from gateway.rights.schemas import DecisionIn, ReportIn, RequestList

router = APIRouter(prefix="/v1/rights", tags=["rights"], route_class=OneTripRoute)
Officer = Annotated[ActContext, Depends(scoped_context("audit:read"))]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]


@router.post(
    "/inzage/report",
    summary="The inzage report (AVG art. 15) of one pupil, as far as your organisation holds it",
    description="The pupil in the body (`subject`), never in a URL; X-Purpose "
    "`audit.toezicht`. Everything your organisation holds on the pupil through the gateway "
    "(facts it stated, gezag it registered, its enrolments, the dossiers it sent or "
    "received, consents it registered or is named in, its cases, TLVs and signals, with "
    "their retention) and every entry about the pupil in its log, in Dutch, schema "
    "`inzage-report/1` (documented in `gateway.rights.report`). A pupil your organisation "
    "holds nothing on is a 404, exactly as an unknown BSN. On record as "
    "`rights.inzage.report`.",
)
def inzage_report(
    body: ReportIn, session: SessionDep, ctx: Officer, services: ServicesDep
) -> dict[str, Any]:
    edges = edges_of(services)
    keyring = services.keyring
    viewer = OfficerViewer(ctx, signal_key=keyring.index.child(body.subject.bsn))
    subject_ref = keyring.pseudonyms.subject_ref(body.subject.bsn)
    return as_json(build_report(session, subject_ref=subject_ref, viewer=viewer, edges=edges))


@router.get(
    "/requests",
    response_model=RequestList,
    summary="Your organisation's correction and erasure requests, by deadline",
    description="X-Purpose `audit.toezicht`. `due=soon`: open and due within 7 days; "
    "`due=overdue`: open and past the deadline (the daily `gateway rights remind` records "
    "a reminder for each, listed with the request). Only your own organisation's requests.",
)
def list_requests(
    session: SessionDep,
    ctx: Officer,
    services: ServicesDep,
    due: Annotated[Literal["soon", "overdue"] | None, Query()] = None,
) -> dict[str, Any]:
    edges = edges_of(services)
    allowed = supervision_decision(edges.catalog, ctx, action="rights.request.list", now=edges.now)
    found = requests.of_org(session, org_id=ctx.org_id, due=due, edges=edges)
    audit.append(
        session, AuditEvent.of(ctx, action="rights.request.list", decision=allowed), now=edges.now
    )
    sent = reminders.reminders_of(session, [r.id for r in found])
    return {"items": [_read(session, r, ctx, edges, sent.get(r.id, [])) for r in found]}


@router.post(
    "/requests/{request_id}/decision",
    summary="Answer a correction or erasure request: granted, refused or extended",
    description="X-Purpose: the request's right (`rechten.correctie` or "
    "`rechten.verwijdering`). `refused` needs a `ground` your organisation may invoke "
    "(as `/v1/rights/refusals`); `extended` moves the deadline two months (AVG art. 12(3)), "
    "once, with its reason in `note`. The same answer again returns the request unchanged; "
    "another answer to an answered request is a 409. A correction of the birth date or "
    "name is the authoritative school's own act (`POST /v1/subjects/correction`); record "
    "here that it was granted. Another organisation's request is a 404, as an unknown id.",
)
def decide(
    request_id: str,
    body: DecisionIn,
    session: SessionDep,
    ctx: Officer,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    edges = edges_of(services)

    def act() -> tuple[int, dict[str, Any]]:
        answer = requests.Answer(body.outcome, body.ground, body.note)
        decided = requests.decide(
            session, request_id=request_id, answer=answer, ctx=ctx, edges=edges
        )
        sent = reminders.reminders_of(session, [decided.id]).get(decided.id, [])
        return 200, _read(session, decided, ctx, edges, sent)

    return answer_once(
        session,
        ctx,
        key=idempotency_key,
        path=f"/v1/rights/requests/{request_id}/decision",
        body=body.model_dump_json().encode(),
        now=edges.now,
        act=act,
    )


def _read(
    session: Session,
    request: RightsRequest,
    ctx: ActContext,
    edges: Edges,
    sent: list[Any],
) -> dict[str, Any]:
    words = requests.words_of(session, request, edges)
    return {
        "id": request.id,
        "subject_ref": edges.keyring.pseudonyms.refs_for(ctx.org_id)(request.subject_ref),
        "right": request.right,
        "requester_role": request.requester_role,
        "wrong": words.get("wrong", ""),
        "should_be": words.get("should_be", ""),
        "received_on": request.received_on.isoformat(),
        "deadline": request.deadline.isoformat(),
        "extended": request.extended,
        "status": request.status,
        "ground": request.ground,
        "note": requests.note_of(session, request, edges),
        "decided_at": request.decided_at.isoformat() if request.decided_at else None,
        "reminders": [
            {"stage": r.stage, "deadline": r.deadline.isoformat(), "at": r.created_at.isoformat()}
            for r in sent
        ],
    }
