"""The privacy officer's inzage report, and correction and erasure requests with their term.

An officer sees a pupil only as far as its own organisation holds it; one that holds
nothing gets the answer an unknown BSN gets. A parent files a request in the portal
against one organisation the report names; the controller lists and answers its own
requests (another's is a 404 like an unknown id), retries change nothing, and the daily
reminder comes 7 days before the deadline and once it is past, once per stage.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from gateway.deps import edges_of
from gateway.main import retention_of
from gateway.orgs import officers
from gateway.orgs.scopes import default_scopes
from gateway.retention import records
from gateway.rights import reminders
from gateway.rights.models import RightsRequest
from gateway.rights.requests import add_months
from gateway.subjects.models import Subject
from gateway.web.security import CSP
from tests.support.consent import refresh
from tests.support.fg import register_officer
from tests.support.gateway import OFFICER, Gateway, Org, audit_log
from tests.support.idp import OFFICER as FG_LOGIN
from tests.support.idp import PARENT, login, officer_login
from tests.support.portal import (
    CHILD,
    child_url,
    csrf_token,
    enrol,
    make_region,
    push_dossier,
    register_gezag,
)
from tests.web.test_inzage_report import ENGLISH, text_of

UNKNOWN = {"bsn": "123456782", "birth_date": "2005-02-01"}
WRONG = "De achternaam is verkeerd gespeld"


def officer_of(portal: Gateway, kind: str, name: str) -> Org:
    return portal.make_org(kind, name=name, scopes=[*default_scopes(kind), "audit:read"])


def report(portal: Gateway, officer: Org, subject: dict[str, str]) -> Any:
    return portal.client.post(
        "/v1/rights/inzage/report", json={"subject": subject}, headers=officer.headers(**OFFICER)
    )


def problem(response: Any) -> tuple[int, str, str]:
    body = response.json()
    return response.status_code, body["code"], body["detail"]


def region_with_officers(portal: Gateway) -> tuple[Org, Org, Org]:
    po = officer_of(portal, "school_po", "OBS De Hien")
    vo = officer_of(portal, "school_vo", "Da Vinci College")
    wijkteam = officer_of(portal, "wijkteam", "Sociaal Wijkteam Dordrecht")
    register_gezag(portal, po, CHILD, PARENT[1])
    enrol(portal, vo, CHILD)
    push_dossier(portal, po, vo, CHILD)
    return po, vo, wijkteam


def test_the_officer_reads_only_what_its_own_organisation_holds(portal: Gateway) -> None:
    po, vo, _ = region_with_officers(portal)

    mine = report(portal, vo, CHILD)

    assert mine.status_code == 200, mine.text
    body = mine.json()
    assert body["reader"] == "officer"
    # Under this organisation's own pseudonym (the harness maps it back, or fails).
    portal.internal_ref(vo, body["pupil"]["subject_ref"])
    assert body["facts"] is None  # stated by the PO school, not by this one
    assert (body["pupil"]["name"], body["pupil"]["birth_date"]) == (None, None)
    assert body["gezag"] == []  # registered by the PO school
    assert [e["school"] for e in body["enrolments"]] == ["Da Vinci College"]
    (transfer,) = body["transfers"]
    assert transfer["recipient"] == "Da Vinci College" and transfer["content"] is None
    assert body["organisations"] == [{"id": vo.id, "name": "Da Vinci College"}]
    assert all(a["organisation"] in ("Da Vinci College", "OBS De Hien") for a in body["accesses"])
    # The PO school's officer sees its facts and gezag, under its own pseudonym.
    theirs = report(portal, po, CHILD).json()
    assert theirs["facts"]["stated_by"] == "OBS De Hien" and theirs["gezag"]
    assert theirs["pupil"]["subject_ref"] != body["pupil"]["subject_ref"]
    # On record in the officer's own log, with its Dutch label.
    assert "rights.inzage.report" in {e["action"] for e in audit_log(portal, vo)}


def test_an_officer_holding_nothing_learns_nothing(portal: Gateway) -> None:
    _po, _vo, wijkteam = region_with_officers(portal)
    stranger = report(portal, wijkteam, CHILD)
    unknown = report(portal, wijkteam, UNKNOWN)
    assert problem(stranger) == problem(unknown) == (404, "not_found", "No such pupil.")
    # Not under another purpose either, and not without the officer's scope.
    wrong_purpose = portal.client.post(
        "/v1/rights/inzage/report",
        json={"subject": CHILD},
        headers=wijkteam.headers(purpose="rechten.inzage", actor="fg-1"),
    )
    assert wrong_purpose.status_code == 403
    plain = portal.make_org("school_vo")
    unscoped = portal.client.post(
        "/v1/rights/inzage/report", json={"subject": CHILD}, headers=plain.headers(**OFFICER)
    )
    assert unscoped.status_code == 403


def file_request(portal: Gateway, organisation: str, soort: str = "correctie") -> str:
    assert login(portal.client, PARENT).status_code == 303
    kid = child_url(portal.client)
    page = portal.client.get(f"{kid}/inzage").text
    options = dict(
        (name, value) for value, name in re.findall(r'<option value="([^"]+)">([^<]+)<', page)
    )
    filed = portal.client.post(
        f"{kid}/verzoek",
        data={
            "csrf_token": csrf_token(page),
            "soort": soort,
            "organisatie": options[organisation],
            "wat": WRONG,
            "wordt": "de Vries",
        },
        follow_redirects=False,
    )
    assert filed.status_code == 303, filed.text
    return kid


def listed(portal: Gateway, officer: Org, due: str | None = None) -> list[dict[str, Any]]:
    response = portal.client.get(
        "/v1/rights/requests",
        params={"due": due} if due else {},
        headers=officer.headers(**OFFICER),
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def decide(
    portal: Gateway, officer: Org, request_id: str, key: str | None = None, **body: Any
) -> Any:
    headers = officer.headers(purpose="rechten.correctie", actor="fg-1")
    if key:
        headers["Idempotency-Key"] = key
    return portal.client.post(
        f"/v1/rights/requests/{request_id}/decision", json=body, headers=headers
    )


def remind_at(portal: Gateway, when: datetime) -> int:
    """The daily job at `when`; the tokens of the test's organisations renewed."""
    portal.clock.advance(when - portal.clock.now())
    refresh(portal, *portal.orgs)
    return reminders.run(portal.services.db, edges_of(portal.services))


