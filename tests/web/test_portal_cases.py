"""A knooppunt case in the portal: the parents, and the pupil from 12, at the table.

They see the case, who takes part, the agreements and what is shared about the pupil
(who wrote what, when, and which participants read it now, as the case register
decides for those participants), and add their own view, which the participants with a
mandate read through the API. Another child's case, or a case the viewer takes no part
in, is the same 404 page as an id that never existed.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from gateway.audit import service as audit
from gateway.audit.chain import canonical
from gateway.audit.models import AuditEntry
from gateway.cases.models import CaseEntry
from tests.support.gateway import Gateway, Org
from tests.support.idp import PARENT, PUPIL_13, PUPIL_16, login
from tests.support.portal import (
    AGREEMENTS,
    CASE,
    CHILD,
    case_headers,
    case_links,
    child_url,
    csrf_token,
    join_case,
    make_region,
    register_gezag,
    start_case,
    targets,
    write_case_entry,
)

VISIE = "Sam is thuis rustig; op school loopt het mis bij drukte."
WENSEN = "Een vaste plek in de klas."
UNKNOWN = "cs_00000000000000000000"
# 13 on the harness's date (15 April 2016): takes part from 12.
DAAN = {"bsn": PUPIL_13[1], "birth_date": "2003-01-10", "given_name": "Daan"}
NOOR = {"bsn": PUPIL_16[1], "birth_date": "1999-03-01", "given_name": "Noor"}  # 17
OTHER_PARENT = "123456708"


@dataclass
class Table:
    school: Org
    wijkteam: Org
    leerplicht: Org
    smw: Org
    case_id: str


def table(portal: Gateway, child: dict[str, str], school: Org, wijkteam: Org) -> Table:
    """A case by the school, the wijkteam and leerplicht with a mandate, school social
    work without; the wijkteam writes the agreements, leerplicht its absence record."""
    leerplicht = portal.make_org("leerplicht", name="Leerplicht Drechtsteden")
    smw = portal.make_org("smw", name="Schoolmaatschappelijk werk Dordrecht")
    case_id = start_case(portal, school, child)
    join_case(portal, case_id, school, wijkteam, "jeugdprofessional")
    join_case(portal, case_id, school, leerplicht, "leerplichtambtenaar")
    join_case(portal, case_id, school, smw, "schoolmaatschappelijk_werker", mandate=False)
    write_case_entry(portal, case_id, wijkteam, "knooppunt_afspraken", AGREEMENTS)
    write_case_entry(portal, case_id, leerplicht, "verzuim", {"weken": 6})
    support = {"ondersteuning": "Extra begeleiding bij rekenen"}
    write_case_entry(portal, case_id, school, "onderwijsondersteuning", support)
    return Table(school, wijkteam, leerplicht, smw, case_id)


@pytest.fixture
def at(portal: Gateway) -> Table:
    region = make_region(portal, PARENT[1])
    return table(portal, CHILD, region.po, region.wijkteam)


def text(page: str) -> str:
    """The page's words, as a reader sees them (tags dropped, entities read)."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def card(page: str, heading: str) -> str:
    """The words of the card under `heading` (its h3)."""
    for block in re.findall(r'<li class="kaart">(.*?)</li>', page, flags=re.S):
        if f"<h3>{heading}</h3>" in block:
            return text(block)
    raise AssertionError(f"no card {heading!r}")


def main(page: str) -> str:
    found = re.search(r"<main.*?</main>", page, flags=re.S)
    assert found
    return found.group(0)


def open_case(portal: Gateway, account: tuple[str, str] = PARENT) -> tuple[str, str]:
    """Logs in and opens the one case on the child's page: (child page, case page)."""
    portal.client.cookies.clear()
    assert login(portal.client, account).status_code == 303
    kid = child_url(portal.client)
    [case] = case_links(portal.client.get(kid).text)
    return kid, case


def add_view(portal: Gateway, case_url: str, visie: str = VISIE, **form: str) -> int:
    page = portal.client.get(case_url).text
    data = {"csrf_token": csrf_token(page), "visie": visie, "wensen": WENSEN, **form}
    response = portal.client.post(f"{case_url}/visie", data=data, follow_redirects=False)
    return response.status_code


def entries(portal: Gateway, case_id: str) -> list[CaseEntry]:
    with portal.services.db.sessions() as session:
        return list(session.scalars(select(CaseEntry).where(CaseEntry.case_id == case_id)))


