"""The privacy officer's pages: overview with alerts and charts, search, CSV export,
the look-up of one pupil by BSN (a POST form: the BSN is never in a URL), and the
register of processing. Every view and export is on the organisation's log."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from gateway.audit import alerts as audit_alerts
from gateway.audit import register as art30
from gateway.audit import service as audit
from gateway.audit.models import AuditEntry
from gateway.core.context import ACTOR_PATTERN
from gateway.core.errors import NotFound, Unprocessable
from gateway.crypto.bsn import is_valid_bsn
from gateway.deps import SessionDep
from gateway.rights import requests as rights_requests
from gateway.rights import words
from gateway.rights.report import OfficerViewer, build_report
from gateway.web import session, wording
from gateway.web.deps import CsrfChecked, Portal, PortalDep
from gateway.web.fg import charts, export
from gateway.web.fg.access import Officer, OfficerDep, officer_of
from gateway.web.fg.rows import day_end, day_start, rows
from policies import nl

router = APIRouter(prefix="/fg")
PAGE_SIZE = 50
EXPORT_MAX = 10_000
EXPORT_BATCH = 500
Decision = Literal["permit", "deny"]
# The pupil of the last look-up, as its pseudonyms (the organisation's and the
# verwijsindex key) and masked number: for its older lines and its inzage report.
PUPIL = "fg_pupil"


@dataclass(frozen=True, slots=True)
class Filters:
    """A search of the log: every field optional, none of them personal data."""

    doel: str | None
    van: date | None
    tot: date | None
    beslissing: Decision | None
    persoon: str | None

    def query(self, **extra: str) -> str:
        fields = {
            "doel": self.doel,
            "van": self.van.isoformat() if self.van else None,
            "tot": self.tot.isoformat() if self.tot else None,
            "beslissing": self.beslissing,
            "persoon": self.persoon,
            **extra,
        }
        return urlencode({k: v for k, v in fields.items() if v})


def filters(
    portal: PortalDep,
    doel: Annotated[str | None, Query(max_length=64)] = None,
    van: Annotated[str | None, Query(max_length=10)] = None,
    tot: Annotated[str | None, Query(max_length=10)] = None,
    beslissing: Annotated[Decision | Literal[""] | None, Query()] = None,
    persoon: Annotated[str | None, Query(pattern=f"^{ACTOR_PATTERN}$")] = None,
) -> Filters:
    """The search form's fields; a purpose must be one the catalog knows."""
    if doel and doel not in portal.services.catalog.purposes:
        raise Unprocessable("No such purpose in the catalog.", code="unknown_purpose")
    return Filters(doel or None, _day(van), _day(tot), beslissing or None, persoon or None)


