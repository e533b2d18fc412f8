"""A meldcode report the parents were not told of stays out of everything they see.

While the reporter judged telling the parents unsafe, the report is restricted (AVG
art. 23, UAVG art. 41): the portal shows no trace of it (the report, Veilig Thuis
reading it, or polling its notification, the privacy officer's verdict on it, a refused
first attempt), and the access log's pages stay full, so no gap or short page gives it
away. The reporter or the privacy officer lifts the restriction, an act on record; from
then on the parents see it all. The privacy officer's own view never changes.
"""

from __future__ import annotations

import html
import re
from typing import Any

from sqlalchemy import select

from gateway.audit.models import AuditEntry
from gateway.orgs.scopes import default_scopes
from tests.delivery.helpers import hook, worker
from tests.support.gateway import OFFICER, Gateway, Org, audit_log
from tests.support.idp import PARENT, login
from tests.support.portal import (
    CHILD,
    OVERSTAP,
    child_url,
    enrol,
    push_dossier,
    register_gezag,
)
from tests.support.receiver import Receiver

MELDCODE = "meldcode.melding"
STEPS = ["signalen", "collegiale_consultatie", "gesprek", "afweging", "besluit"]
# Words any trace of the report would carry in the parents' Dutch.
TELLS = ("Veilig Thuis", "melding", "noodtoegang", "toezicht", "beperking")


def report(gateway: Gateway, school: Org, vt: Org, *, told: bool, steps: list[str] = STEPS) -> Any:
    facts: dict[str, Any] = {"steps": steps, "reasons": ["Signalen"], "parents_told": told}
    if not told:
        facts["not_told_reason"] = "Vertellen brengt het kind in gevaar"
    return gateway.client.post(
        "/v1/transfers",
        json={
            "recipient": vt.id,
            "subject": CHILD,
            "dossier": {"leerling": {}},
            "meldcode": facts,
        },
        headers=school.headers(purpose=MELDCODE, actor="af-1", role="aandachtsfunctionaris"),
    )


def setting(gateway: Gateway) -> tuple[Org, Org]:
    school = gateway.make_org(
        "school_po", name="OBS De Hien", scopes=[*default_scopes("school_po"), "audit:read"]
    )
    vt = gateway.make_org("veilig_thuis", name="Veilig Thuis Zuid-Holland Zuid")
    register_gezag(gateway, school, CHILD, PARENT[1])
    return school, vt


def tells(text: str) -> bool:
    return any(word in text for word in TELLS)


def portal_text(gateway: Gateway) -> str:
    """Every page the parent can reach about the child, as text."""
    kid = child_url(gateway.client)
    pages = [gateway.client.get("/portaal/kinderen").text, gateway.client.get(kid).text]
    pages.append(gateway.client.get(f"{kid}/toestemming").text)
    return html.unescape("\n".join(pages))


def told_lines(gateway: Gateway) -> list[str]:
    """The portal's lines with a word of the report (the aanmelding has one of its own)."""
    return [line.strip() for line in portal_text(gateway).splitlines() if tells(line)]


def log_lines(gateway: Gateway) -> list[str]:
    page = gateway.client.get(child_url(gateway.client)).text
    found = re.search(r'<ol class="log"[^>]*>(.*?)</ol>', page, re.S)
    assert found, "the page shows no access log"
    return [html.unescape(line) for line in re.findall(r"<li[^>]*>(.*?)</li>", found.group(1))]


def everything_about_the_report(gateway: Gateway, school: Org, vt: Org) -> str:
    """A refused attempt, the report, Veilig Thuis reading it, the officer's verdict."""
    refused = report(gateway, school, vt, told=False, steps=STEPS[:2])
    assert refused.status_code == 403, refused.text
    sent = report(gateway, school, vt, told=False)
    assert sent.status_code == 201, sent.text
    transfer_id: str = sent.json()["id"]
    read = gateway.client.get(
        f"/v1/transfers/{transfer_id}", headers=vt.headers(purpose=MELDCODE, actor="vt-1")
    )
    assert read.status_code == 200, read.text
    # Veilig Thuis polls its notifications: the poll is on its log, naming no pupil.
    polled = gateway.client.get(
        "/v1/notifications", headers={"Authorization": f"Bearer {vt.token}", "X-Actor": "vt-1"}
    )
    assert [n["data"]["transfer_id"] for n in polled.json()["items"]] == [transfer_id]
    with gateway.services.db.sessions() as session:
        query = select(AuditEntry).where(AuditEntry.org == vt.id)
        poll = [e for e in session.scalars(query) if e.action == "notification.poll"]
    assert [(e.object_id, e.subject_ref) for e in poll] == [(polled.json()["items"][0]["id"], None)]
    pending = gateway.client.get("/v1/audit/reviews", headers=school.headers(**OFFICER))
    (review,) = pending.json()["items"]
    assert review["restricted"] is True
    verdict = gateway.client.post(
        f"/v1/audit/reviews/{review['id']}",
        json={"verdict": "justified"},
        headers=school.headers(**OFFICER),
    )
    assert verdict.status_code == 200, verdict.text
    return transfer_id