def log_of(portal: Gateway, subject: dict[str, str]) -> list[AuditEntry]:
    ref = portal.keyring.pseudonyms.subject_ref(subject["bsn"])
    with portal.services.db.sessions() as session:
        return list(audit.search(session, subject_ref=ref, limit=500).items)


def test_a_parent_sees_the_case_who_takes_part_the_agreements_and_what_is_shared(
    portal: Gateway, at: Table
) -> None:
    assert login(portal.client, PARENT).status_code == 303
    kid = child_url(portal.client)
    child_page = portal.client.get(kid).text
    assert "Overleg over Sam de Vries" in child_page
    assert "Regie: OBS De Hien." in text(child_page)
    [case_url] = case_links(child_page)
    assert case_url == f"{kid}/overleg/{at.case_id}"

    page = portal.client.get(case_url)
    assert page.status_code == 200, page.text
    words = text(page.text)
    assert "Knooppunt over Sam de Vries" in words
    assert "Dit overleg loopt nog." in words
    assert "Onderwerp Zorgen om de schooldag" in words
    assert "Regie OBS De Hien" in words
    assert "Evaluatie uiterlijk 15 april 2017" in words
    # The participants: organisation, kind, role and mandate; never the person's id.
    smw = card(page.text, "Schoolmaatschappelijk werk Dordrecht")
    assert "Rol schoolmaatschappelijk werker" in smw
    assert "Mandaat nee, mag niet beslissen namens de organisatie" in smw
    assert "Rol leerplichtambtenaar" in card(page.text, "Leerplicht Drechtsteden")
    assert "p-smw" not in page.text and "p-school_po" not in page.text
    # The agreements in full, in words.
    assert "Sam begint elke dag met een kort gesprek met de juf." in words
    assert "Onderwijs, op school; eigenaar: de school; datum: 1 mei 2016" in words
    assert "Zorg, thuis; eigenaar: het wijkteam" in words
    assert "Besluit van 15 april 2016, genomen door de ouders, de school, het wijkteam" in words
    # What is shared: writer, category, date, and who reads it, as the register decides.
    absence = card(page.text, "Verzuim")
    assert "Geschreven door Leerplicht Drechtsteden op 15 april 2016." in absence
    readers = re.search(r"Ook te lezen voor: (.*?)\.", absence)
    assert readers is not None
    assert set(readers.group(1).split(", ")) == {"OBS De Hien", "Sociaal Wijkteam Dordrecht"}
    support = card(page.text, "Ondersteuning op school")
    assert "Geschreven door OBS De Hien" in support
    assert "Geen andere deelnemer kan dit lezen." in support
    # The professionals' contents stay with them: the portal is not the inzage route.
    assert "Extra begeleiding bij rekenen" not in page.text
    assert "weken" not in words

    read = [e for e in log_of(portal, CHILD) if e.action == "case.read" and e.org == "portaal"]
    assert [(e.actor_role, e.purpose, e.object_id, e.categories) for e in read] == [
        ("parent", CASE, at.case_id, ["knooppunt_afspraken"])
    ]
    log = text(portal.client.get(kid).text)
    assert (
        "U (rol: ouder, via het ouderportaal) bekeek het overleg voor overleg in het "
        "knooppunt (ondersteuningsteam)" in log
    )
    wrote = "Leerplicht Drechtsteden (rol: leerplichtambtenaar) schreef een stuk in het overleg"
    assert wrote in log


