"""A page of the inbox or outbox is a read on the audit log: one entry per page that
holds transfers, naming the run handed over and the pupil when there is one; an empty
page writes nothing; a page holding a meldcode report names no pupil."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from gateway.audit import service as audit
from gateway.audit.models import AuditEntry
from tests.support.gateway import Gateway, Org
from tests.support.portal import CHILD, OVERSTAP, enrol, push_dossier

CHILD_2 = {**CHILD, "bsn": "123456733", "given_name": "Bram"}
MELDCODE = "meldcode.melding"


def entries(gateway: Gateway) -> list[AuditEntry]:
    with gateway.services.db.sessions() as session:
        query = select(AuditEntry).where(AuditEntry.action == "transfer.list")
        return list(session.scalars(query.order_by(AuditEntry.seq)))


def listed(gateway: Gateway, org: Org, box: str, purpose: str = OVERSTAP, **params: Any) -> Any:
    response = gateway.client.get(
        "/v1/transfers",
        params={"box": box, **params},
        headers=org.headers(purpose=purpose, actor="mentor-7", role="mentor"),
    )
    assert response.status_code == 200, response.text
    return response.json()


def inzage(gateway: Gateway, po: Org, transfer_id: str) -> None:
    done = gateway.client.post(
        f"/v1/transfers/{transfer_id}/inzage",
        json={"date": "2016-04-14", "akkoord": True},
        headers=po.headers(purpose=OVERSTAP, actor="ib-1", role="ib"),
    )
    assert done.status_code == 200, done.text


def schools(gateway: Gateway) -> tuple[Org, Org]:
    po = gateway.make_org("school_po", name="OBS De Hien")
    vo = gateway.make_org("school_vo", name="Da Vinci College")
    enrol(gateway, vo, CHILD)
    return po, vo


def test_a_page_is_one_entry_with_its_run_and_pupil_an_empty_page_none(gateway: Gateway) -> None:
    po, vo = schools(gateway)
    assert listed(gateway, vo, "inbox")["items"] == []
    first = push_dossier(gateway, po, vo, CHILD)
    second = push_dossier(gateway, po, vo, CHILD)
    # Awaiting inzage: the recipient's inbox is still empty, and so is the log.
    assert listed(gateway, vo, "inbox")["items"] == []
    assert entries(gateway) == []

    page = [t["id"] for t in listed(gateway, po, "outbox")["items"]]
    assert sorted(page) == sorted([first["id"], second["id"]])
    (entry,) = entries(gateway)
    assert (entry.org, entry.actor, entry.actor_role, entry.purpose, entry.decision) == (
        po.id,
        "mentor-7",
        "mentor",
        OVERSTAP,
        "permit",
    )
    assert (entry.action, entry.rule) == ("transfer.list", "transfer.list/outbox")
    assert entry.object_id == f"{page[0]}..{page[1]}"
    # The gateway's own pseudonym, never the one the caller was given.
    pupil = gateway.internal_ref(po, first["subject_ref"])
    assert entry.subject_ref == pupil != first["subject_ref"]

    inzage(gateway, po, first["id"])
    (only,) = listed(gateway, vo, "inbox")["items"]
    assert only["id"] == first["id"]
    inbox = entries(gateway)[-1]
    assert (inbox.org, inbox.rule, inbox.object_id) == (vo.id, "transfer.list/inbox", first["id"])
    assert inbox.subject_ref == pupil

    # A stranger's boxes are empty: nothing handed over, nothing logged.
    stranger = gateway.make_org("school_vo", name="Het Lyceum")
    before = len(entries(gateway))
    assert listed(gateway, stranger, "inbox")["items"] == []
    assert listed(gateway, stranger, "outbox")["items"] == []
    assert len(entries(gateway)) == before


def test_a_page_of_several_pupils_names_none_and_each_page_is_its_own_entry(
    gateway: Gateway,
) -> None:
    po, vo = schools(gateway)
    enrol(gateway, vo, CHILD_2)
    one = push_dossier(gateway, po, vo, CHILD)
    two = push_dossier(gateway, po, vo, CHILD_2)
    page = [t["id"] for t in listed(gateway, po, "outbox")["items"]]
    assert sorted(page) == sorted([one["id"], two["id"]])
    (entry,) = entries(gateway)
    assert (entry.object_id, entry.subject_ref) == (f"{page[0]}..{page[1]}", None)

    # Page by page: each page is a pupil of its own, named.
    first = listed(gateway, po, "outbox", limit=1)
    listed(gateway, po, "outbox", limit=1, cursor=first["next"])
    pupils = {t["id"]: gateway.internal_ref(po, t["subject_ref"]) for t in (one, two)}
    refs = [(e.object_id, e.subject_ref) for e in entries(gateway)[1:]]
    assert refs == [(i, pupils[i]) for i in page]


def test_a_page_holding_a_meldcode_report_names_no_pupil(gateway: Gateway) -> None:
    po, vo = schools(gateway)
    vt = gateway.make_org("veilig_thuis", name="Veilig Thuis Zuid-Holland Zuid")
    overstap = push_dossier(gateway, po, vo, CHILD)
    report = gateway.client.post(
        "/v1/transfers",
        json={
            "recipient": vt.id,
            "subject": CHILD,
            "dossier": {"leerling": {}},
            "meldcode": {
                "steps": ["signalen", "collegiale_consultatie", "gesprek", "afweging", "besluit"],
                "reasons": ["Signalen"],
                "parents_told": False,
                "not_told_reason": "Vertellen brengt het kind in gevaar",
            },
        },
        headers=po.headers(purpose=MELDCODE, actor="af-1", role="aandachtsfunctionaris"),
    )
    assert report.status_code == 201, report.text
    # One pupil on each page, but a report the parents may not know of is among them.
    outbox = [t["id"] for t in listed(gateway, po, "outbox")["items"]]
    assert sorted(outbox) == sorted([report.json()["id"], overstap["id"]])
    (inbox,) = listed(gateway, vt, "inbox", purpose=MELDCODE)["items"]
    assert inbox["id"] == report.json()["id"]
    assert [(e.org, e.subject_ref) for e in entries(gateway)] == [(po.id, None), (vt.id, None)]
    # A page without it names the pupil again.
    first = listed(gateway, po, "outbox", limit=1)
    listed(gateway, po, "outbox", limit=1, cursor=first["next"])
    pupil = gateway.internal_ref(po, overstap["subject_ref"])
    refs = [(e.object_id, e.subject_ref) for e in entries(gateway)[2:]]
    assert sorted(refs, key=str) == sorted(
        [(report.json()["id"], None), (overstap["id"], pupil)], key=str
    )


def test_no_page_is_handed_over_without_its_entry(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    po, vo = schools(gateway)
    push_dossier(gateway, po, vo, CHILD)
    real = audit.append

    def failing(session, event, *, now):  # type: ignore[no-untyped-def]
        if event.action == "transfer.list":
            raise RuntimeError("the disk is full")
        return real(session, event, now=now)

    monkeypatch.setattr("gateway.transfers.service.audit.append", failing)
    refused = gateway.client.get("/v1/transfers?box=outbox", headers=po.headers())
    assert refused.status_code == 500 and "tr_" not in refused.text
    monkeypatch.undo()
    assert len(listed(gateway, po, "outbox")["items"]) == 1
    assert len(entries(gateway)) == 1


@pytest.mark.parametrize("purpose", ["foo.bar", "audit.toezicht", "leerling.inschrijving"])
def test_a_listing_under_no_exchange_purpose_is_refused_on_record(
    gateway: Gateway, purpose: str
) -> None:
    """The entry's purpose is the caller's word: one the catalog has no exchange for
    (made up, or one of its purposes that moves nothing between organisations) would make
    it say nothing. Refused before anything is read, and the refusal is on the log."""
    po, vo = schools(gateway)
    push_dossier(gateway, po, vo, CHILD)
    refused = gateway.client.get(
        "/v1/transfers?box=outbox", headers=po.headers(purpose=purpose, actor="mentor-7")
    )
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "unknown_purpose"
    assert "tr_" not in refused.text
    (entry,) = entries(gateway)
    assert (entry.org, entry.actor, entry.purpose, entry.decision, entry.code) == (
        po.id,
        "mentor-7",
        purpose,
        "deny",
        "unknown_purpose",
    )
    assert (entry.rule, entry.object_id, entry.subject_ref) == (
        "transfer.list/deny/unknown_purpose",
        None,
        None,
    )
    # Under the exchange's purpose the same page is handed over, and logged as a permit.
    assert len(listed(gateway, po, "outbox")["items"]) == 1
    assert [e.decision for e in entries(gateway)] == ["deny", "permit"]