def test_a_request_is_filed_reminded_and_answered_within_its_term(portal: Gateway) -> None:
    po, vo, _ = region_with_officers(portal)
    kid = file_request(portal, "OBS De Hien")

    (item,) = listed(portal, po)
    assert (item["wrong"], item["should_be"], item["status"]) == (WRONG, "de Vries", "open")
    assert (item["received_on"], item["deadline"]) == ("2016-04-15", "2016-05-15")
    assert item["right"] == "rechten.correctie" and item["requester_role"] == "parent"
    assert listed(portal, vo) == []  # not the other controller's
    with portal.services.db.sessions() as session:
        row = session.scalars(select(RightsRequest)).one()
        assert WRONG.encode() not in row.text  # sealed at rest
    page = text_of(portal.client.get(f"{kid}/inzage").text)
    assert "ingediend op 15 april 2016: in behandeling" in page
    assert "Antwoord uiterlijk op 15 mei 2016" in page

    # Reminders: none 8 days before, one at 7 days, none again; overdue once when past.
    assert remind_at(portal, datetime(2016, 5, 7, 6, tzinfo=UTC)) == 0
    assert listed(portal, po, "soon") == []
    assert remind_at(portal, datetime(2016, 5, 8, 6, tzinfo=UTC)) == 1
    assert remind_at(portal, datetime(2016, 5, 8, 18, tzinfo=UTC)) == 0
    (soon,) = listed(portal, po, "soon")
    assert [r["stage"] for r in soon["reminders"]] == ["soon"]
    assert remind_at(portal, datetime(2016, 5, 15, 20, tzinfo=UTC)) == 0  # due that day
    assert remind_at(portal, datetime(2016, 5, 16, 6, tzinfo=UTC)) == 1
    assert remind_at(portal, datetime(2016, 5, 17, 6, tzinfo=UTC)) == 0
    (late,) = listed(portal, po, "overdue")
    assert [r["stage"] for r in late["reminders"]] == ["soon", "overdue"]
    actions = [e["action"] for e in audit_log(portal, po)]
    assert actions.count("rights.request.remind") == 2 and "rights.request.file" in actions

    # Extended once with its reason: the deadline moves two months; a retry is the same.
    extended = decide(portal, po, item["id"], outcome="extended", note="Veel verzoeken")
    assert extended.status_code == 200, extended.text
    assert (extended.json()["deadline"], extended.json()["status"]) == ("2016-07-15", "extended")
    assert decide(portal, po, item["id"], outcome="extended", note="Veel verzoeken").json() == (
        extended.json()
    )
    assert remind_at(portal, datetime(2016, 7, 8, 6, tzinfo=UTC)) == 1  # the new deadline's

    refused = decide(portal, po, item["id"], key="k-1", outcome="refused", ground="avg_23")
    assert refused.status_code == 200, refused.text
    again = decide(portal, po, item["id"], key="k-1", outcome="refused", ground="avg_23")
    assert again.json() == refused.json()
    same = decide(portal, po, item["id"], outcome="refused", ground="avg_23")
    assert same.status_code == 200 and same.json()["status"] == "refused"
    assert decide(portal, po, item["id"], outcome="granted").status_code == 409
    decided = [(e["action"], e["decision"]) for e in audit_log(portal, po)]
    # The extension and the refusal, each once; the late `granted` refused, on record.
    assert decided.count(("rights.request.decide", "permit")) == 2
    assert decided.count(("rights.request.decide", "deny")) == 1

    portal.client.cookies.clear()  # the portal session ended while the months passed
    assert login(portal.client, PARENT).status_code == 303
    page = text_of(portal.client.get(f"{child_url(portal.client)}/inzage").text)
    assert "afgewezen" in page and "AVG artikel 23" in page
    # The reason the organisation gave for the extension, as it wrote it.
    assert "Toelichting van de organisatie: Veel verzoeken" in page
    assert not ENGLISH.findall(page), ENGLISH.findall(page)


