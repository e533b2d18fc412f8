"""The audit log for privacy officers: scope `audit:read`, purpose `audit.toezicht`.

Reading the log is itself an act on personal data, and is logged like any other.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime

from gateway.audit import logboek, reviews, service
from gateway.audit import register as art30
from gateway.audit.models import AuditEntry
from gateway.audit.schemas import (
    AuditEventRead,
    AuditEvents,
    AuditSearch,
    BreakGlassReviewRead,
    BreakGlassReviews,
    LiftIn,
    LogboekPage,
    ReviewIn,
)
from gateway.audit.service import AuditEvent
from gateway.catalog.enforce import supervision_decision
from gateway.core import paging
from gateway.core.context import ActContext
from gateway.core.routing import OneTripRoute
from gateway.deps import ServicesDep, SessionDep, scoped_context
from policies.model import Decision

router = APIRouter(prefix="/v1/audit", tags=["audit"], route_class=OneTripRoute)
Officer = Annotated[ActContext, Depends(scoped_context("audit:read"))]


def _read(entry: AuditEntry, refs: Callable[[str], str], viewer: str) -> dict[str, Any]:
    """An entry for the privacy officer: the pupil under the organisation's pseudonym."""
    read = AuditEventRead.model_validate(entry, from_attributes=True)
    if service.strayed(entry, viewer):
        # As the try on an id that never existed is logged: nothing it was not told.
        read.subject_ref = read.object_id = read.owner = None
        read.categories = []
    read.owner = service.owner_seen_by(entry, viewer)
    if read.subject_ref is not None:
        read.subject_ref = refs(read.subject_ref)
    return read.model_dump(mode="json")


def _supervision(ctx: ActContext, services: ServicesDep, action: str) -> Decision:
    return supervision_decision(services.catalog, ctx, action=action, now=services.clock.now())


From = Annotated[
    date | AwareDatetime | None,
    Query(alias="from", description="A day (from its start, UTC) or an instant with zone"),
]
To = Annotated[
    date | AwareDatetime | None,
    Query(alias="to", description="A day (up to its end, UTC) or an instant with zone"),
]


def _logged_page(
    session: SessionDep,
    ctx: ActContext,
    services: ServicesDep,
    action: str,
    *,
    start: date | datetime | None,
    end: date | datetime | None,
    **search: Any,
) -> tuple[paging.Page[AuditEntry], Callable[[str], str]]:
    """A page of the officer's own log, the reading of it logged under `action`."""
    allowed = _supervision(ctx, services, action)
    page = service.search(
        session,
        org=ctx.org_id,
        start=_instant(start),
        end=_instant(end, day_end=True),
        **search,
    )
    event = AuditEvent.of(ctx, action=action, decision=allowed)
    service.append(session, event, now=services.clock.now())
    return page, services.keyring.pseudonyms.refs_for(ctx.org_id)


@router.get(
    "/events",
    response_model=AuditEvents,
    summary="Audit entries of your organisation, newest first, a page at a time",
)
def events(
    session: SessionDep,
    ctx: Officer,
    services: ServicesDep,
    start: From = None,
    end: To = None,
    purpose: str | None = None,
    decision: Literal["permit", "deny"] | None = None,
    cursor: paging.Cursor = None,
    limit: paging.Limit = paging.DEFAULT_LIMIT,
) -> dict[str, Any]:
    page, refs = _logged_page(
        session,
        ctx,
        services,
        "audit.read",
        start=start,
        end=end,
        purpose=purpose,
        decision=decision,
        cursor=cursor,
        limit=limit,
    )
    return {"items": [_read(e, refs, ctx.org_id) for e in page.items], "next": page.next}


@router.get(
    "/register",
    summary="Your organisation's register of processing (AVG art. 30), from the catalog",
    description="One processing activity per purpose (its id is the purpose code): name, "
    "legal basis, categories, sender and recipient kinds, consent and retention. Built "
    "from the policy catalog and the deployment's settings; no personal data.",
)
def processing_register(session: SessionDep, ctx: Officer, services: ServicesDep) -> dict[str, Any]:
    allowed = _supervision(ctx, services, "audit.register")
    found = art30.of_organisation(
        session, org_id=ctx.org_id, catalog=services.catalog, settings=services.settings
    )
    service.append(
        session,
        AuditEvent.of(ctx, action="audit.register", decision=allowed),
        now=services.clock.now(),
    )
    return found.as_json()


@router.get(
    "/logboek",
    response_model=LogboekPage,
    summary="Audit entries of your organisation as Logboek Dataverwerkingen records",
    description="The entries `GET /v1/audit/events` shows, each as one record of the "
    "Logboek Dataverwerkingen standard (Logius, 1.0.0): a span with `trace_id`, "
    "`span_id`, `name`, `start_time`, `end_time`, `status` and the `dpl.core` "
    "attributes (`processing_activity_id` the purpose code, `data_subject_id` the "
    "pupil's pseudonym for your organisation, never a BSN), the gateway's own in "
    "`gateway.*`; `gateway.audit.seq` and `gateway.audit.hash` tie each to the log "
    "(`GET /v1/audit/proof/{seq}`). Newest first, a page at a time; reading it is logged.",
)
def logboek_records(
    session: SessionDep,
    ctx: Officer,
    services: ServicesDep,
    start: From = None,
    end: To = None,
    cursor: paging.Cursor = None,
    limit: paging.Limit = paging.DEFAULT_LIMIT,
) -> dict[str, Any]:
    page, refs = _logged_page(
        session, ctx, services, "audit.logboek", start=start, end=end, cursor=cursor, limit=limit
    )
    items = [logboek.record(e, viewer=ctx.org_id, refs=refs) for e in page.items]
    return {"items": items, "next": page.next}


