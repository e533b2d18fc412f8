"""Consent and rights as the pupil grows up, in the portal (DOMAIN §5).

A parents' consent for youth care stops counting on the 12th birthday: the parents read
why, in plain words; the pupil, logged in with their own DigiD, adds their consent and
the referral may go again. Younger pupils, or pupils without a login, consent on paper
through the school (tests/consent/test_renewal.py).
"""

from __future__ import annotations

from datetime import UTC, datetime

from httpx2 import Response
from joserfc import jwt
from joserfc.jwk import KeySet

from gateway.audit import service as audit
from tests.support.consent import refresh
from tests.support.gateway import Gateway, Org, make_dossier
from tests.support.idp import PARENT, PUPIL_13, login
from tests.support.portal import REFERRAL, child_url, csrf_token, register_gezag, targets

# 11 on the harness's date (15 April 2016), 12 on 20 April 2016.
DAAN = {"bsn": PUPIL_13[1], "birth_date": "2004-04-20", "given_name": "Daan"}
BIRTHDAY = datetime(2016, 4, 20, 8, 0, tzinfo=UTC)
VO_VO = "overdracht.vo_vo"


def enrol(portal: Gateway, school: Org, pupil: dict[str, str], *, purpose: str) -> None:
    """The aanmelding at the receiving school, which opens the overstap flow."""
    enrolled = portal.client.post(
        "/v1/enrolments",
        json={"subject": pupil, "status": "aangemeld"},
        headers=school.headers(purpose=purpose, actor="admin-vo", role="zorgcoordinator"),
    )
    assert enrolled.status_code == 201, enrolled.text


def refer(portal: Gateway, school: Org, wijkteam: Org) -> Response:
    return portal.client.post(
        "/v1/transfers",
        json={"recipient": wijkteam.id, "subject": DAAN, "dossier": {"leerling": {}}},
        headers=school.headers(purpose=REFERRAL, actor="ib-1", role="ib"),
    )


def parent_grants(portal: Gateway, wijkteam: Org) -> str:
    assert login(portal.client, PARENT).status_code == 303
    kid = child_url(portal.client)
    form = portal.client.get(f"{kid}/toestemming", params={"doel": REFERRAL})
    granted = portal.client.post(
        f"{kid}/toestemming",
        data={
            "csrf_token": csrf_token(form.text),
            "purpose": REFERRAL,
            "recipients": [wijkteam.id],
            "categories": ["leerling"],
            "valid_until": "2016-12-31",
        },
        follow_redirects=False,
    )
    assert granted.status_code == 303, granted.text
    portal.client.cookies.clear()
    return kid


def own_pages(portal: Gateway) -> list[str]:
    overview = portal.client.get("/portaal/kinderen")
    assert overview.status_code == 200, overview.text
    return [url for url in targets(overview.text) if url.startswith("/portaal/kind/")]


def on_birthday(portal: Gateway, *orgs: Org) -> None:
    portal.clock.advance(BIRTHDAY - portal.clock.now())
    refresh(portal, *orgs)
    portal.client.cookies.clear()


def test_the_parents_read_why_and_the_pupil_adds_their_consent_from_12(portal: Gateway) -> None:
    school = portal.make_org("school_po", name="OBS De Hien")
    wijkteam = portal.make_org("wijkteam", name="Sociaal Wijkteam Dordrecht")
    register_gezag(portal, school, DAAN, PARENT[1])
    parent_grants(portal, wijkteam)
    assert refer(portal, school, wijkteam).status_code == 201
    # At 11 the pupil's own login opens nothing: the parents decide.
    assert login(portal.client, PUPIL_13).status_code == 303
    assert own_pages(portal) == []

    on_birthday(portal, school, wijkteam)
    assert refer(portal, school, wijkteam).json()["code"] == "consent_missing"
    assert login(portal.client, PARENT).status_code == 303
    page = portal.client.get(child_url(portal.client)).text
    assert "Toestemming moet opnieuw" in page
    assert "Daan is op 20 april 2016 12 jaar geworden." in page
    assert "Vanaf 12 jaar moet u én Daan zelf toestemming geven." in page
    assert "Er is nu geen toestemming gegeven." in page  # it is not among the active ones
    assert "Ik geef ook toestemming" not in page

    portal.client.cookies.clear()
    assert login(portal.client, PUPIL_13).status_code == 303
    [own] = own_pages(portal)
    page = portal.client.get(own).text
    assert "Vanaf 12 jaar beslis je samen met je ouders." in page
    assert "Toestemming geven" not in page  # no consent of their own at 12-15
    cosign = next(url for url in targets(page) if url.endswith("/ook"))
    done = portal.client.post(cosign, data={"csrf_token": csrf_token(page)}, follow_redirects=False)
    assert done.status_code == 303, done.text
    assert "Er wordt nu niets aan je gevraagd." in portal.client.get(own).text

    assert refer(portal, school, wijkteam).status_code == 201
    consent_id = cosign.split("/")[-2]
    read = portal.client.get(f"/v1/consents/{consent_id}", headers=wijkteam.headers(REFERRAL))
    assert read.json()["status"] == "active"
    assert read.json()["granted_by"] == ["parent", "pupil"]
    assert [e["kind"] for e in read.json()["history"]] == ["granted", "cosigned"]
    # The receipt is reissued for what the consent now is; the grant's stays verifiable.
    jwks = KeySet.import_key_set(portal.client.get("/.well-known/jwks.json").json())
    granted_receipt, cosigned_receipt = (e["receipt"] for e in read.json()["history"])
    assert cosigned_receipt == read.json()["receipt"]
    now = jwt.decode(read.json()["receipt"], jwks, algorithms=["Ed25519"]).claims
    assert (now["consent_id"], now["granted_by"]) == (consent_id, ["parent", "pupil"])
    before = jwt.decode(granted_receipt, jwks, algorithms=["Ed25519"]).claims
    assert (before["consent_id"], before["granted_by"]) == (consent_id, ["parent"])
    ref = portal.keyring.pseudonyms.subject_ref(DAAN["bsn"])
    with portal.services.db.sessions() as session:
        acts = [
            (e.action, e.decision, e.actor_role, e.purpose)
            for e in audit.search(session, subject_ref=ref).items
            if e.action == "consent.cosign"
        ]
    assert acts == [("consent.cosign", "permit", "pupil", REFERRAL)]


