"""The meldcode's conversation may be skipped when unsafe; a verzuimmelding is judged on itself.

Over the real HTTP app, between real organisations:

- an acute meldcode report may record the conversation with the parents (`gesprek`) as
  skipped, with its reason; the report goes through and lands on the privacy officer's
  review list showing the skipped step (its code, never the reason). A skip without a
  reason is refused (422), and no other step may be skipped (the meldcode stays
  incomplete, 403);
- the hours threshold (16 hours in 4 school weeks, a region setting) holds for
  ongeoorloofd verzuim only: luxe verzuim is reported at any number of hours;
- the engine decides on the verzuimmelding as sent: its hours, kind and period come
  from `verzuim_melding`; a top-level `absence_hours` that says otherwise is refused
  naming the field path, never the value;
- a melding whose period is longer than the region's `thuiszitter_weeks` carries the
  obligation `thuiszitter_follow_up`, on the push and on leerplicht's read.
"""

from __future__ import annotations

import json
from typing import Any

import httpx2 as httpx

from tests.support.gateway import OFFICER, Gateway, Org, audit_log, audited, make_subject

SUBJECT = make_subject()
MELDCODE = "meldcode.melding"
VERZUIM = "leerplicht.verzuim"
TAKEN = ["signalen", "collegiale_consultatie", "afweging", "besluit"]
UNSAFE = "Een gesprek met vader brengt het kind in gevaar"
PERIOD = {"van": "2016-03-14", "tot": "2016-04-08"}  # four school weeks: 26 days
LONG = {"van": "2016-02-01", "tot": "2016-04-08"}  # ten weeks


def report(gateway: Gateway, school: Org, vt: Org, **meldcode: Any) -> httpx.Response:
    facts = {
        "steps": TAKEN,
        "skipped": [{"step": "gesprek", "reason": UNSAFE}],
        "reasons": ["Acute onveiligheid"],
        "parents_told": False,
        "not_told_reason": "Vertellen brengt het kind in gevaar",
        **meldcode,
    }
    body = {"recipient": vt.id, "subject": SUBJECT, "dossier": {"leerling": {}}, "meldcode": facts}
    headers = school.headers(MELDCODE, actor="af-1", role="aandachtsfunctionaris")
    return gateway.client.post("/v1/transfers", json=body, headers=headers)


def melding(gateway: Gateway, school: Org, to: Org, **fields: Any) -> httpx.Response:
    stated = {k: fields.pop(k) for k in list(fields) if k == "absence_hours"}
    verzuim = {"soort": "ongeoorloofd", "periode": PERIOD, **fields}
    body = {
        "recipient": to.id,
        "subject": SUBJECT,
        "dossier": {"leerling": {}, "school": {}, "verzuim_melding": verzuim},
        **stated,
    }
    return gateway.client.post("/v1/transfers", json=body, headers=school.headers(VERZUIM))


def reviews(gateway: Gateway, school: Org) -> list[dict[str, Any]]:
    response = gateway.client.get("/v1/audit/reviews", headers=school.headers(**OFFICER))
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def outbox(gateway: Gateway, org: Org, purpose: str) -> list[Any]:
    listing = gateway.client.get("/v1/transfers?box=outbox", headers=org.headers(purpose))
    items: list[Any] = listing.json()["items"]
    return items


def dry_run(gateway: Gateway, asker: Org, **question: Any) -> httpx.Response:
    return gateway.client.post("/v1/policies/evaluate", json=question, headers=asker.headers())


def test_an_acute_report_skips_the_conversation_and_the_officer_sees_it(
    gateway: Gateway,
) -> None:
    school, vt = audited(gateway, "school_po"), gateway.make_org("veilig_thuis")

    sent = report(gateway, school, vt)

    assert sent.status_code == 201, sent.text
    obligations = sent.json()["decision"]["obligations"]
    assert {"record_skipped_step_reason", "review_by_privacy_officer"} <= set(obligations)
    (review,) = reviews(gateway, school)
    assert (review["object_id"], review["skipped_steps"]) == (sent.json()["id"], ["gesprek"])
    read = gateway.client.get(
        f"/v1/transfers/{sent.json()['id']}", headers=vt.headers(MELDCODE, actor="vt-1")
    )
    assert read.status_code == 200, read.text
    assert "record_skipped_step_reason" in read.json()["decision"]["obligations"]
    # The reason is sealed with the report, as `not_told_reason` is: not in any review or log.
    seen = json.dumps([reviews(gateway, school), audit_log(gateway, school)])
    assert UNSAFE not in seen


