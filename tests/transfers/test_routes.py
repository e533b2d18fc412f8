"""The routes DOMAIN.md §3 asks for that the first catalog missed, pushed between real
organisations over the HTTP app: VO to MBO, a PO school to the SWV VO, the experts'
advice for a TLV, the SWV at the thuiszitters table, school social work and the JGZ on
referral and feedback, health data on explicit consent, and the knooppunt outside a case
(the dry run; "both parents" are both who hold gezag).
"""

from __future__ import annotations

from typing import Any

from consent.state import consent_state
from policies.engine import evaluate
from policies.model import Decision, Preconditions, Request
from tests.support.consent import (
    FATHER_BSN,
    MOTHER_BSN,
    NAMES,
    consent_body,
    grant,
    granted,
    guardian,
    parent,
    pupil_aged,
    register_gezag,
)
from tests.support.gateway import Gateway, Org, audit_log, audited, lawful_dossier

HEALTH = {"diagnoses": [{"omschrijving": "Autisme", "vastgesteld_door": "gz_psycholoog"}]}


def push(
    gateway: Gateway,
    sender: Org,
    recipient: Org,
    purpose: str,
    dossier: dict[str, Any],
    subject: dict[str, str],
    **extra: Any,
) -> Any:
    return gateway.client.post(
        "/v1/transfers",
        headers=sender.headers(purpose),
        json={"recipient": recipient.id, "subject": subject, "dossier": dossier, **extra},
    )


def read(gateway: Gateway, org: Org, purpose: str, transfer_id: str) -> Any:
    return gateway.client.get(f"/v1/transfers/{transfer_id}", headers=org.headers(purpose))


def dry_run(gateway: Gateway, org: Org, **body: Any) -> dict[str, Any]:
    response = gateway.client.post(
        "/v1/policies/evaluate", json=body, headers=org.headers("knooppunt.casus")
    )
    assert response.status_code == 200, response.text
    decision: dict[str, Any] = response.json()["decision"]
    return decision


def test_vo_school_hands_the_dossier_to_the_mbo_after_the_aanmelding(gateway: Gateway) -> None:
    vo, mbo = gateway.make_org("school_vo"), audited(gateway, "mbo")
    student = pupil_aged(16, bsn="269326728")
    purpose = "overdracht.vo_mbo"
    dossier = lawful_dossier(["school", "leerling", "oudersverzorgers", "schoolloopbaan", "vombo"])

    early = push(gateway, vo, mbo, purpose, dossier, student)
    assert early.status_code == 403
    assert early.json()["code"] == "no_enrolment"

    # The MBO school registers the aanmelding itself: its default scopes allow it.
    enrolled = gateway.client.post(
        "/v1/enrolments",
        json={"subject": student, "status": "aangemeld"},
        headers=mbo.headers(purpose, actor="slb-1"),
    )
    assert enrolled.status_code == 201, enrolled.text
    pushed = push(gateway, vo, mbo, purpose, dossier, student)
    assert pushed.status_code == 201, pushed.text
    assert pushed.json()["status"] == "awaiting_inzage"
    transfer_id = pushed.json()["id"]
    assert read(gateway, mbo, purpose, transfer_id).json()["code"] == "inzage_missing"

    inzage = gateway.client.post(
        f"/v1/transfers/{transfer_id}/inzage",
        json={"date": "2016-04-14", "akkoord": True},
        headers=vo.headers(purpose),
    )
    assert inzage.status_code == 200, inzage.text
    got = read(gateway, mbo, purpose, transfer_id)
    assert got.status_code == 200, got.text
    assert got.json()["dossier"] == dossier
    actions = [(e["action"], e["decision"]) for e in audit_log(gateway, mbo)]
    assert ("transfer.read", "permit") in actions

    vve = push(gateway, vo, mbo, purpose, {**dossier, "vve": {"programma": "Piramide"}}, student)
    assert vve.status_code == 422
    assert vve.json()["code"] == "category_forbidden"


def test_a_primary_school_asks_the_vo_partnership_for_a_tlv(gateway: Gateway) -> None:
    school, swv = gateway.make_org("school_sbo"), gateway.make_org("swv_vo")
    request = lawful_dossier(
        ["school", "leerling", "oudersverzorgers", "schoolloopbaan", "onderwijsondersteuning",
         "tlv_aanvraag", "opp"]
    )  # fmt: skip
    pushed = push(gateway, school, swv, "tlv.aanvraag", request, pupil_aged(12))
    assert pushed.status_code == 201, pushed.text
    got = read(gateway, swv, "tlv.aanvraag", pushed.json()["id"])
    assert got.json()["dossier"] == request


