"""HTTP for aanmeldingen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header
from fastapi.responses import Response

from gateway.core.context import ActContext
from gateway.core.idempotency import answer_once
from gateway.core.routing import OneTripRoute
from gateway.deps import ServicesDep, SessionDep, edges_of, scoped_context
from gateway.enrolments import service
from gateway.enrolments.models import Enrolment
from gateway.enrolments.schemas import EnrolmentCreate, EnrolmentRead, EnrolmentUpdate

router = APIRouter(prefix="/v1/enrolments", tags=["enrolments"], route_class=OneTripRoute)
School = Annotated[ActContext, Depends(scoped_context("enrolments:write"))]


def _read(enrolment: Enrolment, for_org: Callable[[str, str], str]) -> dict[str, Any]:
    return EnrolmentRead(
        id=enrolment.id,
        subject_ref=for_org(enrolment.subject_ref, enrolment.org_id),
        status=enrolment.status,
        purpose=enrolment.purpose,
    ).model_dump()


@router.post(
    "",
    status_code=201,
    response_model=EnrolmentRead,
    summary="Register an aanmelding, or the school's own pupil (leerling.inschrijving)",
)
def register(
    body: EnrolmentCreate,
    session: SessionDep,
    ctx: School,
    services: ServicesDep,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> Response:
    edges = edges_of(services)

    def act() -> tuple[int, dict[str, Any]]:
        enrolment = service.register(session, body=body, ctx=ctx, edges=edges)
        return 201, _read(enrolment, services.keyring.pseudonyms.for_org)

    return answer_once(
        session,
        ctx,
        key=idempotency_key,
        path="/v1/enrolments",
        body=body.model_dump_json().encode(),
        now=edges.now,
        act=act,
    )


@router.patch(
    "/{enrolment_id}",
    response_model=EnrolmentRead,
    summary="Decide an aanmelding: ingeschreven or afgewezen",
)
def decide(
    enrolment_id: str,
    body: EnrolmentUpdate,
    session: SessionDep,
    ctx: School,
    services: ServicesDep,
) -> dict[str, Any]:
    enrolment = service.decide(
        session, enrolment_id=enrolment_id, body=body, ctx=ctx, edges=edges_of(services)
    )
    return _read(enrolment, services.keyring.pseudonyms.for_org)