def test_the_own_view_is_sealed_and_read_by_the_participants_with_a_mandate(
    portal: Gateway, at: Table
) -> None:
    _, case_url = open_case(portal)
    assert add_view(portal, case_url) == 303
    page = portal.client.get(case_url).text
    assert "Uw visie is toegevoegd aan het overleg." in page
    own = card(page, "Eigen visie van de ouders")
    assert "Geschreven door u op 15 april 2016." in own
    assert VISIE in own and WENSEN in own
    readers = re.search(r"Ook te lezen voor: (.*?)\.", own)
    assert readers is not None
    assert set(readers.group(1).split(", ")) == {
        "OBS De Hien",
        "Sociaal Wijkteam Dordrecht",
        "Leerplicht Drechtsteden",
    }

    [view] = [e for e in entries(portal, at.case_id) if e.category == "visie_ouders"]
    assert (view.org_id, view.author) == ("portaal", "parent")
    assert VISIE.encode() not in view.content  # sealed like every entry
    listed = portal.client.get(f"/v1/cases/{at.case_id}/entries", headers=case_headers(at.school))
    [item] = [i for i in listed.json()["items"] if i["category"] == "visie_ouders"]
    assert item["content"] == {"visie": VISIE, "wensen": WENSEN}
    assert (item["org"], item["author"]) == ("portaal", "parent")
    # Without a mandate, school social work does not read it, and cannot tell it exists.
    hidden = portal.client.get(f"/v1/cases/{at.case_id}/entries", headers=case_headers(at.smw))
    assert "visie_ouders" not in hidden.text
    by_id = portal.client.get(
        f"/v1/cases/{at.case_id}/entries/{view.id}", headers=case_headers(at.smw)
    )
    assert by_id.status_code == 404

    # An organisation cannot write the parents' view for them.
    forged = portal.client.post(
        f"/v1/cases/{at.case_id}/entries",
        json={"category": "visie_ouders", "content": {"visie": "Namens de ouders"}},
        headers=case_headers(at.school),
    )
    assert (forged.status_code, forged.json()["code"]) == (422, "category_forbidden")

    [written] = [
        e for e in log_of(portal, CHILD) if e.action == "case.entry.write" and e.org == "portaal"
    ]
    assert (written.org, written.actor_role, written.object_id) == ("portaal", "parent", view.id)
    assert written.categories == ["visie_ouders"]
    with portal.services.db.sessions() as session:
        rows = json.dumps([canonical(e) for e in session.scalars(select(AuditEntry))], default=str)
    for private in (VISIE, WENSEN, "Jolanda", PARENT[1]):
        assert private not in rows


def test_a_view_without_its_csrf_token_is_refused_and_nothing_is_stored(
    portal: Gateway, at: Table
) -> None:
    _, case_url = open_case(portal)
    before = len(entries(portal, at.case_id))
    for token in ("", "forged-token"):
        refused = portal.client.post(
            f"{case_url}/visie",
            data={"csrf_token": token, "visie": VISIE},
            follow_redirects=False,
        )
        assert refused.status_code == 403
        assert "Het formulier is verlopen" in refused.text
    assert len(entries(portal, at.case_id)) == before
    assert [e for e in log_of(portal, CHILD) if e.org == "portaal" and "write" in e.action] == []


def test_another_childs_case_is_the_same_404_as_an_id_that_never_existed(
    portal: Gateway, at: Table
) -> None:
    noa = {"bsn": "123456721", "birth_date": "2006-02-02", "given_name": "Noa"}
    register_gezag(portal, at.school, noa, OTHER_PARENT)
    theirs = start_case(portal, at.school, noa)
    kid, case_url = open_case(portal)
    page = portal.client.get(case_url).text
    never = portal.client.get(f"{kid}/overleg/{UNKNOWN}")
    other = portal.client.get(f"{kid}/overleg/{theirs}")
    assert (never.status_code, other.status_code) == (404, 404)
    assert main(other.text) == main(never.text)
    assert "Niet gevonden" in other.text
    written = portal.client.post(
        f"{kid}/overleg/{theirs}/visie",
        data={"csrf_token": csrf_token(page), "visie": VISIE},
        follow_redirects=False,
    )
    assert written.status_code == 404
    assert entries(portal, theirs) == []
    # The attempt is on the creator's record, not in either child's access log.
    with portal.services.db.sessions() as session:
        tried = list(
            session.scalars(
                select(AuditEntry).where(AuditEntry.org == "portaal", AuditEntry.decision == "deny")
            )
        )
    assert {(e.action, e.code, e.owner, e.subject_ref) for e in tried} == {
        ("case.read", "not_found", at.school.id, None),
        ("case.entry.write", "not_found", at.school.id, None),
    } | {("case.read", "not_found", None, None)}
    assert all(e.decision == "permit" for e in log_of(portal, noa))


def test_a_parent_without_gezag_takes_no_part(portal: Gateway) -> None:
    school = portal.make_org("school_po", name="OBS De Hien")
    wijkteam = portal.make_org("wijkteam", name="Sociaal Wijkteam Dordrecht")
    register_gezag(portal, school, CHILD, PARENT[1], has=False)
    at = table(portal, CHILD, school, wijkteam)
    assert login(portal.client, PARENT).status_code == 303
    kid = child_url(portal.client)
    assert case_links(portal.client.get(kid).text) == []
    theirs = portal.client.get(f"{kid}/overleg/{at.case_id}")
    never = portal.client.get(f"{kid}/overleg/{UNKNOWN}")
    assert (theirs.status_code, never.status_code) == (404, 404)
    assert main(theirs.text) == main(never.text)


