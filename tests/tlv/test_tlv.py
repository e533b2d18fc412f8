"""The SWV's TLV procedure over HTTP, on SQLite and PostgreSQL: a school's request, at
least two experts' advice, a decision that reaches the school and the parents, and the
herbeoordeling list of what nears its end."""

from __future__ import annotations

from typing import Any

from gateway.orgs.scopes import default_scopes
from tests.support.gateway import Gateway, Org, audit_log
from tests.tlv.procedure import (
    GRANTED,
    Parties,
    advised,
    decide,
    open_tlv,
    opened,
    parties,
    push,
    read,
    record_advice,
    request_dossier,
    send_advice,
    send_request,
)


def officer(gateway: Gateway, kind: str, name: str) -> Org:
    return gateway.make_org(kind, name=name, scopes=[*default_scopes(kind), "audit:read"])


def setup(gateway: Gateway) -> Parties:
    school = officer(gateway, "school_po", "OBS De Hien")
    p = parties(gateway, school)
    p.swv = officer(gateway, "swv_po", "SWV Onderwijs dat Past")
    return p


def entries(gateway: Gateway, org: Org, action: str) -> list[dict[str, Any]]:
    return [e for e in audit_log(gateway, org) if e["action"] == action]


def test_a_tlv_runs_from_the_request_through_two_advices_to_a_decision(gateway: Gateway) -> None:
    p = setup(gateway)
    opened_response = open_tlv(gateway, p.swv, send_request(gateway, p))
    assert opened_response.status_code == 201, opened_response.text
    assert opened_response.json()["status"] == "requested"
    tlv_id = opened_response.json()["id"]
    advised(gateway, p, tlv_id)

    decided = decide(gateway, p.swv, tlv_id)

    assert decided.status_code == 200, decided.text
    body = decided.json()
    assert body["status"] == "decided"
    assert (body["outcome"], body["category"]) == ("toegekend", "midden")
    assert (body["decided_on"], body["objection_until"]) == ("2016-04-15", "2016-05-27")
    assert sorted(a["discipline"] for a in body["advices"]) == ["jeugdarts", "orthopedagoog"]
    # The school reads the procedure's outcome, never who advised.
    seen = read(gateway, p.school, tlv_id)
    assert seen.status_code == 200, seen.text
    assert "advices" not in seen.json()
    assert seen.json()["valid_until"] == "2018-07-31"
    # The beschikking reached the school as a tlv.besluit transfer, without the advice.
    letter = gateway.client.get(
        f"/v1/transfers/{body['decision_transfer']}",
        headers=p.school.headers(purpose="tlv.besluit"),
    )
    assert letter.status_code == 200, letter.text
    assert letter.json()["sender"] == p.swv.id
    assert letter.json()["dossier"]["tlv_besluit"] == {
        "besluit": "toegekend",
        "soort": "tlv",
        "categorie": "midden",
        "geldig_van": "2016-08-01",
        "geldig_tot": "2018-07-31",
        "besluitdatum": "2016-04-15",
        "bezwaar_tot": "2016-05-27",
    }
    assert "deskundigenadvies" not in letter.json()["dossier"]
    acts = [e["action"] for e in audit_log(gateway, p.swv) if e["decision"] == "permit"]
    for act in ("tlv.open", "tlv.advice", "tlv.decide", "tlv.read", "transfer.send"):
        assert act in acts, act
    assert acts.count("tlv.advice") == 2


def test_the_decision_is_taken_once_for_a_repeated_key(gateway: Gateway) -> None:
    p = setup(gateway)
    tlv_id = opened(gateway, p)
    advised(gateway, p, tlv_id)

    first = decide(gateway, p.swv, tlv_id, **{"Idempotency-Key": "besluit-1"})
    again = decide(gateway, p.swv, tlv_id, **{"Idempotency-Key": "besluit-1"})

    assert first.status_code == again.status_code == 200, again.text
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    outbox = gateway.client.get(
        "/v1/transfers", params={"box": "outbox"}, headers=p.swv.headers(purpose="tlv.besluit")
    ).json()["items"]
    assert [t["purpose"] for t in outbox].count("tlv.besluit") == 1
    # Without the key a second decision is a conflict, not a second beschikking.
    twice = decide(gateway, p.swv, tlv_id)
    assert (twice.status_code, twice.json()["code"]) == (409, "tlv_decided")


def test_one_advice_is_not_enough_and_nothing_is_stored(gateway: Gateway) -> None:
    p = setup(gateway)
    tlv_id = opened(gateway, p)
    only = send_advice(gateway, p.jeugdhulp, p.swv, "orthopedagoog")
    assert record_advice(gateway, p.swv, tlv_id, only, "orthopedagoog").status_code == 201

    refused = decide(gateway, p.swv, tlv_id)

    assert (refused.status_code, refused.json()["code"]) == (422, "advices_missing")
    assert refused.headers["content-type"] == "application/problem+json"
    _nothing_decided(gateway, p, tlv_id)
    denied = [e for e in entries(gateway, p.swv, "tlv.decide") if e["decision"] == "deny"]
    assert [e["code"] for e in denied] == ["advices_missing"]


