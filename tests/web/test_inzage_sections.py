"""The report's case and consent sections, for the parents and for a case participant's
privacy officer: the case as the case page shows it, and only one's own seat and entries."""

from __future__ import annotations

from typing import Any

from gateway.orgs.scopes import default_scopes
from tests.support.gateway import OFFICER, Gateway
from tests.support.idp import PARENT, login
from tests.support.portal import (
    CHILD,
    REFERRAL,
    child_url,
    csrf_token,
    make_region,
    register_gezag,
)
from tests.web.test_inzage_report import ENGLISH, report_json, text_of
from tests.web.test_portal_cases import table


def test_the_case_and_the_consents_as_the_parents_and_an_officer_read_them(
    portal: Gateway,
) -> None:
    region = make_region(portal, PARENT[1])
    wijkteam = portal.make_org(
        "wijkteam",
        name="Sociaal Wijkteam Dordrecht",
        scopes=[*default_scopes("wijkteam"), "audit:read"],
    )
    at = table(portal, CHILD, region.po, wijkteam)
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

    body = report_json(portal, kid)
    (case,) = body["cases"]
    seats = {(p["organisation"], p["mandate"]) for p in case["participants"]}
    assert ("Sociaal Wijkteam Dordrecht", True) in seats
    assert ("Schoolmaatschappelijk werk Dordrecht", False) in seats
    agreements = [e for e in case["entries"] if e["content"]]
    assert agreements and all(e["category"] for e in case["entries"])
    # The professionals' other entries show who wrote what when, not their content.
    assert any(e["content"] is None and e["writer"] for e in case["entries"])
    (consent,) = body["consents"]
    assert consent["recipients"] == ["Sociaal Wijkteam Dordrecht"]
    assert (consent["status"], consent["grantors"]) == ("geldig", ["ouder"])
    names = {o["name"] for o in body["organisations"]}
    assert {"Sociaal Wijkteam Dordrecht", "Leerplicht Drechtsteden"} <= names
    page = text_of(portal.client.get(f"{kid}/inzage").text)
    assert "Knooppunt" in page and "Sociaal Wijkteam Dordrecht" in page
    assert not ENGLISH.findall(page), ENGLISH.findall(page)

    officer: dict[str, Any] = portal.client.post(
        "/v1/rights/inzage/report", json={"subject": CHILD}, headers=wijkteam.headers(**OFFICER)
    ).json()
    (own,) = officer["cases"]
    assert [p["organisation"] for p in own["participants"]] == [""]  # its own seat only
    assert [e["category"] for e in own["entries"]] == [
        e["category"] for e in case["entries"] if e["writer"] == "Sociaal Wijkteam Dordrecht"
    ]
    (named,) = officer["consents"]
    assert named["recipients"] == ["Sociaal Wijkteam Dordrecht"]
    assert officer["transfers"] == [] and at.case_id


def test_the_officer_sees_its_own_signal_and_the_parents_read_how_they_are_told(
    portal: Gateway,
) -> None:
    po = portal.make_org(
        "school_po", name="OBS De Hien", scopes=[*default_scopes("school_po"), "audit:read"]
    )
    register_gezag(portal, po, CHILD, PARENT[1])
    signalled = portal.client.post(
        "/v1/signals",
        json={
            "subject": CHILD["bsn"],
            "contact": {"name": "M. Visser (ib)", "phone": "078 000 0001", "email": "ib@x.example"},
        },
        headers=po.headers(purpose="verwijsindex.signaal", actor="ib-1"),
    )
    assert signalled.status_code == 201, signalled.text

    officer = portal.client.post(
        "/v1/rights/inzage/report", json={"subject": CHILD}, headers=po.headers(**OFFICER)
    ).json()
    assert officer["signals"]["shown"] is True
    (signal,) = officer["signals"]["items"]
    assert signal["status"] == "active" and signal["destroy_on"] == "2027-09-01"

    assert login(portal.client, PARENT).status_code == 303
    body = report_json(portal, child_url(portal.client))
    assert body["signals"] == {"shown": False, "note": body["signals"]["note"]}
    assert not [a for a in body["accesses"] if a["purpose"].startswith("verwijsindex")]
