"""Who may state facts about a pupil (DOMAIN §7): the attacks on those facts, over HTTP.

The school where the pupil is enrolled says who the pupil is and who holds gezag; no
other organisation can set or change it, a conflicting statement is refused and never
written over, and every refusal is in the log of the school whose record it touched.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from consent.models import GezagRelation
from gateway.enrolments.models import Enrolment
from gateway.subjects import service as subjects
from tests.support.consent import (
    MOTHER_BSN,
    OTHER_BSN,
    REFERRAL,
    consent_body,
    grant,
    parent,
    post_gezag,
    pupil_aged,
    register_gezag,
)
from tests.support.gateway import (
    REGISTRATION,
    Gateway,
    Org,
    audit_log,
    audited,
    enrol_pupil,
    make_dossier,
)

PUPIL = {"bsn": "111222333", "birth_date": "2004-09-01", "given_name": "Sam"}
STRANGER = {"bsn": OTHER_BSN, "name": "Een vreemde", "role": "parent"}


def gezag_rows(gateway: Gateway) -> int:
    with gateway.services.db.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(GezagRelation)) or 0)


def test_only_the_enrolled_school_registers_gezag(gateway: Gateway) -> None:
    school = audited(gateway, "school_po")
    wijkteam, other_school = gateway.make_org("wijkteam"), gateway.make_org("school_po")
    assert (
        register_gezag(gateway, school, PUPIL, parent(bsn=MOTHER_BSN), has=True).status_code == 201
    )
    before = gezag_rows(gateway)

    attempts = [
        post_gezag(gateway, wijkteam, PUPIL, STRANGER, has=True),
        post_gezag(gateway, wijkteam, PUPIL, STRANGER, has=True, purpose="nonsense.purpose"),
        post_gezag(gateway, other_school, PUPIL, STRANGER, has=True),
        post_gezag(gateway, other_school, PUPIL, parent(bsn=MOTHER_BSN), has=False),
        post_gezag(gateway, school, PUPIL, STRANGER, has=True, purpose=REFERRAL),
    ]

    assert [(r.status_code, r.json()["code"]) for r in attempts] == [
        (403, "not_authoritative"),
        (403, "purpose_mismatch"),
        (403, "not_authoritative"),
        (403, "not_authoritative"),
        (403, "purpose_mismatch"),
    ]
    assert gezag_rows(gateway) == before
    refused = [e for e in audit_log(gateway, school) if e["action"] == "consent.gezag"]
    assert [e["org"] for e in refused if e["decision"] == "deny"] == [  # newest first
        school.id,
        other_school.id,
        other_school.id,
        wijkteam.id,
        wijkteam.id,
    ]


def test_a_stranger_named_by_another_org_cannot_consent_as_parent(gateway: Gateway) -> None:
    school, wijkteam = gateway.make_org("school_po"), gateway.make_org("wijkteam")
    enrol_pupil(gateway, school, PUPIL)
    assert post_gezag(gateway, wijkteam, PUPIL, STRANGER, has=True).status_code == 403

    stranger = {"role": "parent", "name": "Een vreemde", "bsn": OTHER_BSN}
    body = consent_body([wijkteam.id], subject=PUPIL, granted_by=[stranger])
    refused = grant(gateway, school, body, gezag=False)

    assert (refused.status_code, refused.json()["code"]) == (422, "gezag_unknown")


def aanmelden(gateway: Gateway, school: Org, subject: dict[str, Any]) -> Any:
    return gateway.client.post(
        "/v1/enrolments",
        json={"subject": subject},
        headers=school.headers(purpose="overdracht.po_vo", actor="admin-2"),
    )


def test_an_unrelated_school_cannot_change_the_birth_date_on_record(gateway: Gateway) -> None:
    """Nor learn it: its aanmelding with a wrong birth date is answered as one with the
    right date, and the record stands (discretion, as for the meldcode)."""
    school = audited(gateway, "school_po")
    intruder, honest = gateway.make_org("school_vo"), gateway.make_org("school_vo")
    enrol_pupil(gateway, school, PUPIL)

    poisoned = aanmelden(gateway, intruder, {**PUPIL, "birth_date": "2000-01-01"})
    matching = aanmelden(gateway, honest, PUPIL)

    assert (poisoned.status_code, matching.status_code) == (201, 201), poisoned.text
    assert sorted(poisoned.json()) == sorted(matching.json())
    assert poisoned.json()["subject_ref"] != matching.json()["subject_ref"]  # per org
    assert "2000" not in poisoned.text and PUPIL["birth_date"] not in poisoned.text
    with gateway.services.db.sessions() as session:
        ref = gateway.keyring.pseudonyms.subject_ref(PUPIL["bsn"])
        on_record = subjects.identity(session, ref, keyring=gateway.keyring)
        record = session.get(subjects.Subject, ref)
    assert on_record is not None and on_record.birth_date.isoformat() == PUPIL["birth_date"]
    assert record is not None and record.stated_by == school.id
    registered = [e for e in audit_log(gateway, school) if e["action"] == "enrolment.register"]
    assert {intruder.id, honest.id} <= {e["org"] for e in registered}


def test_the_school_holding_the_record_is_refused_a_conflict(gateway: Gateway) -> None:
    """The school whose record it is knows the facts: its conflict is refused, 409. A
    school with only an aanmelding does not: it gets what a matching statement gets."""
    school = audited(gateway, "school_po")
    vo = gateway.make_org("school_vo")
    enrol_pupil(gateway, school, PUPIL)
    assert aanmelden(gateway, vo, PUPIL).status_code == 201

    again = gateway.client.post(
        "/v1/enrolments",
        json={"subject": {**PUPIL, "birth_date": "2000-01-01"}},
        headers=school.headers(purpose="overdracht.po_po", actor="admin-1"),
    )
    aangemeld_vo = aanmelden(gateway, vo, {**PUPIL, "birth_date": "2000-01-01"})
    matching_vo = aanmelden(gateway, vo, PUPIL)

    assert (again.status_code, again.json()["code"]) == (409, "subject_conflict")
    # An aanmelding, which any school registers on its own say, is no key to the facts:
    # the VO school's wrong date is answered as its right one (its aanmelding exists).
    assert (aangemeld_vo.status_code, aangemeld_vo.json()["code"]) == (409, "enrolment_exists")
    assert aangemeld_vo.json() == matching_vo.json()
    assert "2000" not in again.text and PUPIL["birth_date"] not in again.text


def test_a_push_naming_another_birth_date_is_refused_and_stores_nothing(gateway: Gateway) -> None:
    school, vo = gateway.make_org("school_po"), gateway.make_org("school_vo")
    enrol_pupil(gateway, school, PUPIL)
    response = gateway.client.post(
        "/v1/enrolments",
        json={"subject": PUPIL},
        headers=vo.headers(purpose="overdracht.po_vo", actor="admin-vo"),
    )
    assert response.status_code == 201, response.text

    pushed = gateway.client.post(
        "/v1/transfers",
        json={
            "recipient": vo.id,
            "subject": {**PUPIL, "given_name": "Samuel"},
            "dossier": make_dossier(),
        },
        headers=school.headers(purpose="overdracht.po_vo", actor="ib-1"),
    )

    assert (pushed.status_code, pushed.json()["code"]) == (409, "subject_conflict")
    listed = gateway.client.get("/v1/transfers?box=outbox", headers=school.headers())
    assert listed.json()["items"] == []


def test_the_enrolled_school_replaces_a_provisional_record_on_record(gateway: Gateway) -> None:
    """Another party's first mention is provisional: the school's statement wins, logged."""
    school, wijkteam = audited(gateway, "school_po"), gateway.make_org("wijkteam")
    veilig_thuis = gateway.make_org("veilig_thuis")
    report = gateway.client.post(
        "/v1/transfers",
        json={
            "recipient": veilig_thuis.id,
            "subject": {**PUPIL, "birth_date": "2004-09-02"},
            "dossier": {"leerling": {}},
            "meldcode": {
                "steps": ["signalen", "collegiale_consultatie", "gesprek", "afweging", "besluit"],
                "reasons": ["Signalen van mishandeling"],
                "parents_told": True,
            },
        },
        headers=wijkteam.headers(purpose="meldcode.melding", actor="jp-1"),
    )
    assert report.status_code == 201, report.text

    enrol_pupil(gateway, school, PUPIL)

    with gateway.services.db.sessions() as session:
        ref = gateway.keyring.pseudonyms.subject_ref(PUPIL["bsn"])
        on_record = subjects.identity(session, ref, keyring=gateway.keyring)
    assert on_record is not None and on_record.birth_date.isoformat() == PUPIL["birth_date"]
    restated = [e for e in audit_log(gateway, school) if e["action"] == "subject.restate"]
    assert [(e["org"], e["decision"]) for e in restated] == [(school.id, "permit")]


def test_the_enrolled_school_corrects_the_facts_and_no_one_else_can(gateway: Gateway) -> None:
    school, other = audited(gateway, "school_po"), gateway.make_org("school_po")
    enrol_pupil(gateway, school, PUPIL)
    corrected = {**PUPIL, "birth_date": "2004-10-01"}

    refused = gateway.client.post(
        "/v1/subjects/correction",
        json={"subject": corrected},
        headers=other.headers(purpose="rechten.correctie", actor="admin-2"),
    )
    wrong_purpose = gateway.client.post(
        "/v1/subjects/correction",
        json={"subject": corrected},
        headers=school.headers(purpose=REGISTRATION, actor="admin-1"),
    )
    done = gateway.client.post(
        "/v1/subjects/correction",
        json={"subject": corrected},
        headers=school.headers(purpose="rechten.correctie", actor="admin-1"),
    )

    assert (refused.status_code, refused.json()["code"]) == (403, "not_authoritative")
    assert (wrong_purpose.status_code, wrong_purpose.json()["code"]) == (403, "purpose_mismatch")
    assert done.status_code == 200, done.text
    with gateway.services.db.sessions() as session:
        ref = gateway.keyring.pseudonyms.subject_ref(PUPIL["bsn"])
        on_record = subjects.identity(session, ref, keyring=gateway.keyring)
    assert on_record is not None and on_record.birth_date.isoformat() == "2004-10-01"
    log = [(e["action"], e["decision"], e["org"]) for e in audit_log(gateway, school)]
    assert ("subject.correct", "deny", other.id) in log
    assert ("subject.correct", "permit", school.id) in log


def test_only_a_party_to_the_flow_registers_its_consent(gateway: Gateway) -> None:
    school, wijkteam = gateway.make_org("school_po"), gateway.make_org("wijkteam")
    leerplicht = gateway.make_org("leerplicht")
    body = consent_body([wijkteam.id], subject=pupil_aged(10), granted_by=[parent()])

    refused = grant(gateway, leerplicht, body)
    accepted = grant(gateway, school, body)

    assert (refused.status_code, refused.json()["code"]) == (403, "not_party")
    assert accepted.status_code == 201, accepted.text


def test_each_organisation_gets_its_own_stable_pseudonym(gateway: Gateway) -> None:
    first, second = gateway.make_org("school_vo"), gateway.make_org("school_vo")

    def enrolled(org: Org) -> str:
        response = gateway.client.post(
            "/v1/enrolments",
            json={"subject": PUPIL},
            headers=org.headers(purpose="overdracht.po_vo", actor="admin-1"),
        )
        assert response.status_code == 201, response.text
        return str(response.json()["subject_ref"])

    mine, theirs = enrolled(first), enrolled(second)
    consent_search = gateway.client.post(
        "/v1/consents/search",
        json={"subject": PUPIL},
        headers=first.headers(purpose=REFERRAL, actor="admin-1"),
    )

    assert mine != theirs
    assert PUPIL["bsn"] not in mine + theirs
    assert gateway.internal_ref(first, mine) == gateway.internal_ref(second, theirs)
    assert gateway.keyring.pseudonyms.from_org(mine, second.id) is None
    assert consent_search.status_code == 200
    again = gateway.client.post(
        "/v1/subjects/correction",
        json={"subject": PUPIL},
        headers=first.headers(purpose="rechten.correctie", actor="admin-1"),
    )
    assert again.json()["subject_ref"] == mine


def test_every_answer_names_the_pupil_by_the_callers_own_pseudonym(gateway: Gateway) -> None:
    po = audited(gateway, "school_po")
    vo, wijkteam = audited(gateway, "school_vo"), audited(gateway, "wijkteam")
    seen: list[tuple[Org, str]] = []

    def keep(org: Org, response: Any, *path: str | int) -> None:
        assert response.status_code in (200, 201), response.text
        found: Any = response.json()
        for step in path:
            found = found[step]
        seen.append((org, found))

    keep(po, register_gezag(gateway, po, PUPIL, parent(bsn=MOTHER_BSN), has=True), "subject_ref")
    keep(
        vo,
        gateway.client.post(
            "/v1/enrolments", json={"subject": PUPIL}, headers=vo.headers(actor="admin-vo")
        ),
        "subject_ref",
    )
    pushed = gateway.client.post(
        "/v1/transfers",
        json={
            "recipient": vo.id,
            "subject": PUPIL,
            "dossier": make_dossier(),
            "inzage": {"date": "2016-04-14", "akkoord": True},
        },
        headers=po.headers(actor="ib-1"),
    )
    keep(po, pushed, "subject_ref")
    keep(
        po,
        gateway.client.get("/v1/transfers?box=outbox", headers=po.headers()),
        "items",
        0,
        "subject_ref",
    )
    keep(
        vo,
        gateway.client.get("/v1/transfers?box=inbox", headers=vo.headers()),
        "items",
        0,
        "subject_ref",
    )
    keep(
        vo,
        gateway.client.get(f"/v1/transfers/{pushed.json()['id']}", headers=vo.headers()),
        "subject_ref",
    )
    body = consent_body([wijkteam.id], subject=PUPIL, granted_by=[parent()])
    consent = grant(gateway, po, body, gezag=False)
    keep(po, consent, "subject_ref")
    keep(
        wijkteam,
        gateway.client.get(
            f"/v1/consents/{consent.json()['id']}", headers=wijkteam.headers(REFERRAL)
        ),
        "subject_ref",
    )
    officer = {"purpose": "audit.toezicht", "actor": "fg"}
    for org in (po, vo, wijkteam):
        log = gateway.client.get("/v1/audit/events", headers=org.headers(**officer))
        refs = {e["subject_ref"] for e in log.json()["items"] if e["subject_ref"]}
        seen.extend((org, ref) for ref in refs)

    internal = gateway.keyring.pseudonyms.subject_ref(PUPIL["bsn"])
    for org, ref in seen:
        assert ref.startswith("ps_") and gateway.internal_ref(org, ref) == internal, (org.kind, ref)
    by_org = {org.id: {ref for o, ref in seen if o.id == org.id} for org in (po, vo, wijkteam)}
    assert all(len(refs) == 1 for refs in by_org.values()), by_org
    assert len(set().union(*by_org.values())) == 3


def test_a_school_that_only_received_an_aanmelding_cannot_take_over_the_record(
    gateway: Gateway,
) -> None:
    """Any school can receive an aanmelding; what the enrolled school stated stays its own."""
    school = audited(gateway, "school_po")
    intruder = gateway.make_org("school_vo")
    assert (
        register_gezag(gateway, school, PUPIL, parent(bsn=MOTHER_BSN), has=True).status_code == 201
    )
    enrolled = gateway.client.post(
        "/v1/enrolments",
        json={"subject": PUPIL},
        headers=intruder.headers(purpose="overdracht.po_vo", actor="admin-2"),
    )
    assert enrolled.status_code == 201, enrolled.text
    before = gezag_rows(gateway)

    injected = post_gezag(gateway, intruder, PUPIL, STRANGER, has=True)
    demoted = post_gezag(gateway, intruder, PUPIL, parent(bsn=MOTHER_BSN), has=False)
    corrected = gateway.client.post(
        "/v1/subjects/correction",
        json={"subject": {**PUPIL, "birth_date": "2000-01-01"}},
        headers=intruder.headers(purpose="rechten.correctie", actor="admin-2"),
    )

    for response in (injected, demoted, corrected):
        assert (response.status_code, response.json()["code"]) == (403, "not_authoritative")
    assert gezag_rows(gateway) == before
    with gateway.services.db.sessions() as session:
        ref = gateway.keyring.pseudonyms.subject_ref(PUPIL["bsn"])
        on_record = subjects.identity(session, ref, keyring=gateway.keyring)
    assert on_record is not None and on_record.birth_date.isoformat() == PUPIL["birth_date"]
    tries = [
        e for e in audit_log(gateway, school) if e["org"] == intruder.id and e["decision"] == "deny"
    ]
    assert sorted(e["action"] for e in tries) == [
        "consent.gezag",
        "consent.gezag",
        "subject.correct",
    ]


def test_when_the_pupil_moves_on_the_school_enrolled_now_takes_the_record_over(
    gateway: Gateway,
) -> None:
    old, new = gateway.make_org("school_po"), gateway.make_org("school_po")
    assert register_gezag(gateway, old, PUPIL, parent(bsn=MOTHER_BSN), has=True).status_code == 201
    enrol_pupil(gateway, new, PUPIL)
    assert post_gezag(gateway, new, PUPIL, STRANGER, has=True).status_code == 403

    listed = gateway.client.post(
        "/v1/enrolments",
        json={"subject": PUPIL, "status": "ingeschreven"},
        headers=old.headers(purpose=REGISTRATION, actor="admin-1"),
    )
    assert listed.json()["code"] == "enrolment_exists"
    enrolment_id = _enrolment_of(gateway, old)
    left = gateway.client.patch(
        f"/v1/enrolments/{enrolment_id}",
        json={"status": "uitgeschreven"},
        headers=old.headers(purpose=REGISTRATION, actor="admin-1"),
    )
    assert left.status_code == 200, left.text

    assert post_gezag(gateway, new, PUPIL, STRANGER, has=True).status_code == 201


def _enrolment_of(gateway: Gateway, school: Org) -> str:
    with gateway.services.db.sessions() as session:
        found = session.scalars(select(Enrolment.id).where(Enrolment.org_id == school.id)).one()
    return str(found)


def test_a_provisional_record_binds_no_one_who_reports_after_it(gateway: Gateway) -> None:
    """A first mention with a wrong birth date cannot make another party's report fail:
    only what the school where the pupil is enrolled stated is refused against."""
    stranger, wijkteam = gateway.make_org("wijkteam"), gateway.make_org("wijkteam")
    veilig_thuis = gateway.make_org("veilig_thuis")

    def report(by: Org, birth_date: str) -> Any:
        return gateway.client.post(
            "/v1/transfers",
            json={
                "recipient": veilig_thuis.id,
                "subject": {**PUPIL, "birth_date": birth_date},
                "dossier": {"leerling": {}},
                "meldcode": {
                    "steps": [
                        "signalen",
                        "collegiale_consultatie",
                        "gesprek",
                        "afweging",
                        "besluit",
                    ],
                    "reasons": ["Signalen van mishandeling"],
                    "parents_told": True,
                },
            },
            headers=by.headers(purpose="meldcode.melding", actor="jp-1"),
        )

    assert report(stranger, "2004-09-02").status_code == 201
    second = report(wijkteam, PUPIL["birth_date"])
    assert second.status_code == 201, second.text
    with gateway.services.db.sessions() as session:
        ref = gateway.keyring.pseudonyms.subject_ref(PUPIL["bsn"])
        on_record = subjects.identity(session, ref, keyring=gateway.keyring)
    # Still provisional, as first mentioned: the school's statement will replace it.
    assert on_record is not None and on_record.birth_date.isoformat() == "2004-09-02"
