"""The signed case export for a dispute body: only what the requesting party may see,
a manifest signed by the gateway, and a bundle that cannot be changed unnoticed."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from typing import Any

import pytest
from joserfc import jws
from joserfc.jwk import KeySet

from gateway.cases.export import Unverified, verify
from tests.cases.helpers import case_consent, headers, join, table, wrote
from tests.support.gateway import Gateway, audit_log

UNKNOWN_CASE = "cs_00000000000000000000"


def exported(gateway: Gateway, case_id: str, org: Any) -> dict[str, Any]:
    response = gateway.client.post(f"/v1/cases/{case_id}/export", headers=headers(org))
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def jwks(gateway: Gateway) -> dict[str, Any]:
    found: dict[str, Any] = gateway.client.get("/.well-known/jwks.json").json()
    return found


def sha256(value: Any) -> str:
    """The dispute body's own hash of canonical JSON, independent of the gateway's code."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def test_the_export_holds_exactly_what_the_party_reads_and_nothing_of_the_rest(
    gateway: Gateway,
) -> None:
    at = table(gateway)
    shown = wrote(gateway, at.case_id, at.school, "leerling")
    hidden = [
        wrote(gateway, at.case_id, at.school, "onderwijsondersteuning"),
        wrote(gateway, at.case_id, at.school, "gezondheid"),
    ]
    wrote(gateway, at.case_id, at.wijkteam, "knooppunt_afspraken")
    wrote(gateway, at.case_id, at.leerplicht, "verzuim")
    case_consent(gateway, at.school, [at.wijkteam], ("leerling",), at.case_id)
    listed = gateway.client.get(f"/v1/cases/{at.case_id}/entries", headers=headers(at.wijkteam))
    document = exported(gateway, at.case_id, at.wijkteam)
    bundle = document["bundle"]
    assert bundle["entries"] == listed.json()["items"]
    assert [e["category"] for e in bundle["entries"]] == [
        "leerling",
        "knooppunt_afspraken",
        "verzuim",
    ]
    assert bundle["entries"][0]["id"] == shown
    # No trace of what the wijkteam may not read: no id, no count, no category.
    text = json.dumps(document)
    for entry_id in hidden:
        assert entry_id not in text
    assert "onderwijsondersteuning" not in text and "gezondheid" not in text
    assert len(document["manifest"]["entries"]) == 3
    assert bundle["case"]["id"] == at.case_id
    assert {p["org"] for p in bundle["participants"]} == {
        at.school.id,
        at.wijkteam.id,
        at.leerplicht.id,
    }
    afspraken = [e["id"] for e in bundle["entries"] if e["category"] == "knooppunt_afspraken"]
    assert bundle["agreements"]["entries"] == afspraken
    assert bundle["agreements"]["regie"] == at.school.id


def test_a_party_that_left_is_named_with_when_it_sat_at_the_table(gateway: Gateway) -> None:
    """Its entries the requester may still read are in the bundle: the dispute body sees
    who wrote them, and when that party joined and left."""
    at = table(gateway)
    case_consent(gateway, at.school, [at.school], ("gezinsplan",), at.case_id)
    written = wrote(gateway, at.case_id, at.wijkteam, "gezinsplan")
    joined_at = gateway.client.get(f"/v1/cases/{at.case_id}", headers=headers(at.school)).json()
    left = gateway.client.post(
        f"/v1/cases/{at.case_id}/participants/{at.wijkteam.id}/leave", headers=headers(at.wijkteam)
    )
    assert left.status_code == 200, left.text
    document = exported(gateway, at.case_id, at.school)
    bundle = document["bundle"]
    assert written in [e["id"] for e in bundle["entries"]]
    seats = {p["org"]: p for p in bundle["participants"]}
    assert set(seats) == {at.school.id, at.wijkteam.id, at.leerplicht.id}
    wijkteam = seats[at.wijkteam.id]
    assert wijkteam["left_at"] is not None and wijkteam["left_at"] > wijkteam["joined_at"]
    assert seats[at.school.id]["left_at"] is None and seats[at.leerplicht.id]["left_at"] is None
    was = {p["org"]: p["joined_at"] for p in joined_at["participants"]}
    assert seats[at.wijkteam.id]["joined_at"] == was[at.wijkteam.id]
    # The read of the case names the parties at the table now; the export, everyone.
    now = gateway.client.get(f"/v1/cases/{at.case_id}", headers=headers(at.school)).json()
    assert at.wijkteam.id not in {p["org"] for p in now["participants"]}
    # The manifest covers the departed party too: taking it out is noticed.
    assert verify(document, jwks(gateway))["case_sha256"] == sha256(
        {k: bundle[k] for k in ("case", "participants", "agreements")}
    )
    hidden = copy.deepcopy(document)
    hidden["bundle"]["participants"] = [
        p for p in hidden["bundle"]["participants"] if p["org"] != at.wijkteam.id
    ]
    with pytest.raises(Unverified):
        verify(hidden, jwks(gateway))


