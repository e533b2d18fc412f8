"""A rights request refused or restricted on a ground the law names, and told in words.

Veilig Thuis or the JGZ may withhold what a parent asks in the interest of the child
(Jeugdwet art. 7.3.11 lid 3) or to protect someone else's privacy (lid 1); any
controller where AVG art. 23 with UAVG art. 41 allows it. The refusal goes on record
with its ground (rule) and statute (legal basis); the parent reads it in the portal
with the ground explained and where to go if they disagree. A ground the caller may
not invoke is refused, on record.
"""

from __future__ import annotations

import html
import re
from typing import Any

from gateway.orgs.scopes import default_scopes
from tests.support.gateway import Gateway, Org, audit_log
from tests.support.idp import PARENT, login
from tests.support.portal import CHILD, child_url, register_gezag

REMEDY = "U kunt ook een klacht indienen bij de Autoriteit Persoonsgegevens"


def org(gateway: Gateway, kind: str, name: str) -> Org:
    return gateway.make_org(kind, name=name, scopes=[*default_scopes(kind), "audit:read"])


def refuse(
    gateway: Gateway,
    by: Org,
    *,
    right: str = "rechten.inzage",
    outcome: str = "refused",
    ground: str = "child_interest",
    subject: dict[str, str] | None = None,
    requester: str = "parent",
) -> Any:
    return gateway.client.post(
        "/v1/rights/refusals",
        json={
            "subject": subject or CHILD,
            "requester": requester,
            "outcome": outcome,
            "ground": ground,
        },
        headers=by.headers(purpose=right, actor="behandelaar-1", role="behandelaar"),
    )


def report(gateway: Gateway, sender: Org, vt: Org, subject: dict[str, str] = CHILD) -> None:
    """A meldcode report (parents told) from `sender` to Veilig Thuis: both then hold the
    pupil's data, and may answer a request about it."""
    steps = ["signalen", "collegiale_consultatie", "gesprek", "afweging", "besluit"]
    sent = gateway.client.post(
        "/v1/transfers",
        json={
            "recipient": vt.id,
            "subject": subject,
            "dossier": {"leerling": {}},
            "meldcode": {"steps": steps, "reasons": ["Signalen"], "parents_told": True},
        },
        headers=sender.headers(
            purpose="meldcode.melding", actor="af-1", role="aandachtsfunctionaris"
        ),
    )
    assert sent.status_code == 201, sent.text


def page_text(gateway: Gateway) -> str:
    page = gateway.client.get(child_url(gateway.client)).text
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_veilig_thuis_refuses_inzage_for_the_child_and_the_parent_reads_why(
    portal: Gateway,
) -> None:
    school = org(portal, "school_po", "OBS De Hien")
    register_gezag(portal, school, CHILD, PARENT[1])
    vt = org(portal, "veilig_thuis", "Veilig Thuis Zuid-Holland Zuid")
    report(portal, school, vt)

    refused = refuse(portal, vt)

    assert refused.status_code == 201, refused.text
    body = refused.json()
    assert (body["right"], body["outcome"], body["ground"]) == (
        "rechten.inzage",
        "refused",
        "child_interest",
    )
    assert body["legal_basis"].startswith("Jeugdwet art. 7.3.11 lid 3")
    # On record with its ground and statute, in Veilig Thuis's own log.
    (entry,) = [e for e in audit_log(portal, vt) if e["action"] == "rights.refused"]
    assert entry["rule"] == "rechten.inzage/refused/child_interest"
    assert entry["legal_basis"].startswith("Jeugdwet art. 7.3.11 lid 3")
    assert (entry["decision"], entry["purpose"]) == ("permit", "rechten.inzage")

    assert login(portal.client, PARENT).status_code == 303
    text = page_text(portal)
    assert "Verzoeken die zijn geweigerd of beperkt" in text
    assert (
        "Veilig Thuis Zuid-Holland Zuid heeft een verzoek om inzage (de gegevens bekijken) "
        "geweigerd op 15 april 2016 om 11:00." in text
    ), text
    assert "Waarom? De organisatie vindt dat het nu niet goed is voor uw kind" in text
    assert "Jeugdwet (artikel 7.3.11, lid 3)" in text
    assert REMEDY in text
    assert "weigerde een verzoek voor uw recht op inzage" in text


def test_the_jgz_restricts_a_correction_to_protect_someone_else(portal: Gateway) -> None:
    school = org(portal, "school_po", "OBS De Hien")
    register_gezag(portal, school, CHILD, PARENT[1])
    jgz = org(portal, "jgz", "JGZ Zuid-Holland Zuid")
    report(portal, jgz, org(portal, "veilig_thuis", "Veilig Thuis Zuid-Holland Zuid"))

    restricted = refuse(
        portal, jgz, right="rechten.correctie", outcome="restricted", ground="third_party_interest"
    )

    assert restricted.status_code == 201, restricted.text
    assert login(portal.client, PARENT).status_code == 303
    text = page_text(portal)
    assert (
        "JGZ Zuid-Holland Zuid heeft een verzoek om verbetering van gegevens maar voor een "
        "deel uitgevoerd op 15 april 2016 om 11:00. U krijgt niet alles wat u vroeg." in text
    ), text
    assert "In de gegevens staat ook iets over iemand anders" in text
    # Another person's privacy is lid 1 of the article; lid 3 is the child's interest.
    assert "Jeugdwet (artikel 7.3.11, lid 1)" in text
    body = restricted.json()
    assert body["legal_basis"] == "Jeugdwet art. 7.3.11 lid 1 (privacy of another person)"


