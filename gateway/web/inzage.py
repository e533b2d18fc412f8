"""The inzage report in the portal, and the correction and erasure requests.

A page per child for whoever may exercise the rights (`children.may_act`: a parent with
gezag under 16, the pupil from 16), with the report as JSON to download and print, and
the form for a request to one organisation the report names as holding the data. The
requester reads the status and the outcome of each request on the same page. The
builder is `gateway.rights.report`; the privacy officer's pages show the same report
body (`templates/inzage_body.html`) for their own organisation (`gateway.web.fg`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request
from sqlalchemy.orm import Session
from starlette.responses import JSONResponse, RedirectResponse, Response

from gateway.deps import SessionDep
from gateway.edges import Edges
from gateway.orgs.models import Organisation
from gateway.rights import held, requests, sections, words
from gateway.rights.report import (
    RIGHTS_PURPOSE,
    PersonViewer,
    Report,
    as_json,
    build_report,
)
from gateway.web import session
from gateway.web.children import Child
from gateway.web.deps import CsrfChecked, Portal, PortalDep, ViewerDep, act_context
from gateway.web.pages import child_of, explained_refusal

router = APIRouter()
TEXT_LIMIT = 4000


def _report(request: Request, db: Session, portal: Portal, who: Any, kid: Child) -> Report:
    ctx = act_context(request, who, role=kid.relation, purpose=RIGHTS_PURPOSE)
    viewer = PersonViewer(who.person_ref, kid.relation, kid.age, kid.may_act, ctx)
    with explained_refusal(kid):
        return build_report(db, subject_ref=kid.subject_ref, viewer=viewer, edges=portal.edges())


@router.get("/kind/{handle}/inzage")
def report_page(
    handle: str, request: Request, db: SessionDep, portal: PortalDep, who: ViewerDep
) -> Response:
    kid = child_of(request, db, portal, who, handle)
    report = _report(request, db, portal, who, kid)
    context = {
        "title": "Inzage: alle gegevens",
        "kid": kid,
        "handle": handle,
        "report": report,
        "w": words,
        "requests": _request_lines(db, kid, portal.edges()),
        "text_limit": TEXT_LIMIT,
    }
    return portal.render(request, "inzage.html", context)


@router.get("/kind/{handle}/inzage.json")
def report_json(
    handle: str, request: Request, db: SessionDep, portal: PortalDep, who: ViewerDep
) -> Response:
    kid = child_of(request, db, portal, who, handle)
    report = _report(request, db, portal, who, kid)
    return JSONResponse(
        as_json(report),
        headers={"Content-Disposition": 'attachment; filename="inzage.json"'},
    )


@router.post("/kind/{handle}/verzoek", dependencies=[CsrfChecked])
def file_request(
    handle: str,
    request: Request,
    db: SessionDep,
    portal: PortalDep,
    who: ViewerDep,
    soort: Annotated[Literal["correctie", "verwijdering"], Form()],
    organisatie: Annotated[str, Form(max_length=40)],
    wat: Annotated[str, Form(min_length=1, max_length=TEXT_LIMIT)],
    wordt: Annotated[str, Form(max_length=TEXT_LIMIT)] = "",
) -> Response:
    kid = child_of(request, db, portal, who, handle)
    right = f"rechten.{soort}"
    ctx = act_context(request, who, role=kid.relation, purpose=right)
    edges = portal.edges()
    filing = requests.Filing(kid.subject_ref, organisatie, right, wat.strip(), wordt.strip())
    with explained_refusal(kid):
        requests.file(
            db,
            filing,
            may_act=kid.may_act,
            holders=holders(db, kid, edges),
            ctx=ctx,
            edges=edges,
        )
    session.flash(
        request, "Het verzoek is ingediend. De organisatie moet binnen een maand antwoorden."
    )
    root = request.scope.get("root_path", "")
    return RedirectResponse(f"{root}/kind/{handle}/inzage#kop-verzoeken", status_code=303)


def holders(db: Session, kid: Child, edges: Edges) -> set[str]:
    """The organisations the report names as holding the child's data, for this reader."""
    scope = sections.Scope(kid.subject_ref, relation=kid.relation, age=kid.age)
    sections.gezag(db, scope)
    sections.enrolments(db, scope)
    sections.transfers(db, scope, edges, [], content=False)
    sections.consents(db, scope, edges.now)
    held.tlvs(db, scope)
    held.case_holders(db, scope, edges)
    return scope.orgs


def _request_lines(db: Session, kid: Child, edges: Edges) -> list[dict[str, Any]]:
    found = requests.of_pupil(db, subject_ref=kid.subject_ref)
    names = {
        org.id: org.name
        for org in (db.get(Organisation, o) for o in {r.org_id for r in found})
        if org
    }
    return [
        {
            "right": words.RIGHTS.get(r.right, ""),
            "organisation": names.get(r.org_id, "Een organisatie"),
            "received_on": r.received_on,
            "deadline": r.deadline,
            "status": words.REQUEST_STATUS.get(r.status, ""),
            "ground": words.REFUSAL_GROUNDS.get(r.ground or "", ""),
            "extended": r.extended,
            "words": requests.words_of(db, r, edges),
            # The controller's reason for an extension, or its remark with the answer.
            "note": requests.note_of(db, r, edges),
        }
        for r in found
    ]
