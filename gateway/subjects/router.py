"""HTTP for the facts about a pupil: the authoritative school's correction."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header
from fastapi.responses import Response

from gateway.core.context import ActContext
from gateway.core.idempotency import answer_once
from gateway.core.routing import OneTripRoute
from gateway.deps import ServicesDep, SessionDep, edges_of, scoped_context
from gateway.subjects import service
from gateway.subjects.schemas import SubjectCorrected, SubjectCorrection

router = APIRouter(prefix="/v1/subjects", tags=["subjects"], route_class=OneTripRoute)
School = Annotated[ActContext, Depends(scoped_context("enrolments:write"))]


@router.post(
    "/correction",
    response_model=SubjectCorrected,
    summary="Correct a pupil's birth date or names on record (X-Purpose: rechten.correctie)",
)
def correct(
    body: SubjectCorrection,
    session: SessionDep,
    ctx: School,
    services: ServicesDep,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> Response:
    edges = edges_of(services)

    def act() -> tuple[int, dict[str, Any]]:
        subject_ref = service.correct(session, body.subject, ctx=ctx, standing=edges.standing)
        ref = services.keyring.pseudonyms.for_org(subject_ref, ctx.org_id)
        return 200, SubjectCorrected(subject_ref=ref).model_dump()

    return answer_once(
        session,
        ctx,
        key=idempotency_key,
        path="/v1/subjects/correction",
        body=body.model_dump_json().encode(),
        now=edges.now,
        act=act,
    )
