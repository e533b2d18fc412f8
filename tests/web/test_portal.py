"""The parents' portal as a parent uses it, logged in through the real development IdP."""

from __future__ import annotations

import re
from datetime import timedelta

from httpx2 import Response

from consent.state import consent_state
from gateway.audit import service as audit
from tests.support.gateway import Gateway
from tests.support.idp import PARENT, PUPIL_16, login
from tests.support.portal import (
    CHILD,
    OVERSTAP,
    REFERRAL,
    Region,
    child_url,
    csrf_token,
    enrol,
    make_region,
    push_dossier,
    register_gezag,
    targets,
)

ZIENSWIJZE = "Sam heeft extra tijd nodig bij toetsen; dat staat er niet in."


def referral_consent(portal: Gateway, region_wijkteam: str) -> object:
    ref = portal.keyring.pseudonyms.subject_ref(CHILD["bsn"])
    with portal.services.db.sessions() as session:
        return consent_state(
            session,
            subject_ref=ref,
            purpose=REFERRAL,
            recipient_org_id=region_wijkteam,
            categories=frozenset({"leerling"}),
            now=portal.clock.now(),
        )


def refer(portal: Gateway, region: Region) -> Response:
    """The school refers the pupil to the wijkteam: only the parents' consent allows it."""
    return portal.client.post(
        "/v1/transfers",
        json={
            "recipient": region.wijkteam.id,
            "subject": CHILD,
            "dossier": {
                "leerling": {"roepnaam": "Sam"},
                "oudersverzorgers": [{"relatie": "moeder"}],
            },
        },
        headers=region.po.headers(purpose=REFERRAL, actor="ib-1", role="ib"),
    )


def grant_referral(portal: Gateway, kid: str, wijkteam_id: str) -> None:
    form = portal.client.get(f"{kid}/toestemming", params={"doel": REFERRAL})
    granted = portal.client.post(
        f"{kid}/toestemming",
        data={
            "csrf_token": csrf_token(form.text),
            "purpose": REFERRAL,
            "recipients": [wijkteam_id],
            "categories": ["leerling", "oudersverzorgers"],
            "valid_until": "2016-12-31",
        },
        follow_redirects=False,
    )
    assert granted.status_code == 303, granted.text


def give_inzage(portal: Gateway, kid: str, transfer_id: str) -> None:
    dossier = portal.client.get(f"{kid}/dossier/{transfer_id}")
    assert "havo/vwo" in dossier.text
    recorded = portal.client.post(
        f"{kid}/dossier/{transfer_id}/inzage",
        data={"csrf_token": csrf_token(dossier.text), "akkoord": "nee", "zienswijze": ZIENSWIJZE},
        follow_redirects=False,
    )
    assert recorded.status_code == 303, recorded.text


def test_a_parent_grants_records_inzage_withdraws_and_finds_each_act_in_the_log(
    portal: Gateway,
) -> None:
    region = make_region(portal, PARENT[1])
    assert login(portal.client, PARENT).status_code == 303
    kid = child_url(portal.client)
    page = portal.client.get(kid)
    assert "Sam de Vries" in page.text and "*****2333" in page.text
    assert CHILD["bsn"] not in page.text

    grant_referral(portal, kid, region.wijkteam.id)
    assert referral_consent(portal, region.wijkteam.id) is not None
    assert refer(portal, region).status_code == 201
    give_inzage(portal, kid, region.transfer_id)
    assert "U heeft het dossier op 15 april 2016 ingezien." in portal.client.get(kid).text
    read = portal.client.get(
        f"/v1/transfers/{region.transfer_id}",
        headers=region.vo.headers(purpose=OVERSTAP, actor="mentor-7", role="mentor"),
    )
    assert read.status_code == 200, read.text
    assert (read.json()["zienswijze"], read.json()["inzage"]["akkoord"]) == (ZIENSWIJZE, False)

    page = portal.client.get(kid)
    withdraw = next(url for url in targets(page.text) if url.endswith("/intrekken"))
    withdrawn = portal.client.post(
        withdraw, data={"csrf_token": csrf_token(page.text)}, follow_redirects=False
    )
    assert withdrawn.status_code == 303, withdrawn.text
    told = portal.client.get(kid).text
    assert "Gegevens die een organisatie al eerder kreeg, blijven bij die organisatie" in told
    assert "niemand er nog gebruik van maken" not in told
    assert referral_consent(portal, region.wijkteam.id) is None
    assert refer(portal, region).json()["code"] == "consent_missing"

    log = portal.client.get(kid).text
    you = "U (rol: ouder, via het ouderportaal)"
    when = "op 15 april 2016 om 11:00"
    referral = (
        "een verwijzing naar het wijkteam, jeugdhulp, schoolmaatschappelijk werk of de "
        "jeugdgezondheidszorg"
    )
    for line in (
        f"{you} legde een toestemming vast voor {referral} {when}",
        f"{you} las het dossier voor uw recht op inzage {when}",
        f"{you} legde de inzage in het dossier vast voor uw recht op inzage {when}",
        f"{you} trok een toestemming in voor {referral} {when}",
        "OBS De Hien (rol: IB&#39;er) stuurde het dossier voor overdracht naar het voortgezet",
        "Da Vinci College (rol: mentor) las het dossier voor overdracht naar het voortgezet",
        f"OBS De Hien (rol: IB&#39;er) stuurde het dossier voor {referral}",
        f"OBS De Hien (rol: IB&#39;er) wilde het dossier sturen voor {referral} {when}; dat is",
    ):
        assert line in log, line


