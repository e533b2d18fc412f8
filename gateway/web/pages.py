"""The pages a parent or the pupil reads: the start page, the overview, a child, a dossier."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from gateway.cases import portal_view
from gateway.cases.portal_view import Person
from gateway.core.errors import Forbidden, GatewayError, NotFound
from gateway.deps import SessionDep
from gateway.orgs.models import Organisation
from gateway.rights import service as rights
from gateway.transfers import inzage
from gateway.transfers.inzage import Requester
from gateway.web import access_log, children, consents, dossiers, session, voice
from gateway.web.children import Child
from gateway.web.deps import CsrfChecked, Portal, PortalDep, ViewerDep, act_context
from gateway.web.session import Viewer

router = APIRouter()


@router.get("/")
def start(request: Request, portal: PortalDep) -> Response:
    if session.viewer(request):
        return RedirectResponse(f"{request.scope.get('root_path', '')}/kinderen", status_code=303)
    context = {"title": "Welkom", "login_available": portal.login.configured}
    return portal.render(request, "start.html", context)


@router.get("/kinderen")
def kids(request: Request, db: SessionDep, portal: PortalDep, who: ViewerDep) -> Response:
    services = portal.services
    found = children.children(
        db,
        person_ref=who.person_ref,
        keyring=services.keyring,
        catalog=services.catalog,
        now=services.clock.now(),
    )
    listed = [(kid, session.handle_for(request, kid.subject_ref)) for kid in found]
    title = children.overview_title(found)
    session.set_overview(request, title)
    return portal.render(request, "children.html", {"title": title, "kids": listed})


def child_of(request: Request, db: SessionDep, portal: Portal, who: Viewer, handle: str) -> Child:
    """The child behind a session handle, its entitlement checked again."""
    subject_ref = session.subject_for(request, handle)
    if subject_ref is None:
        raise NotFound("No such child in this session.")
    services = portal.services
    return children.child(
        db,
        person_ref=who.person_ref,
        subject_ref=subject_ref,
        keyring=services.keyring,
        catalog=services.catalog,
        now=services.clock.now(),
    )


def requester(kid: Child) -> Requester:
    return Requester(kid.subject_ref, kid.relation, kid.age)


@contextmanager
def explained_refusal(kid: Child) -> Iterator[None]:
    """The catalog refuses a right in its own words; the page says why for this child
    (no gezag, or a pupil from 16 decides), its refusal still on record as it was."""
    try:
        yield
    except GatewayError as exc:
        if exc.code != "requester_not_entitled":
            raise
        record, exc.record = exc.record, None
        reason = children.not_entitled_because(kid)
        raise Forbidden(exc.detail, code=reason, record=record) from exc


@router.get("/kind/{handle}")
def child_page(
    handle: str,
    request: Request,
    db: SessionDep,
    portal: PortalDep,
    who: ViewerDep,
    eerder: Annotated[str | None, Query(max_length=256)] = None,
) -> Response:
    """The child's page; `eerder` is the access log's cursor for its older lines.

    The cursor only says where in the log to go on: whose log it is comes from the
    session handle, re-checked here, so it cannot open another child's lines.
    """
    kid = child_of(request, db, portal, who, handle)
    context: dict[str, object] = {"title": kid.name, "kid": kid, "handle": handle}
    edges = portal.edges()
    # From 16 the parents no longer act, but they read why their consent stopped
    # counting and keep inzage of the onderwijskundig rapport.
    if kid.may_act or kid.may_cosign or kid.keeps_okr_inzage:
        context["consents"] = consents.for_child(db, kid=kid, catalog=edges.catalog, now=edges.now)
    context["cases"] = portal_view.of_pupil(
        db, person=Person(kid.subject_ref, kid.relation, kid.age), edges=edges
    )
    if kid.may_act or kid.keeps_okr_inzage:
        context["dossiers"] = dossiers.transfers(
            db, kid=kid, viewer_ref=who.person_ref, edges=edges
        )
    if kid.may_act:
        context["decisions"] = dossiers.decisions(db, kid=kid, catalog=edges.catalog)
        context["gezag"] = children.gezag_changes(db, kid=kid, viewer_ref=who.person_ref)
        context["log"] = access_log.lines(
            db,
            subject_ref=kid.subject_ref,
            viewer_ref=who.person_ref,
            break_glass_purposes=edges.catalog.break_glass_purposes(),
            voice=voice.of(kid),
            cursor=eerder,
        )
        context["log_paged_on"] = eerder is not None
        context["refusals"] = _refusal_lines(db, kid)
    return portal.render(request, "child.html", context)


@dataclass(frozen=True, slots=True)
class RefusalLine:
    what: str
    why: str


def _refusal_lines(db: SessionDep, kid: Child) -> list[RefusalLine]:
    """Requests a controller refused or restricted, each with its ground in words."""
    found = rights.refusals(db, subject_ref=kid.subject_ref)
    names = {
        org.id: org.name
        for org in (db.get(Organisation, org_id) for org_id in {r.org for r in found})
        if org
    }
    reader = voice.of(kid)
    return [
        RefusalLine(
            reader.refusal(names.get(r.org, "Een organisatie"), r.right, r.outcome, r.time),
            reader.refusal_ground(r.ground.code),
        )
        for r in found
    ]


@router.get("/kind/{handle}/dossier/{transfer_id}")
def dossier_page(
    handle: str,
    transfer_id: str,
    request: Request,
    db: SessionDep,
    portal: PortalDep,
    who: ViewerDep,
) -> Response:
    kid = child_of(request, db, portal, who, handle)
    ctx = act_context(request, who, role=kid.relation, purpose=inzage.RIGHTS_PURPOSE)
    with explained_refusal(kid):
        view = inzage.read(
            db, transfer_id=transfer_id, requester=requester(kid), ctx=ctx, edges=portal.edges()
        )
    context = {
        "title": "Overdrachtsdossier",
        "kid": kid,
        "handle": handle,
        "view": view,
        "open_for_inzage": view.transfer.status == "awaiting_inzage",
        "inzage_by": dossiers.inzage_recorders(
            db, subject_ref=kid.subject_ref, viewer_ref=who.person_ref
        ).get(transfer_id),
    }
    return portal.render(request, "dossier.html", context)


@router.post("/kind/{handle}/dossier/{transfer_id}/inzage", dependencies=[CsrfChecked])
def record_inzage(
    handle: str,
    transfer_id: str,
    akkoord: Annotated[Literal["ja", "nee"], Form()],
    request: Request,
    db: SessionDep,
    portal: PortalDep,
    who: ViewerDep,
    zienswijze: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    kid = child_of(request, db, portal, who, handle)
    ctx = act_context(request, who, role=kid.relation, purpose=inzage.RIGHTS_PURPOSE)
    edges = portal.edges()
    with explained_refusal(kid):
        inzage.record(
            db,
            transfer_id=transfer_id,
            requester=requester(kid),
            akkoord=akkoord == "ja",
            zienswijze=zienswijze.strip() or None,
            today=children.today(edges.now),
            ctx=ctx,
            edges=edges,
        )
    session.flash(request, voice.of(kid)("inzage_done"))
    return RedirectResponse(f"{request.scope.get('root_path', '')}/kind/{handle}", status_code=303)
