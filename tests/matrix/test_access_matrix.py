"""The access matrix: every generated case against the real app, on SQLite and PostgreSQL.

What each case asserts (tests/support/matrix.py says how the cases are made):
- a bystander learns nothing: 404 with the very body an unknown id gets (request ids
  aside), never a 403, and nothing in its lists or its audit log;
- a recipient sees exactly the released categories, no more, and the expected refusal
  when the catalog refuses;
- no category's content appears where it was not released (forbidden and unknown ones
  nowhere at all);
- every refusal is in the owning organisation's audit log with its rule.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from httpx2 import Response

from tests.matrix.conftest import matrix
from tests.matrix.world import Setup, World
from tests.support.gateway import OFFICER, Org
from tests.support.matrix import (
    CASE_ENDPOINTS,
    DENY_STATUS,
    OUT_OF_MATRIX,
    TLV_REQUEST,
    Case,
    Scenario,
    marker,
    payload,
    served_endpoints,
)

CASES = matrix().cases
MARKER = re.compile(r"MX[A-Za-z0-9_.\-]+/[a-z_]+")
VOLATILE = {"request_id", "trace_id", "instance"}


def test_the_matrix_is_large_enough() -> None:
    assert len(CASES) >= 2000, matrix().summary()


def test_every_served_endpoint_is_covered(world: World) -> None:
    served = served_endpoints(world.gateway.client.get("/v1/openapi.json").json())
    assert served == matrix().endpoints, "the served routes changed since collection"
    covered = {op for ops in CASE_ENDPOINTS.values() for op in ops}
    unplaced = sorted(set(served) - covered - set(OUT_OF_MATRIX))
    assert not unplaced, f"endpoints without a matrix case: {unplaced}"
    assert {case.endpoint for case in CASES} >= {name for _, name in CASE_ENDPOINTS}


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_access(world: World, case: Case) -> None:
    setup = world.setups[case.scenario.key]
    CHECKS[(case.party, case.endpoint)](world, setup)


# ---- what may be seen ----------------------------------------------------------------


def leaks(response: Response, scenario: Scenario, released: frozenset[str] = frozenset()) -> None:
    """No category content in `response` except that of `released` in this scenario."""
    allowed = {marker(scenario, name) for name in released}
    seen = set(MARKER.findall(response.text))
    assert not seen - allowed, f"content leaked: {sorted(seen - allowed)}"


def expect_refusal(response: Response, codes: frozenset[str]) -> None:
    assert response.status_code in {DENY_STATUS.get(code, 403) for code in codes}, (
        response.status_code,
        response.text,
    )
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] in codes, (sorted(codes), response.text)


def normalised(response: Response, *ids: str) -> tuple[int, str, Any]:
    """Status, media type and body, with request ids dropped and the asked id masked."""
    body = response.json()
    if isinstance(body, dict):
        body = {key: value for key, value in body.items() if key not in VOLATILE}
    text = json.dumps(body, sort_keys=True)
    for value in ids:
        text = text.replace(value, "<id>")
    return response.status_code, response.headers["content-type"], json.loads(text)


def like_unknown(world: World, call: Any, real_id: str, prefix: str) -> None:
    """The answer about `real_id` is the answer about an id that never existed."""
    unknown_id = world.unknown_id(prefix)
    real, unknown = call(real_id), call(unknown_id)
    assert real.status_code == 404, (real.status_code, real.text)
    assert normalised(real, real_id) == normalised(unknown, unknown_id)


# ---- the sender ----------------------------------------------------------------------


def sender_push(world: World, setup: Setup) -> None:
    scenario, pushed = setup.scenario, setup.push
    leaks(pushed, scenario)
    if scenario.push_permitted:
        assert pushed.status_code == 201, pushed.text
        decision = pushed.json()["decision"]
        assert decision["effect"] == "permit"
        assert set(decision["released"]) <= scenario.categories
    else:
        expect_refusal(pushed, scenario.push_denies)


def sender_outbox(world: World, setup: Setup) -> None:
    ids = about_pupil(world, setup, setup.sender, "outbox")
    assert ids == ([setup.transfer_id] if setup.scenario.push_permitted else [])


def sender_inzage(world: World, setup: Setup) -> None:
    scenario = setup.scenario
    response = world.post(
        f"/v1/transfers/{setup.transfer_id}/inzage",
        setup.sender,
        scenario.flow,
        {"date": world.today.isoformat(), "akkoord": True},
    )
    leaks(response, scenario)
    assert response.status_code == 200, response.text


# ---- the recipient -------------------------------------------------------------------


def read_as(world: World, org: Org, transfer_id: str, purpose: str) -> Response:
    return world.gateway.client.get(f"/v1/transfers/{transfer_id}", headers=org.headers(purpose))


def recipient_read(world: World, setup: Setup) -> None:
    scenario = setup.scenario
    assert setup.transfer_id is not None
    response = read_as(world, setup.recipient, setup.transfer_id, scenario.flow)
    if not scenario.read_permitted:
        leaks(response, scenario)
        expect_refusal(response, scenario.read_denies)
        return
    assert response.status_code == 200, response.text
    body = response.json()
    released = set(body["dossier"])
    # Exactly what the catalog releases, and never more than it allows and consent covers.
    assert released == scenario.released, (sorted(released), sorted(scenario.released))
    assert set(body["decision"]["released"]) == released
    leaks(response, scenario, scenario.released)
    taxonomy = world.catalog.taxonomy
    for name in released:
        assert body["dossier"][name] == payload(taxonomy, name, marker(scenario, name))


def recipient_read_other_purpose(world: World, setup: Setup) -> None:
    scenario = setup.scenario
    assert setup.transfer_id is not None
    other = next(flow for flow in sorted(world.catalog.flows) if flow != scenario.flow)
    response = read_as(world, setup.recipient, setup.transfer_id, other)
    leaks(response, scenario)
    expect_refusal(response, frozenset({"purpose_mismatch"}))


def recipient_acknowledge(world: World, setup: Setup) -> None:
    scenario = setup.scenario
    assert setup.transfer_id is not None
    read_as(world, setup.recipient, setup.transfer_id, scenario.flow)
    response = world.post(
        f"/v1/transfers/{setup.transfer_id}/acknowledge",
        setup.recipient,
        scenario.flow,
        {"conversation_date": world.today.isoformat()},
    )
    leaks(response, scenario)
    if scenario.read_permitted:
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "acknowledged"
    else:
        assert 400 <= response.status_code < 500, response.text
        assert response.status_code != 404, "the recipient is a party, not a stranger"


def recipient_inbox(world: World, setup: Setup) -> None:
    ids = about_pupil(world, setup, setup.recipient, "inbox")
    assert ids == ([setup.transfer_id] if setup.scenario.listed_to_recipient else [])


def recipient_consent_read(world: World, setup: Setup) -> None:
    scenario = setup.scenario
    assert setup.consent_id is not None

    def call(consent_id: str) -> Response:
        return world.gateway.client.get(
            f"/v1/consents/{consent_id}", headers=setup.recipient.headers(scenario.flow)
        )

    if scenario.consent == "other_recipient":
        like_unknown(world, call, setup.consent_id, "cs")
        return
    response = call(setup.consent_id)
    assert response.status_code == 200, response.text
    assert setup.subject["bsn"] not in response.text
    assert set(response.json()["categories"]) == set(scenario.consent_categories or ())


def box_of(world: World, org: Org, scenario: Scenario, box: str) -> list[dict[str, Any]]:
    """Every item of the box, page after page; no page holds any dossier content."""
    items: list[dict[str, Any]] = []
    cursor = ""
    while True:
        response = world.gateway.client.get(
            f"/v1/transfers?box={box}&limit=500{cursor}", headers=org.headers(scenario.flow)
        )
        assert response.status_code == 200, response.text
        leaks(response, scenario)
        page = response.json()
        items += page["items"]
        if page["next"] is None:
            return items
        cursor = f"&cursor={page['next']}"


def about_pupil(world: World, setup: Setup, org: Org, box: str) -> list[str]:
    """The ids in `org`'s box of transfers about this scenario's pupil."""
    ref = world.pseudonym(org, setup.subject)
    items = box_of(world, org, setup.scenario, box)
    return [item["id"] for item in items if item["subject_ref"] == ref]


# ---- the bystander -------------------------------------------------------------------


def bystander(world: World, setup: Setup) -> Org:
    return world.bystanders[setup.scenario.bystander_kind]


def bystander_read(world: World, setup: Setup) -> None:
    org, purpose = bystander(world, setup), setup.scenario.flow
    assert setup.transfer_id is not None
    like_unknown(world, lambda tid: read_as(world, org, tid, purpose), setup.transfer_id, "tr")


def bystander_acknowledge(world: World, setup: Setup) -> None:
    org, purpose = bystander(world, setup), setup.scenario.flow
    body = {"conversation_date": world.today.isoformat()}
    assert setup.transfer_id is not None
    like_unknown(
        world,
        lambda tid: world.post(f"/v1/transfers/{tid}/acknowledge", org, purpose, body),
        setup.transfer_id,
        "tr",
    )


def bystander_inzage(world: World, setup: Setup) -> None:
    org, purpose = bystander(world, setup), setup.scenario.flow
    body = {"date": world.today.isoformat(), "akkoord": True}
    assert setup.transfer_id is not None
    like_unknown(
        world,
        lambda tid: world.post(f"/v1/transfers/{tid}/inzage", org, purpose, body),
        setup.transfer_id,
        "tr",
    )


def bystander_restriction_lift(world: World, setup: Setup) -> None:
    org, purpose = bystander(world, setup), setup.scenario.flow
    body = {"reason": "parents_informed"}
    assert setup.transfer_id is not None
    like_unknown(
        world,
        lambda tid: world.post(f"/v1/transfers/{tid}/restriction/lift", org, purpose, body),
        setup.transfer_id,
        "tr",
    )


def bystander_lists(world: World, setup: Setup) -> None:
    org = bystander(world, setup)
    for box in ("inbox", "outbox"):
        assert box_of(world, org, setup.scenario, box) == []


def bystander_consent_search(world: World, setup: Setup) -> None:
    org, purpose = bystander(world, setup), setup.scenario.flow

    def search(subject: dict[str, str]) -> Response:
        return world.post("/v1/consents/search", org, purpose, {"subject": subject})

    real, unknown = search(setup.subject), search(world.unknown_subject)
    assert normalised(real) == normalised(unknown)
    assert real.status_code != 403


def bystander_consent_notifications(world: World, setup: Setup) -> None:
    org = bystander(world, setup)
    response = world.gateway.client.get(
        "/v1/consents/notifications", headers=org.headers(setup.scenario.flow)
    )
    assert response.status_code == 200, response.text
    assert response.json()["items"] == []


def bystander_consent_renewals(world: World, setup: Setup) -> None:
    """Only the registering organisation finds a consent to renew, and never another's."""
    org = bystander(world, setup)
    response = world.gateway.client.get(
        "/v1/consents",
        params={"state": "renewal_needed"},
        headers=org.headers(setup.scenario.flow),
    )
    assert response.status_code == 200, response.text
    assert response.json()["items"] == []


