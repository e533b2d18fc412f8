"""The privacy officer reads the log newest first and pages on to the oldest entry.

More entries than one page, so a list that stops at a cap or starts at the oldest
end shows here: every entry must be reached, once, in descending order.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from sqlalchemy import event, func, select

from gateway.audit import service as audit
from gateway.audit.models import AuditEntry
from gateway.core import paging
from tests.support.audit import PERMIT, read_event
from tests.support.gateway import Gateway, Org, make_subject

DENY = dataclasses.replace(PERMIT, effect="deny", code="consent_missing", rule="r/deny")
OFFICER = {"purpose": "audit.toezicht", "actor": "fg-1", "role": "fg"}


def fill(
    gateway: Gateway, org: str, count: int, *, noise: str, subject_ref: str = "sr_" + "5" * 40
) -> None:
    """`count` entries of `org`, every third a refusal, with another org's in between."""
    with gateway.services.db.sessions() as session, session.begin():
        for n in range(count):
            event = read_event(org, subject_ref)
            if n % 3 == 0:
                event = dataclasses.replace(event, decision=DENY)
            audit.append(session, event, now=gateway.clock.now())
            if n % 10 == 0:
                audit.append(session, read_event(noise, subject_ref), now=gateway.clock.now())


def seqs(gateway: Gateway, *conditions: Any) -> list[int]:
    """What the log holds for these conditions, newest first: the expected walk."""
    query = select(AuditEntry.seq).where(*conditions).order_by(AuditEntry.seq.desc())
    with gateway.services.db.sessions() as session:
        return list(session.scalars(query))


def walk(gateway: Gateway, officer: Org, **params: Any) -> list[dict[str, Any]]:
    """Every page of GET /v1/audit/events, following `next` until it is null."""
    pages: list[dict[str, Any]] = []
    cursor: str | None = None
    while len(pages) < 50:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = gateway.client.get(
            "/v1/audit/events", params=query, headers=officer.headers(**OFFICER)
        )
        assert response.status_code == 200, response.text
        pages.append(response.json())
        cursor = pages[-1]["next"]
        if cursor is None:
            return pages
    raise AssertionError("the pages never end")


def test_the_officer_pages_from_the_newest_entry_to_the_oldest_each_once(
    gateway: Gateway,
) -> None:
    officer = gateway.make_org("school_po", scopes=["audit:read"])
    fill(gateway, officer.id, 520, noise="org_other")
    newest = seqs(gateway, AuditEntry.org == officer.id)[0]

    first = gateway.client.get("/v1/audit/events", headers=officer.headers(**OFFICER)).json()
    assert first["items"][0]["seq"] == newest
    expected = seqs(gateway, AuditEntry.org == officer.id)  # with that read's own entry
    assert len(expected) == 521

    pages = walk(gateway, officer)

    visited = [entry["seq"] for page in pages for entry in page["items"]]
    assert visited == expected
    assert [len(page["items"]) for page in pages] == [100] * 5 + [21]
    assert pages[-1]["next"] is None
    # Each read was itself logged, after the entries it paged through.
    read = seqs(gateway, AuditEntry.org == officer.id, AuditEntry.action == "audit.read")
    assert len(read) == 1 + len(pages) and min(read) > newest


def test_filters_hold_on_every_page(gateway: Gateway) -> None:
    officer = gateway.make_org("school_po", scopes=["audit:read"])
    fill(gateway, officer.id, 520, noise="org_other")
    expected = seqs(gateway, AuditEntry.org == officer.id, AuditEntry.decision == "deny")

    pages = walk(gateway, officer, decision="deny", limit=50)

    visited = [entry["seq"] for page in pages for entry in page["items"]]
    assert visited == expected and len(expected) == 174
    assert {entry["decision"] for page in pages for entry in page["items"]} == {"deny"}


def test_the_search_for_one_pupil_pages_with_the_cursor_in_the_body(gateway: Gateway) -> None:
    officer = gateway.make_org("school_po", scopes=["audit:read"])
    subject = make_subject()
    pupil = gateway.keyring.pseudonyms.subject_ref(subject["bsn"])
    fill(gateway, officer.id, 510, noise=officer.id, subject_ref="sr_" + "6" * 40)
    fill(gateway, officer.id, 510, noise="org_other", subject_ref=pupil)
    expected = seqs(gateway, AuditEntry.org == officer.id, AuditEntry.subject_ref == pupil)
    assert len(expected) == 510

    def search(**paging_fields: Any) -> dict[str, Any]:
        response = gateway.client.post(
            "/v1/audit/events/search",
            json={"subject": subject, **paging_fields},
            headers=officer.headers(**OFFICER),
        )
        assert response.status_code == 200, response.text
        page: dict[str, Any] = response.json()
        return page

    first = search(limit=500)
    second = search(limit=500, cursor=first["next"])

    visited = [entry["seq"] for entry in first["items"] + second["items"]]
    assert visited == expected
    assert (len(first["items"]), second["next"]) == (500, None)