def test_a_pupil_from_12_sees_their_case_and_adds_their_view(portal: Gateway) -> None:
    school = portal.make_org("school_vo", name="Da Vinci College")
    wijkteam = portal.make_org("wijkteam", name="Sociaal Wijkteam Dordrecht")
    register_gezag(portal, school, DAAN, PARENT[1])
    at = table(portal, DAAN, school, wijkteam)

    _, case_url = open_case(portal, PUPIL_13)
    page = portal.client.get(case_url).text
    assert "Knooppunt over jou" in page
    assert "Jij en je ouders doen mee." in page
    assert "Hoe zie jij het?" in page
    assert add_view(portal, case_url, "Ik wil in mijn eigen klas blijven.") == 303
    page = portal.client.get(case_url).text
    assert "Je visie is toegevoegd aan het overleg." in page
    assert "Geschreven door jou" in card(page, "Eigen visie van de leerling")

    # The parents see that Daan wrote a view, not what.
    _, parents_url = open_case(portal, PARENT)
    page = portal.client.get(parents_url).text
    view = card(page, "Eigen visie van de leerling")
    assert "Geschreven door Daan zelf, via dit portaal" in view
    assert "eigen klas" not in page
    listed = portal.client.get(f"/v1/cases/{at.case_id}/entries", headers=case_headers(school))
    assert "Ik wil in mijn eigen klas blijven." in listed.text
    roles = {e.actor_role for e in log_of(portal, DAAN) if e.org == "portaal"}
    assert roles == {"pupil", "parent"}


def test_under_12_the_pupils_own_login_opens_no_case(portal: Gateway) -> None:
    young = {**DAAN, "birth_date": "2005-01-10"}  # 11
    school = portal.make_org("school_po", name="OBS De Hien")
    wijkteam = portal.make_org("wijkteam", name="Sociaal Wijkteam Dordrecht")
    register_gezag(portal, school, young, PARENT[1])
    at = table(portal, young, school, wijkteam)
    assert login(portal.client, PUPIL_13).status_code == 303
    overview = portal.client.get("/portaal/kinderen").text
    assert [url for url in targets(overview) if url.startswith("/portaal/kind/")] == []
    # The parents see it.
    _, case_url = open_case(portal, PARENT)
    assert case_url.endswith(at.case_id)


def test_from_16_the_pupil_sees_the_case_and_the_parents_do_not(portal: Gateway) -> None:
    school = portal.make_org("school_vo", name="Da Vinci College")
    wijkteam = portal.make_org("wijkteam", name="Sociaal Wijkteam Dordrecht")
    register_gezag(portal, school, NOOR, PARENT[1])
    at = table(portal, NOOR, school, wijkteam)
    assert login(portal.client, PARENT).status_code == 303
    kid = child_url(portal.client)
    assert case_links(portal.client.get(kid).text) == []
    assert portal.client.get(f"{kid}/overleg/{at.case_id}").status_code == 404

    _, case_url = open_case(portal, PUPIL_16)
    assert "Knooppunt over jou" in portal.client.get(case_url).text


def test_a_closed_case_stays_visible_and_takes_no_view(portal: Gateway, at: Table) -> None:
    closed = portal.client.post(f"/v1/cases/{at.case_id}/close", headers=case_headers(at.school))
    assert closed.status_code == 200, closed.text
    kid, case_url = open_case(portal)
    assert "Gesloten op 15 april 2016." in text(portal.client.get(kid).text)
    page = portal.client.get(case_url)
    assert page.status_code == 200
    assert "Dit overleg is gesloten op 15 april 2016." in page.text
    assert "Sam begint elke dag" in page.text
    assert 'name="visie"' not in page.text
    before = len(entries(portal, at.case_id))
    data = {"csrf_token": csrf_token(page.text), "visie": VISIE}
    refused = portal.client.post(f"{case_url}/visie", data=data, follow_redirects=False)
    assert refused.status_code == 409
    assert len(entries(portal, at.case_id)) == before
    [denied] = [e for e in log_of(portal, CHILD) if e.decision == "deny"]
    assert (denied.action, denied.code) == ("case.entry.write", "case_closed")
    assert denied.org == "portaal"


def test_a_view_that_is_no_plain_text_is_refused(portal: Gateway, at: Table) -> None:
    _, case_url = open_case(portal)
    assert add_view(portal, case_url, "Sam \u202eleest\u202c graag") == 422
    assert add_view(portal, case_url, "   ") == 422
    assert [e for e in entries(portal, at.case_id) if e.category == "visie_ouders"] == []