def test_a_report_the_parents_were_not_told_of_leaves_no_trace_in_the_portal(
    portal: Gateway,
) -> None:
    school, vt = setting(portal)
    assert login(portal.client, PARENT).status_code == 303
    before = log_lines(portal)

    everything_about_the_report(portal, school, vt)

    leaked = [line.strip() for line in portal_text(portal).splitlines() if tells(line)]
    assert not leaked, leaked
    assert log_lines(portal) == before
    # Nothing changed for the privacy officer: every act is in the organisation's log.
    actions = [(e["action"], e["purpose"], e["decision"]) for e in audit_log(portal, school)]
    assert ("transfer.send", MELDCODE, "permit") in actions
    assert ("transfer.send", MELDCODE, "deny") in actions
    assert ("audit.review", "audit.toezicht", "permit") in actions


def test_the_restricted_report_leaves_no_short_page_in_the_access_log(portal: Gateway) -> None:
    """Hidden lines are left out by the query: every page but the last stays full."""
    school, vt = setting(portal)
    for n in range(30):  # the school restates gezag: two lines each, more than a page
        register_gezag(portal, school, CHILD, PARENT[1], has=n % 2 == 1)
    everything_about_the_report(portal, school, vt)  # the newest lines
    assert login(portal.client, PARENT).status_code == 303

    first = portal.client.get(child_url(portal.client)).text
    lines = re.findall(r"<li[^>]*>(.*?)</li>", first.split('<ol class="log"')[1])
    assert len(lines) == 50 and "gezag" in lines[0], lines
    assert not tells(html.unescape(first))


def test_the_reporter_lifts_the_restriction_and_the_parents_then_see_the_report(
    portal: Gateway,
) -> None:
    school, vt = setting(portal)
    transfer_id = everything_about_the_report(portal, school, vt)
    reviewed = portal.client.get("/v1/audit/reviews", headers=school.headers(**OFFICER))
    assert reviewed.json()["items"] == []
    still = portal.client.get(
        "/v1/audit/reviews?state=restricted", headers=school.headers(**OFFICER)
    )
    assert [r["object_id"] for r in still.json()["items"]] == [transfer_id]
    other = portal.client.post(
        f"/v1/transfers/{transfer_id}/restriction/lift",
        json={"reason": "parents_informed"},
        headers=school.headers(purpose=MELDCODE, actor="ib-2"),
    )
    assert (other.status_code, other.json()["code"]) == (403, "not_reporter")

    lifted = portal.client.post(
        f"/v1/transfers/{transfer_id}/restriction/lift",
        json={"reason": "parents_informed"},
        headers=school.headers(purpose=MELDCODE, actor="af-1", role="aandachtsfunctionaris"),
    )
    assert lifted.status_code == 200, lifted.text
    assert lifted.json()["restricted"] is False
    none_left = portal.client.get(
        "/v1/audit/reviews?state=restricted", headers=school.headers(**OFFICER)
    )
    assert none_left.json()["items"] == []
    again = portal.client.post(
        f"/v1/transfers/{transfer_id}/restriction/lift",
        json={"reason": "parents_informed"},
        headers=school.headers(purpose=MELDCODE, actor="af-1"),
    )
    assert (again.status_code, again.json()["code"]) == (409, "not_restricted")

    assert login(portal.client, PARENT).status_code == 303
    lines = log_lines(portal)
    assert any("stuurde het dossier voor een melding bij Veilig Thuis" in line for line in lines)
    assert any("las het dossier voor een melding bij Veilig Thuis" in line for line in lines)
    assert any("hief de afscherming" in line for line in lines), lines
    # On the review list and in the officer's log: who lifted it, when, why.
    listed = portal.client.get("/v1/audit/reviews?state=all", headers=school.headers(**OFFICER))
    (review,) = listed.json()["items"]
    assert review["restriction_lifted_by"] == "af-1"
    assert review["restriction_lift_reason"] == "parents_informed"
    assert review["restriction_lifted_at"] is not None
    actions = [(e["action"], e["decision"]) for e in audit_log(portal, school)]
    assert ("meldcode.restriction_lift", "permit") in actions
    assert ("meldcode.restriction_lift", "deny") in actions