def test_the_signature_holds_against_the_published_key_and_the_hashes_match(
    gateway: Gateway,
) -> None:
    at = table(gateway)
    wrote(gateway, at.case_id, at.school, "leerling")
    wrote(gateway, at.case_id, at.wijkteam, "gezinsplan")
    case_consent(gateway, at.school, [at.wijkteam], ("leerling",), at.case_id)
    document = exported(gateway, at.case_id, at.wijkteam)
    # As a dispute body does it, with joserfc and the JWKS alone.
    token = jws.deserialize_compact(
        document["signature"], KeySet.import_key_set(jwks(gateway)), algorithms=["Ed25519"]
    )
    assert token.headers()["typ"] == "case-manifest+jws"
    signed = json.loads(token.payload)
    assert signed == document["manifest"]
    assert signed["case_id"] == at.case_id
    assert signed["requested_by"] == at.wijkteam.id
    assert signed["generated_at"] == gateway.clock.now().isoformat()
    version = gateway.client.get("/v1/policies", headers=headers(at.school)).json()["version"]
    assert signed["policy_version"] == version
    bundle = document["bundle"]
    metadata = {k: bundle[k] for k in ("case", "participants", "agreements")}
    assert signed["case_sha256"] == sha256(metadata)
    assert [
        (e["id"], e["org"], e["category"], e["created_at"], e["sha256"]) for e in signed["entries"]
    ] == [
        (e["id"], e["org"], e["category"], e["created_at"], sha256(e["content"]))
        for e in bundle["entries"]
    ]
    assert verify(document, jwks(gateway)) == signed


def _tampered(document: dict[str, Any]) -> list[dict[str, Any]]:
    changed = []
    content = copy.deepcopy(document)
    first = content["bundle"]["entries"][0]
    first["content"] = {**first["content"], "roepnaam": "Kim"}
    changed.append(content)
    dropped = copy.deepcopy(document)
    dropped["bundle"]["entries"].pop()
    changed.append(dropped)
    moved = copy.deepcopy(document)
    moved["bundle"]["entries"][0]["org"] = moved["bundle"]["entries"][1]["org"]
    changed.append(moved)
    joined = copy.deepcopy(document)
    joined["bundle"]["participants"].pop()
    changed.append(joined)
    regie = copy.deepcopy(document)
    regie["bundle"]["agreements"]["regie"] = "org_other"
    changed.append(regie)
    # A manifest rewritten to fit the changed bundle no longer carries the signature.
    forged = copy.deepcopy(content)
    header, _, sig = forged["signature"].split(".")
    manifest = copy.deepcopy(document["manifest"])
    manifest["entries"][0]["sha256"] = sha256(forged["bundle"]["entries"][0]["content"])
    body = base64.urlsafe_b64encode(json.dumps(manifest).encode()).rstrip(b"=").decode()
    forged["signature"] = f"{header}.{body}.{sig}"
    changed.append(forged)
    return changed


def test_a_changed_bundle_or_manifest_fails_verification(gateway: Gateway) -> None:
    at = table(gateway)
    wrote(gateway, at.case_id, at.school, "leerling")
    wrote(gateway, at.case_id, at.wijkteam, "gezinsplan")
    case_consent(gateway, at.school, [at.wijkteam], ("leerling",), at.case_id)
    document = exported(gateway, at.case_id, at.wijkteam)
    keys = jwks(gateway)
    verify(document, keys)
    for changed in _tampered(document):
        with pytest.raises(Unverified):
            verify(changed, keys)
    other = table(gateway)
    wrote(gateway, other.case_id, other.school, "leerling")
    elsewhere = exported(gateway, other.case_id, other.school)
    swapped = {**document, "signature": elsewhere["signature"]}
    with pytest.raises(Unverified):
        verify(swapped, keys)


def test_the_export_is_on_the_log_with_the_categories_it_released(gateway: Gateway) -> None:
    at = table(gateway)
    wrote(gateway, at.case_id, at.school, "leerling")
    wrote(gateway, at.case_id, at.school, "opp")
    wrote(gateway, at.case_id, at.wijkteam, "gezinsplan")
    case_consent(gateway, at.school, [at.wijkteam], ("leerling",), at.case_id)
    exported(gateway, at.case_id, at.wijkteam)
    log = [e for e in audit_log(gateway, at.wijkteam) if e["action"] == "case.export"]
    assert [(e["decision"], sorted(e["categories"]), e["object_id"]) for e in log] == [
        ("permit", ["gezinsplan", "leerling"], at.case_id)
    ]
    assert log[0]["purpose"] == "knooppunt.casus"


def test_a_stranger_and_a_leaver_get_the_answer_for_an_unknown_case(gateway: Gateway) -> None:
    at = table(gateway)
    wrote(gateway, at.case_id, at.school, "leerling")
    stranger = gateway.make_org("wijkteam")
    client = gateway.client

    def export_as(org: Any, case_id: str) -> Any:
        return client.post(f"/v1/cases/{case_id}/export", headers=headers(org))

    real, unknown = export_as(stranger, at.case_id), export_as(stranger, UNKNOWN_CASE)
    assert real.status_code == 404
    assert real.content == unknown.content
    denied = [
        e
        for e in audit_log(gateway, at.school)
        if e["org"] == stranger.id and e["action"] == "case.export"
    ]
    assert [(e["decision"], e["code"], e["object_id"]) for e in denied] == [
        ("deny", "not_found", at.case_id)
    ]
    left = client.post(
        f"/v1/cases/{at.case_id}/participants/{at.wijkteam.id}/leave", headers=headers(at.wijkteam)
    )
    assert left.status_code == 200, left.text
    gone, never = export_as(at.wijkteam, at.case_id), export_as(at.wijkteam, UNKNOWN_CASE)
    assert gone.status_code == 404
    assert gone.content == never.content
    # Back at the table, it exports again: leaving was not a ban.
    assert join(gateway, at.case_id, at.school, at.wijkteam).status_code == 201
    assert export_as(at.wijkteam, at.case_id).status_code == 200


def test_only_under_the_knooppunt_purpose(gateway: Gateway) -> None:
    at = table(gateway)
    wrong = gateway.client.post(
        f"/v1/cases/{at.case_id}/export",
        headers=at.wijkteam.headers(purpose="overdracht.po_vo", actor="a"),
    )
    assert wrong.status_code == 403
    assert wrong.json()["code"] == "purpose_mismatch"
