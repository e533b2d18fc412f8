"""HTTP for the consent registry and gezag: thin handlers over `consent.service`.

Every act is written to the audit log here, in the request's one transaction: the
`consent` package does not reach the log itself. An act on a consent is logged under
the consent's purpose, whatever X-Purpose said, so the log of that flow is complete.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from consent import gezag, receipts
from consent import service as registry
from consent.models import Consent, ConsentEvent
from consent.period import last_day
from consent.schemas import (
    ConsentCreate,
    ConsentEventRead,
    ConsentList,
    ConsentRead,
    ConsentSearch,
    GezagCreate,
    GezagRead,
    NotificationList,
    NotificationRead,
    Withdrawn,
)
from gateway.audit import service as audit
from gateway.audit.service import AuditEvent
from gateway.core.context import ActContext
from gateway.core.errors import GatewayError
from gateway.core.idempotency import fingerprint, run_once
from gateway.deps import Services, ServicesDep, SessionDep, scoped_context
from gateway.orgs import service as orgs

router = APIRouter(tags=["consents"])
Writer = Annotated[ActContext, Depends(scoped_context("consents:write"))]
Reader = Annotated[ActContext, Depends(scoped_context("consents:read"))]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]


def _read(consent: Consent, events: list[ConsentEvent], now: datetime) -> dict[str, Any]:
    return ConsentRead(
        id=consent.id,
        status=registry.status(consent, now),
        subject_ref=consent.subject_ref,
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
        history=[ConsentEventRead(kind=event.kind, at=event.at) for event in events],
    ).model_dump(mode="json")


def _log(
    session: Session,
    ctx: ActContext,
    services: Services,
    *,
    act: str,
    purpose: str,
    subject_ref: str,
    object_id: str | None,
    now: datetime,
    categories: frozenset[str] = frozenset(),
    refused: str | None = None,
    reason: str,
) -> None:
    decision = registry.registry_decision(
        services.catalog, purpose=purpose, act=act, reason=reason, refused=refused
    )
    event = AuditEvent.of(
        ctx,
        action=f"consent.{act}",
        decision=decision,
        subject_ref=subject_ref,
        object_id=object_id,
        categories=categories,
    )
    audit.append(session, replace(event, purpose=purpose), now=now)


@router.post(
    "/v1/consents",
    status_code=201,
    response_model=ConsentRead,
    summary="Register a consent (digital, or a paper form the school keeps)",
)
def grant(
    body: ConsentCreate,
    session: SessionDep,
    ctx: Writer,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    now = services.clock.now()

    def act() -> tuple[int, dict[str, Any]]:
        try:
            consent = registry.grant(
                session,
                body=body,
                org_id=ctx.org_id,
                actor=ctx.actor,
                recipient_kinds=orgs.kinds(session, body.recipients),
                catalog=services.catalog,
                keyring=services.keyring,
                issuer=services.settings.issuer,
                now=now,
            )
        except GatewayError as exc:
            _record_refusal(exc, body, ctx, services, now)
            raise
        _log(
            session,
            ctx,
            services,
            act="grant",
            purpose=consent.purpose,
            subject_ref=consent.subject_ref,
            object_id=consent.id,
            categories=frozenset(consent.categories),
            now=now,
            reason="A consent that meets the age rule of its purpose is registered.",
        )
        events = registry.histories(session, [consent.id])[consent.id]
        return 201, _read(consent, events, now)

    request_print = fingerprint("POST", "/v1/consents", body.model_dump_json().encode())
    return run_once(
        session,
        org_id=ctx.org_id,
        key=idempotency_key,
        request_fingerprint=request_print,
        now=now,
        act=act,
    )


def _record_refusal(
    exc: GatewayError, body: ConsentCreate, ctx: ActContext, services: Services, now: datetime
) -> None:
    """A refused consent is on record too, after the act itself was rolled back."""
    if exc.record is not None:
        return
    subject_ref = services.keyring.pseudonyms.subject_ref(body.subject.bsn)

    def record(session: Session) -> None:
        _log(
            session,
            ctx,
            services,
            act="grant",
            purpose=body.purpose,
            subject_ref=subject_ref,
            object_id=None,
            now=now,
            refused=exc.code,
            reason=exc.detail,
        )

    exc.record = record


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
    now = services.clock.now()
    notices = registry.deliver_notifications(session, org_id=ctx.org_id, now=now, limit=limit)
    for notice in notices:
        _log(
            session,
            ctx,
            services,
            act="notification",
            purpose=notice.purpose,
            subject_ref=notice.subject_ref,
            object_id=notice.consent_id,
            now=now,
            reason="A recipient learns that a consent it relies on was withdrawn.",
        )
    items = [NotificationRead.model_validate(notice, from_attributes=True) for notice in notices]
    return NotificationList(items=items).model_dump(mode="json")


@router.get("/v1/consents/{consent_id}", response_model=ConsentRead, summary="Read one consent")
def read(
    consent_id: str, session: SessionDep, ctx: Reader, services: ServicesDep
) -> dict[str, Any]:
    now = services.clock.now()
    consent = registry.get(session, consent_id=consent_id, org_id=ctx.org_id)
    _log(
        session,
        ctx,
        services,
        act="read",
        purpose=consent.purpose,
        subject_ref=consent.subject_ref,
        object_id=consent.id,
        now=now,
        reason="The registering organisation or a named recipient reads the consent.",
    )
    return _read(consent, registry.histories(session, [consent.id])[consent.id], now)


@router.post(
    "/v1/consents/search",
    response_model=ConsentList,
    summary="Consents about a pupil that you registered or are named in",
)
def search(
    body: ConsentSearch, session: SessionDep, ctx: Reader, services: ServicesDep
) -> dict[str, Any]:
    now = services.clock.now()
    subject_ref = services.keyring.pseudonyms.subject_ref(body.subject.bsn)
    found = registry.search(session, subject_ref=subject_ref, org_id=ctx.org_id)
    _log(
        session,
        ctx,
        services,
        act="search",
        purpose=ctx.purpose,
        subject_ref=subject_ref,
        object_id=None,
        now=now,
        reason="The organisation looks up the consents it registered or relies on.",
    )
    events = registry.histories(session, [consent.id for consent in found])
    return {"items": [_read(consent, events[consent.id], now) for consent in found]}


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
    now = services.clock.now()

    def act() -> tuple[int, dict[str, Any]]:
        consent = registry.withdraw(
            session, consent_id=consent_id, by=ctx.actor, org_id=ctx.org_id, now=now
        )
        _log(
            session,
            ctx,
            services,
            act="withdraw",
            purpose=consent.purpose,
            subject_ref=consent.subject_ref,
            object_id=consent.id,
            now=now,
            reason="Consent is withdrawable at any time, with effect for every later access.",
        )
        receipt = receipts.withdrawal_receipt(
            services.keyring.signing, consent, issuer=services.settings.issuer, now=now
        )
        body = Withdrawn(id=consent.id, status="withdrawn", withdrawn_at=now, receipt=receipt)
        return 200, body.model_dump(mode="json")

    return run_once(
        session,
        org_id=ctx.org_id,
        key=idempotency_key,
        request_fingerprint=fingerprint("POST", f"/v1/consents/{consent_id}/withdraw", b""),
        now=now,
        act=act,
    )


@router.post(
    "/v1/subjects/gezag",
    status_code=201,
    response_model=GezagRead,
    summary="Register who holds gezag over a pupil (or that a parent does not)",
)
def register_gezag(
    body: GezagCreate,
    session: SessionDep,
    ctx: Writer,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    now = services.clock.now()

    def act() -> tuple[int, dict[str, Any]]:
        relation = gezag.register(
            session, body=body, org_id=ctx.org_id, keyring=services.keyring, now=now
        )
        _log(
            session,
            ctx,
            services,
            act="gezag",
            purpose=ctx.purpose,
            subject_ref=relation.subject_ref,
            object_id=relation.id,
            now=now,
            reason="The school records who holds gezag, and so who may consent.",
        )
        read = GezagRead(
            id=relation.id,
            subject_ref=relation.subject_ref,
            role=relation.role,
            gezag=relation.has_gezag,
            since=relation.created_at,
        )
        return 201, read.model_dump(mode="json")

    request_print = fingerprint("POST", "/v1/subjects/gezag", body.model_dump_json().encode())
    return run_once(
        session,
        org_id=ctx.org_id,
        key=idempotency_key,
        request_fingerprint=request_print,
        now=now,
        act=act,
    )