def test_the_privacy_officer_lifts_it_from_the_review_list(portal: Gateway) -> None:
    school, vt = setting(portal)
    everything_about_the_report(portal, school, vt)
    listed = portal.client.get("/v1/audit/reviews?state=all", headers=school.headers(**OFFICER))
    (review,) = listed.json()["items"]
    stranger = portal.make_org("school_po", scopes=[*default_scopes("school_po"), "audit:read"])
    tried = portal.client.post(
        f"/v1/audit/reviews/{review['id']}/restriction/lift",
        json={"reason": "no_longer_unsafe"},
        headers=stranger.headers(**OFFICER),
    )
    assert tried.status_code == 404

    lifted = portal.client.post(
        f"/v1/audit/reviews/{review['id']}/restriction/lift",
        json={"reason": "no_longer_unsafe"},
        headers=school.headers(**OFFICER),
    )
    assert lifted.status_code == 200, lifted.text
    assert (lifted.json()["restricted"], lifted.json()["restriction_lifted_by"]) == (False, "fg-1")

    assert login(portal.client, PARENT).status_code == 303
    assert "melding bij Veilig Thuis" in portal_text(portal)


def test_a_report_the_parents_were_told_of_shows_as_before(portal: Gateway) -> None:
    school, vt = setting(portal)
    sent = report(portal, school, vt, told=True)
    assert sent.status_code == 201, sent.text
    pending = portal.client.get("/v1/audit/reviews", headers=school.headers(**OFFICER))
    assert pending.json()["items"][0]["restricted"] is False
    assert login(portal.client, PARENT).status_code == 303
    assert any("melding bij Veilig Thuis" in line for line in log_lines(portal))


def test_a_listing_holding_the_report_shows_nowhere_a_listing_without_it_does(
    portal: Gateway,
) -> None:
    """The school's outbox holds an overstap dossier and the restricted report, both of
    the child: its entry names no pupil, so the parents' log has no line for it; a page
    with only the dossier is a line like any read."""
    school, vt = setting(portal)
    vo = portal.make_org("school_vo", name="Da Vinci College")
    enrol(portal, vo, CHILD)
    overstap = push_dossier(portal, school, vo, CHILD)["id"]
    sent = report(portal, school, vt, told=False)
    assert sent.status_code == 201, sent.text
    assert login(portal.client, PARENT).status_code == 303
    before, told = log_lines(portal), told_lines(portal)

    def outbox(**params: Any) -> Any:
        listed = portal.client.get(
            "/v1/transfers",
            params={"box": "outbox", **params},
            headers=school.headers(purpose=OVERSTAP, actor="ib-1", role="ib"),
        )
        assert listed.status_code == 200, listed.text
        return listed.json()

    assert len(outbox()["items"]) == 2
    assert (log_lines(portal), told_lines(portal)) == (before, told)

    first = outbox(limit=1)
    second = outbox(limit=1, cursor=first["next"])
    assert {first["items"][0]["id"], second["items"][0]["id"]} == {overstap, sent.json()["id"]}
    lines = log_lines(portal)
    (new,) = [line for line in lines if line not in before]
    assert "OBS De Hien (rol: IB'er) bekeek de lijst van ontvangen of verstuurde dossiers" in new
    assert told_lines(portal) == told


def test_a_delivered_notification_of_the_report_shows_nowhere_of_a_dossier_it_does(
    portal: Gateway,
) -> None:
    """Veilig Thuis's system receives the report's notification by webhook: the delivery
    is on its log naming no pupil, so the parents' log has no line for it; the delivery
    of an overstap dossier's notification is a line like a poll's."""
    school, vt = setting(portal)
    vo = portal.make_org("school_vo", name="Da Vinci College")
    enrol(portal, vo, CHILD)
    receiver = Receiver().start()
    try:
        for org in (vt, vo):
            hook(portal, org, receiver.url)
        assert login(portal.client, PARENT).status_code == 303
        before, told = log_lines(portal), told_lines(portal)
        sent = report(portal, school, vt, told=False)
        assert sent.status_code == 201, sent.text
        assert worker(portal).run_once() == 1
        assert (log_lines(portal), told_lines(portal)) == (before, told)

        inzage = portal.client.post(
            f"/v1/transfers/{push_dossier(portal, school, vo, CHILD)['id']}/inzage",
            json={"date": "2016-04-14", "akkoord": True},
            headers=school.headers(purpose=OVERSTAP, actor="ib-1", role="ib"),
        )
        assert inzage.status_code == 200, inzage.text
        assert worker(portal).run_once() == 1
    finally:
        receiver.stop()
    assert len(receiver.keys()) == 2
    delivered = [line for line in log_lines(portal) if "afgeleverd" in line]
    assert delivered == [
        "Da Vinci College kreeg een bericht over een nieuw dossier, een ingetrokken "
        "toestemming of een match afgeleverd op haar eigen systeem voor de koppeling van "
        "het eigen systeem van de organisatie op 15 april 2016 om 11:00."
    ]
    assert told_lines(portal) == told
