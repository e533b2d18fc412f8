"""The privacy officer's pages: who gets in, what they see, and that every look is logged."""

from __future__ import annotations

import re

from sqlalchemy import select

from gateway.audit.models import AuditEntry
from gateway.orgs import officers
from gateway.web.security import CSP
from tests.support.fg import event, put, register_officer
from tests.support.gateway import Gateway
from tests.support.idp import OFFICER, PARENT, STAFF, login, officer_login
from tests.support.portal import csrf_token

PUPIL_BSN = "111222333"


def _entries(portal: Gateway, **where: str) -> list[AuditEntry]:
    query = select(AuditEntry).filter_by(**where).order_by(AuditEntry.seq)
    with portal.services.db.sessions() as session:
        return list(session.scalars(query))


def test_a_registered_officer_logs_in_and_every_view_is_logged(portal: Gateway) -> None:
    school = portal.make_org("school_vo", name="Da Vinci College")
    register_officer(portal, school, OFFICER[1])
    answer = officer_login(portal.client)
    assert answer.status_code == 303 and answer.headers["location"] == "/portaal/fg/"

    page = portal.client.get("/portaal/fg/")
    assert page.status_code == 200
    assert "Overzicht voor Da Vinci College" in page.text
    assert page.headers["content-security-policy"] == CSP

    ref = portal.keyring.pseudonyms.officer_ref(OFFICER[1])
    acts = [(e.action, e.decision, e.purpose) for e in _entries(portal, org=school.id, actor=ref)]
    assert acts == [
        ("audit.fg_login", "permit", "audit.toezicht"),
        ("audit.read", "permit", "audit.toezicht"),
    ]
    # The registration itself is on the organisation's log, by the operator.
    assert [e.action for e in _entries(portal, org=school.id, actor="gateway-beheer")] == [
        "audit.officer_add"
    ]


def test_someone_who_is_no_officer_is_refused_in_dutch_and_logged(portal: Gateway) -> None:
    portal.make_org("school_vo", name="Da Vinci College")
    answer = officer_login(portal.client, STAFF)
    assert answer.status_code == 403
    assert "Geen toegang" in answer.text and "functionaris gegevensbescherming" in answer.text
    ref = portal.keyring.pseudonyms.officer_ref(STAFF[1])
    refused = _entries(portal, actor=ref)
    assert [(e.action, e.decision, e.code) for e in refused] == [
        ("audit.fg_login", "deny", "not_privacy_officer")
    ]
    # No session was left behind: the FG pages still send to the start.
    assert portal.client.get("/portaal/fg/zoeken", follow_redirects=False).status_code == 303


