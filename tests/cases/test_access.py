"""Who reads what at the table: strangers nothing, participants what the policy releases."""

from __future__ import annotations

from tests.cases.helpers import (
    PURPOSE,
    case_consent,
    headers,
    join,
    listed,
    start,
    table,
    wrote,
)
from tests.support.gateway import Gateway, audit_log, audited

UNKNOWN_CASE = "cs_00000000000000000000"
UNKNOWN_ENTRY = "ce_00000000000000000000"


def test_a_stranger_gets_the_answer_for_an_unknown_case_and_the_creator_sees_the_try(
    gateway: Gateway,
) -> None:
    at = table(gateway)
    entry_id = wrote(gateway, at.case_id, at.school, "leerling")
    stranger = gateway.make_org("wijkteam")
    client = gateway.client
    calls = [
        ("GET", "/v1/cases/{}", None),
        ("GET", "/v1/cases/{}/entries", None),
        ("GET", "/v1/cases/{}/entries/" + entry_id, None),
        ("POST", "/v1/cases/{}/entries", {"category": "leerling", "content": {}}),
        ("POST", "/v1/cases/{}/close", None),
        (
            "POST",
            "/v1/cases/{}/participants",
            {"org": stranger.id, "role": "x", "person": "p-1", "mandate": True},
        ),
        ("POST", "/v1/cases/{}/participants/" + stranger.id + "/leave", None),
        ("POST", "/v1/cases/{}/mdo", {"regie": stranger.id}),
    ]
    for method, path, body in calls:
        real = client.request(method, path.format(at.case_id), json=body, headers=headers(stranger))
        unknown = client.request(
            method, path.format(UNKNOWN_CASE), json=body, headers=headers(stranger)
        )
        assert real.status_code == 404, (path, real.text)
        assert real.content == unknown.content, path
    denied = [
        e
        for e in audit_log(gateway, at.school)
        if e["org"] == stranger.id and e["object_id"] == at.case_id
    ]
    assert len(denied) == len(calls)
    assert {e["decision"] for e in denied} == {"deny"}
    assert {e["code"] for e in denied} == {"not_found"}
    assert {e["action"] for e in denied} >= {"case.read", "case.entries.read", "case.entry.read"}
    # Nothing the stranger tried was done: no entry, no participant, the case still open.
    assert listed(gateway, at.case_id, at.school) == ["leerling"]
    case = client.get(f"/v1/cases/{at.case_id}", headers=headers(at.school)).json()
    assert case["status"] == "open"
    assert stranger.id not in {p["org"] for p in case["participants"]}


def test_without_the_case_consent_a_partner_cannot_tell_the_entries_exist(
    gateway: Gateway,
) -> None:
    at = table(gateway)
    hidden = wrote(gateway, at.case_id, at.school, "onderwijsondersteuning")
    wrote(gateway, at.case_id, at.school, "gezondheid")
    wrote(gateway, at.case_id, at.wijkteam, "gezinsplan")
    response = gateway.client.get(f"/v1/cases/{at.case_id}/entries", headers=headers(at.wijkteam))
    assert response.status_code == 200
    assert [i["category"] for i in response.json()["items"]] == ["gezinsplan"]
    assert set(response.json()) == {"items"}  # no counts, no totals
    by_id = gateway.client.get(
        f"/v1/cases/{at.case_id}/entries/{hidden}", headers=headers(at.wijkteam)
    )
    unknown = gateway.client.get(
        f"/v1/cases/{at.case_id}/entries/{UNKNOWN_ENTRY}", headers=headers(at.wijkteam)
    )
    assert by_id.status_code == 404
    assert by_id.content == unknown.content
    # The writer sees its own entries; the try by id is on its privacy officer's log.
    assert listed(gateway, at.case_id, at.school) == ["onderwijsondersteuning", "gezondheid"]
    tried = [e for e in audit_log(gateway, at.school) if e["object_id"] == hidden]
    assert any(e["decision"] == "deny" and e["org"] == at.wijkteam.id for e in tried)