def test_a_parent_sees_only_their_own_children_and_their_dossiers(portal: Gateway) -> None:
    region = make_region(portal, PARENT[1])
    other = {"bsn": "123456782", "birth_date": "2005-01-10"}
    enrol(portal, region.vo, other)
    foreign = push_dossier(portal, region.po, region.vo, other)
    assert login(portal.client, PARENT).status_code == 303
    kid = child_url(portal.client)

    assert portal.client.get(f"{kid}/dossier/{foreign['id']}").status_code == 404
    assert portal.client.get("/portaal/kind/not-a-handle").status_code == 404
    ref = portal.keyring.pseudonyms.subject_ref(other["bsn"])
    with portal.services.db.sessions() as session:
        found = audit.search(session, subject_ref=ref).items
        actions = [entry.action for entry in reversed(found)]
    assert actions == ["enrolment.register", "transfer.send"]


def test_from_16_the_pupil_acts_and_the_parent_reads_the_rule(portal: Gateway) -> None:
    school = portal.make_org("school_vo", name="Da Vinci College")
    pupil = {"bsn": PUPIL_16[1], "birth_date": "1999-03-01", "given_name": "Noor"}
    register_gezag(portal, school, pupil, PARENT[1])

    assert login(portal.client, PARENT).status_code == 303
    kid = child_url(portal.client)
    page = portal.client.get(kid)
    assert "Daarom regelt Noor de privacy nu zelf" in page.text
    # Parents keep the right to the onderwijskundig rapport (WPO art. 42) and information.
    assert "het onderwijskundig rapport (het dossier voor de nieuwe school) ook inzien" in page.text
    assert "beslist uw kind zelf over toestemming en inzage" not in page.text
    assert "Toestemming geven" not in page.text
    refused = portal.client.get(f"{kid}/toestemming")
    assert refused.status_code == 403
    assert "Uw kind is 16 jaar of ouder" in refused.text and "gezag" not in refused.text

    portal.client.cookies.clear()
    assert login(portal.client, PUPIL_16).status_code == 303
    overview = portal.client.get("/portaal/kinderen").text
    assert "<h1>Mijn gegevens</h1>" in overview and "Mijn kinderen" not in overview
    own = portal.client.get(child_url(portal.client))
    assert own.status_code == 200
    assert "Toestemming geven" in own.text and "Wie bekeek je gegevens?" in own.text
    assert "Mijn kinderen" not in own.text and "Terug naar mijn gegevens" in own.text
    assert re.search(r"U \(rol: leerling", own.text) is None  # nothing done yet


def test_a_consent_the_age_rule_refuses_stores_nothing_and_is_on_record(
    portal: Gateway,
) -> None:
    school = portal.make_org("school_po", name="OBS De Hien")
    wijkteam = portal.make_org("wijkteam", name="Sociaal Wijkteam Dordrecht")
    thirteen = {**CHILD, "birth_date": "2003-01-01"}  # 12-15: parents and the child
    register_gezag(portal, school, thirteen, PARENT[1])
    assert login(portal.client, PARENT).status_code == 303
    kid = child_url(portal.client)
    form = portal.client.get(f"{kid}/toestemming", params={"doel": REFERRAL})
    refused = portal.client.post(
        f"{kid}/toestemming",
        data={
            "csrf_token": csrf_token(form.text),
            "purpose": REFERRAL,
            "recipients": [wijkteam.id],
            "categories": ["leerling"],
            "valid_until": "2016-12-31",
        },
    )
    assert refused.status_code == 422
    assert "ook de toestemming van iemand anders" in refused.text
    assert referral_consent(portal, wijkteam.id) is None
    log = portal.client.get(kid).text
    assert "wilde een toestemming vastleggen voor een verwijzing naar het wijkteam" in log
    assert "Er is nu geen toestemming gegeven." in log


