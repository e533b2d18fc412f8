"""The verwijsindex's guards: who may signal, the age scope, the region switch, the
volume limit with its alert, the purpose, informing by age; each refusal on record."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from gateway.catalog.enforce import decision_json
from gateway.signals.guards import INDEX, SIGNAL_CATEGORIES
from policies.engine import evaluate
from policies.model import Preconditions, Request
from tests.signals.helpers import (
    MATCH,
    SIGNAL,
    assert_no_content,
    bsn,
    child,
    contact,
    headers,
    later,
    matches,
    reporter,
    signal,
    signalled,
    sweep,
    withdraw,
)
from tests.support.gateway import Gateway, audit_log, audited


@pytest.mark.parametrize("kind", ["veilig_thuis", "voorschool", "mbo"])
def test_a_kind_the_catalog_does_not_name_as_reporter_is_refused_and_logged(
    gateway: Gateway, kind: str
) -> None:
    school = reporter(gateway, "school_vo")
    kid = child(gateway, school, 21, age=14)
    outsider = audited(gateway, kind)
    refused = signal(gateway, outsider, kid)
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "flow_not_allowed"
    assert_no_content(refused, kid)
    (entry,) = [e for e in audit_log(gateway, outsider) if e["action"] == "signal.register"]
    assert (entry["decision"], entry["code"]) == ("deny", "flow_not_allowed")
    assert gateway.client.get("/v1/signals", headers=headers(school)).json()["items"] == []


def test_23_or_older_or_no_birth_date_on_record_is_out_of_scope(gateway: Gateway) -> None:
    school = reporter(gateway, "school_vo")
    old = child(gateway, school, 22, age=23)
    refused = signal(gateway, school, old)
    assert refused.status_code == 422
    assert refused.json()["code"] == "out_of_scope"
    assert_no_content(refused, old)
    unknown = bsn(23)  # nobody stated this child's birth date
    refused = signal(gateway, school, unknown)
    assert (refused.status_code, refused.json()["code"]) == (422, "out_of_scope")
    denials = [e for e in audit_log(gateway, school) if e["action"] == "signal.register"]
    assert [(e["decision"], e["code"]) for e in denials] == [("deny", "out_of_scope")] * 2
    bad = gateway.client.post(
        "/v1/signals", json={"subject": "123456789", "contact": contact()}, headers=headers(school)
    )
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_bsn")
    assert "123456789" not in bad.text


def test_every_call_is_made_under_its_purpose(gateway: Gateway) -> None:
    school = reporter(gateway, "school_vo")
    kid = child(gateway, school, 24, age=10)
    wrong = gateway.client.post(
        "/v1/signals", json={"subject": kid, "contact": contact()}, headers=headers(school, MATCH)
    )
    assert (wrong.status_code, wrong.json()["code"]) == (403, "purpose_mismatch")
    listed = gateway.client.get("/v1/signals/matches", headers=headers(school, SIGNAL))
    assert (listed.status_code, listed.json()["code"]) == (403, "purpose_mismatch")
    codes = [e["code"] for e in audit_log(gateway, school) if e["action"].startswith("signal.")]
    assert codes == ["purpose_mismatch", "purpose_mismatch"]


@pytest.fixture
def switched_off(database_url: str, tmp_path: Path) -> Iterator[Gateway]:
    harness = Gateway(database_url, tmp_path / "var", verwijsindex=False)
    try:
        yield harness
    finally:
        harness.close()


def test_with_the_region_switch_off_every_signal_call_is_refused(switched_off: Gateway) -> None:
    gateway = switched_off
    school = reporter(gateway, "school_vo")
    kid = child(gateway, school, 25, age=10)
    body = {"subject": kid, "contact": contact()}
    calls = [
        ("POST", "/v1/signals", body, SIGNAL),
        ("GET", "/v1/signals", None, SIGNAL),
        ("GET", "/v1/signals/matches", None, MATCH),
        ("GET", "/v1/signals/notifications", None, MATCH),
        ("GET", "/v1/signals/archive?case=case_x", None, MATCH),
        ("DELETE", "/v1/signals/sig_x", {"reason": "unjustified"}, SIGNAL),
        ("POST", "/v1/signals/sig_x/informed", {"told": ["parents"]}, SIGNAL),
        ("POST", "/v1/signals/matches/vim_x/regie", {"org": school.id}, MATCH),
        ("POST", "/v1/signals/deaths", {"subject": kid, "died_on": "2016-01-01"}, SIGNAL),
    ]
    for method, path, json, purpose in calls:
        response = gateway.client.request(method, path, json=json, headers=headers(school, purpose))
        assert response.status_code == 403, (path, response.text)
        assert response.json()["code"] == "flow_not_allowed"
        assert_no_content(response, kid)
    refused = [e for e in audit_log(gateway, school) if e["action"].startswith("signal.")]
    assert len(refused) == len(calls)
    assert {(e["decision"], e["rule"]) for e in refused} == {
        ("deny", "verwijsindex/deny/switched_off")
    }


@pytest.fixture
def limited(database_url: str, tmp_path: Path) -> Iterator[Gateway]:
    harness = Gateway(database_url, tmp_path / "var", signals_rate_limit=3)
    try:
        yield harness
    finally:
        harness.close()


def test_past_the_rate_limit_429_and_one_alert_to_the_privacy_officer(limited: Gateway) -> None:
    gateway = limited
    school = reporter(gateway, "school_vo")
    kids = [child(gateway, school, 30 + n, age=12) for n in range(6)]
    for kid in kids[:3]:
        signalled(gateway, school, kid)
    for kid in kids[3:5]:
        refused = signal(gateway, school, kid)
        assert refused.status_code == 429
        assert refused.json()["code"] == "rate_limited"
        assert_no_content(refused, kid)
    log = audit_log(gateway, school)
    alerts = [e for e in log if e["action"] == "signal.volume_alert"]
    assert [(e["code"], e["org"]) for e in alerts] == [("unusual_volume", school.id)]
    refusals = [e for e in log if e["action"] == "signal.register" and e["decision"] == "deny"]
    assert [e["code"] for e in refusals] == ["rate_limited", "rate_limited"]
    # Another organisation has its own window; the next window starts afresh.
    other = reporter(gateway, "wijkteam")
    signalled(gateway, other, kids[5])
    later(gateway, timedelta(hours=1), school)
    signalled(gateway, school, kids[3])


def test_informing_by_age_and_the_reminder_while_it_is_missing(gateway: Gateway) -> None:
    school = reporter(gateway, "school_vo")
    young, teen, older = (child(gateway, school, 40 + n, age=a) for n, a in enumerate((8, 13, 17)))
    ids = {kid: signalled(gateway, school, kid)["id"] for kid in (young, teen, older)}
    missing = gateway.client.get("/v1/signals?informed=missing", headers=headers(school))
    assert_no_content(missing, young, teen, older)
    assert {s["id"] for s in missing.json()["items"]} == set(ids.values())

    def inform(kid: str, body: dict[str, object]) -> object:
        response = gateway.client.post(
            f"/v1/signals/{ids[kid]}/informed", json=body, headers=headers(school)
        )
        assert_no_content(response, kid, "Vader")
        return response.status_code, response.json().get("code") or response.json()["informed"]

    assert inform(teen, {"told": ["parents"]}) == (422, "informed_incomplete")
    assert inform(teen, {"told": ["parents", "youth"]}) == (200, "both")
    assert inform(older, {"told": ["parents"]}) == (422, "informed_incomplete")
    assert inform(older, {"told": ["youth"]}) == (200, "youth")
    assert inform(young, {"told": ["parents"], "not_told_reason": "x y z"}) == (
        422,
        "informed_invalid",
    )
    later(gateway, timedelta(days=14), school)
    assert sweep(gateway).reminded == 1
    notes = gateway.client.get("/v1/signals/notifications", headers=headers(school, MATCH))
    assert [(n["kind"], n["signal_id"]) for n in notes.json()["items"]] == [
        ("inform_reminder", ids[young])
    ]
    assert sweep(gateway).reminded == 0  # once per term, not on every run
    reason = {"not_told_reason": "Vader is gewelddadig; melding bij Veilig Thuis loopt"}
    assert inform(young, reason) == (200, "not_told")
    left = gateway.client.get("/v1/signals?informed=missing", headers=headers(school))
    assert left.json()["items"] == []
    later(gateway, timedelta(days=30), school)
    assert sweep(gateway).reminded == 0
    from gateway.signals.models import Signal

    with gateway.services.db.sessions() as session:
        row = session.get(Signal, ids[young])
        assert row is not None and row.not_told_reason is not None
        assert b"Vader" not in row.not_told_reason
    assert "Vader" not in str(audit_log(gateway, school))


def test_a_matched_professional_records_who_holds_regie(gateway: Gateway) -> None:
    school = reporter(gateway, "school_po")
    wijkteam = reporter(gateway, "wijkteam")
    jgz = reporter(gateway, "jgz")
    kid = child(gateway, school, 50, age=6)
    signalled(gateway, school, kid)
    signalled(gateway, wijkteam, kid)
    (match,) = matches(gateway, school)
    url = f"/v1/signals/matches/{match['id']}/regie"
    stranger = gateway.client.post(url, json={"org": jgz.id}, headers=headers(jgz, MATCH))
    assert stranger.status_code == 404
    not_party = gateway.client.post(url, json={"org": jgz.id}, headers=headers(school, MATCH))
    assert (not_party.status_code, not_party.json()["code"]) == (422, "regie_not_party")
    held = gateway.client.post(url, json={"org": wijkteam.id}, headers=headers(school, MATCH))
    assert held.status_code == 200, held.text
    assert_no_content(held, kid)
    assert held.json() == {"id": match["id"], "regie": wijkteam.id}
    assert matches(gateway, wijkteam)[0]["regie"] == wijkteam.id
    ours = [e for e in audit_log(gateway, school) if e["action"] == "signal.regie"]
    theirs = [e for e in audit_log(gateway, wijkteam) if e["action"] == "signal.regie"]
    assert [(e["decision"], e["code"]) for e in ours] == [
        ("permit", None),
        ("deny", "regie_not_party"),
    ]
    assert [e["object_id"] for e in (ours[0], *theirs)] == [match["id"], match["id"]]
    # Withdrawn, the match is no longer one to act on.
    mine = match["signal_id"]
    assert withdraw(gateway, school, mine, "unjustified").status_code == 204
    gone = gateway.client.post(url, json={"org": school.id}, headers=headers(wijkteam, MATCH))
    assert gone.status_code == 404


def test_an_organisation_not_involved_with_the_child_cannot_signal_it(
    gateway: Gateway,
) -> None:
    """A wijkteam that never had the child referred to it, nor sits at its case, cannot
    register a signal to learn who else is involved: refused before any match is made,
    the same answer whether the child is signalled elsewhere or not, on its log."""
    school = reporter(gateway, "school_vo")
    kid = child(gateway, school, 31, age=12)
    lonely = child(gateway, school, 32, age=12)
    signalled(gateway, school, kid)
    stranger = reporter(gateway, "wijkteam")
    gateway.auto_standing = False
    answers = [signal(gateway, stranger, subject) for subject in (kid, lonely)]
    for refused in answers:
        assert refused.status_code == 403, refused.text
        assert refused.json()["code"] == "sender_not_related"
        assert_no_content(refused, kid, lonely)
    assert answers[0].json() == answers[1].json()
    assert matches(gateway, school) == []
    assert gateway.client.get("/v1/signals", headers=headers(stranger)).json()["items"] == []
    denials = [e for e in audit_log(gateway, stranger) if e["action"] == "signal.register"]
    assert [(e["decision"], e["code"]) for e in denials] == [("deny", "sender_not_related")] * 2


def test_a_stranger_learns_nothing_of_whether_the_gateway_knows_a_bsn(gateway: Gateway) -> None:
    """The stranger's standing is judged before the child's record is read: a child on
    record, a BSN the gateway never saw and a youth past 23 get the very same refusal,
    where the age scope (`out_of_scope`) would tell them apart. A related reporter still
    learns the scope: it has the child."""
    school = reporter(gateway, "school_vo")
    known = child(gateway, school, 41, age=12)
    old = child(gateway, school, 42, age=24)
    unknown = bsn(43)  # nobody stated anything about this child
    stranger = reporter(gateway, "wijkteam")
    gateway.auto_standing = False
    answers = [signal(gateway, stranger, subject) for subject in (known, unknown, old)]
    assert [(a.status_code, a.json()["code"]) for a in answers] == [(403, "sender_not_related")] * 3
    assert answers[0].json() == answers[1].json() == answers[2].json()
    # Worded as the catalog itself refuses a stranger signalling a child in scope.
    request = Request(
        sender_kind="wijkteam",
        recipient_kind=INDEX,
        purpose=SIGNAL,
        categories=SIGNAL_CATEGORIES,
        subject_age=12,
        action="send",
        preconditions=Preconditions(sender_related=False),
    )
    assert answers[0].json()["decision"] == decision_json(
        evaluate(request, gateway.services.catalog)
    )
    for refused in answers:
        assert_no_content(refused, known, unknown, old)
    denials = [e for e in audit_log(gateway, stranger) if e["action"] == "signal.register"]
    assert {(e["decision"], e["code"], e["rule"]) for e in denials} == {
        ("deny", "sender_not_related", "verwijsindex.signaal/deny/sender_related")
    }
    assert len(denials) == 3
    gateway.auto_standing = True
    in_scope = signal(gateway, school, old)
    assert (in_scope.status_code, in_scope.json()["code"]) == (422, "out_of_scope")
