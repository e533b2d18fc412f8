"""HTTP for the consent registry and gezag: thin handlers over `gateway.registry.service`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import Response

from consent import service as registry
from consent.models import Consent, ConsentEvent
from consent.period import last_day
from consent.schemas import (
    ConsentCreate,
    ConsentEventRead,
    ConsentList,
    ConsentRead,
    ConsentSearch,
    ConsentStateFilter,
    GezagCreate,
    GezagRead,
    NotificationList,
    NotificationRead,
    RenewalRead,
    Withdrawn,
)
from consent.service import Renewal
from gateway.core.context import ActContext
from gateway.core.idempotency import answer_once
from gateway.core.routing import OneTripRoute
from gateway.deps import ServicesDep, SessionDep, edges_of, scoped_context
from gateway.registry import service

router = APIRouter(tags=["consents"], route_class=OneTripRoute)
Writer = Annotated[ActContext, Depends(scoped_context("consents:write"))]
Reader = Annotated[ActContext, Depends(scoped_context("consents:read"))]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]


def _read(
    consent: Consent,
    events: list[ConsentEvent],
    now: datetime,
    refs: Callable[[str], str],
    renewal: Renewal | None,
) -> dict[str, Any]:
    return ConsentRead(
        id=consent.id,
        status=registry.status(consent, now, renewal),
        renewal=renewal and RenewalRead(since=renewal.since, reason=renewal.reason),
        subject_ref=refs(consent.subject_ref),
        purpose=consent.purpose,
        case_id=consent.case_id,
        recipients=consent.recipient_ids,
        categories=consent.categories,
        granted_by=consent.grantor_roles,
        evidence=consent.evidence,
        valid_from=consent.valid_from,
        valid_until=last_day(consent.valid_until),
        registered_by=consent.registered_by_org,
        withdrawn_at=consent.withdrawn_at,
        receipt=consent.receipt,
        history=[
            ConsentEventRead(kind=event.kind, at=event.at, receipt=event.receipt)
            for event in events
        ],
    ).model_dump(mode="json")


@router.post(
    "/v1/consents",
    status_code=201,
    response_model=ConsentRead,
    summary="Register a consent (digital, or a paper form the school keeps)",
    responses={
        403: {
            "description": "A party to no flow of this purpose (not_party); an organisation "
            "without standing with the pupil that the flow asks of it (sender_not_related: "
            "the same answer whether the pupil is known, whatever its birth date or "
            "grantors); or scope."
        },
        422: {
            "description": "Refused, nothing stored: consent_not_applicable, "
            "category_forbidden, unknown_recipient, recipient_not_in_flow, invalid_validity, "
            "evidence_missing, duplicate_grantor, grantor_mismatch, gezag_unknown, "
            "consent_grantors_insufficient; for a case consent (`case_id`): unknown_case "
            "(no such case, or one the registering party does not take part in: the same "
            "answer), case_subject_mismatch, case_closed, recipient_not_participant, and "
            "case_purpose_mismatch (a case_id on a purpose other than knooppunt.casus)."
        },
    },
)
def grant(
    body: ConsentCreate,
    session: SessionDep,
    ctx: Writer,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    edges = edges_of(services)
    refs = services.keyring.pseudonyms.refs_for(ctx.org_id)

    def act() -> tuple[int, dict[str, Any]]:
        consent = service.grant(
            session, body=body, ctx=ctx, edges=edges, issuer=services.settings.issuer
        )
        events = registry.histories(session, [consent.id])[consent.id]
        renewal = service.renewals(session, [consent], edges=edges)[consent.id]
        return 201, _read(consent, events, edges.now, refs, renewal)

    return answer_once(
        session,
        ctx,
        key=idempotency_key,
        path="/v1/consents",
        body=body.model_dump_json().encode(),
        now=edges.now,
        act=act,
    )


@router.get(
    "/v1/consents/notifications",
    response_model=NotificationList,
    summary="Your pending notifications (withdrawals); fetching delivers them",
)
def notifications(
    session: SessionDep,
    ctx: Reader,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    notices = service.notifications(session, ctx=ctx, edges=edges_of(services), limit=limit)
    refs = services.keyring.pseudonyms.refs_for(ctx.org_id)
    items = [
        NotificationRead.model_validate(notice, from_attributes=True).model_copy(
            update={"subject_ref": refs(notice.subject_ref)}
        )
        for notice in notices
    ]
    return NotificationList(items=items).model_dump(mode="json")


@router.get("/v1/consents/{consent_id}", response_model=ConsentRead, summary="Read one consent")
def read(
    consent_id: str, session: SessionDep, ctx: Reader, services: ServicesDep
) -> dict[str, Any]:
    edges = edges_of(services)
    consent = service.read(session, consent_id=consent_id, ctx=ctx, edges=edges)
    events = registry.histories(session, [consent.id])[consent.id]
    renewal = service.renewals(session, [consent], edges=edges)[consent.id]
    refs = services.keyring.pseudonyms.refs_for(ctx.org_id)
    return _read(consent, events, edges.now, refs, renewal)


@router.post(
    "/v1/consents/search",
    response_model=ConsentList,
    summary="Consents about a pupil that you registered or are named in",
)
def search(
    body: ConsentSearch, session: SessionDep, ctx: Reader, services: ServicesDep
) -> dict[str, Any]:
    edges = edges_of(services)
    found = service.search(session, subject=body.subject, ctx=ctx, edges=edges)
    events = registry.histories(session, [consent.id for consent in found])
    renewals = service.renewals(session, found, edges=edges)
    refs = services.keyring.pseudonyms.refs_for(ctx.org_id)
    return {"items": [_read(c, events[c.id], edges.now, refs, renewals[c.id]) for c in found]}


@router.get(
    "/v1/consents",
    response_model=ConsentList,
    summary="Your registered consents in a state: `renewal_needed` (a birthday of the pupil "
    "left the grantors short of the age rule; ask for a new consent)",
)
def by_state(
    session: SessionDep,
    ctx: Reader,
    services: ServicesDep,
    state: Annotated[ConsentStateFilter, Query()],
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """Only consents the caller registered: it is the party that asks the parents and
    the pupil again. Oldest birthday first; each one listed is on record as a read."""
    edges = edges_of(services)
    due = service.needing_renewal(session, ctx=ctx, edges=edges, limit=limit)
    events = registry.histories(session, [consent.id for consent, _ in due])
    refs = services.keyring.pseudonyms.refs_for(ctx.org_id)
    return {"items": [_read(c, events[c.id], edges.now, refs, r) for c, r in due]}


@router.post(
    "/v1/consents/{consent_id}/withdraw",
    response_model=Withdrawn,
    summary="Withdraw a consent for the parents or pupil; effective at once",
)
def withdraw(
    consent_id: str,
    session: SessionDep,
    ctx: Writer,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    edges = edges_of(services)

    def act() -> tuple[int, dict[str, Any]]:
        consent = service.withdraw(session, consent_id=consent_id, ctx=ctx, edges=edges)
        receipt = service.withdrawal_receipt(consent, edges=edges, issuer=services.settings.issuer)
        body = Withdrawn(id=consent.id, status="withdrawn", withdrawn_at=edges.now, receipt=receipt)
        return 200, body.model_dump(mode="json")

    return answer_once(
        session,
        ctx,
        key=idempotency_key,
        path=f"/v1/consents/{consent_id}/withdraw",
        body=b"",
        now=edges.now,
        act=act,
    )


@router.post(
    "/v1/subjects/gezag",
    status_code=201,
    response_model=GezagRead,
    summary="Register who holds gezag over a pupil (by the school where it is enrolled)",
)
def register_gezag(
    body: GezagCreate,
    session: SessionDep,
    ctx: Writer,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    edges = edges_of(services)

    def act() -> tuple[int, dict[str, Any]]:
        relation = service.register_gezag(session, body=body, ctx=ctx, edges=edges)
        read = GezagRead(
            id=relation.id,
            subject_ref=services.keyring.pseudonyms.for_org(relation.subject_ref, ctx.org_id),
            role=relation.role,
            gezag=relation.has_gezag,
            since=relation.created_at,
        )
        return 201, read.model_dump(mode="json")

    return answer_once(
        session,
        ctx,
        key=idempotency_key,
        path="/v1/subjects/gezag",
        body=body.model_dump_json().encode(),
        now=edges.now,
        act=act,
    )