def test_a_school_cannot_invoke_the_jeugdwet_but_may_restrict_under_avg_23(
    portal: Gateway,
) -> None:
    school = org(portal, "school_po", "OBS De Hien")
    register_gezag(portal, school, CHILD, PARENT[1])

    jeugdwet = refuse(portal, school)
    assert (jeugdwet.status_code, jeugdwet.json()["code"]) == (403, "ground_not_applicable")
    denied = [e for e in audit_log(portal, school) if e["action"] == "rights.refused"]
    assert [(e["decision"], e["rule"]) for e in denied] == [
        ("deny", "rights.refused/deny/ground_not_applicable")
    ]
    assert login(portal.client, PARENT).status_code == 303
    assert "Verzoeken die zijn geweigerd of beperkt" not in page_text(portal)

    avg = refuse(portal, school, outcome="restricted", ground="avg_23")
    assert avg.status_code == 201, avg.text
    assert avg.json()["legal_basis"].startswith("AVG art. 23 and UAVG art. 41")
    assert "privacywet (AVG, artikel 23, en Uitvoeringswet AVG, artikel 41)" in page_text(portal)


def test_only_a_request_the_catalog_lets_the_caller_answer_can_be_refused(
    portal: Gateway,
) -> None:
    school = org(portal, "school_po", "OBS De Hien")
    vt = org(portal, "veilig_thuis", "Veilig Thuis Zuid-Holland Zuid")
    report(portal, school, vt)
    not_a_right = refuse(portal, vt, right="overdracht.po_vo")
    assert (not_a_right.status_code, not_a_right.json()["code"]) == (403, "flow_not_allowed")
    # At 17 the pupil exercises the rights, not the parent (DOMAIN §5).
    older = {**CHILD, "bsn": "123456782", "birth_date": "1998-09-01"}
    report(portal, school, vt, older)
    not_entitled = refuse(portal, vt, subject=older, requester="parent")
    assert not_entitled.status_code == 403, not_entitled.text
    assert not_entitled.json()["code"] == "requester_not_entitled"
    unknown = refuse(portal, vt, ground="because")
    assert unknown.status_code == 422
    assert "because" not in unknown.text and CHILD["bsn"] not in unknown.text


def test_an_organisation_without_the_pupils_data_cannot_record_a_refusal(
    portal: Gateway,
) -> None:
    """A stranger would put a false refusal before the parents; to it the pupil is
    unknown, exactly as a pupil the gateway has never seen, and the try is on record."""
    school = org(portal, "school_po", "OBS De Hien")
    register_gezag(portal, school, CHILD, PARENT[1])
    stranger = org(portal, "school_po", "Vreemde school")
    known = refuse(portal, stranger, outcome="restricted", ground="avg_23")
    never_seen = refuse(
        portal,
        stranger,
        outcome="restricted",
        ground="avg_23",
        subject={**CHILD, "bsn": "123456782"},
    )
    assert known.status_code == never_seen.status_code == 404
    assert known.json() == never_seen.json()
    tries = [e for e in audit_log(portal, stranger) if e["action"] == "rights.restricted"]
    assert [(e["decision"], e["code"]) for e in tries] == [("deny", "not_found")] * 2
    assert login(portal.client, PARENT).status_code == 303
    assert "Verzoeken die zijn geweigerd of beperkt" not in page_text(portal)


def test_a_reporter_learns_nothing_of_the_record_from_a_refusal(portal: Gateway) -> None:
    """Sending a melding makes a party hold the pupil's data, not the pupil's record: its
    statement of another birth date is answered as the right one, and the record stands."""
    school = org(portal, "school_po", "OBS De Hien")
    register_gezag(portal, school, CHILD, PARENT[1])
    reporter = org(portal, "wijkteam", "Wijkteam Noord")
    vt = org(portal, "veilig_thuis", "Veilig Thuis Zuid-Holland Zuid")
    report(portal, reporter, vt, {**CHILD, "birth_date": "2004-09-02"})

    right = refuse(portal, reporter, outcome="restricted", ground="avg_23")
    wrong = refuse(
        portal,
        reporter,
        outcome="restricted",
        ground="avg_23",
        subject={**CHILD, "birth_date": "2004-09-02"},
    )

    assert right.status_code == wrong.status_code == 201, wrong.text
    assert sorted(right.json()) == sorted(wrong.json())
    # The school where the pupil is enrolled still is refused a conflict.
    own = refuse(
        portal,
        school,
        outcome="restricted",
        ground="avg_23",
        subject={**CHILD, "birth_date": "2004-09-02"},
    )
    assert (own.status_code, own.json()["code"]) == (409, "subject_conflict")
