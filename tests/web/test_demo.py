"""The demo region of `make run`: a parent logs in and finds a dossier waiting."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from gateway.audit import service as audit
from gateway.demo import ensure_demo_region
from gateway.deps import edges_of
from gateway.orgs.models import Organisation
from gateway.web.demo import FAMILIES, ensure_families, ensure_officer, ensure_waiting_dossier
from tests.support.gateway import Gateway
from tests.support.idp import OFFICER, PARENT, login, officer_login
from tests.support.portal import child_url

# The demo's families are written for `make run` today: Sam, born in 2015, is in groep 8.
DEMO_NOW = datetime(2026, 4, 15, 9, 0, tzinfo=UTC)


def set_up(portal: Gateway) -> bool:
    if portal.clock.now() < DEMO_NOW:
        portal.clock.advance(DEMO_NOW - portal.clock.now())
    services = portal.services
    portal.settings.data_dir.mkdir(parents=True, exist_ok=True)
    credentials = ensure_demo_region(
        services.db, portal.settings.data_dir, services.catalog.org_kinds
    )
    school = {c["kind"]: c["org_id"] for c in credentials}
    edges = edges_of(services)
    ensure_families(services.db, edges=edges, schools=school)
    return ensure_waiting_dossier(
        services.db, edges=edges, po_id=school["school_po"], vo_id=school["school_vo"]
    )


def test_the_demo_parent_finds_sams_dossier_waiting_for_inzage(portal: Gateway) -> None:
    assert set_up(portal) is True
    assert set_up(portal) is False  # a second start adds nothing

    assert login(portal.client, PARENT).status_code == 303
    page = portal.client.get(child_url(portal.client))
    assert "Sam de Vries" in page.text
    assert "Dossier inzien en reageren" in page.text

    sam = portal.keyring.pseudonyms.subject_ref(FAMILIES[0].pupil_bsn)
    with portal.services.db.sessions() as session:
        found = audit.search(session, subject_ref=sam).items
        acts = [(e.action, e.decision) for e in reversed(found)]
        assert audit.verify(session).ok
    assert acts == [
        ("enrolment.register", "permit"),  # the primary school enrols its pupil
        ("consent.gezag", "permit"),
        ("enrolment.register", "permit"),  # the aanmelding at the secondary school
        ("transfer.send", "permit"),
    ]


def test_the_demo_fg_of_da_vinci_college_logs_in(portal: Gateway) -> None:
    set_up(portal)
    with portal.services.db.sessions() as session:
        vo = session.scalars(select(Organisation.id).filter_by(name="Da Vinci College")).one()
    edges = edges_of(portal.services)
    assert ensure_officer(portal.services.db, edges=edges, org_id=vo) is True
    assert ensure_officer(portal.services.db, edges=edges, org_id=vo) is False
    assert officer_login(portal.client, OFFICER).status_code == 303
    page = portal.client.get("/portaal/fg/")
    assert "Overzicht voor Da Vinci College" in page.text