def bystander_consent_read(world: World, setup: Setup) -> None:
    org, purpose = bystander(world, setup), setup.scenario.flow
    assert setup.consent_id is not None
    like_unknown(
        world,
        lambda cid: world.gateway.client.get(f"/v1/consents/{cid}", headers=org.headers(purpose)),
        setup.consent_id,
        "cs",
    )


def bystander_consent_withdraw(world: World, setup: Setup) -> None:
    org, purpose = bystander(world, setup), setup.scenario.flow
    assert setup.consent_id is not None
    like_unknown(
        world,
        lambda cid: world.post(f"/v1/consents/{cid}/withdraw", org, purpose, None),
        setup.consent_id,
        "cs",
    )


def bystander_audit(world: World, setup: Setup) -> None:
    """Its privacy officer's log tells the bystander nothing of the pupil or the act: its
    try on a real id is logged just like its try on an id that never existed."""
    org, flow = bystander(world, setup), setup.scenario.flow
    if setup.transfer_id is not None:
        read_as(world, org, setup.transfer_id, flow)
        read_as(world, org, world.unknown_id("tr"), flow)
        real, unknown = [e for e in events(world, org) if e["action"] == "transfer.read"][1::-1]
        assert unlinked(real) == unlinked(unknown)
    # Its own questions naming the pupil (this very search, a consent search) are its
    # own acts; an act of another organisation, or on another's object, would be news.
    found = [
        (e["action"], e["object_id"], e["owner"])
        for e in search_audit(world, org, setup.subject)
        if e["org"] != org.id or e["owner"] is not None or e["object_id"] is not None
    ]
    assert found == [], found
    for item in events(world, org):
        assert item["object_id"] is None or item["object_id"] not in (
            setup.transfer_id,
            setup.consent_id,
        ), item
    # Its Logboek Dataverwerkingen export holds the same: none of the pupil's objects.
    response = world.gateway.client.get(
        "/v1/audit/logboek?limit=100", headers=org.headers(**OFFICER)
    )
    assert response.status_code == 200, response.text
    for record in response.json()["items"]:
        attributes = record["attributes"]
        assert attributes["gateway.org"] == org.id, record
        found = attributes.get("gateway.object_id")
        assert found is None or found not in (setup.transfer_id, setup.consent_id), record