def test_a_report_that_took_every_step_shows_none_skipped(gateway: Gateway) -> None:
    school, vt = audited(gateway, "school_po"), gateway.make_org("veilig_thuis")
    sent = report(gateway, school, vt, steps=[*TAKEN, "gesprek"], skipped=[])
    assert sent.status_code == 201, sent.text
    assert "record_skipped_step_reason" not in sent.json()["decision"]["obligations"]
    assert [r["skipped_steps"] for r in reviews(gateway, school)] == [[]]


def test_a_skipped_step_without_its_reason_is_refused_and_on_record(gateway: Gateway) -> None:
    school, vt = audited(gateway, "school_po"), gateway.make_org("veilig_thuis")
    for skipped in ({"step": "gesprek"}, {"step": "gesprek", "reason": "  "}):
        refused = report(gateway, school, vt, skipped=[skipped])

        assert refused.status_code == 422, refused.text
        assert refused.json()["code"] == "meldcode_skip_reason_missing"
        assert refused.json()["field"] == "meldcode.skipped[0].reason"
    assert outbox(gateway, school, MELDCODE) == []
    assert reviews(gateway, school) == []
    rules = [e["rule"] for e in audit_log(gateway, school) if e["action"] == "transfer.send"]
    assert rules == ["transfer.send/deny/meldcode_skip_reason_missing"] * 2


def test_no_other_step_may_be_skipped(gateway: Gateway) -> None:
    school, vt = audited(gateway, "school_po"), gateway.make_org("veilig_thuis")
    for step in ("signalen", "collegiale_consultatie", "afweging", "besluit"):
        steps = [s for s in [*TAKEN, "gesprek"] if s != step]
        refused = report(gateway, school, vt, steps=steps, skipped=[{"step": step, "reason": "x"}])

        assert refused.status_code == 403, refused.text
        assert refused.json()["code"] == "meldcode_incomplete"
        assert "Only gesprek may be skipped" in refused.json()["detail"]
    both = report(gateway, school, vt, steps=[*TAKEN, "gesprek"])
    assert (both.status_code, both.json()["code"]) == (422, "meldcode_step_conflict")
    assert outbox(gateway, school, MELDCODE) == reviews(gateway, school) == []


def test_the_dry_run_asks_what_the_report_asks(gateway: Gateway) -> None:
    school = gateway.make_org("school_po")
    question: dict[str, Any] = {
        "sender_kind": "school_po",
        "recipient_kind": "veilig_thuis",
        "purpose": MELDCODE,
        "subject_age": 9,
        "categories": ["leerling"],
    }
    meldcode = {"steps": TAKEN, "reasons": ["Acute onveiligheid"], "parents_told": True}
    skipped = dry_run(
        gateway,
        school,
        **question,
        meldcode={**meldcode, "skipped": [{"step": "gesprek", "reason": "x"}]},
    )
    assert skipped.status_code == 200, skipped.text
    decision = skipped.json()["decision"]
    assert decision["effect"] == "permit"
    assert "record_skipped_step_reason" in decision["obligations"]
    no_reason = dry_run(
        gateway, school, **question, meldcode={**meldcode, "skipped": [{"step": "gesprek"}]}
    )
    assert (no_reason.status_code, no_reason.json()["code"]) == (
        422,
        "meldcode_skip_reason_missing",
    )