def _instant(value: date | datetime | None, *, day_end: bool = False) -> datetime | None:
    """A day counts from its start, or up to its end (`to`), in UTC."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.combine(value + timedelta(days=1 if day_end else 0), time(), tzinfo=UTC)


@router.post(
    "/events/search",
    response_model=AuditEvents,
    summary="Audit entries about one pupil (subject in the body, never in a URL), newest first",
)
def search(
    body: AuditSearch, session: SessionDep, ctx: Officer, services: ServicesDep
) -> dict[str, Any]:
    allowed = _supervision(ctx, services, "audit.search")
    subject_ref = services.keyring.pseudonyms.subject_ref(body.subject.bsn)
    page = service.search(
        session, org=ctx.org_id, subject_ref=subject_ref, cursor=body.cursor, limit=body.limit
    )
    service.append(
        session,
        AuditEvent.of(ctx, action="audit.search", decision=allowed, subject_ref=subject_ref),
        now=services.clock.now(),
    )
    refs = services.keyring.pseudonyms.refs_for(ctx.org_id)
    return {"items": [_read(e, refs, ctx.org_id) for e in page.items], "next": page.next}


@router.get(
    "/reviews",
    response_model=BreakGlassReviews,
    summary="Break-glass uses of your organisation still to be reviewed",
    description="`state=open` (default): not yet reviewed; `state=restricted`: meldcode "
    "reports still hidden from the parents, reviewed or not; `state=all`: every use, with "
    "who lifted a restriction, when and why.",
)
def pending_reviews(
    session: SessionDep,
    ctx: Officer,
    services: ServicesDep,
    state: Literal["open", "restricted", "all"] = "open",
) -> dict[str, Any]:
    allowed = _supervision(ctx, services, "audit.reviews")
    items = reviews.pending(session, org_id=ctx.org_id, state=state)
    service.append(
        session,
        AuditEvent.of(ctx, action="audit.reviews", decision=allowed),
        now=services.clock.now(),
    )
    refs = services.keyring.pseudonyms.refs_for(ctx.org_id)
    return {"items": [_review(r, refs) for r in items]}


@router.post(
    "/reviews/{review_id}",
    response_model=BreakGlassReviewRead,
    summary="Record the privacy officer's verdict on one break-glass use",
)
def review(
    review_id: str, body: ReviewIn, session: SessionDep, ctx: Officer, services: ServicesDep
) -> dict[str, Any]:
    allowed = _supervision(ctx, services, "audit.review")
    now = services.clock.now()
    version = services.catalog.version
    with service.attempt(ctx, action="audit.review", policy_version=version, now=now) as act:
        found = reviews.find(session, review_id)
        if found is not None:
            act.subject_ref, act.object_id, act.owner = found.subject_ref, found.id, found.org_id
        closed = reviews.close_review(
            session,
            review_id=review_id,
            org_id=ctx.org_id,
            reviewer=ctx.actor,
            verdict=body.verdict,
            now=now,
        )
    service.append(
        session,
        AuditEvent.of(
            ctx,
            action="audit.review",
            decision=allowed,
            subject_ref=closed.subject_ref,
            object_id=closed.id,
        ),
        now=now,
    )
    return _review(closed, services.keyring.pseudonyms.refs_for(ctx.org_id))


@router.post(
    "/reviews/{review_id}/restriction/lift",
    response_model=BreakGlassReviewRead,
    summary="Lift the restriction towards the parents on a meldcode report (the privacy officer)",
    description="A report the parents were not told of is hidden from everything they see "
    "(AVG art. 23, UAVG art. 41). Lifting it is logged and shown on the review; the "
    "reporter lifts it at `POST /v1/transfers/{id}/restriction/lift`.",
)
def lift_restriction(
    review_id: str, body: LiftIn, session: SessionDep, ctx: Officer, services: ServicesDep
) -> dict[str, Any]:
    allowed = _supervision(ctx, services, "meldcode.restriction_lift")
    now = services.clock.now()
    version = services.catalog.version
    action = "meldcode.restriction_lift"
    with service.attempt(ctx, action=action, policy_version=version, now=now) as act:
        found = reviews.find(session, review_id)
        if found is not None:
            act.subject_ref, act.object_id, act.owner = found.subject_ref, found.id, found.org_id
        lifted = reviews.lift_restriction(
            session,
            review_id=review_id,
            org_id=ctx.org_id,
            by=ctx.actor,
            reason=body.reason,
            now=now,
        )
    event = AuditEvent.of(
        ctx, action=action, decision=allowed, subject_ref=lifted.subject_ref, object_id=lifted.id
    )
    service.append(session, event, now=now)
    return _review(lifted, services.keyring.pseudonyms.refs_for(ctx.org_id))


def _review(found: object, refs: Callable[[str], str]) -> dict[str, Any]:
    read = BreakGlassReviewRead.model_validate(found)
    return read.model_copy(update={"subject_ref": refs(read.subject_ref)}).model_dump(mode="json")
