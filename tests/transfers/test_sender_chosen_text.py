"""What a sender chooses freely never steers or enters the record: meldcode facts on an
ordinary exchange, and category names the catalog does not know."""

from __future__ import annotations

from typing import Any

from tests.support.gateway import (
    Gateway,
    audit_log,
    audited,
    enrol_pupil,
    make_dossier,
    make_subject,
)

SECRET = "Diagnose ADHD en autisme, medicatie Ritalin 10mg"
FACTS = {
    "steps": ["signalen", "collegiale_consultatie", "gesprek", "afweging", "besluit"],
    "reasons": ["Signalen"],
    "parents_told": False,
    "not_told_reason": "Vertellen brengt het kind in gevaar",
}


def _push(gateway: Gateway, **extra: Any) -> tuple[Any, Any, Any]:
    po, vo = audited(gateway, "school_po"), gateway.make_org("school_vo")
    subject = make_subject()
    enrol_pupil(gateway, vo, subject)
    body = {"recipient": vo.id, "subject": subject, "dossier": make_dossier(), **extra}
    return po, vo, gateway.client.post("/v1/transfers", json=body, headers=po.headers())


def test_meldcode_facts_on_an_ordinary_exchange_are_refused_and_restrict_nothing(
    gateway: Gateway,
) -> None:
    po, _, response = _push(gateway, meldcode=FACTS)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "meldcode_not_applicable"
    outbox = gateway.client.get("/v1/transfers?box=outbox", headers=po.headers())
    assert outbox.json()["items"] == []
    officer = po.headers(purpose="audit.toezicht", actor="fg-1", role="fg")
    reviews = gateway.client.get("/v1/audit/reviews?state=all", headers=officer)
    assert reviews.status_code == 200, reviews.text
    assert reviews.json()["items"] == []
    refused = [e for e in audit_log(gateway, po) if e["action"] == "transfer.send"]
    assert [e["code"] for e in refused] == ["meldcode_not_applicable"]


def test_a_category_name_the_catalog_does_not_know_is_never_repeated(gateway: Gateway) -> None:
    po, _, response = _push(gateway, dossier={**make_dossier(), SECRET: {}})
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "category_forbidden"
    assert SECRET not in response.text
    assert "unknown_1" in response.text
    entries = audit_log(gateway, po)
    assert SECRET not in str(entries)
    assert [
        c
        for e in entries
        if e["action"] == "transfer.send"
        for c in e["categories"]
        if "unknown" in c
    ] == ["unknown_1"]
    dry = gateway.client.post(
        "/v1/policies/evaluate",
        json={
            "sender_kind": "school_po",
            "recipient_kind": "school_vo",
            "purpose": "overdracht.po_vo",
            "categories": ["school", SECRET],
            "subject_age": 12,
        },
        headers=po.headers(),
    )
    assert dry.status_code == 200, dry.text
    assert dry.json()["decision"]["effect"] == "deny"
    assert SECRET not in dry.text
