"""The log proves itself over the API: a signed checkpoint a witness can check by the
C2SP specs alone, inclusion proofs of the officer's own entries, consistency proofs
between checkpoints; reading a proof is logged like any read of the log."""

from __future__ import annotations

import base64
from typing import Any

from gateway.audit import checkpoints, merkle
from gateway.audit.chain import canonical_bytes
from gateway.audit.models import AuditEntry
from tests.support.audit import check_note, publish
from tests.support.gateway import OFFICER, Gateway, Org, audit_log, audited

CHECKPOINT_ONLY = "/v1/audit/checkpoint"


def bearer(org: Org) -> dict[str, str]:
    return {"Authorization": f"Bearer {org.token}"}


def get_proof(gateway: Gateway, officer: Org, seq: int, **params: Any) -> Any:
    return gateway.client.get(
        f"/v1/audit/proof/{seq}", params=params, headers=officer.headers(**OFFICER)
    )


def test_the_checkpoint_is_a_signed_note_a_witness_checks_by_the_specs(gateway: Gateway) -> None:
    officer = audited(gateway, "school_po")
    missing = gateway.client.get(CHECKPOINT_ONLY, headers=bearer(officer))
    assert missing.status_code == 404 and missing.json()["code"] == "checkpoint_missing"
    audit_log(gateway, officer)
    audit_log(gateway, officer)
    made = publish(gateway)
    assert made is not None and made.tree_size == 2
    assert publish(gateway) is None  # nothing new: no second checkpoint of the same size

    # No context headers: a checkpoint holds no personal data.
    read = gateway.client.get(CHECKPOINT_ONLY, headers=bearer(officer))
    assert read.status_code == 200, read.text
    body = read.json()
    assert {"tree_size", "root_hash", "signature", "key_id", "time"} <= body.keys()
    origin, size, root = check_note(body["note"], body["verifier_key"])
    assert origin == "gateway.test/audit"
    assert (size, root.hex()) == (body["tree_size"], body["root_hash"])
    assert body["verifier_key"].startswith(body["key_id"] + "+")
    stamp = body["note"].rstrip("\n").rsplit(" ", 1)[1]
    assert base64.b64decode(stamp)[4:] == base64.b64decode(body["signature"])

    note = gateway.client.get(CHECKPOINT_ONLY, headers={**bearer(officer), "Accept": "text/plain"})
    assert note.status_code == 200
    assert note.headers["content-type"].startswith("text/plain")
    assert note.text == body["note"]


def test_the_checkpoint_needs_the_audit_scope(gateway: Gateway) -> None:
    school = gateway.make_org("school_po", scopes=["transfers:write"])
    refused = gateway.client.get(CHECKPOINT_ONLY, headers=bearer(school))
    assert refused.status_code == 403 and refused.json()["code"] == "insufficient_scope"
    assert gateway.client.get(CHECKPOINT_ONLY).status_code == 401


def test_an_inclusion_proof_checks_out_against_the_signed_checkpoint(gateway: Gateway) -> None:
    officer = audited(gateway, "school_po")
    for _ in range(20):
        audit_log(gateway, officer)
    publish(gateway)
    checkpoint = gateway.client.get(CHECKPOINT_ONLY, headers=bearer(officer)).json()
    _, size, root = check_note(checkpoint["note"], checkpoint["verifier_key"])
    assert size == 20
    for seq in (1, 7, 16, 17, 20):
        answer = get_proof(gateway, officer, seq)
        assert answer.status_code == 200, answer.text
        found = answer.json()
        assert found["leaf_index"] == seq - 1 and found["tree_size"] == 20
        assert found["root_hash"] == root.hex() and found["checkpoint"] == checkpoint["note"]
        assert len(found["audit_path"]) <= 5  # ceil(log2(20))
        with gateway.services.db.sessions() as session:
            entry = session.get(AuditEntry, seq)
            assert entry is not None
            leaf = merkle.leaf_hash(canonical_bytes(entry))
        assert found["leaf_hash"] == leaf.hex()
        path = [bytes.fromhex(h) for h in found["audit_path"]]
        assert merkle.verify_inclusion(leaf, seq - 1, size, path, root)

    # Reading a proof is itself on the log, under the officer's purpose.
    newest = audit_log(gateway, officer)[0]
    assert (newest["action"], newest["decision"], newest["object_id"]) == (
        "audit.proof",
        "permit",
        "20",
    )