def test_only_the_pupil_adds_consent_to_their_own_consent_and_once(portal: Gateway) -> None:
    school = portal.make_org("school_po", name="OBS De Hien")
    wijkteam = portal.make_org("wijkteam", name="Sociaal Wijkteam Dordrecht")
    register_gezag(portal, school, DAAN, PARENT[1])
    kid = parent_grants(portal, wijkteam)
    on_birthday(portal, school, wijkteam)

    assert login(portal.client, PARENT).status_code == 303
    kid = child_url(portal.client)
    page = portal.client.get(kid).text
    consent_id = next(u for u in targets(page) if u.endswith("/intrekken")).split("/")[-2]
    as_parent = portal.client.post(
        f"{kid}/toestemming/{consent_id}/ook", data={"csrf_token": csrf_token(page)}
    )
    assert as_parent.status_code == 403

    portal.client.cookies.clear()
    assert login(portal.client, PUPIL_13).status_code == 303
    [own] = own_pages(portal)
    page = portal.client.get(own).text
    url = f"{own}/toestemming/{consent_id}/ook"
    assert portal.client.post(url, data={"csrf_token": csrf_token(page)}).status_code == 200
    again = portal.client.post(url, data={"csrf_token": csrf_token(page)})
    assert again.status_code == 409
    unknown = portal.client.post(
        f"{own}/toestemming/cns_00000000000000000000/ook", data={"csrf_token": csrf_token(page)}
    )
    assert unknown.status_code == 404
    ref = portal.keyring.pseudonyms.subject_ref(DAAN["bsn"])
    with portal.services.db.sessions() as session:
        refused = [
            (e.action, e.code)
            for e in audit.search(session, subject_ref=ref).items
            if e.decision == "deny" and e.action == "consent.cosign"
        ]
    assert refused == [("consent.cosign", "already_consented")]


def test_parents_keep_inzage_of_the_onderwijskundig_rapport_at_16_and_17(
    portal: Gateway,
) -> None:
    """WPO art. 42: the parents get the OKR until the pupil is 18; from 16 the pupil
    decides on consent, but the parents are not cut off from the dossier."""
    vo = portal.make_org("school_vo", name="Da Vinci College")
    other = portal.make_org("school_vo", name="Insula College")
    noor = {"bsn": "123456733", "birth_date": "1999-03-01", "given_name": "Noor"}  # 17
    register_gezag(portal, vo, noor, PARENT[1])
    enrol(portal, other, noor, purpose=VO_VO)
    sent = portal.client.post(
        "/v1/transfers",
        json={"recipient": other.id, "subject": noor, "dossier": make_dossier()},
        headers=vo.headers(purpose=VO_VO, actor="ib-1", role="ib"),
    )
    assert sent.json()["status"] == "awaiting_inzage", sent.text

    assert login(portal.client, PARENT).status_code == 303
    kid = child_url(portal.client)
    page = portal.client.get(kid).text
    assert "regelt Noor de privacy nu zelf" in page and "Toestemming geven" not in page
    assert "ook inzien, tot Noor 18 jaar is" in page
    dossier = portal.client.get(f"{kid}/dossier/{sent.json()['id']}")
    assert dossier.status_code == 200, dossier.text
    assert "havo/vwo" in dossier.text
    recorded = portal.client.post(
        f"{kid}/dossier/{sent.json()['id']}/inzage",
        data={"csrf_token": csrf_token(dossier.text), "akkoord": "ja"},
        follow_redirects=False,
    )
    assert recorded.status_code == 303, recorded.text
    read = portal.client.get(
        f"/v1/transfers/{sent.json()['id']}", headers=other.headers(purpose=VO_VO, role="mentor")
    )
    assert read.status_code == 200, read.text
    # The rest of the rights stays with the pupil from 16: a rights refusal is not theirs.
    assert portal.client.get(f"{kid}/toestemming").status_code == 403
