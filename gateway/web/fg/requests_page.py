"""The privacy officer's list of the correction and erasure requests its organisation
must answer, with their terms: the reminder in the workplace itself. Answering is the
API's (`POST /v1/rights/requests/{id}/decision`), where each answer is decided and
logged; the words of a request are read here because the officer handles it, and the
reading is on the log."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from gateway.deps import SessionDep
from gateway.rights import requests as rights_requests
from gateway.rights import words
from gateway.rights.requests import OPEN
from gateway.web.deps import PortalDep
from gateway.web.fg.access import OfficerDep
from gateway.web.fg.pages import render

router = APIRouter(prefix="/fg")


@router.get("/verzoeken")
def request_list(
    request: Request, db: SessionDep, portal: PortalDep, officer: OfficerDep
) -> Response:
    edges = portal.edges()
    found = rights_requests.of_org(db, org_id=officer.org_id, due=None, edges=edges)
    due = {
        stage: {
            r.id for r in rights_requests.of_org(db, org_id=officer.org_id, due=stage, edges=edges)
        }
        for stage in ("soon", "overdue")
    }
    soon, late = due["soon"], due["overdue"]
    lines = [
        {
            "right": words.RIGHTS.get(r.right, r.right),
            "received_on": r.received_on,
            "deadline": r.deadline,
            "status": words.REQUEST_STATUS.get(r.status, r.status),
            "open": r.status in OPEN,
            "due": "verlopen" if r.id in late else "binnen 7 dagen" if r.id in soon else "",
            "words": rights_requests.words_of(db, r, edges),
            "id": r.id,
        }
        for r in found
    ]
    officer.record(db, request, portal.services, action="audit.read")
    context: dict[str, object] = {"title": "Verzoeken van ouders en leerlingen", "lines": lines}
    return render(portal, request, "fg/requests.html", officer, context)