def test_luxe_verzuim_is_reported_at_any_number_of_hours(gateway: Gateway) -> None:
    school, leerplicht = gateway.make_org("school_vo"), gateway.make_org("leerplicht")

    luxe = melding(gateway, school, leerplicht, soort="luxe", uren=3, absence_hours=3.0)
    assert luxe.status_code == 201, luxe.text
    no_hours = melding(gateway, school, leerplicht, soort="luxe")
    assert no_hours.status_code == 201, no_hours.text
    read = gateway.client.get(
        f"/v1/transfers/{luxe.json()['id']}", headers=leerplicht.headers(VERZUIM)
    )
    assert read.status_code == 200, read.text

    # Ongeoorloofd verzuim still waits for the threshold, whether the hours are low or
    # left out of the melding.
    for fields in ({"uren": 3}, {}):
        below = melding(gateway, school, leerplicht, **fields)
        assert (below.status_code, below.json()["code"]) == (403, "below_threshold")
    reached = melding(gateway, school, leerplicht, uren=16)
    assert reached.status_code == 201, reached.text


def test_the_engine_decides_on_the_hours_the_melding_states(gateway: Gateway) -> None:
    school, leerplicht = audited(gateway, "school_vo"), gateway.make_org("leerplicht")

    refused = melding(gateway, school, leerplicht, uren=3, absence_hours=20.0)

    assert refused.status_code == 422, refused.text
    body = refused.json()
    assert (body["code"], body["field"]) == ("absence_hours_mismatch", "verzuim_melding.uren")
    assert not any(ch.isdigit() for ch in body["detail"])
    missing = melding(gateway, school, leerplicht, absence_hours=20.0)
    assert (missing.status_code, missing.json()["code"]) == (422, "absence_hours_mismatch")
    assert outbox(gateway, school, VERZUIM) == []
    (entry, _) = [e for e in audit_log(gateway, school) if e["action"] == "transfer.send"]
    assert entry["rule"] == "transfer.send/deny/absence_hours_mismatch"
    agreeing = melding(gateway, school, leerplicht, uren=18, absence_hours=18.0)
    assert agreeing.status_code == 201, agreeing.text

    backwards = melding(
        gateway, school, leerplicht, uren=18, periode={"van": "2016-04-08", "tot": "2016-03-14"}
    )
    assert (backwards.status_code, backwards.json()["code"]) == (422, "absence_period_invalid")


def test_a_period_past_the_thuiszitter_term_asks_for_thuiszitter_follow_up(
    gateway: Gateway,
) -> None:
    school, leerplicht = gateway.make_org("school_vo"), gateway.make_org("leerplicht")

    long = melding(gateway, school, leerplicht, uren=120, periode=LONG)
    short = melding(gateway, school, leerplicht, uren=18, periode=PERIOD)
    luxe = melding(gateway, school, leerplicht, soort="luxe", periode=LONG)

    assert long.status_code == short.status_code == luxe.status_code == 201, long.text
    assert "thuiszitter_follow_up" in long.json()["decision"]["obligations"]
    assert "thuiszitter_follow_up" in luxe.json()["decision"]["obligations"]
    assert "thuiszitter_follow_up" not in short.json()["decision"]["obligations"]
    read = gateway.client.get(
        f"/v1/transfers/{long.json()['id']}", headers=leerplicht.headers(VERZUIM)
    )
    assert read.status_code == 200, read.text
    assert "thuiszitter_follow_up" in read.json()["decision"]["obligations"]


def test_the_dry_run_takes_the_kind_and_the_period(gateway: Gateway) -> None:
    school = gateway.make_org("school_vo")
    question: dict[str, Any] = {
        "sender_kind": "school_vo",
        "recipient_kind": "leerplicht",
        "purpose": VERZUIM,
        "subject_age": 12,
        "categories": ["leerling", "school", "verzuim_melding"],
        "absence_hours": 3,
        # The school's own pupil.
        "preconditions": {"sender_related": True},
    }
    luxe = dry_run(gateway, school, **question, absence_type="luxe").json()["decision"]
    assert luxe["effect"] == "permit"
    below = dry_run(gateway, school, **question, absence_type="ongeoorloofd").json()["decision"]
    assert (below["effect"], below["code"]) == ("deny", "below_threshold")
    long = dry_run(gateway, school, **question, absence_type="luxe", absence_period=LONG)
    assert "thuiszitter_follow_up" in long.json()["decision"]["obligations"]
