"""The portal speaks to its reader: a parent as "u", the pupil as "je" (B1).

Parents and the pupil (from 12 on their own cases, from 16 on everything) read the same
pages. Every page the pupil reaches, and every message after an act, says "je", "jij"
and "je ouders"; a parent's pages still say "u" and "uw kind".
"""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime
from types import SimpleNamespace

from gateway.web import voice
from tests.support.gateway import Gateway, Org, make_dossier
from tests.support.idp import PARENT, PUPIL_13, PUPIL_16, login
from tests.support.portal import (
    AGREEMENTS,
    CHILD,
    REFERRAL,
    case_links,
    child_url,
    csrf_token,
    join_case,
    make_region,
    register_gezag,
    start_case,
    write_case_entry,
)

VO_VO = "overdracht.vo_vo"
NOOR = {"bsn": PUPIL_16[1], "birth_date": "1999-03-01", "given_name": "Noor"}  # 17
DAAN = {"bsn": PUPIL_13[1], "birth_date": "2003-01-10", "given_name": "Daan"}  # 13
# The formal address, as whole words: "u", "uw", "U", "Uw" (never inside "uit", "zou").
FORMAL = re.compile(r"(?<![\w'-])(?:u|uw|U|Uw)(?![\w'-])")


def visible(page: str) -> str:
    """The words a reader sees: no tags, no attribute values, no head, entities read."""
    body = re.search(r"<body.*?</body>", page, flags=re.S)
    assert body, "no body"
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", body.group(0), flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)))


def formal_words(page: str) -> list[str]:
    """Each formal "u"/"uw" on the page, with a little of the sentence around it."""
    text = visible(page)
    return [text[max(0, m.start() - 40) : m.end() + 40] for m in FORMAL.finditer(text)]


def assert_addresses_pupil(page: str, where: str) -> None:
    found = formal_words(page)
    assert found == [], f"{where} addresses the pupil as a parent: {found}"
    assert "uw kind" not in visible(page).lower(), where


def assert_addresses_parent(page: str, where: str) -> None:
    assert formal_words(page), f"{where} does not address the parent as 'u'"


def enrol(portal: Gateway, school: Org, pupil: dict[str, str]) -> None:
    enrolled = portal.client.post(
        "/v1/enrolments",
        json={"subject": pupil, "status": "aangemeld"},
        headers=school.headers(purpose=VO_VO, actor="admin-vo", role="zorgcoordinator"),
    )
    assert enrolled.status_code == 201, enrolled.text


def case_about(portal: Gateway, pupil: dict[str, str], school: Org) -> None:
    wijkteam = portal.make_org("wijkteam", name="Sociaal Wijkteam Dordrecht")
    case_id = start_case(portal, school, pupil)
    join_case(portal, case_id, school, wijkteam, "jeugdprofessional")
    write_case_entry(portal, case_id, wijkteam, "knooppunt_afspraken", AGREEMENTS)


def test_the_pupil_from_16_is_addressed_as_je_on_every_page(portal: Gateway) -> None:
    vo = portal.make_org("school_vo", name="Da Vinci College")
    other = portal.make_org("school_vo", name="Insula College")
    wijkteam = portal.make_org("wijkteam", name="Jeugdteam Dordrecht")
    register_gezag(portal, vo, NOOR, PARENT[1])
    enrol(portal, other, NOOR)
    sent = portal.client.post(
        "/v1/transfers",
        json={"recipient": other.id, "subject": NOOR, "dossier": make_dossier()},
        headers=vo.headers(purpose=VO_VO, actor="ib-1", role="ib"),
    )
    assert sent.json()["status"] == "awaiting_inzage", sent.text
    transfer = sent.json()["id"]
    case_about(portal, NOOR, vo)
    # The parent reads the onderwijskundig rapport (theirs until 18): a parent's line.
    assert login(portal.client, PARENT).status_code == 303
    assert portal.client.get(f"{child_url(portal.client)}/dossier/{transfer}").status_code == 200
    portal.client.cookies.clear()

    assert login(portal.client, PUPIL_16).status_code == 303
    assert_addresses_pupil(portal.client.get("/portaal/kinderen").text, "the overview")
    kid = child_url(portal.client)
    dossier = portal.client.get(f"{kid}/dossier/{transfer}")
    assert_addresses_pupil(dossier.text, "the dossier's inzage form")
    assert "Ben je het eens met dit dossier?" in dossier.text
    recorded = portal.client.post(
        f"{kid}/dossier/{transfer}/inzage",
        data={"csrf_token": csrf_token(dossier.text), "akkoord": "nee", "zienswijze": "Klopt."},
    )
    assert "Je inzage is vastgelegd" in recorded.text
    assert_addresses_pupil(recorded.text, "the child page after the inzage")
    assert_addresses_pupil(portal.client.get(f"{kid}/dossier/{transfer}").text, "the dossier")

    form = portal.client.get(f"{kid}/toestemming", params={"doel": REFERRAL})
    assert "Waarvoor geef je toestemming?" in portal.client.get(f"{kid}/toestemming").text
    assert_addresses_pupil(form.text, "the consent form")
    grant = {"csrf_token": csrf_token(form.text), "purpose": REFERRAL, "categories": ["leerling"]}
    refused = portal.client.post(
        f"{kid}/toestemming",
        data={**grant, "recipients": ["org_unknown"], "valid_until": "2016-12-31"},
    )
    assert refused.status_code == 422 and "Je koos een organisatie" in refused.text
    assert_addresses_pupil(refused.text, "a refused consent")
    granted = portal.client.post(
        f"{kid}/toestemming",
        data={**grant, "recipients": [wijkteam.id], "valid_until": "2016-12-31"},
    )
    assert "Je toestemming is vastgelegd." in granted.text
    page = portal.client.get(kid).text
    [consent] = re.findall(r"/toestemming/([^/\"]+)/intrekken", page)
    withdrawn = portal.client.post(
        f"{kid}/toestemming/{consent}/intrekken", data={"csrf_token": csrf_token(page)}
    )
    assert "Je toestemming is ingetrokken." in withdrawn.text

    page = portal.client.get(kid).text
    assert_addresses_pupil(page, "the pupil's own page with its access log")
    log = visible(page)
    assert "Jij (via dit portaal) legde de inzage in het dossier vast" in log
    assert "Je ouder (via het ouderportaal) las het dossier" in log
    assert "schreef je in" in log
    [case] = case_links(page)
    assert_addresses_pupil(portal.client.get(case).text, "the case page")