def test_the_case_consent_opens_what_it_names_to_whom_it_names(gateway: Gateway) -> None:
    at = table(gateway)
    for category in ("leerling", "onderwijsondersteuning", "gezondheid"):
        wrote(gateway, at.case_id, at.school, category)
    # A knooppunt consent for no case, or for another case, opens nothing here.
    other = start(gateway, at.school)
    assert join(gateway, other, at.school, at.wijkteam).status_code == 201
    case_consent(gateway, at.school, [at.wijkteam], ("leerling",), None)
    case_consent(gateway, at.school, [at.wijkteam], ("leerling",), other)
    assert listed(gateway, at.case_id, at.wijkteam) == []
    case_consent(gateway, at.school, [at.wijkteam], ("leerling",), at.case_id)
    assert listed(gateway, at.case_id, at.wijkteam) == ["leerling"]
    assert listed(gateway, at.case_id, at.leerplicht) == []  # not named
    # Health data only where the consent names them explicitly.
    case_consent(
        gateway, at.school, [at.wijkteam], ("leerling", "onderwijsondersteuning"), at.case_id
    )
    assert listed(gateway, at.case_id, at.wijkteam) == ["leerling", "onderwijsondersteuning"]
    case_consent(gateway, at.school, [at.wijkteam], ("gezondheid",), at.case_id)
    assert listed(gateway, at.case_id, at.wijkteam) == [
        "leerling",
        "onderwijsondersteuning",
        "gezondheid",
    ]


def test_leerplicht_shares_its_own_task_list_without_consent_and_nothing_more(
    gateway: Gateway,
) -> None:
    at = table(gateway)
    wrote(gateway, at.case_id, at.leerplicht, "verzuim")
    wrote(gateway, at.case_id, at.leerplicht, "onderwijsondersteuning")
    wrote(gateway, at.case_id, at.school, "leerling")
    assert listed(gateway, at.case_id, at.school) == ["verzuim", "leerling"]
    assert listed(gateway, at.case_id, at.wijkteam) == ["verzuim"]
    assert listed(gateway, at.case_id, at.leerplicht) == ["verzuim", "onderwijsondersteuning"]


def test_the_swv_never_passes_health_data_to_a_partner_that_is_no_school(
    gateway: Gateway,
) -> None:
    at = table(gateway)
    swv = gateway.make_org("swv_po")
    assert join(gateway, at.case_id, at.school, swv).status_code == 201
    wrote(gateway, at.case_id, swv, "gezondheid")
    wrote(gateway, at.case_id, swv, "opp")
    case_consent(gateway, at.school, [at.wijkteam, at.school], ("gezondheid", "opp"), at.case_id)
    assert listed(gateway, at.case_id, at.wijkteam) == ["opp"]
    assert listed(gateway, at.case_id, at.school) == ["gezondheid", "opp"]