def test_another_controller_cannot_see_or_answer_a_request(portal: Gateway) -> None:
    po, vo, _ = region_with_officers(portal)
    file_request(portal, "OBS De Hien")
    (item,) = listed(portal, po)

    theirs = decide(portal, vo, item["id"], outcome="granted")
    unknown = decide(portal, vo, "rr_nothing", outcome="granted")

    assert problem(theirs) == problem(unknown) == (404, "not_found", "No such request.")
    assert listed(portal, po)[0]["status"] == "open"
    # A refusal names a ground the controller may invoke, and an extension its reason.
    assert decide(portal, po, item["id"], outcome="refused").status_code == 422
    assert (
        decide(portal, po, item["id"], outcome="refused", ground="child_interest").status_code
        == 403
    )
    assert decide(portal, po, item["id"], outcome="extended").status_code == 422
    # An erasure's ground does not answer a correction; "the data are right" does.
    wrong_right = decide(portal, po, item["id"], outcome="refused", ground="legal_obligation")
    assert problem(wrong_right)[:2] == (422, "ground_not_applicable")
    accurate = decide(portal, po, item["id"], outcome="refused", ground="accurate")
    assert accurate.status_code == 200 and accurate.json()["ground"] == "accurate"


def test_a_request_goes_only_to_an_organisation_holding_the_data(portal: Gateway) -> None:
    make_region(portal, PARENT[1])
    stranger = portal.make_org("wijkteam", name="Sociaal Wijkteam Dordrecht")
    assert login(portal.client, PARENT).status_code == 303
    kid = child_url(portal.client)
    page = portal.client.get(f"{kid}/inzage").text
    assert "Sociaal Wijkteam" not in page
    refused = portal.client.post(
        f"{kid}/verzoek",
        data={
            "csrf_token": csrf_token(page),
            "soort": "verwijdering",
            "organisatie": stranger.id,
            "wat": "Alles",
        },
        follow_redirects=False,
    )
    assert refused.status_code == 404