def test_a_proof_of_anothers_entry_or_of_a_newer_one_is_refused_on_record(
    gateway: Gateway,
) -> None:
    officer, other = audited(gateway, "school_po"), audited(gateway, "school_vo")
    audit_log(gateway, other)  # seq 1: the other organisation's
    audit_log(gateway, officer)  # seq 2
    publish(gateway)
    stranger = get_proof(gateway, officer, 1)
    assert stranger.status_code == 404 and stranger.json()["code"] == "not_found"
    assert get_proof(gateway, officer, 999).status_code == 404
    newer = get_proof(gateway, officer, 3)  # the 404 above was logged as seq 3
    assert newer.status_code == 409 and newer.json()["code"] == "not_checkpointed"
    unknown_size = get_proof(gateway, officer, 2, tree_size=1)
    assert unknown_size.status_code == 404
    assert unknown_size.json()["code"] == "checkpoint_missing"
    wrong_purpose = gateway.client.get(
        "/v1/audit/proof/2", headers=officer.headers(purpose="overdracht.po_vo", actor="fg-1")
    )
    assert wrong_purpose.status_code == 403
    logged = [(e["action"], e["code"]) for e in audit_log(gateway, officer)[:5]]
    assert logged == [
        ("audit.proof", "purpose_mismatch"),
        ("audit.proof", "checkpoint_missing"),
        ("audit.proof", "not_checkpointed"),
        ("audit.proof", "not_found"),
        ("audit.proof", "not_found"),
    ]


def test_past_the_checkpoint_only_the_officers_own_entry_is_named_newer(
    gateway: Gateway,
) -> None:
    """Ownership is judged before the checkpoint: another organisation's entry newer than
    the checkpoint answers as a seq that does not exist, so probing seqs past the
    checkpoint does not find the live head of the log (the gateway's activity, in real
    time). Only the officer's own entry gets not_checkpointed."""
    officer, other = audited(gateway, "school_po"), audited(gateway, "school_vo")
    audit_log(gateway, officer)  # seq 1
    publish(gateway)
    audit_log(gateway, other)  # seq 2: past the checkpoint, not the officer's
    audit_log(gateway, other)  # seq 3
    audit_log(gateway, officer)  # seq 4: past the checkpoint, the officer's own
    with gateway.services.db.sessions() as session:
        head = session.query(AuditEntry).count()
        owners = {seq: session.get(AuditEntry, seq).org for seq in (2, 3, 4)}
    assert owners == {2: other.id, 3: other.id, 4: officer.id}
    anothers = [get_proof(gateway, officer, seq) for seq in (2, 3)]
    beyond = [get_proof(gateway, officer, seq) for seq in (head + 100, 2**63 - 1)]
    for refused in anothers + beyond:
        assert (refused.status_code, refused.json()["code"]) == (404, "not_found")
        assert refused.json() == anothers[0].json()
    own = get_proof(gateway, officer, 4)
    assert (own.status_code, own.json()["code"]) == (409, "not_checkpointed")
    logged = [(e["action"], e["code"]) for e in audit_log(gateway, officer)[:5]]
    assert logged == [("audit.proof", "not_checkpointed")] + [("audit.proof", "not_found")] * 4


def test_a_consistency_proof_links_two_checkpoints(gateway: Gateway) -> None:
    officer = audited(gateway, "school_po")
    sizes = []
    for rounds in (3, 14, 1, 17):
        for _ in range(rounds):
            audit_log(gateway, officer)
        made = publish(gateway)
        assert made is not None
        sizes.append(made.tree_size)
    roots = {}
    for size in sizes:
        with gateway.services.db.sessions() as session:
            found = checkpoints.at_size(session, size)
            assert found is not None
            roots[size] = bytes.fromhex(found.root_hash)
    for i, first in enumerate(sizes):
        for second in sizes[i:]:
            answer = gateway.client.get(
                "/v1/audit/consistency",
                params={"first": first, "second": second},
                headers=officer.headers(**OFFICER),
            )
            assert answer.status_code == 200, answer.text
            body = answer.json()
            proof = [bytes.fromhex(h) for h in body["proof"]]
            assert body["first_root"] == roots[first].hex()
            assert merkle.verify_consistency(first, second, proof, roots[first], roots[second])
    latest = gateway.client.get(
        "/v1/audit/consistency", params={"first": sizes[0]}, headers=officer.headers(**OFFICER)
    )
    assert latest.json()["second"] == sizes[-1]
    backwards = gateway.client.get(
        "/v1/audit/consistency",
        params={"first": sizes[-1], "second": sizes[0]},
        headers=officer.headers(**OFFICER),
    )
    assert backwards.status_code == 422
    unknown = gateway.client.get(
        "/v1/audit/consistency", params={"first": 2}, headers=officer.headers(**OFFICER)
    )
    assert unknown.status_code == 404 and unknown.json()["code"] == "checkpoint_missing"
    assert audit_log(gateway, officer)[0]["action"] == "audit.consistency"