def test_withdrawal_and_leaving_count_from_the_next_request(gateway: Gateway) -> None:
    at = table(gateway)
    entry_id = wrote(gateway, at.case_id, at.school, "leerling")
    consent_id = case_consent(gateway, at.school, [at.wijkteam], ("leerling",), at.case_id)
    assert listed(gateway, at.case_id, at.wijkteam) == ["leerling"]
    withdrawn = gateway.client.post(
        f"/v1/consents/{consent_id}/withdraw", headers=headers(at.school)
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert listed(gateway, at.case_id, at.wijkteam) == []
    case_consent(gateway, at.school, [at.wijkteam], ("leerling",), at.case_id)
    assert listed(gateway, at.case_id, at.wijkteam) == ["leerling"]
    left = gateway.client.post(
        f"/v1/cases/{at.case_id}/participants/{at.wijkteam.id}/leave", headers=headers(at.wijkteam)
    )
    assert left.status_code == 200, left.text
    for path in ("", "/entries", f"/entries/{entry_id}"):
        after = gateway.client.get(f"/v1/cases/{at.case_id}{path}", headers=headers(at.wijkteam))
        unknown = gateway.client.get(
            f"/v1/cases/{UNKNOWN_CASE}{path}", headers=headers(at.wijkteam)
        )
        assert after.status_code == 404
        assert after.content == unknown.content
    mine = gateway.client.get("/v1/cases", headers=headers(at.wijkteam)).json()["items"]
    assert at.case_id not in {c["id"] for c in mine}


def test_every_read_and_refusal_is_on_the_readers_log(gateway: Gateway) -> None:
    at = table(gateway)
    shown = wrote(gateway, at.case_id, at.school, "leerling")
    hidden = wrote(gateway, at.case_id, at.school, "opp")
    case_consent(gateway, at.school, [at.wijkteam], ("leerling",), at.case_id)
    listed(gateway, at.case_id, at.wijkteam)
    gateway.client.get(f"/v1/cases/{at.case_id}/entries/{shown}", headers=headers(at.wijkteam))
    gateway.client.get(f"/v1/cases/{at.case_id}/entries/{hidden}", headers=headers(at.wijkteam))
    log = [e for e in audit_log(gateway, at.wijkteam) if e["action"].startswith("case.entr")]
    reads = [(e["action"], e["decision"], e["categories"]) for e in reversed(log)]
    assert reads == [
        ("case.entries.read", "permit", ["leerling"]),
        ("case.entry.read", "permit", ["leerling"]),
        ("case.entry.read", "deny", []),
    ]
    assert all(e["purpose"] == PURPOSE for e in log)


def test_only_a_core_partner_under_the_knooppunt_purpose_starts_a_case(gateway: Gateway) -> None:
    mbo = audited(gateway, "mbo")
    school = gateway.make_org("school_vo")
    body = {"subject": {"bsn": "111222333", "birth_date": "2006-01-01"}, "kind": "ot", "title": "t"}
    refused = gateway.client.post("/v1/cases", json=body, headers=headers(mbo))
    assert refused.status_code == 403
    assert refused.json()["code"] == "not_party"
    wrong = gateway.client.post(
        "/v1/cases", json=body, headers=school.headers(purpose="overdracht.po_vo", actor="a")
    )
    assert wrong.status_code == 403
    assert wrong.json()["code"] == "purpose_mismatch"
    assert [e["code"] for e in audit_log(gateway, mbo)][:1] == ["not_party"]


def test_an_entry_of_another_case_is_not_found_through_this_one(gateway: Gateway) -> None:
    at = table(gateway)
    other = start(gateway, at.wijkteam)
    assert join(gateway, other, at.wijkteam, at.school).status_code == 201
    elsewhere = wrote(gateway, other, at.school, "leerling")
    through = gateway.client.get(
        f"/v1/cases/{at.case_id}/entries/{elsewhere}", headers=headers(at.school)
    )
    unknown = gateway.client.get(
        f"/v1/cases/{at.case_id}/entries/{UNKNOWN_ENTRY}", headers=headers(at.school)
    )
    assert through.status_code == 404
    assert through.content == unknown.content


def test_a_participant_without_a_mandate_reads_only_its_own(gateway: Gateway) -> None:
    at = table(gateway)
    guest = gateway.make_org("smw")
    assert join(gateway, at.case_id, at.school, guest, mandate=False).status_code == 201
    wrote(gateway, at.case_id, at.school, "leerling")
    wrote(gateway, at.case_id, at.leerplicht, "verzuim")
    wrote(gateway, at.case_id, guest, "gezinsplan")
    case_consent(gateway, at.school, [guest, at.wijkteam], ("leerling",), at.case_id)
    assert listed(gateway, at.case_id, guest) == ["gezinsplan"]
    assert listed(gateway, at.case_id, at.wijkteam) == ["leerling", "verzuim"]
