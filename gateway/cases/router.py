"""HTTP for the case register: thin handlers over `cases.service`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import JSONResponse, Response

from gateway.cases import entries, export, service
from gateway.cases.models import Case
from gateway.cases.schemas import (
    CaseCreate,
    CaseCreated,
    CaseExport,
    CaseList,
    CaseRead,
    CaseSummary,
    EntryIn,
    EntryList,
    EntryRead,
    MdoIn,
    ParticipantIn,
    ParticipantRead,
    ParticipantRecord,
)
from gateway.core.context import ActContext
from gateway.core.idempotency import answer_once
from gateway.core.routing import OneTripRoute
from gateway.deps import Services, ServicesDep, SessionDep, edges_of, scoped_context

router = APIRouter(prefix="/v1/cases", tags=["cases"], route_class=OneTripRoute)
# A case is an exchange between the parties at the table: the transfer scopes carry it.
Writer = Annotated[ActContext, Depends(scoped_context("transfers:write"))]
Reader = Annotated[ActContext, Depends(scoped_context("transfers:read"))]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]
# The category that holds the agreements: regie, interventions, decisions.
AGREEMENTS = "knooppunt_afspraken"
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such case, or you do not take part in it."}
}


def _summary(viewed: service.Viewed, services: Services, ctx: ActContext) -> dict[str, Any]:
    case = viewed.case
    return CaseSummary(
        id=case.id,
        kind=case.kind,
        status=case.status,
        subject_ref=services.keyring.pseudonyms.for_org(case.subject_ref, ctx.org_id),
        title=viewed.title,
        created_by=case.created_by_org,
        regie=case.regie_org,
        created_at=case.created_at,
        updated_at=case.updated_at,
        closed_at=case.closed_at,
        evaluated_at=case.evaluated_at,
        evaluation_due=service.evaluation_due(case),
    ).model_dump(mode="json")


def _read(viewed: service.Viewed, services: Services, ctx: ActContext) -> dict[str, Any]:
    participants = [
        ParticipantRead(
            org=p.org_id,
            kind=kind,
            role=p.role,
            person=p.person,
            mandate=p.mandate,
            joined_at=p.joined_at,
        ).model_dump(mode="json")
        for p, kind in viewed.participants
    ]
    return {**_summary(viewed, services, ctx), "participants": participants}


def _entry(released: entries.Released) -> dict[str, Any]:
    entry = released.entry
    return EntryRead(
        id=entry.id,
        category=entry.category,
        org=entry.org_id,
        author=entry.author,
        retention=entry.retention,
        expires_on=entry.expires_on,
        created_at=entry.created_at,
        content=released.content,
    ).model_dump(mode="json")


@router.post(
    "",
    status_code=201,
    response_model=CaseCreated,
    responses={
        403: {
            "description": "Not under knooppunt.casus (purpose_mismatch), a kind that starts "
            "no case (not_party), or no standing with the pupil (sender_not_related): the "
            "caller neither has the pupil enrolled nor received them through the gateway "
            "(the catalog's `create_relation`). The refusal is the same whether the pupil "
            "is known or not."
        }
    },
    summary="Start a case (knooppunt, OT or MDO); the caller is the first participant",
)
def create(
    body: CaseCreate,
    session: SessionDep,
    ctx: Writer,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    edges = edges_of(services)

    def act() -> tuple[int, dict[str, Any]]:
        case = service.create(session, body=body, ctx=ctx, edges=edges)
        return 201, {"id": case.id}

    return answer_once(
        session,
        ctx,
        key=idempotency_key,
        path="/v1/cases",
        body=body.model_dump_json().encode(),
        now=edges.now,
        act=act,
    )


@router.get("", response_model=CaseList, summary="The cases the caller takes part in")
def list_cases(
    session: SessionDep,
    ctx: Reader,
    services: ServicesDep,
    due: Annotated[
        Literal["evaluation"] | None,
        Query(
            description="`evaluation`: only open cases whose yearly evaluation is due "
            "within 30 days or overdue."
        ),
    ] = None,
) -> dict[str, Any]:
    edges = edges_of(services)
    cases: list[Case] = service.listing(session, ctx=ctx, edges=edges, due=due is not None)
    items = [_summary(service.view(session, case, edges), services, ctx) for case in cases]
    return {"items": items}


@router.get(
    "/{case_id}",
    response_model=CaseRead,
    responses=NOT_FOUND,
    summary="A case: kind, status, regie and participants (participants only)",
)
def read(case_id: str, session: SessionDep, ctx: Reader, services: ServicesDep) -> dict[str, Any]:
    viewed = service.read(session, case_id=case_id, ctx=ctx, edges=edges_of(services))
    return _read(viewed, services, ctx)


@router.post(
    "/{case_id}/participants",
    status_code=201,
    response_model=CaseRead,
    responses={**NOT_FOUND, 409: {"description": "Already a participant, or the case is closed."}},
    summary="Bring an organisation to the table (a participant with a mandate)",
)
def add_participant(
    case_id: str,
    body: ParticipantIn,
    session: SessionDep,
    ctx: Writer,
    services: ServicesDep,
) -> dict[str, Any]:
    edges = edges_of(services)
    case = service.add_participant(session, case_id=case_id, body=body, ctx=ctx, edges=edges)
    return _read(service.view(session, case, edges), services, ctx)


@router.post(
    "/{case_id}/participants/{org_id}/leave",
    response_model=CaseRead,
    responses=NOT_FOUND,
    summary="Leave the case (or, with a mandate, take a participant off it)",
    description="From the next request on the organisation that left gets 404 for the case "
    "and everything in it, as for an id that never existed.",
)
def leave(
    case_id: str, org_id: str, session: SessionDep, ctx: Writer, services: ServicesDep
) -> dict[str, Any]:
    edges = edges_of(services)
    case = service.leave(session, case_id=case_id, org_id=org_id, ctx=ctx, edges=edges)
    return _read(service.view(session, case, edges), services, ctx)


@router.post(
    "/{case_id}/close",
    response_model=CaseRead,
    responses=NOT_FOUND,
    summary="Close the case: it takes no more entries (a participant with a mandate)",
)
def close(case_id: str, session: SessionDep, ctx: Writer, services: ServicesDep) -> dict[str, Any]:
    edges = edges_of(services)
    case = service.close(session, case_id=case_id, ctx=ctx, edges=edges)
    return _read(service.view(session, case, edges), services, ctx)


@router.post(
    "/{case_id}/mdo",
    response_model=CaseRead,
    responses=NOT_FOUND,
    summary="Turn a knooppunt or OT into an MDO: regie passes to the SWV",
)
def to_mdo(
    case_id: str, body: MdoIn, session: SessionDep, ctx: Writer, services: ServicesDep
) -> dict[str, Any]:
    edges = edges_of(services)
    case = service.to_mdo(session, case_id=case_id, body=body, ctx=ctx, edges=edges)
    return _read(service.view(session, case, edges), services, ctx)


@router.post(
    "/{case_id}/evaluation",
    response_model=CaseRead,
    responses=NOT_FOUND,
    summary="Record that the case was evaluated (a participant with a mandate)",
    description="The next evaluation falls due a year later (`evaluation_due`).",
)
def evaluate(
    case_id: str, session: SessionDep, ctx: Writer, services: ServicesDep
) -> dict[str, Any]:
    edges = edges_of(services)
    case = service.record_evaluation(session, case_id=case_id, ctx=ctx, edges=edges)
    return _read(service.view(session, case, edges), services, ctx)


@router.post(
    "/{case_id}/entries",
    status_code=201,
    response_model=EntryRead,
    responses=NOT_FOUND,
    summary="Record the caller's own entry in a case (one category, sealed)",
)
def write_entry(
    case_id: str,
    body: EntryIn,
    session: SessionDep,
    ctx: Writer,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    edges = edges_of(services)

    def act() -> tuple[int, dict[str, Any]]:
        entry = entries.write_entry(session, case_id=case_id, body=body, ctx=ctx, edges=edges)
        return 201, _entry(entries.Released(entry, body.content))

    return answer_once(
        session,
        ctx,
        key=idempotency_key,
        path=f"/v1/cases/{case_id}/entries",
        body=body.model_dump_json().encode(),
        now=edges.now,
        act=act,
    )


@router.get(
    "/{case_id}/entries",
    response_model=EntryList,
    responses=NOT_FOUND,
    summary="The entries the caller may read: its own, own-task shares, what the case "
    "consent opens",
)
def list_entries(
    case_id: str, session: SessionDep, ctx: Reader, services: ServicesDep
) -> dict[str, Any]:
    shown = entries.entries(session, case_id=case_id, ctx=ctx, edges=edges_of(services))
    return {"items": [_entry(released) for released in shown]}


@router.get(
    "/{case_id}/entries/{entry_id}",
    response_model=EntryRead,
    responses={404: {"description": "No such entry, or none the caller may read."}},
    summary="One entry, where the caller may read it",
)
def read_entry(
    case_id: str, entry_id: str, session: SessionDep, ctx: Reader, services: ServicesDep
) -> dict[str, Any]:
    released = entries.entry(
        session, case_id=case_id, entry_id=entry_id, ctx=ctx, edges=edges_of(services)
    )
    return _entry(released)


@router.post(
    "/{case_id}/export",
    response_model=CaseExport,
    responses={
        200: {"description": "The bundle, its manifest and the gateway's signature."},
        **NOT_FOUND,
        403: {
            "description": "Not under knooppunt.casus (purpose_mismatch), no knooppunt flow "
            "in the catalog (flow_not_allowed), or the token lacks transfers:read."
        },
    },
    summary="The case file as a signed bundle for a dispute body (participants only)",
    description="The bundle holds the case, every participant that ever sat at the table "
    "(`joined_at`, `left_at`), the agreements and exactly "
    "the entries `GET /v1/cases/{case_id}/entries` returns to the caller now. `signature` "
    "is a compact JWS (Ed25519) by the gateway over the manifest: case, requesting "
    "organisation, time, policy version, a hash of the metadata and, per entry, its id, "
    "writer, category, time and the SHA-256 of its canonical content. Verify it against "
    "`/.well-known/jwks.json` (README, Case export). The export is on the audit log with "
    "the categories it released.",
)
def export_case(case_id: str, session: SessionDep, ctx: Reader, services: ServicesDep) -> Response:
    edges = edges_of(services)
    exported = export.export(session, case_id=case_id, ctx=ctx, edges=edges)
    viewed = exported.viewed
    shown = [_entry(released) for released in exported.released]
    read = _read(viewed, services, ctx)
    # Everyone who sat at the table, with when they joined and left.
    read.pop("participants")
    participants = [
        ParticipantRecord(
            org=p.org_id,
            kind=kind,
            role=p.role,
            person=p.person,
            mandate=p.mandate,
            joined_at=p.joined_at,
            left_at=p.left_at,
        ).model_dump(mode="json")
        for p, kind in viewed.participants
    ]
    bundle = {
        "case": read,
        "participants": participants,
        "agreements": {
            "regie": read["regie"],
            "evaluated_at": read["evaluated_at"],
            "evaluation_due": read["evaluation_due"],
            "entries": [e["id"] for e in shown if e["category"] == AGREEMENTS],
        },
        "entries": shown,
    }
    signed = export.manifest(bundle, issuer=services.settings.issuer, ctx=ctx, edges=edges)
    signature = export.sign(services.keyring.signing, signed)
    # Sent as built: the hashes are over these very values.
    return JSONResponse({"bundle": bundle, "manifest": signed, "signature": signature})