def test_two_advices_without_an_orthopedagoog_or_gz_psycholoog_are_refused(
    gateway: Gateway,
) -> None:
    p = setup(gateway)
    tlv_id = opened(gateway, p)
    for expert, discipline in ((p.jgz, "jeugdarts"), (p.smw, "maatschappelijk_werker")):
        transfer = send_advice(gateway, expert, p.swv, discipline)
        assert record_advice(gateway, p.swv, tlv_id, transfer, discipline).status_code == 201

    refused = decide(gateway, p.swv, tlv_id)

    assert (refused.status_code, refused.json()["code"]) == (422, "advice_discipline_missing")
    _nothing_decided(gateway, p, tlv_id)
    # A GZ-psycholoog heard as well: now the SWV may decide.
    gz = send_advice(gateway, p.jeugdhulp, p.swv, "gz_psycholoog")
    assert record_advice(gateway, p.swv, tlv_id, gz, "gz_psycholoog").status_code == 201
    assert decide(gateway, p.swv, tlv_id).status_code == 200


def _nothing_decided(gateway: Gateway, p: Parties, tlv_id: str) -> None:
    record = read(gateway, p.swv, tlv_id).json()
    assert (record["status"], record["outcome"], record["decision_transfer"]) == (
        "requested",
        None,
        None,
    )
    inbox = gateway.client.get("/v1/transfers", headers=p.school.headers(purpose="tlv.besluit"))
    assert [t for t in inbox.json()["items"] if t["purpose"] == "tlv.besluit"] == []


def test_an_advice_counts_only_for_its_discipline_and_its_pupil(gateway: Gateway) -> None:
    p = setup(gateway)
    tlv_id = opened(gateway, p)
    advice = send_advice(gateway, p.jgz, p.swv, "jeugdarts")

    claimed = record_advice(gateway, p.swv, tlv_id, advice, "orthopedagoog")
    assert (claimed.status_code, claimed.json()["code"]) == (422, "discipline_not_in_advice")
    other_pupil = {"bsn": "123456782", "birth_date": "2008-03-01"}
    parties(gateway, p.school, other_pupil)
    elsewhere = send_advice(gateway, p.jeugdhulp, p.swv, "orthopedagoog", pupil=other_pupil)
    wrong = record_advice(gateway, p.swv, tlv_id, elsewhere, "orthopedagoog")
    assert (wrong.status_code, wrong.json()["code"]) == (422, "advice_other_pupil")
    assert record_advice(gateway, p.swv, tlv_id, advice, "jeugdarts").status_code == 201
    repeated = record_advice(gateway, p.swv, tlv_id, advice, "jeugdarts")
    assert (repeated.status_code, repeated.json()["code"]) == (409, "advice_recorded")
    assert [a["discipline"] for a in read(gateway, p.swv, tlv_id).json()["advices"]] == [
        "jeugdarts"
    ]


def test_a_request_needs_the_opp_and_the_parents_heard(gateway: Gateway) -> None:
    p = setup(gateway)
    no_opp = push(gateway, p.school, p.swv, "tlv.aanvraag", request_dossier(opp=False))
    unheard = push(gateway, p.school, p.swv, "tlv.aanvraag", request_dossier(instemming=None))

    for request_id, code in ((no_opp, "opp_missing"), (unheard, "parents_not_heard")):
        refused = open_tlv(gateway, p.swv, request_id)
        assert (refused.status_code, refused.json()["code"]) == (422, code), refused.text
    denied = [e["code"] for e in entries(gateway, p.swv, "tlv.open") if e["decision"] == "deny"]
    assert sorted(denied) == ["opp_missing", "parents_not_heard"]
    herbeoordeling = gateway.client.get(
        "/v1/tlvs",
        params={"due": "herbeoordeling", "within_days": 730},
        headers=p.swv.headers(purpose="tlv.besluit"),
    )
    assert herbeoordeling.json()["items"] == []
    # Without their instemming, the parents' zienswijze recorded with the request will do.
    zienswijze = push(
        gateway,
        p.school,
        p.swv,
        "tlv.aanvraag",
        request_dossier(instemming=False),
        inzage={"date": "2016-04-14", "akkoord": False, "zienswijze": "Wij willen eerst praten."},
    )
    assert open_tlv(gateway, p.swv, zienswijze).status_code == 201
    agreed = push(gateway, p.school, p.swv, "tlv.aanvraag", request_dossier())
    assert open_tlv(gateway, p.swv, agreed).status_code == 201
    again = open_tlv(gateway, p.swv, agreed)
    assert (again.status_code, again.json()["code"]) == (409, "tlv_exists")