def test_the_term_is_a_calendar_month() -> None:
    assert add_months(date(2016, 4, 15), 1) == date(2016, 5, 15)
    assert add_months(date(2016, 1, 31), 1) == date(2016, 2, 29)
    assert add_months(date(2015, 12, 31), 3) == date(2016, 3, 31)
    assert add_months(date(2016, 11, 30), 3) == date(2017, 2, 28)


def test_the_served_schedule_reminds_beside_the_retention_job(portal: Gateway) -> None:
    """`gateway serve` runs the reminders each day after the retention job; a job that
    fails leaves the others to run."""
    po, _, _ = region_with_officers(portal)
    file_request(portal, "OBS De Hien")
    portal.clock.advance(datetime(2016, 5, 8, 6, tzinfo=UTC) - portal.clock.now())
    refresh(portal, *portal.orgs)
    schedule = retention_of(portal.services)
    assert [name for name, _ in schedule.daily] == ["signals sweep", "rights remind"]

    def broken() -> object:
        raise RuntimeError("the sweep is down")

    schedule.daily = [("signals sweep", broken), *schedule.daily[1:]]
    schedule.run_daily()
    (soon,) = listed(portal, po, "soon")
    assert [r["stage"] for r in soon["reminders"]] == ["soon"]


def look_of(page: str) -> str:
    found = re.search(r'name="opzoeking" value="([^"]+)"', page)
    assert found, "the report form names its look-up"
    return found.group(1)


def fg_report_page(portal: Gateway, bsn: str) -> str:
    """The FG's look-up of `bsn` in the web pages, then its inzage report."""
    form = portal.client.get("/portaal/fg/leerling").text
    looked = portal.client.post(
        "/portaal/fg/leerling", data={"bsn": bsn, "csrf_token": csrf_token(form)}
    )
    assert looked.status_code == 200, looked.text
    made = portal.client.post(
        "/portaal/fg/leerling/inzage",
        data={"csrf_token": csrf_token(looked.text), "opzoeking": look_of(looked.text)},
    )
    assert made.status_code == 200, made.text
    assert made.headers["content-security-policy"] == CSP
    assert bsn not in made.text  # masked only
    return text_of(made.text)


def test_the_officer_makes_the_report_from_the_look_up_page(portal: Gateway) -> None:
    """In the FG's web pages the report follows the look-up: the pupil from the session,
    never from the form; its own organisation's part only; on the log."""
    po, vo, _ = region_with_officers(portal)
    register_officer(portal, vo, FG_LOGIN[1])
    elsewhere = {"bsn": "123456794", "birth_date": "2004-03-01"}  # only at the PO school
    register_gezag(portal, po, elsewhere, PARENT[1])
    assert officer_login(portal.client).status_code == 303

    # Without a look-up first there is no pupil to report on.
    form = portal.client.get("/portaal/fg/leerling").text
    bare = portal.client.post(
        "/portaal/fg/leerling/inzage",
        data={"csrf_token": csrf_token(form)},
        follow_redirects=False,
    )
    assert bare.status_code == 303 and bare.headers["location"].endswith("/fg/leerling")

    # A report asked from an older look-up (another tab) is not the later pupil's.
    first = portal.client.post(
        "/portaal/fg/leerling", data={"bsn": CHILD["bsn"], "csrf_token": csrf_token(form)}
    )
    portal.client.post(
        "/portaal/fg/leerling", data={"bsn": UNKNOWN["bsn"], "csrf_token": csrf_token(form)}
    )
    stale = portal.client.post(
        "/portaal/fg/leerling/inzage",
        data={"csrf_token": csrf_token(form), "opzoeking": look_of(first.text)},
        follow_redirects=False,
    )
    assert stale.status_code == 303 and stale.headers["location"].endswith("/fg/leerling")

    page = fg_report_page(portal, CHILD["bsn"])
    assert "Inzagerapport van de leerling met BSN" in page
    assert "Da Vinci College" in page and "Sociaal Wijkteam Dordrecht" not in page
    assert not ENGLISH.findall(page), ENGLISH.findall(page)
    assert "rights.inzage.report" in {e["action"] for e in audit_log(portal, vo)}

    # A pupil the organisation holds nothing on: the same page as for an unknown BSN.
    held_by_another = fg_report_page(portal, elsewhere["bsn"]).replace("6794", "####")
    never_seen = fg_report_page(portal, UNKNOWN["bsn"]).replace("6782", "####")
    assert held_by_another == never_seen
    assert "geen gegevens over deze leerling" in never_seen


