"""HTTP for the verwijsindex: thin handlers over `signals.service` and `lifecycle`.

There is no search: a caller lists only its own signals, their matches and its own
notifications. Every response carries ids, organisation ids, contact details and dates;
never a BSN, a reason, content or a pupil's pseudonym.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from gateway.core.context import ActContext
from gateway.core.routing import OneTripRoute
from gateway.deps import ServicesDep, SessionDep, edges_of, scoped_context
from gateway.signals import lifecycle, service
from gateway.signals.models import Signal
from gateway.signals.schemas import (
    ArchiveList,
    DeathIn,
    InformedIn,
    MatchList,
    NotificationList,
    RegieIn,
    RegieRead,
    SignalCreate,
    SignalCreated,
    SignalList,
    SignalRead,
    WithdrawIn,
)

router = APIRouter(prefix="/v1/signals", tags=["verwijsindex"], route_class=OneTripRoute)
Writer = Annotated[ActContext, Depends(scoped_context("transfers:write"))]
Reader = Annotated[ActContext, Depends(scoped_context("transfers:read"))]
Id = Annotated[str, Path(max_length=40)]
OFF = "Also 403 flow_not_allowed for every call while the region has the verwijsindex off."


def _found(found: service.Found) -> dict[str, Any]:
    return {
        "signal_id": found.other.id,
        "org": found.other.org_id,
        "contact": found.contact.model_dump(),
        "since": found.other.created_at,
    }


def _signal(signal: Signal) -> dict[str, Any]:
    return SignalRead(
        id=signal.id,
        status=signal.status,
        created_at=signal.created_at,
        expires_at=signal.expires_at,
        informed=signal.informed,
    ).model_dump(mode="json")


@router.post(
    "",
    status_code=201,
    response_model=SignalCreated,
    responses={
        422: {"description": "out_of_scope: 23 or older, or no birth date on record."},
        429: {"description": "rate_limited: the organisation's window is full."},
    },
    summary="Register a signal (X-Purpose verwijsindex.signaal); the matches it makes",
    description="Only organisation kinds the catalog names as reporters (else 403, logged). "
    "The acting person (X-Actor) is the person responsible. The answer names, per match, "
    "the other signal, its organisation, contact and since when; nothing else. No "
    "Idempotency-Key: the answer holds other professionals' contact details, which are "
    "kept sealed only; a repeated registration answers 409 signal_exists. " + OFF,
)
def register(
    body: SignalCreate, session: SessionDep, ctx: Writer, services: ServicesDep
) -> dict[str, Any]:
    signal, found = service.register(
        session, body=body, ctx=ctx, edges=edges_of(services), settings=services.settings
    )
    created = {"id": signal.id, "matches": [_found(f) for f in found]}
    return SignalCreated.model_validate(created).model_dump(mode="json")


@router.get(
    "",
    response_model=SignalList,
    summary="The caller's own signals (X-Purpose verwijsindex.signaal)",
    description="`informed=missing`: the active ones whose informing is not on record. " + OFF,
)
def own(
    session: SessionDep,
    ctx: Reader,
    services: ServicesDep,
    informed: Annotated[Literal["missing"] | None, Query()] = None,
) -> dict[str, Any]:
    rows = service.own_signals(
        session,
        ctx=ctx,
        edges=edges_of(services),
        settings=services.settings,
        informed_missing=informed == "missing",
    )
    return {"items": [_signal(s) for s in rows]}


@router.get(
    "/matches",
    response_model=MatchList,
    summary="The current matches of the caller's signals (X-Purpose verwijsindex.match)",
    description=OFF,
)
def matches(session: SessionDep, ctx: Reader, services: ServicesDep) -> dict[str, Any]:
    found = service.current_matches(
        session, ctx=ctx, edges=edges_of(services), settings=services.settings
    )
    items = [
        {
            "id": f.match.id,
            "signal_id": f.mine.id,
            "kind": f.match.kind,
            "other": _found(f),
            "regie": f.match.regie_org,
        }
        for f in found
    ]
    return MatchList.model_validate({"items": items}).model_dump(mode="json")


@router.get(
    "/notifications",
    response_model=NotificationList,
    summary="The organisation's notifications: matches and reminders to inform",
    description="X-Purpose verwijsindex.match. " + OFF,
)
def notifications(session: SessionDep, ctx: Reader, services: ServicesDep) -> dict[str, Any]:
    rows = service.notifications(
        session, ctx=ctx, edges=edges_of(services), settings=services.settings
    )
    items = [
        {
            "id": n.id,
            "kind": n.kind,
            "signal_id": n.signal_id,
            "match_id": n.match_id,
            "created_at": n.created_at,
        }
        for n in rows
    ]
    return NotificationList.model_validate({"items": items}).model_dump(mode="json")


@router.get(
    "/archive",
    response_model=ArchiveList,
    responses={
        404: {"description": "No such case, or you do not take part in it."},
        409: {"description": "case_closed: archive look-ups only within a current case."},
    },
    summary="The archived signals of a case's child (X-Purpose verwijsindex.match)",
    description="Only for a current participant of an open case; logged with the person "
    "(X-Actor) and the date. " + OFF,
)
def archive(
    session: SessionDep,
    ctx: Reader,
    services: ServicesDep,
    case: Annotated[str, Query(max_length=40)],
) -> dict[str, Any]:
    rows = lifecycle.archive_lookup(
        session, case_id=case, ctx=ctx, edges=edges_of(services), settings=services.settings
    )
    items = [
        {
            "signal_id": s.id,
            "org": s.org_id,
            "contact": contact.model_dump(),
            "since": s.created_at,
            "archived_at": s.archived_at,
        }
        for s, contact in rows
    ]
    return ArchiveList.model_validate({"items": items}).model_dump(mode="json")


@router.delete(
    "/{signal_id}",
    status_code=204,
    summary="Withdraw a signal (X-Purpose verwijsindex.signaal)",
    description="unjustified: deleted without archive; risk_gone: five years in the "
    "archive, which never matches. " + OFF,
)
def withdraw(
    signal_id: Id, body: WithdrawIn, session: SessionDep, ctx: Writer, services: ServicesDep
) -> Response:
    lifecycle.withdraw(
        session,
        signal_id=signal_id,
        reason=body.reason,
        ctx=ctx,
        edges=edges_of(services),
        settings=services.settings,
    )
    return Response(status_code=204)


@router.post(
    "/{signal_id}/informed",
    response_model=SignalRead,
    summary="Record that the youth or parents were told, or why not (X-Purpose "
    "verwijsindex.signaal)",
    description="By age (DOMAIN §5): under 12 the parents, 12 to 15 both, from 16 the "
    "youth (else 422 informed_incomplete). A reason for not telling is stored sealed. " + OFF,
)
def informed(
    signal_id: Id, body: InformedIn, session: SessionDep, ctx: Writer, services: ServicesDep
) -> dict[str, Any]:
    signal = lifecycle.record_informed(
        session,
        signal_id=signal_id,
        body=body,
        ctx=ctx,
        edges=edges_of(services),
        settings=services.settings,
    )
    return _signal(signal)


@router.post(
    "/matches/{match_id}/regie",
    response_model=RegieRead,
    responses={422: {"description": "regie_not_party: not one of the matched organisations."}},
    summary="Record which matched organisation holds regie (X-Purpose verwijsindex.match)",
    description=OFF,
)
def regie(
    match_id: Id, body: RegieIn, session: SessionDep, ctx: Writer, services: ServicesDep
) -> dict[str, Any]:
    match = lifecycle.record_regie(
        session,
        match_id=match_id,
        body=body,
        ctx=ctx,
        edges=edges_of(services),
        settings=services.settings,
    )
    return {"id": match.id, "regie": match.regie_org}


@router.post(
    "/deaths",
    status_code=204,
    summary="The school where the pupil is ingeschreven states its death (X-Purpose "
    "verwijsindex.signaal)",
    description="Every signal of the child, archived ones included, is destroyed at once. "
    "The answer is the same whether the index held any. Only the school holding the "
    "pupil's active inschrijving may state it; an aanmelding does not suffice. Any other "
    "party: 403 not_authoritative. " + OFF,
)
def death(body: DeathIn, session: SessionDep, ctx: Writer, services: ServicesDep) -> Response:
    lifecycle.record_death(
        session, body=body, ctx=ctx, edges=edges_of(services), settings=services.settings
    )
    return Response(status_code=204)