def test_the_pupil_from_12_is_addressed_as_je_on_their_page_and_case(portal: Gateway) -> None:
    school = portal.make_org("school_vo", name="Da Vinci College")
    register_gezag(portal, school, DAAN, PARENT[1])
    case_about(portal, DAAN, school)
    assert login(portal.client, PUPIL_13).status_code == 303
    kid = child_url(portal.client)
    page = portal.client.get(kid).text
    assert_addresses_pupil(page, "the page of a pupil of 13")
    [case] = case_links(page)
    viewed = portal.client.post(
        f"{case}/visie",
        data={"csrf_token": csrf_token(portal.client.get(case).text), "visie": "Gaat goed."},
    )
    assert "Je visie is toegevoegd" in viewed.text
    assert_addresses_pupil(viewed.text, "the case page of a pupil of 13")


def test_a_parent_is_still_addressed_as_u(portal: Gateway) -> None:
    region = make_region(portal, PARENT[1])
    case_about(portal, CHILD, region.po)
    assert login(portal.client, PARENT).status_code == 303
    kid = child_url(portal.client)
    assert_addresses_parent(portal.client.get("/portaal/kinderen").text, "the overview")
    dossier = portal.client.get(f"{kid}/dossier/{region.transfer_id}")
    assert "Bent u het eens met dit dossier?" in dossier.text
    recorded = portal.client.post(
        f"{kid}/dossier/{region.transfer_id}/inzage",
        data={"csrf_token": csrf_token(dossier.text), "akkoord": "ja"},
    )
    assert "Uw inzage is vastgelegd" in recorded.text
    page = visible(recorded.text)
    assert "U (rol: ouder, via het ouderportaal) legde de inzage in het dossier vast" in page
    assert "schreef uw kind in" in page
    assert_addresses_parent(recorded.text, "the child page")
    form = portal.client.get(f"{kid}/toestemming", params={"doel": REFERRAL}).text
    assert "Waarvoor geeft u toestemming?" in portal.client.get(f"{kid}/toestemming").text
    assert_addresses_parent(form, "the consent form")
    [case] = case_links(recorded.text)
    assert_addresses_parent(portal.client.get(case).text, "the case page")


def test_no_sentence_for_the_pupil_has_a_formal_word() -> None:
    for_pupil = [texts[1] for texts in voice.TEXTS.values()]
    for_pupil += [text for texts in voice.PUPIL_ACTIONS.values() for text in texts]
    for_pupil += list(voice.PUPIL_PURPOSES.values())
    for text in for_pupil:
        assert FORMAL.search(text) is None and "uw kind" not in text.lower(), text


def test_a_decision_and_a_refused_request_speak_to_the_pupil_as_je() -> None:
    tlv = SimpleNamespace(
        outcome="toegekend",
        category="laag",
        valid_from=date(2016, 8, 1),
        valid_until=date(2018, 7, 31),
        objection_until=date(2016, 5, 27),
    )
    when = datetime(2016, 4, 15, 9, 0, tzinfo=UTC)
    said = {}
    for reader in (voice.PARENT, voice.PUPIL):
        about, objection = reader.decision(
            "tlv.besluit", name="Noor", school="De Brug", swv="SWV Dordrecht"
        )
        said[reader.pupil] = [
            about,
            objection,
            *reader.tlv_facts(tlv),
            reader.refusal("Veilig Thuis", "rechten.inzage", "restricted", when),
            reader.refusal_ground("child_interest"),
            reader("refusal_remedy"),
        ]
    assert all(FORMAL.search(text) is None for text in said[True]), said[True]
    assert "besloten of jij naar" in said[True][0]
    assert "Bent u het niet eens met het besluit?" in said[False][1]
    assert "U kunt bezwaar maken tot en met 27 mei 2016." in said[False]
    assert "U krijgt niet alles wat u vroeg." in said[False][-3]
    assert "besloten of Noor naar" in said[False][0]
    assert "goed is voor uw kind" in said[False][-2]