def unlinked(entry: dict[str, Any]) -> dict[str, Any]:
    """An audit entry without what differs between any two entries."""
    return {
        key: value
        for key, value in entry.items()
        if key
        not in ("seq", "time", "hash", "prev_hash", "request_id", "transaction_id", "trace_id")
    }


# ---- the owner's privacy officer -----------------------------------------------------


def events(world: World, officer: Org) -> list[dict[str, Any]]:
    response = world.gateway.client.get(
        "/v1/audit/events?limit=100", headers=officer.headers(**OFFICER)
    )
    assert response.status_code == 200, response.text
    leaks_none(response)
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def search_audit(world: World, officer: Org, subject: dict[str, str]) -> list[dict[str, Any]]:
    response = world.post(
        "/v1/audit/events/search", officer, OFFICER["purpose"], {"subject": subject, "limit": 100}
    )
    assert response.status_code == 200, response.text
    leaks_none(response)
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def leaks_none(response: Response) -> None:
    assert MARKER.search(response.text) is None, "dossier content in the audit log"


def owner_audit(world: World, setup: Setup) -> None:
    """Every refusal about the sender's act or its data is on the sender's log, with the
    rule it was refused under."""
    scenario, officer = setup.scenario, setup.sender
    flow = scenario.flow
    if setup.transfer_id is not None and not scenario.read_permitted:
        read_as(world, setup.recipient, setup.transfer_id, flow)
    log = search_audit(world, officer, setup.subject)
    denies = [e for e in log if e["decision"] == "deny"]
    assert all(e["rule"] for e in denies)
    if not scenario.push_permitted:
        sends = [e for e in denies if e["action"] == "transfer.send"]
        assert sends, log
        assert sends[0]["code"] in scenario.push_denies
        assert sends[0]["rule"].startswith(f"{flow}/deny/"), sends[0]
    if scenario.push_permitted and not scenario.read_permitted:
        reads = [
            e
            for e in denies
            if e["action"] == "transfer.read"
            and e["org"] == setup.recipient.id
            and e["purpose"] == flow
        ]
        assert reads, log
        assert {e["code"] for e in reads} <= scenario.read_denies
        assert all(e["rule"].startswith(f"{flow}/deny/") for e in reads), reads
        assert all(e["object_id"] == setup.transfer_id for e in reads)


