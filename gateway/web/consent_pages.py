"""Granting and withdrawing consent from a child's page."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from pydantic import ValidationError
from starlette.responses import RedirectResponse, Response

from gateway.core.db import savepoint_with_refusal
from gateway.core.errors import Conflict, Forbidden, Unprocessable
from gateway.deps import SessionDep
from gateway.web import children, consents, session, voice, wording
from gateway.web.children import Child
from gateway.web.deps import CsrfChecked, Portal, PortalDep, ViewerDep, act_context
from gateway.web.pages import child_of
from gateway.web.session import Viewer

router = APIRouter()
DEFAULT_TERM = timedelta(days=365)
FormList = Annotated[list[str] | None, Form()]
# Withdrawal stops every later use on this consent (AVG art. 7(3)); it does not undo
# what a recipient already received, and the reader is told so (`consent_withdrawn`).
INCOMPLETE = "Kies ten minste één organisatie en één soort gegevens, en een einddatum."


def _acting_child(
    request: Request, db: SessionDep, portal: Portal, who: Viewer, handle: str
) -> Child:
    kid = child_of(request, db, portal, who, handle)
    if not kid.may_act:
        raise Forbidden(
            "This viewer does not exercise the rights for this pupil.",
            code=children.not_entitled_because(kid),
        )
    return kid


def _form_page(
    request: Request,
    db: SessionDep,
    portal: Portal,
    kid: Child,
    handle: str,
    purpose: str | None,
    *,
    error: str | None = None,
) -> Response:
    catalog = portal.services.catalog
    today = children.today(portal.services.clock.now())
    context = {
        "title": "Toestemming geven",
        "kid": kid,
        "handle": handle,
        "purposes": consents.purposes(catalog),
        "choice": consents.option(db, catalog, purpose) if purpose else None,
        "today": today.isoformat(),
        "default_until": (today + DEFAULT_TERM).isoformat(),
        "error": error,
    }
    return portal.render(request, "consent_new.html", context, status=422 if error else 200)


@router.get("/kind/{handle}/toestemming")
def consent_form(
    handle: str,
    request: Request,
    db: SessionDep,
    portal: PortalDep,
    who: ViewerDep,
    doel: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    kid = _acting_child(request, db, portal, who, handle)
    return _form_page(request, db, portal, kid, handle, doel)


@router.post("/kind/{handle}/toestemming", dependencies=[CsrfChecked])
def grant(
    handle: str,
    request: Request,
    db: SessionDep,
    portal: PortalDep,
    who: ViewerDep,
    purpose: Annotated[str, Form(max_length=64)],
    valid_until: Annotated[str, Form(max_length=10)] = "",
    recipients: FormList = None,
    categories: FormList = None,
) -> Response:
    kid = _acting_child(request, db, portal, who, handle)
    try:
        form = consents.ConsentForm.model_validate(
            {
                "purpose": purpose,
                "recipients": recipients or [],
                "categories": categories or [],
                "valid_until": valid_until,
            }
        )
    except ValidationError:
        return _form_page(request, db, portal, kid, handle, purpose, error=INCOMPLETE)
    ctx = act_context(request, who, role=kid.relation, purpose=form.purpose)
    try:
        # A refused consent leaves nothing but its refusal on record; the page renders.
        with savepoint_with_refusal(db):
            consents.grant(
                db,
                form=form,
                child=kid,
                bsn=who.bsn(portal.secret),
                ctx=ctx,
                services=portal.services,
            )
    except (Unprocessable, Conflict, Forbidden) as exc:
        message = consents.refusal_message(exc, voice.of(kid))
        return _form_page(request, db, portal, kid, handle, purpose, error=message)
    session.flash(request, voice.of(kid)("consent_given"))
    return RedirectResponse(f"{request.scope.get('root_path', '')}/kind/{handle}", status_code=303)


@router.post("/kind/{handle}/toestemming/{consent_id}/intrekken", dependencies=[CsrfChecked])
def withdraw(
    handle: str,
    consent_id: str,
    request: Request,
    db: SessionDep,
    portal: PortalDep,
    who: ViewerDep,
) -> Response:
    kid = _acting_child(request, db, portal, who, handle)
    ctx = act_context(request, who, role=kid.relation, purpose="consent")
    consents.withdraw(db, consent_id=consent_id, child=kid, ctx=ctx, services=portal.services)
    session.flash(request, voice.of(kid)("consent_withdrawn"))
    return RedirectResponse(f"{request.scope.get('root_path', '')}/kind/{handle}", status_code=303)


@router.post("/kind/{handle}/toestemming/{consent_id}/ook", dependencies=[CsrfChecked])
def cosign(
    handle: str,
    consent_id: str,
    request: Request,
    db: SessionDep,
    portal: PortalDep,
    who: ViewerDep,
) -> Response:
    """The pupil adds their own consent to their parents' one (from 12, DOMAIN §5)."""
    kid = child_of(request, db, portal, who, handle)
    if not kid.is_self or not (kid.may_act or kid.may_cosign):
        raise Forbidden("Only the pupil adds their own consent.", code="requester_not_entitled")
    ctx = act_context(request, who, role=kid.relation, purpose="consent")
    consents.cosign(db, consent_id=consent_id, child=kid, ctx=ctx, services=portal.services)
    session.flash(request, wording.COSIGNED)
    return RedirectResponse(f"{request.scope.get('root_path', '')}/kind/{handle}", status_code=303)