def _day(value: str | None) -> date | None:
    """A day of the form's date field; the field left empty is no bound."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise Unprocessable("Not a day.", code="invalid_day") from exc


FiltersDep = Annotated[Filters, Depends(filters)]


def render(
    portal: Portal, request: Request, template: str, officer: Officer, context: dict[str, object]
) -> Response:
    status = int(str(context.pop("status", 200)))
    base = {
        "officer": officer,
        "csrf_token": session.csrf_token(request),
        "fg_page": True,
        "purpose": wording.officer_purpose,  # the templates' purpose words, for an officer
    }
    return portal.render(request, template, {**base, **context}, status=status)


@router.get("/")
def overview(request: Request, db: SessionDep, portal: PortalDep) -> Response:
    officer = officer_of(request, db)
    if officer is None:
        context = {"title": "Functionaris gegevensbescherming", "fg_page": True}
        return portal.render(request, "fg/start.html", context)
    services = portal.services
    settings = services.settings
    limits = audit_alerts.Thresholds(
        days=settings.fg_alert_days,
        spike_factor=settings.fg_spike_factor,
        spike_min=settings.fg_spike_min,
        volume_factor=settings.fg_volume_factor,
        volume_min=settings.fg_volume_min,
    )
    now = services.clock.now()
    period = audit_alerts.Period.ending(now, limits.days)
    found = audit_alerts.alerts(db, org=officer.org_id, now=now, limits=limits)
    by_purpose = audit_alerts.per_purpose(db, org=officer.org_id, period=period)
    denied = audit_alerts.per_day(db, org=officer.org_id, period=period, decision="deny")
    edges = portal.edges()
    requests_due = {
        due: len(rights_requests.of_org(db, org_id=officer.org_id, due=due, edges=edges))
        for due in ("soon", "overdue")
    }
    officer.record(db, request, services, action="audit.read")
    context = {
        "title": "Overzicht",
        "requests_due": requests_due,
        "alerts": found,
        "period": period,
        "last_day": period.days()[-1],
        "by_purpose": by_purpose,
        "denied": denied,
        "purpose_chart": charts.purposes(by_purpose),
        "denial_chart": charts.denials(denied),
        "query": lambda search: urlencode(search),
    }
    return render(portal, request, "fg/overview.html", officer, context)


@router.get("/zoeken")
def search(
    request: Request,
    db: SessionDep,
    portal: PortalDep,
    officer: OfficerDep,
    chosen: FiltersDep,
    eerder: Annotated[str | None, Query(max_length=256)] = None,
) -> Response:
    page = audit.search(
        db,
        org=officer.org_id,
        purpose=chosen.doel,
        decision=chosen.beslissing,
        actor=chosen.persoon,
        start=day_start(chosen.van),
        end=day_end(chosen.tot),
        cursor=eerder,
        limit=PAGE_SIZE,
    )
    services = portal.services
    refs = services.keyring.pseudonyms.refs_for(officer.org_id)
    officer.record(db, request, services, action="audit.read")
    context = {
        "title": "Zoeken in het logboek",
        "chosen": chosen,
        "purposes": _purposes(portal),
        "rows": rows(db, page.items, org=officer.org_id, refs=refs),
        "next": chosen.query(eerder=page.next) if page.next else None,
        "export": chosen.query(),
    }
    return render(portal, request, "fg/search.html", officer, context)


@router.get("/export.csv")
def export_csv(
    request: Request, db: SessionDep, portal: PortalDep, officer: OfficerDep, chosen: FiltersDep
) -> Response:
    services = portal.services
    refs = services.keyring.pseudonyms.refs_for(officer.org_id)
    found: list[AuditEntry] = []
    cursor: str | None = None
    while len(found) < EXPORT_MAX:
        page = audit.search(
            db,
            org=officer.org_id,
            purpose=chosen.doel,
            decision=chosen.beslissing,
            actor=chosen.persoon,
            start=day_start(chosen.van),
            end=day_end(chosen.tot),
            cursor=cursor,
            limit=EXPORT_BATCH,
        )
        found.extend(page.items)
        cursor = page.next
        if cursor is None:
            break
    officer.record(db, request, services, action="audit.export")
    body = export.to_csv(rows(db, found[:EXPORT_MAX], org=officer.org_id, refs=refs))
    name = f"logboek-{officer.org_id}-{services.clock.now().date().isoformat()}.csv"
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


@router.get("/leerling")
def subject_form(request: Request, portal: PortalDep, officer: OfficerDep) -> Response:
    context: dict[str, object] = {"title": "Een leerling opzoeken", "rows": None}
    return render(portal, request, "fg/subject.html", officer, context)


@router.post("/leerling", dependencies=[CsrfChecked])
def subject_lookup(
    request: Request,
    db: SessionDep,
    portal: PortalDep,
    officer: OfficerDep,
    bsn: Annotated[str, Form(max_length=20)] = "",
    eerder: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    """The pupil's entries on the organisation's log, looked up by BSN in the body.

    The BSN is checked with the 11-proef and turned into the pupil's keyed pseudonym at
    once; the page shows the pupil under the organisation's own pseudonym only. Older
    lines are asked for by the cursor alone: the session keeps the pupil's pseudonym
    (and the masked number), so the BSN is not written into the page again.
    """
    services = portal.services
    number = bsn.strip().replace(" ", "")
    held = request.session.get(PUPIL)
    if not number and eerder and isinstance(held, dict):
        subject_ref, masked, signal_key = str(held["ref"]), str(held["mask"]), held["signal"]
    elif is_valid_bsn(number):
        subject_ref = services.keyring.pseudonyms.subject_ref(number)
        signal_key = services.keyring.index.child(number)
        masked, eerder = wording.mask_bsn(number), ""
    else:
        request.session.pop(PUPIL, None)  # the last pupil is no longer the one on screen
        invalid: dict[str, object] = {"title": "Een leerling opzoeken", "rows": None}
        return render(
            portal, request, "fg/subject.html", officer, {**invalid, "invalid": True, "status": 422}
        )
    if not eerder or not isinstance(held, dict) or "look" not in held:
        look = secrets.token_urlsafe(12)
    else:
        look = str(held["look"])
    request.session[PUPIL] = {
        "ref": subject_ref,
        "mask": masked,
        "signal": signal_key,
        "look": look,
    }
    page = audit.search(
        db,
        org=officer.org_id,
        subject_ref=subject_ref,
        cursor=eerder or None,
        limit=PAGE_SIZE,
    )
    refs = services.keyring.pseudonyms.refs_for(officer.org_id)
    officer.record(db, request, services, action="audit.search", subject_ref=subject_ref)
    context: dict[str, object] = {
        "title": "Een leerling opzoeken",
        "rows": rows(db, page.items, org=officer.org_id, refs=refs),
        "pseudonym": refs(subject_ref),
        "masked": masked,
        "next": page.next,
        "look": look,
    }
    return render(portal, request, "fg/subject.html", officer, context)


@router.post("/leerling/inzage", dependencies=[CsrfChecked])
def subject_report(
    request: Request,
    db: SessionDep,
    portal: PortalDep,
    officer: OfficerDep,
    opzoeking: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """The inzage report (AVG art. 15) of the pupil looked up, as far as the
    organisation holds it (`gateway.rights.report`): for answering a parent's request.
    The pupil comes from the session, never from the form; the form names the look-up
    it was shown with, so a later look-up (another tab) cannot swap the pupil. The
    report is on the log."""
    held = request.session.get(PUPIL)
    if not isinstance(held, dict) or not secrets.compare_digest(
        str(held.get("look", "")), opzoeking
    ):
        return RedirectResponse(f"{request.scope.get('root_path', '')}/fg/leerling", 303)
    viewer = OfficerViewer(officer.context(request), signal_key=held.get("signal"))
    context: dict[str, object] = {"title": "Inzagerapport", "masked": held["mask"], "w": words}
    try:
        report = build_report(db, subject_ref=str(held["ref"]), viewer=viewer, edges=portal.edges())
    except NotFound:  # the organisation holds nothing on the pupil (the refusal is logged)
        return render(portal, request, "fg/inzage.html", officer, {**context, "report": None})
    return render(portal, request, "fg/inzage.html", officer, {**context, "report": report})


@router.get("/register")
def register(request: Request, db: SessionDep, portal: PortalDep, officer: OfficerDep) -> Response:
    services = portal.services
    found = art30.of_organisation(
        db, org_id=officer.org_id, catalog=services.catalog, settings=services.settings
    )
    officer.record(db, request, services, action="audit.register")
    context = {"title": "Verwerkingsregister", "register": found, "kind": nl.ORG_KINDS.get}
    return render(portal, request, "fg/register.html", officer, context)


def _purposes(portal: Portal) -> list[tuple[str, str]]:
    catalog = portal.services.catalog
    labelled = [
        (code, wording.first_upper(wording.officer_purpose(code))) for code in catalog.purposes
    ]
    return sorted(labelled, key=lambda item: item[1])