def test_a_bad_cursor_or_page_size_is_refused_and_nothing_is_logged(gateway: Gateway) -> None:
    officer = gateway.make_org("school_po", scopes=["audit:read"])
    fill(gateway, officer.id, 3, noise="org_other")
    headers = officer.headers(**OFFICER)
    forged = {
        "not a cursor!": "invalid_cursor",
        "bm90IGpzb24": "invalid_cursor",  # base64url, but not JSON
        paging.encode("2016-04-15T09:00:00+00:00", "trf_1"): "invalid_cursor",  # a box's
        paging.encode("12"): "invalid_cursor",  # a string where the seq goes
        paging.encode(2**63): "invalid_cursor",  # past what a seq column holds
        "W3RydWVd": "invalid_cursor",  # [true]: a bool is no seq
        "x" * 300: "invalid_request",  # longer than any cursor handed out
    }
    for cursor, code in forged.items():
        refused = gateway.client.get("/v1/audit/events", params={"cursor": cursor}, headers=headers)
        assert refused.headers["content-type"] == "application/problem+json"
        assert (refused.status_code, refused.json()["code"]) == (422, code), cursor
    for limit in (0, 501, -1):
        refused = gateway.client.get("/v1/audit/events", params={"limit": limit}, headers=headers)
        assert (refused.status_code, refused.json()["code"]) == (422, "invalid_request")
    body = {"subject": make_subject(), "cursor": "%%%"}
    searched = gateway.client.post("/v1/audit/events/search", json=body, headers=headers)
    assert (searched.status_code, searched.json()["code"]) == (422, "invalid_cursor")

    with gateway.services.db.sessions() as session:
        logged = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.org == officer.id, AuditEntry.action.like("audit.%"))
        )
    assert logged == 0


def test_the_officer_filters_by_day_and_a_time_without_zone_is_refused(gateway: Gateway) -> None:
    officer = gateway.make_org("school_po", scopes=["audit:read"])
    headers = officer.headers(**OFFICER)
    fill(gateway, officer.id, 3, noise="org_other")
    today = gateway.clock.now().date()
    day = gateway.client.get(f"/v1/audit/events?from={today}&to={today}", headers=headers)
    assert day.status_code == 200, day.text
    assert len(day.json()["items"]) >= 3
    before = gateway.client.get(f"/v1/audit/events?to={today.replace(day=1)}", headers=headers)
    assert before.status_code == 200
    assert before.json()["items"] == []
    naive = gateway.client.get(f"/v1/audit/events?from={today}T09:30:00", headers=headers)
    assert naive.status_code == 422, naive.text
    assert naive.headers["content-type"] == "application/problem+json"


def test_an_officers_page_is_read_in_index_order_not_sorted_from_the_whole_log(
    gateway: Gateway,
) -> None:
    """The soak found it: `org = ? OR owner = ?` sorted every entry of the organisation
    for each page, so the privacy officer's log grew slower with every act it records."""
    if gateway.services.db.group is None:
        pytest.skip("the plan asked of SQLite; PostgreSQL plans by its statistics")
    officer = gateway.make_org("school_po", scopes=["audit:read"])
    fill(gateway, officer.id, 5, noise="org_other")
    engine = gateway.services.db.engine
    seen: list[tuple[str, Any]] = []

    def page(*args: Any) -> None:
        if "FROM audit_entries" in args[2] and "ORDER BY" in args[2]:
            seen.append((args[2], args[3]))

    event.listen(engine, "before_cursor_execute", page)
    try:
        read = gateway.client.get("/v1/audit/events?limit=2", headers=officer.headers(**OFFICER))
        later = gateway.client.get(
            f"/v1/audit/events?limit=2&cursor={read.json()['next']}",
            headers=officer.headers(**OFFICER),
        )
    finally:
        event.remove(engine, "before_cursor_execute", page)
    assert [read.status_code, later.status_code] == [200, 200]
    assert len(seen) == 2
    with engine.connect() as connection:
        for statement, parameters in seen:
            plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            details = [row[3] for row in plan]
            assert not any("TEMP B-TREE" in d for d in details), details
            assert any("ix_audit_entries_org_seq" in d for d in details), details
            assert any("ix_audit_entries_owner_seq" in d for d in details), details