# ---- the case at the table ----------------------------------------------------------


def case_calls(org: Org, purpose: str) -> list[Any]:
    """Every operation on one case by id, as `call(case_id, entry_id)`."""

    def call(method: str, path: str, body: Any = None) -> Any:
        def run(world: World, case_id: str, entry_id: str) -> Response:
            url = path.format(case=case_id, entry=entry_id, org=org.id)
            return world.gateway.client.request(
                method, url, json=body, headers=org.headers(purpose)
            )

        return run

    seat = {"org": org.id, "role": "deelnemer", "person": "p-1", "mandate": True}
    return [
        call("GET", "/v1/cases/{case}"),
        call("GET", "/v1/cases/{case}/entries"),
        call("GET", "/v1/cases/{case}/entries/{entry}"),
        call("POST", "/v1/cases/{case}/entries", {"category": "leerling", "content": {}}),
        call("POST", "/v1/cases/{case}/participants", seat),
        call("POST", "/v1/cases/{case}/participants/{org}/leave"),
        call("POST", "/v1/cases/{case}/close"),
        call("POST", "/v1/cases/{case}/mdo", {"regie": org.id}),
        call("POST", "/v1/cases/{case}/evaluation"),
    ]


def alike(world: World, setup: Setup, calls: list[Any], status: int) -> None:
    """Each call on the real case answers as on a case and entry that never existed."""
    assert setup.case_id is not None and setup.entry_id is not None
    real_ids = (setup.case_id, setup.entry_id)
    unknown_ids = (world.unknown_id("cs"), world.unknown_id("ce"))
    for call in calls:
        real, unknown = call(world, *real_ids), call(world, *unknown_ids)
        leaks(real, setup.scenario)
        assert real.status_code == status, (real.status_code, real.text)
        assert normalised(real, *real_ids) == normalised(unknown, *unknown_ids)