def test_a_parent_without_gezag_sees_where_to_ask_and_nothing_of_the_data(
    portal: Gateway,
) -> None:
    po = portal.make_org("school_po", name="OBS De Hien")
    vo = portal.make_org("school_vo", name="Da Vinci College")
    register_gezag(portal, po, CHILD, PARENT[1], has=False)
    enrol(portal, vo, CHILD)
    pushed = push_dossier(portal, po, vo, CHILD)

    assert login(portal.client, PARENT).status_code == 303
    overview = portal.client.get("/portaal/kinderen").text
    assert "ouder zonder gezag" in overview and "recht op informatie" in overview
    kid = child_url(portal.client)
    assert "behalve als dat niet goed is voor uw kind" in overview
    page = portal.client.get(kid)
    assert "1:377c" in page.text
    assert "alleen weigeren als het niet goed is voor uw kind" in page.text
    for absent in ("Overdrachtsdossiers", "Toestemming geven", "Wie bekeek de gegevens"):
        assert absent not in page.text
    consent_form = portal.client.get(f"{kid}/toestemming")
    # Asked anyway, the dossier is refused by the catalog's rule, and the refusal logged.
    dossier = portal.client.get(f"{kid}/dossier/{pushed['id']}")
    for refused in (consent_form, dossier):
        assert refused.status_code == 403
        assert "geen gezag" in refused.text and "16 jaar" not in refused.text
    ref = portal.keyring.pseudonyms.subject_ref(CHILD["bsn"])
    with portal.services.db.sessions() as session:
        refused = [
            (entry.action, entry.code, entry.actor_role)
            for entry in audit.search(session, subject_ref=ref).items
            if entry.decision == "deny"
        ]
    assert refused == [("transfer.read", "requester_not_entitled", "parent_without_gezag")]


def test_from_18_the_parents_no_longer_see_the_pupil(portal: Gateway) -> None:
    school = portal.make_org("school_vo", name="Da Vinci College")
    pupil = {"bsn": CHILD["bsn"], "birth_date": "1998-04-16", "given_name": "Sam"}  # 17 today
    register_gezag(portal, school, pupil, PARENT[1])
    assert login(portal.client, PARENT).status_code == 303
    assert child_url(portal.client).startswith("/portaal/kind/")

    portal.client.cookies.clear()
    portal.clock.advance(timedelta(days=1))  # Sam's 18th birthday: gezag ends
    assert login(portal.client, PARENT).status_code == 303
    overview = portal.client.get("/portaal/kinderen")
    assert "Er is geen kind aan uw gegevens gekoppeld" in overview.text
    assert not [url for url in targets(overview.text) if url.startswith("/portaal/kind/")]


def test_the_parent_sees_every_change_of_gezag_and_every_consent_in_the_childs_name(
    portal: Gateway,
) -> None:
    region = make_region(portal, PARENT[1])
    portal.clock.advance(timedelta(minutes=5))
    region.po.token = portal.token(region.po.client_id, region.po.client_secret)
    register_gezag(portal, region.po, CHILD, "123456721", has=False)
    assert login(portal.client, PARENT).status_code == 303
    kid = child_url(portal.client)

    page = portal.client.get(kid).text

    gezag = re.search(r'<section aria-labelledby="kop-gezag">(.*?)</section>', page, re.S)
    assert gezag is not None
    lines = re.findall(r"<li>(.*?)</li>", gezag.group(1), re.S)
    assert [line.split(",")[0] for line in lines] == [
        "Een ouder heeft geen gezag",
        "U heeft gezag",
    ]
    assert all("OBS De Hien" in line for line in lines)
    assert "123456721" not in page and "Jolanda" not in gezag.group(1)
    log = re.search(r'<ol class="log"[^>]*>(.*?)</ol>', page, re.S)
    assert log is not None
    assert log.group(1).count("legde vast wie het gezag heeft") == 2


def test_a_consent_of_another_child_cannot_be_withdrawn_on_this_childs_page(
    portal: Gateway,
) -> None:
    """From 16 the pupil decides: a parent of two children cannot reach the older one's
    consent through the younger one's page."""
    region = make_region(portal, PARENT[1])
    noor = {"bsn": "123456733", "birth_date": "1999-03-01", "given_name": "Noor"}
    register_gezag(portal, region.po, noor, PARENT[1])
    consent = portal.client.post(
        "/v1/consents",
        json={
            "subject": noor,
            "purpose": REFERRAL,
            "recipients": [region.wijkteam.id],
            "categories": ["leerling"],
            "granted_by": [{"role": "pupil", "name": "Noor", "bsn": noor["bsn"]}],
            "valid_until": "2016-12-31",
            "evidence": "digital",
        },
        headers=region.po.headers(purpose=REFERRAL, actor="ib-1"),
    )
    assert consent.status_code == 201, consent.text
    assert login(portal.client, PARENT).status_code == 303
    overview = portal.client.get("/portaal/kinderen").text
    pages = [url for url in targets(overview) if url.startswith("/portaal/kind/")]
    sams = [url for url in pages if "Sam" in portal.client.get(url).text]
    assert len(pages) == 2 and len(sams) == 1
    form = portal.client.get(sams[0]).text

    tried = portal.client.post(
        f"{sams[0]}/toestemming/{consent.json()['id']}/intrekken",
        data={"csrf_token": csrf_token(form)},
    )

    assert tried.status_code == 404
    read = portal.client.get(
        f"/v1/consents/{consent.json()['id']}", headers=region.po.headers(purpose=REFERRAL)
    )
    assert read.json()["status"] == "active"


