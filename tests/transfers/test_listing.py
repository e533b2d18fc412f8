"""The inbox and outbox, newest first, paged with a cursor: no transfer is out of reach.

More transfers than the largest page, many pushed in the same instant: the cursor
must order ties by id, reach every transfer once, and end with `next` null. A few
transfers go through the real push; the bulk is written straight to the table,
because a listing never opens a dossier and a real push costs far more.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, insert, select

from gateway.core import paging
from gateway.transfers.models import Transfer
from tests.support.gateway import START, Gateway, Org
from tests.support.portal import CHILD, OVERSTAP, enrol, push_dossier

BULK = 640  # the inbox alone holds more than the largest page


def bulk(gateway: Gateway, sender: Org, recipient: Org, count: int) -> None:
    """`count` transfers in groups of seven sharing one instant; every fifth awaits inzage."""
    rows = [
        {
            "id": "tr_" + secrets.token_hex(10),
            "purpose": OVERSTAP,
            "sender_org_id": sender.id,
            "recipient_org_id": recipient.id,
            "subject_ref": "sr_" + "7" * 40,
            "status": "awaiting_inzage" if n % 5 == 0 else "available",
            "format": "json",
            "categories": ["leerling"],
            "dossier": b"sealed",
            "policy_version": "v1",
            "created_at": START + timedelta(minutes=n // 7),
            "updated_at": START + timedelta(minutes=n // 7),
        }
        for n in range(count)
    ]
    with gateway.services.db.sessions() as session, session.begin():
        session.execute(insert(Transfer), rows)


def region(gateway: Gateway) -> tuple[Org, Org]:
    """A PO school that pushed to a VO school: three real pushes, one after inzage."""
    po = gateway.make_org("school_po", name="OBS De Hien")
    vo = gateway.make_org("school_vo", name="Da Vinci College")
    enrol(gateway, vo, CHILD)
    pushed = [push_dossier(gateway, po, vo, CHILD)["id"] for _ in range(3)]
    inzage = gateway.client.post(
        f"/v1/transfers/{pushed[0]}/inzage",
        json={"date": "2016-04-14", "akkoord": True},
        headers=po.headers(purpose=OVERSTAP, actor="ib-1", role="ib"),
    )
    assert inzage.status_code == 200, inzage.text
    bulk(gateway, po, vo, BULK)
    other = gateway.make_org("school_vo", name="Het Lyceum")
    bulk(gateway, po, other, 20)
    bulk(gateway, other, po, 20)
    return po, vo


def expected(gateway: Gateway, **where: Any) -> list[str]:
    """The box as the table holds it, sorted here: newest first, ties by id."""
    query = select(Transfer).filter_by(**where)
    with gateway.services.db.sessions() as session:
        found = list(session.scalars(query))
    found.sort(key=lambda t: (t.created_at, t.id), reverse=True)
    return [t.id for t in found]


def walk(gateway: Gateway, org: Org, box: str, **params: Any) -> list[dict[str, Any]]:
    pages: list[dict[str, Any]] = []
    cursor: str | None = None
    while len(pages) < 50:
        query = {"box": box, **params, **({"cursor": cursor} if cursor else {})}
        response = gateway.client.get("/v1/transfers", params=query, headers=org.headers())
        assert response.status_code == 200, response.text
        pages.append(response.json())
        cursor = pages[-1]["next"]
        if cursor is None:
            return pages
    raise AssertionError("the pages never end")


def ids(pages: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for page in pages for item in page["items"]]


def test_the_outbox_reaches_every_transfer_once_newest_first(gateway: Gateway) -> None:
    po, _ = region(gateway)
    sent = expected(gateway, sender_org_id=po.id)
    assert len(sent) == BULK + 3 + 20

    pages = walk(gateway, po, "outbox")

    assert ids(pages) == sent
    assert [len(page["items"]) for page in pages] == [100] * 6 + [63]
    assert pages[-1]["next"] is None


def test_the_inbox_pages_on_and_never_shows_what_awaits_inzage(gateway: Gateway) -> None:
    _, vo = region(gateway)
    awaiting = set(expected(gateway, recipient_org_id=vo.id, status="awaiting_inzage"))
    received = [t for t in expected(gateway, recipient_org_id=vo.id) if t not in awaiting]
    assert (len(received), len(awaiting)) == (BULK - BULK // 5 + 1, BULK // 5 + 2)

    pages = walk(gateway, vo, "inbox", limit=paging.MAX_LIMIT)

    assert ids(pages) == received
    assert [len(page["items"]) for page in pages] == [
        paging.MAX_LIMIT,
        len(received) - paging.MAX_LIMIT,
    ]
    assert {item["status"] for page in pages for item in page["items"]} == {"available"}
    assert ids(walk(gateway, vo, "inbox")) == received


def test_a_forged_cursor_or_page_size_is_refused(gateway: Gateway) -> None:
    po = gateway.make_org("school_po")
    for cursor in (
        "not a cursor!",
        paging.encode(12),  # an audit page's cursor
        paging.encode("2016-04-15T09:00:00", "tr_1"),  # no time zone
        paging.encode("yesterday", "tr_1"),
    ):
        refused = gateway.client.get(
            "/v1/transfers", params={"box": "outbox", "cursor": cursor}, headers=po.headers()
        )
        assert refused.headers["content-type"] == "application/problem+json"
        assert (refused.status_code, refused.json()["code"]) == (422, "invalid_cursor"), cursor
    for limit in (0, 501):
        refused = gateway.client.get(
            "/v1/transfers", params={"box": "outbox", "limit": limit}, headers=po.headers()
        )
        assert (refused.status_code, refused.json()["code"]) == (422, "invalid_request")


def test_a_page_is_read_in_index_order_not_sorted_from_the_whole_box(gateway: Gateway) -> None:
    """The soak found it: each page sorted every transfer of the box, sealed dossiers
    and all, so a listing grew with the inbox (while holding SQLite's write lock)."""
    if gateway.services.db.group is None:
        pytest.skip("the plan asked of SQLite; PostgreSQL plans by its statistics")
    po, vo = region(gateway)
    engine = gateway.services.db.engine
    seen: list[tuple[str, Any]] = []

    def listing(*args: Any) -> None:
        statement, parameters = args[2], args[3]
        if "FROM transfers" in statement and "ORDER BY" in statement:
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listing)
    try:
        inbox = gateway.client.get("/v1/transfers?box=inbox", headers=vo.headers(OVERSTAP))
        outbox = gateway.client.get("/v1/transfers?box=outbox", headers=po.headers(OVERSTAP))
        cursor = inbox.json()["next"]
        later = gateway.client.get(
            f"/v1/transfers?box=inbox&cursor={cursor}", headers=vo.headers(OVERSTAP)
        )
    finally:
        event.remove(engine, "before_cursor_execute", listing)
    assert [inbox.status_code, outbox.status_code, later.status_code] == [200, 200, 200]
    assert len(seen) == 3
    with engine.connect() as connection:
        for statement, parameters in seen:
            plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            details = [row[3] for row in plan]
            assert not any("TEMP B-TREE" in d for d in details), details
