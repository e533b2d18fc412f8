"""The log as Logboek Dataverwerkingen records: the standard's field names, one record per
entry tied to it by seq and hash, the organisation's own entries only, no BSN."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

from sqlalchemy import select

from gateway.audit.models import AuditEntry
from gateway.crypto.keyring import ensure_local_keys
from tests.support.gateway import (
    OFFICER,
    REGISTRATION,
    Gateway,
    Org,
    audit_log,
    audited,
    make_subject,
)
from tests.support.matrix import bsn_numbers
from tests.test_cli import gateway_cli

BSNS = ("111222333", "123456782")
SPAN_KEYS = {"trace_id", "span_id", "name", "start_time", "end_time", "status", "resource"}


def enrol(gateway: Gateway, school: Org, bsn: str) -> None:
    response = gateway.client.post(
        "/v1/enrolments",
        json={"subject": make_subject(bsn), "status": "ingeschreven"},
        headers=school.headers(purpose=REGISTRATION, actor="admin-1", role="directeur"),
    )
    assert response.status_code == 201, response.text


def logboek(gateway: Gateway, officer: Org, query: str = "") -> tuple[list[dict[str, Any]], str]:
    response = gateway.client.get(
        f"/v1/audit/logboek?limit=200{query}", headers=officer.headers(**OFFICER)
    )
    assert response.status_code == 200, response.text
    return response.json()["items"], response.text


def stored(gateway: Gateway) -> dict[int, AuditEntry]:
    with gateway.services.db.sessions() as session:
        return {e.seq: e for e in session.scalars(select(AuditEntry))}


def test_records_carry_the_standards_fields_and_the_pupils_pseudonym(gateway: Gateway) -> None:
    school = audited(gateway, "school_vo")
    enrol(gateway, school, BSNS[0])
    records, raw = logboek(gateway, school)
    assert all(bsn not in raw for bsn in BSNS)
    (record,) = [r for r in records if r["name"] == "enrolment.register"]
    assert set(record) == SPAN_KEYS | {"attributes"}
    assert re.fullmatch(r"[0-9a-f]{32}", record["trace_id"])
    assert re.fullmatch(r"[0-9a-f]{16}", record["span_id"])
    assert record["status"] == "Ok" and record["start_time"] == record["end_time"]
    attributes = record["attributes"]
    entry = stored(gateway)[attributes["gateway.audit.seq"]]
    assert attributes["gateway.audit.hash"] == entry.hash
    assert record["span_id"] == entry.hash[:16] and record["trace_id"] == entry.trace_id
    assert attributes["dpl.core.processing_activity_id"] == entry.purpose == REGISTRATION
    # The pseudonym the school knows the pupil by, and which pseudonym it is.
    assert attributes["dpl.core.data_subject_id"] == gateway.keyring.pseudonyms.for_org(
        entry.subject_ref or "", school.id
    )
    assert attributes["dpl.core.data_subject_id_type"] == f"urn:gateway:pseudoniem:{school.id}"
    assert attributes["gateway.decision"] == "permit"
    assert attributes["gateway.rule"] == entry.rule
    assert attributes["gateway.legal_basis"] == entry.legal_basis
    assert attributes["gateway.transaction_id"] == entry.transaction_id
    assert not any(k.startswith("dpl.") and not k.startswith("dpl.core.") for k in attributes)


def test_a_refusal_is_unset_with_its_code_and_reading_is_logged(gateway: Gateway) -> None:
    school = audited(gateway, "school_vo")
    denied = gateway.client.get("/v1/audit/logboek", headers=school.headers())  # wrong purpose
    assert denied.status_code == 403
    records, _ = logboek(gateway, school)
    (refusal,) = [r for r in records if r["attributes"]["gateway.decision"] == "deny"]
    assert refusal["status"] == "Unset" and refusal["attributes"]["gateway.decision_code"]
    assert refusal["name"] == "audit.logboek"
    reads = [e for e in stored(gateway).values() if e.action == "audit.logboek"]
    assert [e.decision for e in reads] == ["deny", "permit"]


def test_another_organisations_entries_never_appear(gateway: Gateway) -> None:
    mine, theirs = audited(gateway, "school_vo"), audited(gateway, "school_vo")
    enrol(gateway, mine, BSNS[0])
    enrol(gateway, theirs, BSNS[1])
    audit_log(gateway, theirs)
    records, _ = logboek(gateway, mine)
    orgs = {r["attributes"]["gateway.org"] for r in records}
    assert orgs == {mine.id}
    seqs = [r["attributes"]["gateway.audit.seq"] for r in records]
    shown = [e for e in audit_log(gateway, mine)]
    # Exactly what the events endpoint shows, newest first (and the logboek read itself).
    assert shown[0]["action"] == "audit.logboek"
    assert seqs == [e["seq"] for e in shown[1:]]
    theirs_seqs = {e.seq for e in stored(gateway).values() if e.org == theirs.id}
    assert theirs_seqs and not theirs_seqs & set(seqs)


def test_paging_and_the_period(gateway: Gateway) -> None:
    school = audited(gateway, "school_vo")
    for bsn in itertools.islice(bsn_numbers(20000000), 5):
        enrol(gateway, school, bsn)
    first = gateway.client.get("/v1/audit/logboek?limit=2", headers=school.headers(**OFFICER))
    second = gateway.client.get(
        f"/v1/audit/logboek?limit=2&cursor={first.json()['next']}",
        headers=school.headers(**OFFICER),
    )
    a = [r["attributes"]["gateway.audit.seq"] for r in first.json()["items"]]
    b = [r["attributes"]["gateway.audit.seq"] for r in second.json()["items"]]
    assert a[1] > b[0] and len(a) == len(b) == 2
    empty, _ = logboek(gateway, school, "&to=2000-01-01")
    assert empty == []


def test_the_export_of_n_entries_is_n_records_matching_the_log(
    gateway: Gateway, database_url: str, tmp_path: Path
) -> None:
    a, b = audited(gateway, "school_vo"), audited(gateway, "school_vo")
    enrol(gateway, a, BSNS[0])
    enrol(gateway, b, BSNS[1])
    audit_log(gateway, a)
    env = {"GATEWAY_DATABASE_URL": database_url, "GATEWAY_DATA_DIR": str(tmp_path)}
    out = tmp_path / "logboek.jsonl"
    done = gateway_cli("audit", "export", "--format", "logboek", "--out", str(out), env=env)
    assert done.returncode == 0, done.stderr
    text = out.read_text()
    assert all(bsn not in text for bsn in BSNS)
    records = [json.loads(line) for line in text.splitlines()]
    log = stored(gateway)
    # Every entry but the export's own, appended before the first line and left out.
    assert log.pop(max(log)).action == "audit.export"
    assert len(records) == len(log)
    assert [
        (r["attributes"]["gateway.audit.seq"], r["attributes"]["gateway.audit.hash"])
        for r in records
    ] == [(seq, log[seq].hash) for seq in sorted(log)]
    kinds = {r["attributes"].get("dpl.core.data_subject_id_type") for r in records}
    assert kinds == {None, "urn:gateway:pseudoniem"}  # the gateway's own, unscoped

    ensure_local_keys(tmp_path / "keys")  # the data directory's, for its pseudonyms
    scoped = gateway_cli("audit", "export", "--org", a.id, env=env)
    assert scoped.returncode == 0, scoped.stderr
    lines = [json.loads(line) for line in scoped.stdout.splitlines()]
    assert lines and {r["attributes"]["gateway.org"] for r in lines} == {a.id}
    assert [r["attributes"]["gateway.audit.seq"] for r in lines] == sorted(
        seq for seq, e in log.items() if a.id in (e.org, e.owner)
    )
    refused = gateway_cli("audit", "export", "--format", "csv", env=env)
    assert refused.returncode == 2