def test_a_parent_never_reaches_the_fg_pages_nor_an_fg_the_parents(portal: Gateway) -> None:
    school = portal.make_org("school_vo", name="Da Vinci College")
    register_officer(portal, school, OFFICER[1])
    assert login(portal.client, PARENT).status_code == 303
    for path in ("/portaal/fg/zoeken", "/portaal/fg/leerling", "/portaal/fg/register"):
        answer = portal.client.get(path, follow_redirects=False)
        assert (answer.status_code, answer.headers["location"]) == (303, "/portaal/fg/"), path
    assert "Inloggen als FG" in portal.client.get("/portaal/fg/").text
    # The parent's own pages keep working.
    assert portal.client.get("/portaal/kinderen").status_code == 200

    assert officer_login(portal.client).status_code == 303
    answer = portal.client.get("/portaal/kinderen", follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/portaal/")


def test_a_removed_registration_ends_the_session(portal: Gateway) -> None:
    school = portal.make_org("school_vo", name="Da Vinci College")
    register_officer(portal, school, OFFICER[1])
    assert officer_login(portal.client).status_code == 303
    with portal.services.db.sessions() as session, session.begin():
        officers.remove(
            session,
            org_id=school.id,
            sub=OFFICER[1],
            pseudonyms=portal.keyring.pseudonyms,
            catalog=portal.services.catalog,
            now=portal.clock.now(),
        )
    assert portal.client.get("/portaal/fg/zoeken", follow_redirects=False).status_code == 303


def test_an_officer_sees_only_its_own_log_and_attempts_on_its_objects(portal: Gateway) -> None:
    a = portal.make_org("school_vo", name="Da Vinci College")
    b = portal.make_org("school_po", name="OBS De Hien")
    register_officer(portal, a, OFFICER[1])
    pupil = portal.keyring.pseudonyms.subject_ref(PUPIL_BSN)
    put(
        portal,
        # B's own read of its own pupil: never on A's pages.
        event(b.id, actor="b-secret-actor", subject_ref=pupil, object_id="tr_b_own"),
        # A's try on B's object, answered as for an id that never existed.
        event(
            a.id,
            actor="a-curious",
            effect="deny",
            code="not_found",
            subject_ref=pupil,
            object_id="tr_b_owned",
            owner=b.id,
        ),
        # B's try on A's object: A's officer sees it.
        event(
            b.id,
            actor="b-prober",
            effect="deny",
            code="forbidden",
            subject_ref=pupil,
            object_id="tr_a_owned",
            owner=a.id,
        ),
    )
    assert officer_login(portal.client).status_code == 303
    page = portal.client.get("/portaal/fg/zoeken").text
    assert "b-secret-actor" not in page and "tr_b_own" not in page
    assert "b-prober" in page and "a-curious" in page
    # The strayed try shows without the pupil, the object or its owner.
    assert "tr_b_owned" not in page
    a_ref = portal.keyring.pseudonyms.for_org(pupil, a.id)
    b_ref = portal.keyring.pseudonyms.for_org(pupil, b.id)
    assert b_ref not in page and pupil not in page
    assert page.count(a_ref) == 1  # only on B's attempt on A's object

    csv = portal.client.get("/portaal/fg/export.csv").text
    assert "b-secret-actor" not in csv and "tr_b_owned" not in csv and b_ref not in csv

    # By pupil: the strayed try is not there at all, so it names no owner.
    form = portal.client.get("/portaal/fg/leerling").text
    found = portal.client.post(
        "/portaal/fg/leerling", data={"bsn": PUPIL_BSN, "csrf_token": csrf_token(form)}
    )
    assert found.status_code == 200
    assert "a-curious" not in found.text and "b-secret-actor" not in found.text
    assert "b-prober" in found.text and a_ref in found.text


def test_the_subject_look_up_takes_the_bsn_only_from_a_post_body(portal: Gateway) -> None:
    school = portal.make_org("school_vo", name="Da Vinci College")
    register_officer(portal, school, OFFICER[1])
    assert officer_login(portal.client).status_code == 303
    form = portal.client.get("/portaal/fg/leerling").text
    assert 'method="post"' in form and 'name="bsn"' in form
    # A BSN in the URL opens nothing: the GET page ignores it.
    asked = portal.client.get(f"/portaal/fg/leerling?bsn={PUPIL_BSN}")
    assert "Leerling met BSN" not in asked.text
    # Without the CSRF token the POST is refused.
    assert portal.client.post("/portaal/fg/leerling", data={"bsn": PUPIL_BSN}).status_code == 403
    # A number failing the 11-proef is refused before anything is looked up.
    bad = portal.client.post(
        "/portaal/fg/leerling", data={"bsn": "123456789", "csrf_token": csrf_token(form)}
    )
    assert bad.status_code == 422 and "geen geldig BSN" in bad.text
    good = portal.client.post(
        "/portaal/fg/leerling", data={"bsn": PUPIL_BSN, "csrf_token": csrf_token(form)}
    )
    assert "Leerling met BSN" in good.text
    assert PUPIL_BSN not in good.text  # shown masked only
    pupil = portal.keyring.pseudonyms.subject_ref(PUPIL_BSN)
    searched = [e for e in _entries(portal, org=school.id) if e.action == "audit.search"]
    assert [e.subject_ref for e in searched] == [pupil]
    # No page of the FG links to a URL with a BSN in it.
    assert not re.search(r'(?:href|action)="[^"]*\d{9}', good.text)


def test_the_csv_export_is_an_attachment_and_defuses_formulas(portal: Gateway) -> None:
    school = portal.make_org("school_vo", name="Da Vinci College")
    register_officer(portal, school, OFFICER[1])
    put(portal, event(school.id, actor="=HYPERLINK(1)"), event(school.id, actor="@SUM(A1)"))
    put(portal, event(school.id, actor="+cmd"), event(school.id, actor="-2+3"))
    assert officer_login(portal.client).status_code == 303
    answer = portal.client.get("/portaal/fg/export.csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"].startswith('attachment; filename="logboek-')
    cells = [cell for line in answer.text.splitlines() for cell in line.split(",")]
    for dangerous in ("=HYPERLINK(1)", "@SUM(A1)", "+cmd", "-2+3"):
        assert "'" + dangerous in cells and dangerous not in cells
    ref = portal.keyring.pseudonyms.officer_ref(OFFICER[1])
    assert "audit.export" in [e.action for e in _entries(portal, org=school.id, actor=ref)]


def test_search_filters_and_refuses_a_purpose_the_catalog_does_not_know(portal: Gateway) -> None:
    school = portal.make_org("school_vo", name="Da Vinci College")
    register_officer(portal, school, OFFICER[1])
    put(
        portal,
        event(school.id, actor="lezer-1"),
        event(school.id, actor="weiger-1", effect="deny", code="no_consent"),
        event(school.id, actor="tlv-1", purpose="tlv.aanvraag"),
    )
    assert officer_login(portal.client).status_code == 303
    denied = portal.client.get("/portaal/fg/zoeken?beslissing=deny").text
    assert "weiger-1" in denied and "lezer-1" not in denied
    tlv = portal.client.get("/portaal/fg/zoeken?doel=tlv.aanvraag").text
    assert "tlv-1" in tlv and "lezer-1" not in tlv
    assert portal.client.get("/portaal/fg/zoeken?doel=geen.doel").status_code == 422
    later = portal.client.get("/portaal/fg/zoeken?van=2030-01-01").text
    assert "lezer-1" not in later
