"""HTTP for the SWV's TLV procedure: thin handlers over `tlv.service`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Query
from fastapi.responses import JSONResponse, Response

from gateway.core import paging
from gateway.core.context import ActContext
from gateway.core.idempotency import answer_once
from gateway.core.routing import OneTripRoute
from gateway.deps import ServicesDep, SessionDep, edges_of, scoped_context
from gateway.tlv import service
from gateway.tlv.models import Tlv, TlvAdvice
from gateway.tlv.schemas import AdviceIn, DecisionIn, TlvCreate, TlvCreated, TlvList, TlvRead

router = APIRouter(prefix="/v1/tlvs", tags=["tlv"], route_class=OneTripRoute)
Writer = Annotated[ActContext, Depends(scoped_context("transfers:write"))]
Reader = Annotated[ActContext, Depends(scoped_context("transfers:read"))]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]
TlvId = Annotated[str, Path(max_length=40)]


def _read(
    tlv: Tlv, advices: list[TlvAdvice] | None, ctx: ActContext, services: ServicesDep
) -> dict[str, Any]:
    body = TlvRead(
        id=tlv.id,
        status=tlv.status,
        subject_ref=services.keyring.pseudonyms.for_org(tlv.subject_ref, ctx.org_id),
        swv=tlv.swv_org_id,
        school=tlv.school_org_id,
        request=tlv.request_transfer_id,
        outcome=tlv.outcome,
        category=tlv.category,
        valid_from=tlv.valid_from,
        valid_until=tlv.valid_until,
        decided_on=tlv.decided_on,
        objection_until=tlv.objection_until,
        decision_transfer=tlv.decision_transfer_id,
        retention=tlv.retention,
        expires_on=tlv.expires_on,
        advices=None
        if advices is None
        else [{"transfer": a.transfer_id, "discipline": a.discipline} for a in advices],
    ).model_dump(mode="json")
    if advices is None:
        del body["advices"]  # the school never learns who advised, not even that nobody did
    return body


@router.post(
    "",
    status_code=201,
    response_model=TlvCreated,
    responses={404: {"description": "A transfer the caller did not receive, or none."}},
    summary="Open a TLV on a tlv.aanvraag transfer the SWV received (X-Purpose tlv.aanvraag)",
    description="The request must carry the OPP and either the parents' instemming "
    "(`opp.instemming` or `tlv_aanvraag.ouders_ingestemd`) or their zienswijze; else 422 "
    "`opp_missing` or `parents_not_heard`. A transfer the caller did not receive: 404.",
)
def open_tlv(
    body: TlvCreate,
    session: SessionDep,
    ctx: Writer,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    edges = edges_of(services)

    def act() -> tuple[int, dict[str, Any]]:
        tlv = service.open_tlv(session, body=body, ctx=ctx, edges=edges)
        return 201, {"id": tlv.id, "status": tlv.status}

    return answer_once(
        session,
        ctx,
        key=idempotency_key,
        path="/v1/tlvs",
        body=body.model_dump_json().encode(),
        now=edges.now,
        act=act,
    )


@router.post(
    "/{tlv_id}/advices",
    status_code=201,
    response_model=TlvRead,
    summary="Record an expert's advice by its tlv.advies transfer (X-Purpose tlv.advies)",
    description="The advice stays sealed in its transfer; the discipline must be one the "
    "advice names (else 422 `discipline_not_in_advice`). Another SWV's TLV: 404.",
)
def record_advice(
    tlv_id: TlvId,
    body: AdviceIn,
    session: SessionDep,
    ctx: Writer,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    edges = edges_of(services)

    def act() -> tuple[int, dict[str, Any]]:
        tlv, advices = service.record_advice(
            session, tlv_id=tlv_id, body=body, ctx=ctx, edges=edges
        )
        return 201, _read(tlv, advices, ctx, services)

    return answer_once(
        session,
        ctx,
        key=idempotency_key,
        path=f"/v1/tlvs/{tlv_id}/advices",
        body=body.model_dump_json().encode(),
        now=edges.now,
        act=act,
    )


@router.post(
    "/{tlv_id}/decision",
    response_model=TlvRead,
    summary="Decide the TLV and send the beschikking to the school (X-Purpose tlv.besluit)",
    description="Refused (422 `advices_missing`, `advice_discipline_missing`) unless at "
    "least two experts advised, one an orthopedagoog or GZ-psycholoog. The decision goes "
    "to the requesting school as a `tlv.besluit` transfer; the parents see it in the "
    "portal with the objection deadline (six weeks, Awb art. 6:7).",
)
def decide(
    tlv_id: TlvId,
    body: DecisionIn,
    session: SessionDep,
    ctx: Writer,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    edges = edges_of(services)

    def act() -> tuple[int, dict[str, Any]]:
        tlv, advices = service.decide_tlv(session, tlv_id=tlv_id, body=body, ctx=ctx, edges=edges)
        return 200, _read(tlv, advices, ctx, services)

    return answer_once(
        session,
        ctx,
        key=idempotency_key,
        path=f"/v1/tlvs/{tlv_id}/decision",
        body=body.model_dump_json().encode(),
        now=edges.now,
        act=act,
    )


@router.get(
    "",
    response_model=TlvList,
    summary="The SWV's TLVs due for herbeoordeling: ending within N days, or ended",
)
def due(
    session: SessionDep,
    ctx: Reader,
    services: ServicesDep,
    due: Annotated[Literal["herbeoordeling"], Query(description="The only list: herbeoordeling.")],
    within_days: Annotated[
        int | None,
        Query(ge=0, le=730, description="Days ahead; the region's setting when left out."),
    ] = None,
    cursor: paging.Cursor = None,
    limit: paging.Limit = paging.DEFAULT_LIMIT,
) -> dict[str, Any]:
    days = services.settings.tlv_herbeoordeling_days if within_days is None else within_days
    page = service.due_for_herbeoordeling(
        session,
        ctx=ctx,
        edges=edges_of(services),
        within_days=days,
        cursor=cursor,
        limit=limit,
    )
    return {"items": [_read(t, None, ctx, services) for t in page.items], "next": page.next}


@router.get(
    "/{tlv_id}",
    response_model=TlvRead,
    summary="A TLV: for the SWV, and for the requesting school without the advices",
)
def read(tlv_id: TlvId, session: SessionDep, ctx: Reader, services: ServicesDep) -> Response:
    tlv, advices = service.read(session, tlv_id=tlv_id, ctx=ctx, edges=edges_of(services))
    return JSONResponse(_read(tlv, advices, ctx, services))
