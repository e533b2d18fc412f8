"""The privacy officer's reading of the log: decided from the catalog, and logged."""

from __future__ import annotations

from typing import Any

from tests.support.gateway import Gateway, Org


def events(gateway: Gateway, officer: Org, purpose: str) -> Any:
    return gateway.client.get(
        "/v1/audit/events", headers=officer.headers(purpose=purpose, actor="fg-1", role="fg")
    )


def test_the_officer_reads_under_the_catalogs_basis_and_a_wrong_purpose_is_refused_on_record(
    gateway: Gateway,
) -> None:
    officer = gateway.make_org("school_po", scopes=["audit:read"])

    refused = events(gateway, officer, "overdracht.po_vo")
    assert refused.status_code == 403
    assert refused.json()["code"] == "purpose_mismatch"
    assert refused.json()["decision"]["effect"] == "deny"

    read = events(gateway, officer, "audit.toezicht")
    assert read.status_code == 200, read.text
    logged = [
        (e["action"], e["decision"], e["code"], e["legal_basis"]) for e in read.json()["items"]
    ]
    basis = gateway.services.catalog.legal_basis("audit.toezicht")
    assert basis is not None
    assert logged == [("audit.read", "deny", "purpose_mismatch", None)]

    again = events(gateway, officer, "audit.toezicht").json()["items"]  # newest first
    assert [(e["action"], e["decision"], e["legal_basis"]) for e in again[:1]] == [
        ("audit.read", "permit", basis.label)
    ]
    assert "AVG art. 5(2)" in basis.label


def test_a_token_without_the_audit_scope_reads_nothing(gateway: Gateway) -> None:
    school = gateway.make_org("school_po", scopes=["transfers:write"])
    assert events(gateway, school, "audit.toezicht").status_code == 403