def test_the_swv_asks_its_experts_and_health_data_go_only_to_the_jeugdarts(
    gateway: Gateway,
) -> None:
    swv, jgz, smw = (gateway.make_org(kind) for kind in ("swv_po", "jgz", "smw"))
    pupil = pupil_aged(9)
    question = {**lawful_dossier(["leerling", "tlv_aanvraag", "opp"]), "gezondheid": HEALTH}
    pushed = push(gateway, swv, jgz, "tlv.advies", question, pupil)
    assert pushed.status_code == 201, pushed.text
    assert read(gateway, jgz, "tlv.advies", pushed.json()["id"]).json()["dossier"] == question

    advice = {**lawful_dossier(["leerling", "deskundigenadvies"]), "gezondheid": HEALTH}
    back = push(gateway, jgz, swv, "tlv.advies", advice, pupil)
    assert back.status_code == 201, back.text
    assert read(gateway, swv, "tlv.advies", back.json()["id"]).json()["dossier"] == advice

    to_smw = push(gateway, swv, smw, "tlv.advies", question, pupil)
    assert to_smw.status_code == 422
    assert to_smw.json()["code"] == "category_forbidden"
    plain = {k: v for k, v in question.items() if k != "gezondheid"}
    assert push(gateway, swv, smw, "tlv.advies", plain, pupil).status_code == 201


def test_the_swv_at_the_thuiszitters_table(gateway: Gateway) -> None:
    swv, leerplicht = gateway.make_org("swv_vo"), gateway.make_org("leerplicht")
    pupil = pupil_aged(14)
    closed = lawful_dossier(["leerling", "verzuim", "schoolloopbaan"])
    pushed = push(gateway, swv, leerplicht, "leerplicht.thuiszitter", closed, pupil)
    assert pushed.status_code == 201, pushed.text
    got = read(gateway, leerplicht, "leerplicht.thuiszitter", pushed.json()["id"])
    assert got.json()["dossier"] == closed
    back = push(gateway, leerplicht, swv, "leerplicht.thuiszitter", closed, pupil)
    assert back.status_code == 201, back.text
    health = push(
        gateway, swv, leerplicht, "leerplicht.thuiszitter", {**closed, "gezondheid": HEALTH}, pupil
    )
    assert health.status_code == 422
    assert health.json()["code"] == "category_forbidden"


def test_school_social_work_and_the_jgz_on_the_family_consent(gateway: Gateway) -> None:
    school, smw, jgz = (gateway.make_org(kind) for kind in ("school_po", "smw", "jgz"))
    pupil = pupil_aged(8)
    referral = lawful_dossier(["leerling", "onderwijsondersteuning"])
    refused = push(gateway, school, smw, "jeugdhulp.verwijzing", referral, pupil)
    assert refused.status_code == 403
    assert refused.json()["code"] == "consent_missing"
    body = consent_body([smw.id], subject=pupil, categories=("leerling", "onderwijsondersteuning"))
    granted(gateway, school, body)
    pushed = push(gateway, school, smw, "jeugdhulp.verwijzing", referral, pupil)
    assert pushed.status_code == 201, pushed.text

    # The jeugdarts tells the school of a diagnosis: only on a consent that names it.
    feedback = {**lawful_dossier(["leerling"]), "gezondheid": HEALTH}
    purpose = "jeugdhulp.terugkoppeling"
    granted(gateway, jgz, consent_body([school.id], subject=pupil, purpose=purpose,
                                       categories=("leerling",)))  # fmt: skip
    unnamed = push(gateway, jgz, school, purpose, feedback, pupil)
    assert unnamed.status_code == 403
    assert unnamed.json()["code"] == "consent_missing"
    granted(gateway, jgz, consent_body([school.id], subject=pupil, purpose=purpose,
                                       categories=("leerling", "gezondheid")))  # fmt: skip
    named = push(gateway, jgz, school, purpose, feedback, pupil)
    assert named.status_code == 201, named.text
    assert read(gateway, school, purpose, named.json()["id"]).json()["dossier"] == feedback


def test_an_mkd_hands_over_health_findings_on_explicit_consent(gateway: Gateway) -> None:
    mkd, school = gateway.make_org("voorschool"), gateway.make_org("school_so")
    toddler = pupil_aged(4)
    purpose = "overdracht.voorschool_po"
    handover = {**lawful_dossier(["leerling", "vve"]), "gezondheid": HEALTH}
    granted(gateway, mkd, consent_body([school.id], subject=toddler, purpose=purpose,
                                       categories=("leerling", "vve")))  # fmt: skip
    unnamed = push(gateway, mkd, school, purpose, handover, toddler)
    assert unnamed.status_code == 403
    assert unnamed.json()["code"] == "consent_missing"
    granted(gateway, mkd, consent_body([school.id], subject=toddler, purpose=purpose,
                                       categories=("leerling", "vve", "gezondheid")))  # fmt: skip
    named = push(gateway, mkd, school, purpose, handover, toddler)
    assert named.status_code == 201, named.text
    assert read(gateway, school, purpose, named.json()["id"]).json()["dossier"] == handover


