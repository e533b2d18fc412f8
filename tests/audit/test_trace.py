"""Every entry names the unit of work that wrote it (one id per transaction, shared by
every entry of the act) and the W3C trace of its request or job run."""

from __future__ import annotations

import re

from sqlalchemy import select

from gateway.audit import service as audit
from gateway.audit.models import AuditEntry
from gateway.core.context import trace
from tests.support.audit import read_event
from tests.support.gateway import OFFICER, Gateway, audit_log, audited

HEX32 = re.compile(r"^[0-9a-f]{32}$")
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


def entries(gateway: Gateway) -> list[AuditEntry]:
    with gateway.services.db.sessions() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


def test_the_entries_of_one_act_share_a_transaction_id_and_other_acts_differ(
    gateway: Gateway,
) -> None:
    db = gateway.services.db
    for _ in range(2):  # an act writing on the actor's side and on the owner's
        with db.unit_of_work() as session:
            audit.append(session, read_event("org_a", "sr_1"), now=gateway.clock.now())
            audit.append(session, read_event("org_b", "sr_1"), now=gateway.clock.now())
    for n in range(2):  # writes that join a group commit on SQLite: a unit each
        event = read_event("org_c", f"sr_{n}")
        db.write(lambda s, e=event: audit.append(s, e, now=gateway.clock.now()))  # type: ignore[misc]
    found = entries(gateway)
    ids = [e.transaction_id for e in found]
    assert all(i is not None and HEX32.match(i) for i in ids)
    assert ids[0] == ids[1] and ids[2] == ids[3]
    assert len({ids[0], ids[2], ids[4], ids[5]}) == 4


def test_a_job_run_is_one_trace_and_the_next_run_another(gateway: Gateway) -> None:
    db = gateway.services.db
    for _ in range(2):
        with trace():
            for n in range(2):  # a transaction per batch, as the sweep does
                with db.unit_of_work() as session:
                    audit.append(session, read_event("org_a", f"sr_{n}"), now=gateway.clock.now())
    traces = [e.trace_id for e in entries(gateway)]
    assert all(t is not None and HEX32.match(t) for t in traces)
    assert traces[0] == traces[1] != traces[2] == traces[3]


def test_a_callers_traceparent_is_continued_onto_the_entries_and_the_answer(
    gateway: Gateway,
) -> None:
    officer = audited(gateway, "school_po")
    headers = {**officer.headers(**OFFICER), "traceparent": f"00-{TRACE}-00f067aa0ba902b7-01"}
    response = gateway.client.get("/v1/audit/events", headers=headers)
    assert response.status_code == 200, response.text
    assert re.fullmatch(rf"00-{TRACE}-[0-9a-f]{{16}}-01", response.headers["traceparent"])
    assert response.headers["traceparent"] != headers["traceparent"]  # a span of our own
    read = entries(gateway)[-1]
    assert (read.action, read.trace_id) == ("audit.read", TRACE)
    shown = audit_log(gateway, officer)[0]  # as the API shows it to the privacy officer
    assert shown["seq"] == read.seq
    assert shown["trace_id"] == TRACE and shown["transaction_id"] == read.transaction_id


def test_a_malformed_traceparent_is_replaced_not_echoed(gateway: Gateway) -> None:
    officer = audited(gateway, "school_po")
    bad = [
        f"00-{TRACE.upper()}-00f067aa0ba902b7-01",
        f"00-{'0' * 32}-00f067aa0ba902b7-01",
        f"00-{TRACE}-{'0' * 16}-01",
        f"01-{TRACE}-00f067aa0ba902b7-01-extra",
        f"00-{TRACE}0-00f067aa0ba902b7-01",
        "123456782",
        # A BSN planted in the trace-id would be stored on the entries: dropped.
        "00-bbbbbbbbbbbbbbbbbbbbbbb111222333-cccccccccccccccc-01",
        "00-0111222333bbbbbbbbbbbbbbbbbbbbbb-cccccccccccccccc-01",
    ]
    seen = set()
    for value in bad:
        headers = {**officer.headers(**OFFICER), "traceparent": value}
        response = gateway.client.get("/v1/audit/events", headers=headers)
        assert response.status_code == 200, response.text
        answered = response.headers["traceparent"]
        assert re.fullmatch(r"00-[0-9a-f]{32}-[0-9a-f]{16}-01", answered)
        trace_id = answered.split("-")[1]
        assert trace_id not in value.lower() and TRACE not in answered
        assert entries(gateway)[-1].trace_id == trace_id
        seen.add(trace_id)
    assert len(seen) == len(bad)  # a new trace each time
    # Nine digits that are no BSN (no 11-proef) are an ordinary trace-id: continued.
    kept = "00-bbbbbbbbbbbbbbbbbbbbbbb111222334-cccccccccccccccc-01"
    headers = {**officer.headers(**OFFICER), "traceparent": kept}
    answered = gateway.client.get("/v1/audit/events", headers=headers).headers["traceparent"]
    assert answered.split("-")[1] == "bbbbbbbbbbbbbbbbbbbbbbb111222334"