def test_an_open_request_keeps_the_pupil_and_an_answered_one_goes_with_it(
    portal: Gateway,
) -> None:
    """The pupil's record stays while a request about it awaits its answer; once nothing
    else is left and the request is answered, the request goes with the record."""
    services = portal.services
    now = portal.clock.now()
    with services.db.unit_of_work() as session:
        org = portal.make_org("school_po", name="OBS De Hien").id
        session.add(
            Subject(subject_ref="sub_rq", identity=b"sealed", created_at=now - timedelta(days=9))
        )
        session.add(
            RightsRequest(
                id="rq_1", subject_ref="sub_rq", org_id=org, right="rechten.verwijdering",
                requester_ref="p", requester_role="parent", text=b"sealed",
                received_on=now.date(), deadline=add_months(now.date(), 1), status="open",
                created_at=now, updated_at=now,
            )
        )  # fmt: skip
    catalog = services.catalog
    with services.db.unit_of_work() as session:
        assert records.subjects_due(session, catalog=catalog, now=now) == []
        session.get(RightsRequest, "rq_1").status = "granted"  # type: ignore[union-attr]
    with services.db.unit_of_work() as session:
        (due,) = records.subjects_due(session, catalog=catalog, now=now)
        records.destroy_subject(session, due, catalog=catalog, now=now)
    with services.db.sessions() as session:
        assert session.get(Subject, "sub_rq") is None
        assert session.get(RightsRequest, "rq_1") is None


def test_the_officer_sees_the_requests_it_must_answer_and_their_terms(portal: Gateway) -> None:
    """The FG workplace lists the organisation's own requests with their words and
    terms, and the overview warns when one is due within 7 days; another
    organisation's officer sees none of them."""
    po, vo, _ = region_with_officers(portal)
    file_request(portal, "OBS De Hien")
    portal.clock.advance(datetime(2016, 5, 9, 6, tzinfo=UTC) - portal.clock.now())
    refresh(portal, *portal.orgs)
    portal.client.cookies.clear()

    register_officer(portal, vo, FG_LOGIN[1])
    assert officer_login(portal.client).status_code == 303
    assert "wachten op antwoord" not in portal.client.get("/portaal/fg/").text
    assert WRONG not in portal.client.get("/portaal/fg/verzoeken").text
    portal.client.cookies.clear()
    with portal.services.db.unit_of_work() as session:
        officers.remove(
            session,
            org_id=vo.id,
            sub=FG_LOGIN[1],
            pseudonyms=portal.keyring.pseudonyms,
            catalog=portal.services.catalog,
            now=portal.clock.now(),
        )

    register_officer(portal, po, FG_LOGIN[1])
    assert officer_login(portal.client).status_code == 303
    overview = text_of(portal.client.get("/portaal/fg/").text)
    assert "1 verzoek moet binnen 7 dagen beantwoord zijn" in overview
    listed_page = portal.client.get("/portaal/fg/verzoeken")
    assert listed_page.headers["content-security-policy"] == CSP
    page = text_of(listed_page.text)
    assert WRONG in page and "15 mei 2016" in page and "binnen 7 dagen" in page
    assert not ENGLISH.findall(page), ENGLISH.findall(page)