def test_the_tlv_beschikking_may_go_to_the_parents_and_nothing_more(gateway: Gateway) -> None:
    swv = gateway.make_org("swv_po")
    ask = {
        "sender_kind": "swv_po",
        "recipient_kind": "data_subject",
        "purpose": "tlv.besluit",
        # The SWV that received the pupil's TLV request.
        "preconditions": {"sender_related": True},
    }
    decision = dry_run(gateway, swv, **ask, categories=["leerling", "tlv_besluit"])
    assert decision["effect"] == "permit", decision
    assert "objection_route" in decision["obligations"]
    advice = dry_run(
        gateway, swv, **ask, categories=["leerling", "tlv_besluit", "deskundigenadvies"]
    )
    assert advice["code"] == "category_forbidden"


def test_leerplichts_closed_list_at_the_knooppunt_needs_no_case_consent(gateway: Gateway) -> None:
    leerplicht, wijkteam = gateway.make_org("leerplicht"), gateway.make_org("wijkteam")
    closed = ["leerling", "oudersverzorgers", "school", "schoolloopbaan", "verzuim"]
    ask = {
        "sender_kind": "leerplicht",
        "recipient_kind": "wijkteam",
        "purpose": "knooppunt.casus",
        "subject_age": 14,
        "preconditions": {"sender_related": True, "participant": True},
    }
    assert dry_run(gateway, leerplicht, **ask, categories=closed)["effect"] == "permit"
    more = dry_run(gateway, leerplicht, **ask, categories=[*closed, "gezinsplan"])
    assert more["code"] == "consent_missing"
    outside = dry_run(
        gateway, leerplicht, **{**ask, "preconditions": {"sender_related": True}}, categories=closed
    )
    assert outside["code"] == "not_participant"
    # Without a case at which both take part, the recipient is no participant.
    pushed = push(gateway, leerplicht, wijkteam, "knooppunt.casus", lawful_dossier(closed),
                  pupil_aged(14))  # fmt: skip
    assert pushed.status_code == 403
    assert pushed.json()["code"] == "not_participant"


def knooppunt_access(gateway: Gateway, child: dict[str, str], recipient: Org) -> Decision:
    """What the push path would decide for a participant, with the consent on record."""
    subject_ref = gateway.keyring.pseudonyms.subject_ref(child["bsn"])
    with gateway.services.db.sessions() as session:
        consent = consent_state(
            session,
            subject_ref=subject_ref,
            purpose="knooppunt.casus",
            recipient_org_id=recipient.id,
            categories=frozenset({"leerling"}),
            now=gateway.clock.now(),
            count_gezag=True,
        )
    request = Request(
        sender_kind="school_po",
        recipient_kind=recipient.kind,
        purpose="knooppunt.casus",
        categories=frozenset({"leerling"}),
        subject_age=9,
        consent=consent,
        preconditions=Preconditions(participant=True),
    )
    return evaluate(request, gateway.services.catalog)


def test_one_parent_with_sole_gezag_is_both_parents(gateway: Gateway) -> None:
    school, wijkteam = gateway.make_org("school_po"), gateway.make_org("wijkteam")
    child = pupil_aged(9, bsn="269326728")
    purpose = "knooppunt.casus"
    body = consent_body([wijkteam.id], subject=child, purpose=purpose, categories=("leerling",))
    # The mother holds gezag alone; the father is on record without it.
    mother = {"bsn": MOTHER_BSN, "name": NAMES[0], "role": "parent"}
    father = {"bsn": FATHER_BSN, "name": NAMES[1], "role": "parent"}
    assert register_gezag(gateway, school, child, mother, has=True).status_code == 201
    assert register_gezag(gateway, school, child, father, has=False).status_code == 201
    alone = grant(gateway, school, body, gezag=False)
    assert alone.status_code == 201, alone.text
    # At every access the register is read again: once the father holds gezag too, the
    # mother's consent alone no longer covers the case.
    assert knooppunt_access(gateway, child, wijkteam).permitted
    assert register_gezag(gateway, school, child, father, has=True).status_code == 201
    assert knooppunt_access(gateway, child, wijkteam).code == "consent_missing"

    # With joint gezag both must consent.
    other = pupil_aged(9, bsn="111222333")
    joint = consent_body([wijkteam.id], subject=other, purpose=purpose, categories=("leerling",))
    assert register_gezag(gateway, school, other, mother, has=True).status_code == 201
    assert register_gezag(gateway, school, other, father, has=True).status_code == 201
    short = grant(gateway, school, joint, gezag=False)
    assert short.status_code == 422
    assert short.json()["code"] == "consent_grantors_insufficient"
    both = {**joint, "granted_by": [parent(), guardian(name=NAMES[1], bsn=FATHER_BSN)]}
    assert grant(gateway, school, both, gezag=False).status_code == 201
