"""A signal's life: withdrawn both ways, expired into the archive, destroyed at 23 or on
death; the archive read only within a current case."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from gateway.signals.models import Signal
from tests.cases.helpers import PUPIL, table
from tests.cases.helpers import headers as case_headers
from tests.signals.helpers import (
    MATCH,
    assert_no_content,
    child,
    headers,
    later,
    matches,
    reporter,
    signal,
    signalled,
    sweep,
    withdraw,
)
from tests.support.consent import born_aged
from tests.support.gateway import Gateway, audit_log

TWO_YEARS = timedelta(days=730)


def test_withdrawn_as_unjustified_the_signal_is_gone_without_archive(gateway: Gateway) -> None:
    at = table(gateway)
    kid = PUPIL["bsn"]
    ours = signalled(gateway, at.wijkteam, kid)
    signalled(gateway, at.school, kid)
    assert len(matches(gateway, at.wijkteam)) == 1
    stranger = withdraw(gateway, at.school, ours["id"], "unjustified")
    assert stranger.status_code == 404
    gone = withdraw(gateway, at.wijkteam, ours["id"], "unjustified")
    assert gone.status_code == 204
    assert matches(gateway, at.school) == [] and matches(gateway, at.wijkteam) == []
    notes = gateway.client.get("/v1/signals/notifications", headers=headers(at.school, MATCH))
    assert notes.json()["items"] == []
    looked = gateway.client.get(
        f"/v1/signals/archive?case={at.case_id}", headers=headers(at.school, MATCH)
    )
    assert looked.status_code == 200 and looked.json()["items"] == []
    assert withdraw(gateway, at.wijkteam, ours["id"], "unjustified").status_code == 404
    acts = [(e["action"], e["decision"]) for e in audit_log(gateway, at.wijkteam)]
    assert ("signal.withdraw", "permit") in acts


def test_withdrawn_as_risk_gone_it_is_archived_never_matches_and_is_read_in_a_case(
    gateway: Gateway,
) -> None:
    at = table(gateway)
    kid = PUPIL["bsn"]
    ours = signalled(gateway, at.wijkteam, kid, name="Joost de Wit")
    assert withdraw(gateway, at.wijkteam, ours["id"], "risk_gone").status_code == 204
    jgz = reporter(gateway, "jgz")
    assert signalled(gateway, jgz, kid)["matches"] == []
    assert matches(gateway, jgz) == []
    # A participant of the open case reads the archive, logged with person and date.
    looked = gateway.client.get(
        f"/v1/signals/archive?case={at.case_id}",
        headers=headers(at.school, MATCH, actor="ib-9"),
    )
    assert looked.status_code == 200, looked.text
    assert_no_content(looked, kid)
    (item,) = looked.json()["items"]
    assert (item["signal_id"], item["org"]) == (ours["id"], at.wijkteam.id)
    assert item["contact"]["name"] == "Joost de Wit"
    (entry,) = [e for e in audit_log(gateway, at.school) if e["action"] == "signal.archive_lookup"]
    assert (entry["actor"], entry["object_id"], entry["decision"]) == ("ib-9", at.case_id, "permit")
    assert entry["time"].startswith(gateway.clock.now().date().isoformat())
    # Not at the table: the answer for an unknown case, and the attempt on record.
    outsider = gateway.client.get(
        f"/v1/signals/archive?case={at.case_id}", headers=headers(jgz, MATCH)
    )
    assert outsider.status_code == 404
    denied = [e for e in audit_log(gateway, jgz) if e["action"] == "signal.archive_lookup"]
    assert [e["decision"] for e in denied] == ["deny"]
    # A closed case is no current case.
    closed = gateway.client.post(f"/v1/cases/{at.case_id}/close", headers=case_headers(at.school))
    assert closed.status_code == 200, closed.text
    late = gateway.client.get(
        f"/v1/signals/archive?case={at.case_id}", headers=headers(at.school, MATCH)
    )
    assert late.status_code == 409 and late.json()["code"] == "case_closed"


def test_after_two_years_the_sweep_archives_and_after_five_more_destroys(gateway: Gateway) -> None:
    school = reporter(gateway, "school_po")
    wijkteam = reporter(gateway, "wijkteam")
    kid = child(gateway, school, 11, age=5)
    made = signalled(gateway, school, kid)
    signalled(gateway, wijkteam, kid)
    later(gateway, TWO_YEARS - timedelta(seconds=1), school, wijkteam)
    assert sweep(gateway).archived == 0
    assert len(matches(gateway, school)) == 1
    later(gateway, timedelta(seconds=1), school, wijkteam)
    swept = sweep(gateway)
    assert swept.archived == 2 and swept.destroyed == 0
    assert matches(gateway, school) == [] and matches(gateway, wijkteam) == []
    listed = gateway.client.get("/v1/signals", headers=headers(school)).json()["items"]
    assert [(s["id"], s["status"]) for s in listed] == [(made["id"], "archived")]
    expired = [e for e in audit_log(gateway, school) if e["action"] == "signal.expire"]
    assert [(e["object_id"], e["actor"]) for e in expired] == [(made["id"], None)]
    later(gateway, timedelta(days=5 * 365) - timedelta(seconds=1), school)
    assert sweep(gateway).destroyed == 0
    later(gateway, timedelta(seconds=1), school)
    assert sweep(gateway).destroyed == 2
    assert gateway.client.get("/v1/signals", headers=headers(school)).json()["items"] == []


def test_everything_is_destroyed_on_the_23rd_birthday(gateway: Gateway) -> None:
    school = reporter(gateway, "school_vo")
    smw = reporter(gateway, "smw")
    kid = child(gateway, school, 12, age=22, birthday_in_days=10)
    made = signalled(gateway, school, kid)
    signalled(gateway, smw, kid)
    # The other side's signal is not the caller's to withdraw.
    theirs = matches(gateway, smw)[0]["other"]["signal_id"]
    assert withdraw(gateway, smw, theirs, "risk_gone").status_code == 404
    later(gateway, timedelta(days=9), school, smw)
    assert sweep(gateway).destroyed == 0
    assert len(matches(gateway, school)) == 1
    later(gateway, timedelta(days=1), school, smw)
    assert sweep(gateway).destroyed == 2
    assert gateway.client.get("/v1/signals", headers=headers(school)).json()["items"] == []
    assert matches(gateway, smw) == []
    destroyed = [e for e in audit_log(gateway, school) if e["action"] == "signal.destroy"]
    assert [(e["object_id"], e["rule"]) for e in destroyed] == [
        (made["id"], "verwijsindex.signaal/destroy/age_23")
    ]
    # From the birthday on the youth is out of scope.
    late = signal(gateway, school, kid)
    assert late.status_code == 422 and late.json()["code"] == "out_of_scope"


def test_on_death_stated_by_the_school_every_signal_goes(gateway: Gateway) -> None:
    school = reporter(gateway, "school_po")
    wijkteam = reporter(gateway, "wijkteam")
    kid = child(gateway, school, 13, age=7)
    signalled(gateway, school, kid)
    other = signalled(gateway, wijkteam, kid)
    assert withdraw(gateway, wijkteam, other["id"], "risk_gone").status_code == 204
    body = {"subject": kid, "died_on": gateway.clock.now().date().isoformat()}
    refused = gateway.client.post("/v1/signals/deaths", json=body, headers=headers(wijkteam))
    assert refused.status_code == 403 and refused.json()["code"] == "not_authoritative"
    stated = gateway.client.post("/v1/signals/deaths", json=body, headers=headers(school))
    assert stated.status_code == 204 and stated.content == b""
    assert gateway.client.get("/v1/signals", headers=headers(school)).json()["items"] == []
    assert gateway.client.get("/v1/signals", headers=headers(wijkteam)).json()["items"] == []
    gone = [e for e in audit_log(gateway, wijkteam) if e["action"] == "signal.destroy"]
    assert [e["rule"] for e in gone] == ["verwijsindex.signaal/destroy/death"]


def test_an_aanmelding_does_not_make_a_school_the_one_to_state_a_death(
    gateway: Gateway,
) -> None:
    """Any school can register an aanmelding on its own say; a death destroys the
    child's whole verwijsindex record, archive included, and is taken only from the
    school holding the inschrijving. The stranger's refusal is the answer every other
    party gets, and it is on the stranger's record."""
    school = reporter(gateway, "school_po")
    wijkteam = reporter(gateway, "wijkteam")
    stranger = reporter(gateway, "school_vo")
    kid = child(gateway, school, 15, age=11)
    signalled(gateway, school, kid)
    archived = signalled(gateway, wijkteam, kid)
    assert withdraw(gateway, wijkteam, archived["id"], "risk_gone").status_code == 204
    aangemeld = gateway.client.post(
        "/v1/enrolments",
        json={"subject": {"bsn": kid, "birth_date": born_aged(11)}, "status": "aangemeld"},
        headers=stranger.headers(purpose="overdracht.po_vo", actor="admin-vo", role="directeur"),
    )
    assert aangemeld.status_code == 201, aangemeld.text
    body = {"subject": kid, "died_on": gateway.clock.now().date().isoformat()}
    refused = gateway.client.post("/v1/signals/deaths", json=body, headers=headers(stranger))
    other = gateway.client.post("/v1/signals/deaths", json=body, headers=headers(wijkteam))
    assert refused.status_code == 403, "an aanmelding destroyed the child's signals"
    assert refused.json()["code"] == "not_authoritative"
    assert refused.json() == other.json()
    assert_no_content(refused, kid)
    assert len(gateway.client.get("/v1/signals", headers=headers(school)).json()["items"]) == 1
    logged = [e for e in audit_log(gateway, stranger) if e["action"] == "signal.death"]
    assert [(e["decision"], e["code"]) for e in logged] == [("deny", "not_authoritative")]
    for org in (school, wijkteam):
        destroyed = [e for e in audit_log(gateway, org) if e["action"] == "signal.destroy"]
        assert destroyed == []
    child_key = gateway.keyring.index.child(kid)
    with gateway.services.db.sessions() as session:
        kept = session.scalars(select(Signal.status).where(Signal.child_key == child_key))
        assert sorted(kept) == ["active", "archived"]


def test_the_parents_access_log_leaves_the_verwijsindex_out(gateway: Gateway) -> None:
    """Telling of a signal is the reporter's duty, or it records why telling is unsafe;
    the parents' portal, which cannot tell which, shows none of the index's acts."""
    from gateway.web import access_log, voice

    school = reporter(gateway, "school_vo")
    wijkteam = reporter(gateway, "wijkteam")
    kid = child(gateway, school, 14, age=9)
    signalled(gateway, school, kid)
    signalled(gateway, wijkteam, kid)
    ref = gateway.keyring.pseudonyms.subject_ref(kid)
    acts = [e["action"] for e in audit_log(gateway, school) if e["subject_ref"] is not None]
    assert "signal.register" in acts  # the privacy officer sees it
    with gateway.services.db.sessions() as session:
        page = access_log.lines(
            session,
            subject_ref=ref,
            viewer_ref="parent-1",
            break_glass_purposes=frozenset(),
            voice=voice.PARENT,
        )
    texts = [line.text for line in page.items]
    assert texts  # the enrolment is there
    assert not any("verwijsindex" in text.lower() for text in texts), texts