def sender_case_list(world: World, setup: Setup) -> None:
    """The sender started the case (and wrote its entry): it is in its list."""
    purpose = setup.scenario.flow
    response = world.gateway.client.get("/v1/cases", headers=setup.sender.headers(purpose))
    assert response.status_code == 200, response.text
    assert setup.case_id in {item["id"] for item in response.json()["items"]}


def recipient_case_read(world: World, setup: Setup) -> None:
    """At the table the recipient reads the case and what the engine releases of the
    sender's entry, nothing else; away from it, the case is an unknown id."""
    scenario, org = setup.scenario, setup.recipient
    reads = case_calls(org, scenario.flow)[:3]
    if not scenario.at_the_table:
        alike(world, setup, reads, 404)
        return
    assert setup.case_id is not None and setup.entry_id is not None
    case = reads[0](world, setup.case_id, setup.entry_id)
    assert case.status_code == 200, case.text
    assert org.id in {p["org"] for p in case.json()["participants"]}
    listed = reads[1](world, setup.case_id, setup.entry_id)
    assert listed.status_code == 200, listed.text
    shown = {item["category"] for item in listed.json()["items"]}
    assert shown == scenario.case_released, (sorted(shown), sorted(scenario.case_released))
    leaks(listed, scenario, scenario.case_released)
    entry = reads[2](world, setup.case_id, setup.entry_id)
    if scenario.case_released:
        assert entry.status_code == 200, entry.text
    else:
        unknown_id = world.unknown_id("ce")
        unknown = reads[2](world, setup.case_id, unknown_id)
        assert entry.status_code == 404, entry.text
        assert normalised(entry, setup.entry_id) == normalised(unknown, unknown_id)


def recipient_case_other_purpose(world: World, setup: Setup) -> None:
    other = next(flow for flow in sorted(world.catalog.flows) if flow != setup.scenario.flow)
    assert setup.case_id is not None and setup.entry_id is not None
    response = case_calls(setup.recipient, other)[0](world, setup.case_id, setup.entry_id)
    leaks(response, setup.scenario)
    expect_refusal(response, frozenset({"purpose_mismatch"}))


def bystander_case(world: World, setup: Setup) -> None:
    alike(world, setup, case_calls(bystander(world, setup), setup.scenario.flow), 404)


def bystander_case_lists(world: World, setup: Setup) -> None:
    org = bystander(world, setup)
    response = world.gateway.client.get("/v1/cases", headers=org.headers(setup.scenario.flow))
    assert response.status_code == 200, response.text
    assert response.json()["items"] == []


def unscoped_case(world: World, setup: Setup) -> None:
    """Without the transfer scopes every call is refused alike, whatever the id."""
    calls = case_calls(world.unscoped, setup.scenario.flow)
    alike(world, setup, calls, 403)
    answer = calls[0](world, world.unknown_id("cs"), world.unknown_id("ce"))
    assert answer.json()["code"] == "insufficient_scope"


# ---- the TLV procedure ---------------------------------------------------------------


def tlv_open(world: World, org: Org, transfer_id: str) -> Response:
    return world.post("/v1/tlvs", org, TLV_REQUEST, {"request": transfer_id})


def recipient_tlv_open(world: World, setup: Setup) -> None:
    """The receiving SWV is a party: it opens a TLV on the request, or is told what
    the request lacks; never the answer for a stranger."""
    scenario = setup.scenario
    assert setup.transfer_id is not None
    response = tlv_open(world, setup.recipient, setup.transfer_id)
    leaks(response, scenario)
    if "opp" not in scenario.categories:
        expect_refusal(response, frozenset({"opp_missing"}))
    elif response.status_code != 201:
        expect_refusal(response, frozenset({"parents_not_heard"}))


def bystander_tlv_open(world: World, setup: Setup) -> None:
    org = bystander(world, setup)
    assert setup.transfer_id is not None
    like_unknown(world, lambda tid: tlv_open(world, org, tid), setup.transfer_id, "tr")


