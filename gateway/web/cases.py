"""A case (knooppunt, OT, MDO) about the child, and the parents' or the pupil's own view.

Thin pages over `gateway.cases.portal_view`, which decides who takes part, what shows
and what is on record. A case that is not this viewer's (another child's, a child over
whom they hold no gezag, a pupil of 16 or older for the parents) answers with the same
404 page as an id that never existed.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from gateway.cases import portal_view
from gateway.cases.portal_view import Person
from gateway.deps import SessionDep
from gateway.web import case_words, session, voice
from gateway.web.children import Child
from gateway.web.deps import CsrfChecked, PortalDep, ViewerDep, act_context
from gateway.web.pages import child_of

router = APIRouter()
# The catalog's limit for each field of the own view (`visie_ouders`, `visie_leerling`).
TEXT_LIMIT = 4000


def person(kid: Child) -> Person:
    return Person(kid.subject_ref, kid.relation, kid.age)


@router.get("/kind/{handle}/overleg/{case_id}")
def case_page(
    handle: str,
    case_id: str,
    request: Request,
    db: SessionDep,
    portal: PortalDep,
    who: ViewerDep,
) -> Response:
    kid = child_of(request, db, portal, who, handle)
    ctx = act_context(request, who, role=kid.relation, purpose=portal_view.PURPOSE)
    page = portal_view.read(db, case_id=case_id, person=person(kid), ctx=ctx, edges=portal.edges())
    context = {
        "title": case_words.kind(page.case.kind),
        "kid": kid,
        "handle": handle,
        "page": page,
        "cw": case_words,
        "agreements": [
            (entry, case_words.agreement(entry.content, is_self=kid.is_self))
            for entry in page.agreements
        ],
        "text_limit": TEXT_LIMIT,
    }
    return portal.render(request, "case.html", context)


@router.post("/kind/{handle}/overleg/{case_id}/visie", dependencies=[CsrfChecked])
def add_view(
    handle: str,
    case_id: str,
    request: Request,
    db: SessionDep,
    portal: PortalDep,
    who: ViewerDep,
    visie: Annotated[str, Form(max_length=TEXT_LIMIT)],
    wensen: Annotated[str, Form(max_length=TEXT_LIMIT)] = "",
) -> Response:
    kid = child_of(request, db, portal, who, handle)
    ctx = act_context(request, who, role=kid.relation, purpose=portal_view.PURPOSE)
    portal_view.write_view(
        db,
        case_id=case_id,
        person=person(kid),
        visie=visie,
        wensen=wensen,
        ctx=ctx,
        edges=portal.edges(),
    )
    session.flash(request, voice.of(kid).pick(case_words.VIEW_DONE))
    root = request.scope.get("root_path", "")
    return RedirectResponse(f"{root}/kind/{handle}/overleg/{case_id}", status_code=303)
