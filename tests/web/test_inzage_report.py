"""The inzage report (AVG art. 15) in the portal: who may open it, what it holds.

A parent with gezag under 16, the pupil from 16 (the catalog's rule, `children.may_act`)
read everything the gateway holds about the pupil and every access, in Dutch, as a page
and as JSON; a parent without gezag, the parents of a pupil of 16, and a pupil of 12 to
15 may not. A meldcode report the parents were not told of stays out of it altogether.
"""

from __future__ import annotations

import html
import re
from typing import Any

from gateway.web import wording
from tests.support.gateway import Gateway
from tests.support.idp import PARENT, PUPIL_13, PUPIL_16, login
from tests.support.portal import CHILD, child_url, make_region, register_gezag
from tests.web.test_meldcode_restriction import everything_about_the_report, setting, tells

NOOR = {"bsn": PUPIL_16[1], "birth_date": "1999-03-01", "given_name": "Noor"}  # 17
DAAN = {"bsn": PUPIL_13[1], "birth_date": "2003-01-10", "given_name": "Daan"}  # 13
FIELDS = {
    "schema",
    "generated_at",
    "reader",
    "scope",
    "pupil",
    "facts",
    "gezag",
    "enrolments",
    "transfers",
    "consents",
    "cases",
    "tlvs",
    "signals",
    "retention",
    "accesses",
    "withheld",
    "organisations",
}
# English words a Dutch page must not show (codes, statuses, API words).
ENGLISH = re.compile(
    r"\b(?:available|awaiting|permit|deny|granted|refused|withdrawn|received|active|"
    r"transfer|consent|enrolment|subject|none|None|True|False|null)\b"
)


def text_of(page: str) -> str:
    body = re.search(r"<body.*?</body>", page, flags=re.S)
    assert body, "no body"
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body.group(0))))


def report_json(portal: Gateway, kid: str) -> dict[str, Any]:
    response = portal.client.get(f"{kid}/inzage.json")
    assert response.status_code == 200, response.text
    assert "attachment" in response.headers["content-disposition"]
    body: dict[str, Any] = response.json()
    return body


def test_a_parent_with_gezag_reads_everything_held_and_every_access(portal: Gateway) -> None:
    region = make_region(portal, PARENT[1])
    assert login(portal.client, PARENT).status_code == 303
    kid = child_url(portal.client)
    assert f"{kid}/inzage" in portal.client.get(kid).text  # the child's page links to it

    page = portal.client.get(f"{kid}/inzage")

    assert page.status_code == 200, page.text
    text = text_of(page.text)
    assert "Inzage: alle gegevens van Sam de Vries" in text
    assert "Sociaal Wijkteam" not in text  # holds nothing on the child
    for words in ("OBS De Hien", "Da Vinci College", "Gezag", "Wie de gegevens heeft gebruikt"):
        assert words in text, words
    assert "Overdracht naar het voortgezet onderwijs" in text or "voortgezet" in text
    assert not ENGLISH.findall(text), ENGLISH.findall(text)

    body = report_json(portal, kid)
    assert set(body) == FIELDS
    assert (body["schema"], body["reader"]) == ("inzage-report/1", "person")
    assert body["pupil"]["birth_date"] == CHILD["birth_date"]
    assert body["pupil"]["subject_ref"] is None  # the portal shows no pseudonym
    (transfer,) = body["transfers"]
    assert (transfer["id"], transfer["sender"], transfer["recipient"]) == (
        region.transfer_id,
        "OBS De Hien",
        "Da Vinci College",
    )
    assert transfer["content"], "the parents see the overstapdossier's content"
    assert body["gezag"][0]["who"] == "U" and body["gezag"][0]["has_gezag"] is True
    assert {e["school"] for e in body["enrolments"]} == {"OBS De Hien", "Da Vinci College"}
    assert {o["name"] for o in body["organisations"]} == {"OBS De Hien", "Da Vinci College"}
    assert body["signals"]["shown"] is False and "verwijsindex" in body["signals"]["note"]
    actions = {a["action"] for a in body["accesses"]}
    assert {"transfer.send", "rights.inzage.report", "transfer.read"} <= actions
    for access in body["accesses"]:
        assert access["action_nl"] == wording.action(
            access["action"], refused=access["decision"] == "deny"
        )
        assert not access["action_nl"].startswith("deed '"), access
    # Each report is itself on record, with its Dutch label.
    assert wording.action("rights.inzage.report") in text_of(portal.client.get(kid).text)


def test_a_parent_without_gezag_gets_no_report(portal: Gateway) -> None:
    school = portal.make_org("school_po", name="OBS De Hien")
    register_gezag(portal, school, CHILD, PARENT[1], has=False)
    assert login(portal.client, PARENT).status_code == 303
    kid = child_url(portal.client)

    for url in (f"{kid}/inzage", f"{kid}/inzage.json"):
        refused = portal.client.get(url)
        assert refused.status_code == 403, url
        assert "OBS De Hien" not in refused.text and "2004" not in refused.text


def test_from_16_the_pupil_reads_it_and_the_parents_no_longer(portal: Gateway) -> None:
    school = portal.make_org("school_vo", name="Da Vinci College")
    register_gezag(portal, school, NOOR, PARENT[1])
    assert login(portal.client, PARENT).status_code == 303
    assert portal.client.get(f"{child_url(portal.client)}/inzage").status_code == 403
    portal.client.cookies.clear()

    assert login(portal.client, PUPIL_16).status_code == 303
    own = child_url(portal.client)
    page = portal.client.get(f"{own}/inzage")
    assert page.status_code == 200, page.text
    body = report_json(portal, own)
    assert body["pupil"]["age"] == 17
    assert body["gezag"][0]["who"] == "Een ouder"  # the parent, by role only


def test_a_pupil_of_13_does_not_exercise_the_right_alone(portal: Gateway) -> None:
    school = portal.make_org("school_po", name="OBS De Hien")
    register_gezag(portal, school, DAAN, PARENT[1])
    assert login(portal.client, PUPIL_13).status_code == 303
    own = child_url(portal.client)
    assert portal.client.get(f"{own}/inzage").status_code == 403
    portal.client.cookies.clear()
    assert login(portal.client, PARENT).status_code == 303
    assert portal.client.get(f"{child_url(portal.client)}/inzage").status_code == 200


def test_a_restricted_meldcode_report_stays_out_of_the_report(portal: Gateway) -> None:
    school, vt = setting(portal)
    everything_about_the_report(portal, school, vt)
    assert login(portal.client, PARENT).status_code == 303
    kid = child_url(portal.client)

    page = portal.client.get(f"{kid}/inzage")
    body = report_json(portal, kid)

    assert page.status_code == 200
    # "Aanmeldingen" holds "melding": the tells are whole words here.
    text = text_of(page.text).replace("Aanmelding", "").replace("aanmelding", "")
    leaked = [line for line in text.split(". ") if tells(line)]
    assert not leaked, leaked
    assert body["transfers"] == []
    assert not [a for a in body["accesses"] if a["purpose"] == "meldcode.melding"]
    assert all(o["name"] != "Veilig Thuis Zuid-Holland Zuid" for o in body["organisations"])
    assert "Veilig Thuis" not in str(body)