def tlv_calls(org: Org) -> list[Any]:
    """Every operation on one TLV by id, as `call(tlv_id)`, each under its purpose."""

    def call(method: str, path: str, purpose: str, body: Any = None) -> Any:
        def run(world: World, tlv_id: str) -> Response:
            return world.gateway.client.request(
                method, path.format(tlv_id), json=body, headers=org.headers(purpose)
            )

        return run

    advice = {"transfer": "tr_" + "0" * 20, "discipline": "orthopedagoog"}
    return [
        call("GET", "/v1/tlvs/{}", TLV_REQUEST),
        call("POST", "/v1/tlvs/{}/advices", "tlv.advies", advice),
        call("POST", "/v1/tlvs/{}/decision", "tlv.besluit", {"outcome": "afgewezen"}),
    ]


def sender_tlv_read(world: World, setup: Setup) -> None:
    """The requesting school reads its TLV, never who advised."""
    assert setup.tlv_id is not None
    response = tlv_calls(setup.sender)[0](world, setup.tlv_id)
    assert response.status_code == 200, response.text
    assert "advices" not in response.json()


def bystander_tlv(world: World, setup: Setup) -> None:
    org = bystander(world, setup)
    assert setup.tlv_id is not None
    for call in tlv_calls(org):
        like_unknown(world, lambda tid, call=call: call(world, tid), setup.tlv_id, "tlv")


def bystander_tlv_lists(world: World, setup: Setup) -> None:
    """A stranger's herbeoordeling list holds none of the SWV's TLVs (a kind that
    keeps no such list is refused, which tells it nothing either)."""
    org = bystander(world, setup)
    response = world.gateway.client.get(
        "/v1/tlvs", params={"due": "herbeoordeling"}, headers=org.headers(TLV_REQUEST)
    )
    if response.status_code == 200:
        assert response.json()["items"] == []
    else:
        assert response.status_code == 403, response.text


def unscoped_tlv(world: World, setup: Setup) -> None:
    org = world.unscoped
    assert setup.tlv_id is not None and setup.transfer_id is not None
    calls = [
        *tlv_calls(org),
        lambda world, tid: tlv_open(world, org, setup.transfer_id or tid),
        lambda world, tid: world.gateway.client.get(
            "/v1/tlvs", params={"due": "herbeoordeling"}, headers=org.headers(TLV_REQUEST)
        ),
    ]
    for call in calls:
        unknown_id = world.unknown_id("tlv")
        real, unknown = call(world, setup.tlv_id), call(world, unknown_id)
        assert real.status_code == 403, real.text
        assert real.json()["code"] == "insufficient_scope"
        assert normalised(real, setup.tlv_id) == normalised(unknown, unknown_id)


CHECKS = {
    ("sender", "push"): sender_push,
    ("sender", "outbox"): sender_outbox,
    ("sender", "inzage"): sender_inzage,
    ("recipient", "read"): recipient_read,
    ("recipient", "read_other_purpose"): recipient_read_other_purpose,
    ("recipient", "acknowledge"): recipient_acknowledge,
    ("recipient", "inbox"): recipient_inbox,
    ("recipient", "consent_read"): recipient_consent_read,
    ("bystander", "read"): bystander_read,
    ("bystander", "acknowledge"): bystander_acknowledge,
    ("bystander", "inzage"): bystander_inzage,
    ("bystander", "restriction_lift"): bystander_restriction_lift,
    ("bystander", "lists"): bystander_lists,
    ("bystander", "consent_search"): bystander_consent_search,
    ("bystander", "consent_notifications"): bystander_consent_notifications,
    ("bystander", "consent_renewals"): bystander_consent_renewals,
    ("bystander", "consent_read"): bystander_consent_read,
    ("bystander", "consent_withdraw"): bystander_consent_withdraw,
    ("bystander", "audit"): bystander_audit,
    ("owner_officer", "audit"): owner_audit,
    ("sender", "case_list"): sender_case_list,
    ("recipient", "case_read"): recipient_case_read,
    ("recipient", "case_other_purpose"): recipient_case_other_purpose,
    ("bystander", "case"): bystander_case,
    ("bystander", "case_lists"): bystander_case_lists,
    ("unscoped", "case"): unscoped_case,
    ("recipient", "tlv_open"): recipient_tlv_open,
    ("sender", "tlv_read"): sender_tlv_read,
    ("bystander", "tlv_open"): bystander_tlv_open,
    ("bystander", "tlv"): bystander_tlv,
    ("bystander", "tlv_lists"): bystander_tlv_lists,
    ("unscoped", "tlv"): unscoped_tlv,
}
