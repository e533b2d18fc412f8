"""Flow 1: a primary school hands a pupil's dossier to a secondary school (WPO art. 42)."""

from __future__ import annotations

import asyncio

import httpx2
from lxml import etree

from tests.support import oso
from tests.support.gateway import (
    ISSUER,
    Gateway,
    Org,
    audit_log,
    audited,
    make_dossier,
    make_subject,
)
from tests.support.standing import stand

OSO = oso.OSO
POVO_FULL = OSO / "examples" / "Voorbeelddossier_OV_POVO_full.xml"
XML = {"Content-Type": "application/xml"}
DOSSIER = make_dossier()


def enrol(gateway: Gateway, vo: Org, subject: dict[str, str]) -> str:
    response = gateway.client.post(
        "/v1/enrolments",
        json={"subject": subject, "status": "aangemeld"},
        headers=vo.headers(actor="admin-vo"),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def audit_actions(gateway: Gateway, officer: Org) -> list[tuple[str, str, str | None]]:
    response = gateway.client.get(
        "/v1/audit/events", headers=officer.headers(purpose="audit.toezicht", actor="fg")
    )
    assert response.status_code == 200, response.text
    oldest_first = reversed(response.json()["items"])
    return [(e["action"], e["decision"], e["code"]) for e in oldest_first]


def test_primary_school_hands_the_oso_dossier_to_the_secondary_school(gateway: Gateway) -> None:
    po = gateway.make_org("school_po", scopes=["transfers:write", "transfers:read", "audit:read"])
    vo = gateway.make_org("school_vo", scopes=["transfers:read", "enrolments:write", "audit:read"])
    wijkteam = gateway.make_org("wijkteam")
    enrol(gateway, vo, {"bsn": "269326728", "birth_date": "2003-03-17"})

    pushed = gateway.client.post(
        f"/v1/transfers?recipient={vo.id}",
        content=POVO_FULL.read_bytes(),
        headers={**po.headers(actor="ib-po", role="ib"), **XML},
    )
    assert pushed.status_code == 201, pushed.text
    transfer = pushed.json()
    assert transfer["status"] == "awaiting_inzage"
    assert transfer["decision"]["effect"] == "permit"
    assert "269326728" not in pushed.text
    url = f"/v1/transfers/{transfer['id']}"

    before = gateway.client.get(url, headers=vo.headers(actor="mentor-vo"))
    assert before.status_code == 409
    assert before.json()["code"] == "inzage_missing"
    assert before.json()["decision"]["effect"] == "deny"
    inbox = gateway.client.get("/v1/transfers?box=inbox", headers=vo.headers())
    assert inbox.json()["items"] == []

    inzage = gateway.client.post(
        f"{url}/inzage",
        headers=po.headers(actor="ib-po"),
        json={
            "date": "2016-04-14",
            "akkoord": False,
            "zienswijze": "Wij herkennen ons niet in het advies.",
        },
    )
    assert inzage.status_code == 200, inzage.text
    assert inzage.json()["status"] == "available"

    refused = gateway.client.get(url, headers=wijkteam.headers(actor="jp-1"))
    assert refused.status_code == 404

    read = gateway.client.get(url, headers=vo.headers(actor="mentor-vo"))
    assert read.status_code == 200, read.text
    body = read.json()
    assert body["status"] == "received"
    assert body["zienswijze"] == "Wij herkennen ons niet in het advies."
    assert {"school", "leerling", "overstapadvies"} <= set(body["dossier"])
    assert set(body["dossier"]) <= set(body["decision"]["released"])
    assert not {"vve", "vombo", "metadata", "ouderinzage"} & set(body["dossier"])

    as_xml = gateway.client.get(url, headers={**vo.headers(), "Accept": "application/xml"})
    assert as_xml.status_code == 200
    schema = etree.XMLSchema(etree.parse(str(OSO / "OSO_gegevensset_2019.1.xsd")))
    assert schema.validate(etree.fromstring(as_xml.content))

    ack = gateway.client.post(
        f"{url}/acknowledge",
        headers=vo.headers(actor="mentor-vo"),
        json={"conversation_date": "2016-06-20", "notes": "Warm gesprek"},
    )
    assert ack.status_code == 200, ack.text
    assert ack.json()["status"] == "acknowledged"

    # The sender's privacy officer sees its own acts and every refused try on its dossier:
    # the recipient's read before inzage, the stranger's.
    assert audit_actions(gateway, po) == [
        ("transfer.send", "permit", None),
        ("transfer.read", "deny", "inzage_missing"),
        ("transfer.inzage", "permit", None),
        ("transfer.read", "deny", "not_found"),
    ]
    vo_log = audit_actions(gateway, vo)
    assert vo_log[0] == ("enrolment.register", "permit", None)
    assert ("transfer.read", "deny", "inzage_missing") in vo_log
    assert vo_log.count(("transfer.read", "permit", None)) == 2
    assert ("transfer.acknowledge", "permit", None) in vo_log
    assert ("audit.read", "permit", None) in audit_actions(gateway, vo)


def test_vo_school_cannot_read_before_parents_had_inzage(gateway: Gateway) -> None:
    po, vo = gateway.make_org("school_po"), gateway.make_org("school_vo")
    subject = make_subject()
    enrol(gateway, vo, subject)
    pushed = gateway.client.post(
        "/v1/transfers",
        headers=po.headers(),
        json={"recipient": vo.id, "subject": subject, "dossier": DOSSIER, "inzage": None},
    )
    assert pushed.status_code == 201, pushed.text
    read = gateway.client.get(f"/v1/transfers/{pushed.json()['id']}", headers=vo.headers())
    assert read.status_code == 409
    assert read.json()["code"] == "inzage_missing"


def test_json_dossier_with_inzage_is_readable_at_once(gateway: Gateway) -> None:
    po, vo = gateway.make_org("school_po"), gateway.make_org("school_vo")
    subject = make_subject()
    enrol(gateway, vo, subject)
    pushed = gateway.client.post(
        "/v1/transfers",
        headers=po.headers(),
        json={
            "recipient": vo.id,
            "subject": subject,
            "dossier": DOSSIER,
            "inzage": {"date": "2016-04-10", "akkoord": True, "zienswijze": None},
        },
    )
    assert pushed.json()["status"] == "available"
    read = gateway.client.get(f"/v1/transfers/{pushed.json()['id']}", headers=vo.headers())
    assert read.status_code == 200
    assert read.json()["dossier"] == DOSSIER
    assert read.json()["inzage"] == {"date": "2016-04-10", "akkoord": True}


def test_push_without_aanmelding_is_refused_and_logged(gateway: Gateway) -> None:
    po = gateway.make_org("school_po", scopes=["transfers:write", "audit:read"])
    vo = gateway.make_org("school_vo")
    response = gateway.client.post(
        "/v1/transfers",
        headers=po.headers(),
        json={"recipient": vo.id, "subject": make_subject(), "dossier": DOSSIER, "inzage": None},
    )
    assert response.status_code == 403
    assert response.json()["code"] == "no_enrolment"
    assert response.headers["content-type"] == "application/problem+json"
    assert audit_actions(gateway, po) == [("transfer.send", "deny", "no_enrolment")]


def test_forbidden_category_is_rejected_and_nothing_stored(gateway: Gateway) -> None:
    po = gateway.make_org("school_po", scopes=["transfers:write", "transfers:read"])
    vo = gateway.make_org("school_vo")
    subject = make_subject()
    enrol(gateway, vo, subject)
    response = gateway.client.post(
        "/v1/transfers",
        headers=po.headers(),
        json={
            "recipient": vo.id,
            "subject": subject,
            "dossier": {**DOSSIER, "vve": {"programma": "Piramide"}},
            "inzage": None,
        },
    )
    assert response.status_code == 422
    assert response.json()["code"] == "category_forbidden"
    outbox = gateway.client.get("/v1/transfers?box=outbox", headers=po.headers())
    assert outbox.json()["items"] == []


def test_missing_mandatory_category_is_rejected(gateway: Gateway) -> None:
    po, vo = gateway.make_org("school_po"), gateway.make_org("school_vo")
    subject = make_subject()
    enrol(gateway, vo, subject)
    dossier = {k: v for k, v in DOSSIER.items() if k != "overstapadvies"}
    response = gateway.client.post(
        "/v1/transfers",
        headers=po.headers(),
        json={"recipient": vo.id, "subject": subject, "dossier": dossier, "inzage": None},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "category_missing"


def test_other_organisations_get_404(gateway: Gateway) -> None:
    po, vo = gateway.make_org("school_po"), gateway.make_org("school_vo")
    other_vo = gateway.make_org("school_vo")
    subject = make_subject()
    enrol(gateway, vo, subject)
    pushed = gateway.client.post(
        "/v1/transfers",
        headers=po.headers(),
        json={
            "recipient": vo.id,
            "subject": subject,
            "dossier": DOSSIER,
            "inzage": {"date": "2016-04-10", "akkoord": True},
        },
    )
    url = f"/v1/transfers/{pushed.json()['id']}"
    assert gateway.client.get(url, headers=other_vo.headers()).status_code == 404
    assert gateway.client.get(url, headers=po.headers()).status_code == 404
    assert gateway.client.post(
        f"{url}/inzage", headers=other_vo.headers(), json={"date": "2016-04-10", "akkoord": True}
    ).status_code in (403, 404)


def test_read_under_another_purpose_is_refused(gateway: Gateway) -> None:
    po, vo = gateway.make_org("school_po"), gateway.make_org("school_vo")
    subject = make_subject()
    enrol(gateway, vo, subject)
    pushed = gateway.client.post(
        "/v1/transfers",
        headers=po.headers(),
        json={
            "recipient": vo.id,
            "subject": subject,
            "dossier": DOSSIER,
            "inzage": {"date": "2016-04-10", "akkoord": True},
        },
    )
    read = gateway.client.get(
        f"/v1/transfers/{pushed.json()['id']}", headers=vo.headers(purpose="jeugdhulp.verwijzing")
    )
    assert read.status_code == 403
    assert read.json()["code"] == "purpose_mismatch"


def test_retry_with_the_same_idempotency_key_creates_nothing_new(gateway: Gateway) -> None:
    po, vo = gateway.make_org("school_po"), gateway.make_org("school_vo")
    subject = make_subject()
    enrol(gateway, vo, subject)
    body = {"recipient": vo.id, "subject": subject, "dossier": DOSSIER, "inzage": None}
    headers = {**po.headers(), "Idempotency-Key": "push-1"}
    first = gateway.client.post("/v1/transfers", headers=headers, json=body)
    second = gateway.client.post("/v1/transfers", headers=headers, json=body)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    outbox = gateway.client.get("/v1/transfers?box=outbox", headers=po.headers())
    assert len(outbox.json()["items"]) == 1
    other = gateway.client.post(
        "/v1/transfers",
        headers=headers,
        json={**body, "dossier": {**DOSSIER, "leerling": {"x": 1}}},
    )
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_key_reused"
    # The same bytes under another purpose or by another actor are another request.
    for changed in ({"X-Purpose": "overdracht.po_po"}, {"X-Actor": "actor-2"}):
        again = gateway.client.post("/v1/transfers", headers={**headers, **changed}, json=body)
        assert again.status_code == 409, again.text
        assert again.json()["code"] == "idempotency_key_reused"


def test_concurrent_retries_with_one_idempotency_key_make_one_transfer(gateway: Gateway) -> None:
    """Retries decided side by side (each finds no earlier answer) write once: the
    write looks for the key again in its own transaction."""
    po, vo = audited(gateway, "school_po"), gateway.make_org("school_vo")
    subject = make_subject()
    enrol(gateway, vo, subject)
    stand(gateway, po, subject, "overdracht.po_vo")  # the pushes below bypass the test client
    body = {"recipient": vo.id, "subject": subject, "dossier": DOSSIER, "inzage": None}
    headers = {**po.headers(), "Idempotency-Key": "push-twice"}

    async def push_together() -> list[httpx2.Response]:
        transport = httpx2.ASGITransport(app=gateway.app)
        async with httpx2.AsyncClient(transport=transport, base_url=ISSUER) as client:
            return await asyncio.gather(
                *(client.post("/v1/transfers", headers=headers, json=body) for _ in range(6))
            )

    responses = asyncio.run(asyncio.wait_for(push_together(), timeout=60))
    assert [r.status_code for r in responses] == [201] * 6
    assert len({r.json()["id"] for r in responses}) == 1
    outbox = gateway.client.get("/v1/transfers?box=outbox", headers=po.headers())
    assert len(outbox.json()["items"]) == 1
    sends = [e for e in audit_log(gateway, po) if e["action"] == "transfer.send"]
    assert len(sends) == 1