def test_a_school_noted_inzage_reads_as_the_schools_note_and_no_veto_is_claimed(
    portal: Gateway,
) -> None:
    region = make_region(portal, PARENT[1])
    noted = portal.client.post(
        f"/v1/transfers/{region.transfer_id}/inzage",
        json={"date": "2016-04-14", "akkoord": True},
        headers=region.po.headers(purpose=OVERSTAP, actor="ib-1", role="ib"),
    )
    assert noted.status_code == 200, noted.text
    assert login(portal.client, PARENT).status_code == 303
    kid = child_url(portal.client)

    page = portal.client.get(kid).text
    dossier = portal.client.get(f"{kid}/dossier/{region.transfer_id}").text

    school_note = "De school heeft genoteerd dat u het dossier op 14 april 2016 heeft ingezien."
    for text in (page, dossier):
        assert school_note in text
        assert "U heeft het dossier" not in text


def test_the_inzage_text_claims_no_veto_and_explains_its_words(portal: Gateway) -> None:
    region = make_region(portal, PARENT[1])
    assert login(portal.client, PARENT).status_code == 303
    kid = child_url(portal.client)
    dossier = portal.client.get(f"{kid}/dossier/{region.transfer_id}").text
    assert "pas als u het heeft ingezien" not in dossier
    assert "Tegenhouden kunt u het dossier niet" in dossier
    assert "<summary>Wat betekenen inzage en zienswijze?</summary>" in dossier
    assert "Uw zienswijze is uw mening over het dossier" in dossier
    page = portal.client.get(kid).text
    assert "Een overdrachtsgesprek is een gesprek tussen de oude en de nieuwe school" in page
    assert "Een aandachtsfunctionaris is een medewerker" in page
    # The convenant is how organisations work together, never a permission; the data
    # are the child's.
    assert "Uw gegevens worden" not in page
    assert "Het geeft zelf geen toestemming om gegevens te delen." in page


def test_abbreviations_stay_upper_case(portal: Gateway) -> None:
    make_region(portal, PARENT[1])
    assert login(portal.client, PARENT).status_code == 303
    form = portal.client.get(f"{child_url(portal.client)}/toestemming", params={"doel": REFERRAL})
    assert "Ontwikkelingsperspectiefplan (OPP)" in form.text
    assert re.search(r">[^<]*\b(opp|tlv)\b", form.text) is None  # in what a parent reads


def test_a_tlv_decision_shows_as_a_beschikking_with_its_objection_route(portal: Gateway) -> None:
    region = make_region(portal, PARENT[1])
    swv = portal.make_org("swv_po", name="SWV Onderwijs dat Past")
    sent = portal.client.post(
        "/v1/transfers",
        json={
            "recipient": region.po.id,
            "subject": CHILD,
            "dossier": {"leerling": {}, "tlv_besluit": {"besluit": "toegekend", "soort": "tlv"}},
        },
        headers=swv.headers(purpose="tlv.besluit", actor="tlv-1", role="tlv_commissie"),
    )
    assert sent.status_code == 201, sent.text
    assert login(portal.client, PARENT).status_code == 303

    page = portal.client.get(child_url(portal.client)).text

    decision = re.search(r'<section aria-labelledby="kop-besluiten">(.*?)</section>', page, re.S)
    assert decision is not None
    for said in (
        "<h3>Besluit over toelaatbaarheid (TLV)</h3>",
        "Van SWV Onderwijs dat Past, gestuurd op 15 april 2016.",
        "besloten of Sam de Vries naar het speciaal basisonderwijs",
        "Het besluit is naar OBS De Hien gestuurd.",
        "Dan kunt u bezwaar maken. Stuur binnen 6 weken een brief naar SWV Onderwijs dat Past.",
        "artikel 6:5 en 6:7",
    ):
        assert said in decision.group(1), said
    assert "voor het besluit over toelaatbaarheid (TLV)" in page  # the access log's line