def test_strangers_get_the_answer_of_an_unknown_id_and_are_logged(gateway: Gateway) -> None:
    p = setup(gateway)
    request_id = send_request(gateway, p)
    other_swv = gateway.make_org("swv_po", name="SWV Elders")
    other_school = gateway.make_org("school_po", name="OBS Elders")

    taken = open_tlv(gateway, other_swv, request_id)
    unknown = open_tlv(gateway, other_swv, "tr_doesnotexist")
    assert taken.status_code == unknown.status_code == 404
    assert taken.json() == unknown.json()
    response = open_tlv(gateway, p.swv, request_id)
    assert response.status_code == 201, response.text
    tlv_id = response.json()["id"]
    advised(gateway, p, tlv_id)
    assert decide(gateway, p.swv, tlv_id).status_code == 200
    for stranger in (other_swv, other_school):
        for purpose in ("tlv.besluit", "tlv.aanvraag"):
            seen = read(gateway, stranger, tlv_id, purpose)
            never = read(gateway, stranger, "tlv_doesnotexist", purpose)
            assert seen.status_code == never.status_code == 404
            assert seen.json() == never.json()
    assert (
        decide(gateway, other_swv, tlv_id).json()
        == decide(gateway, other_swv, "tlv_doesnotexist").json()
    )
    advice = send_advice(gateway, p.jgz, other_swv, "jeugdarts")
    assert record_advice(gateway, other_swv, tlv_id, advice, "jeugdarts").status_code == 404
    # The requesting school may not act as the SWV either.
    assert decide(gateway, p.school, tlv_id).status_code == 404

    denied = [
        e
        for e in audit_log(gateway, p.swv)
        if e["action"].startswith("tlv.") and e["decision"] == "deny"
    ]
    by = {(e["org"], e["action"]) for e in denied}
    assert {
        (other_swv.id, "tlv.read"),
        (other_school.id, "tlv.read"),
        (other_swv.id, "tlv.decide"),
        (other_swv.id, "tlv.advice"),
        (p.school.id, "tlv.decide"),
    } <= by
    assert {e["code"] for e in denied} == {"not_found"}
    school_side = [e for e in entries(gateway, p.school, "tlv.open") if e["decision"] == "deny"]
    assert [e["org"] for e in school_side] == [other_swv.id]


def test_the_decision_is_taken_under_its_own_purpose(gateway: Gateway) -> None:
    p = setup(gateway)
    tlv_id = opened(gateway, p)
    advised(gateway, p, tlv_id)

    refused = gateway.client.post(
        f"/v1/tlvs/{tlv_id}/decision",
        json=GRANTED,
        headers=p.swv.headers(purpose="tlv.aanvraag", actor="tlv-1"),
    )

    assert (refused.status_code, refused.json()["code"]) == (403, "purpose_mismatch")
    assert read(gateway, p.swv, tlv_id).json()["status"] == "requested"


def test_herbeoordeling_lists_what_nears_its_end_and_not_what_does_not(gateway: Gateway) -> None:
    p = setup(gateway)
    ends = {"soon": "2016-06-30", "ended": "2016-04-01", "later": "2017-12-31"}
    made = {}
    for name, until in ends.items():
        tlv_id = opened(gateway, p)
        advised(gateway, p, tlv_id)
        body = {**GRANTED, "valid_from": "2014-08-01", "valid_until": until}
        assert decide(gateway, p.swv, tlv_id, body).status_code == 200
        made[name] = tlv_id
    refused = opened(gateway, p)
    advised(gateway, p, refused)
    assert decide(gateway, p.swv, refused, {"outcome": "afgewezen"}).status_code == 200

    def due(org: Org, **params: Any) -> list[str]:
        response = gateway.client.get(
            "/v1/tlvs",
            params={"due": "herbeoordeling", **params},
            headers=org.headers(purpose="tlv.besluit"),
        )
        assert response.status_code == 200, response.text
        return [t["id"] for t in response.json()["items"]]

    assert due(p.swv) == [made["ended"], made["soon"]]
    assert due(p.swv, within_days=0) == [made["ended"]]
    assert due(p.swv, within_days=730) == [made["ended"], made["soon"], made["later"]]
    # A page at a time, soonest end first, every TLV once.
    first = gateway.client.get(
        "/v1/tlvs",
        params={"due": "herbeoordeling", "limit": 1},
        headers=p.swv.headers(purpose="tlv.besluit"),
    ).json()
    assert [t["id"] for t in first["items"]] == [made["ended"]]
    assert due(p.swv, limit=1, cursor=first["next"]) == [made["soon"]]
    # Another SWV's list holds none of them.
    assert due(gateway.make_org("swv_po", name="SWV Elders"), within_days=730) == []
