"""Retention ends a record by destroying its data key: a copy of its ciphertext taken
before the job no longer opens, the record of the same pupil and purpose that is still
within its term stays readable, each destruction is in the audit log, and the log
still verifies."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from consent.models import SEALING_PURPOSE, Consent
from gateway.audit import service as audit
from gateway.audit.models import AuditEntry
from gateway.cases import acts as case_acts
from gateway.cases.models import CaseEntry
from gateway.core.idempotency import IdempotencyRecord
from gateway.crypto.envelope import DecryptionError
from gateway.crypto.models import DataKey
from gateway.enrolments.models import Enrolment
from gateway.retention import job
from gateway.subjects.models import Subject
from gateway.transfers.models import Transfer
from tests.cases.helpers import PURPOSE as CASE
from tests.cases.helpers import headers, join, start, wrote
from tests.support.consent import consent_body, granted, refresh
from tests.support.gateway import Gateway, Org, audit_log, audited, make_dossier
from tests.support.portal import CHILD, OVERSTAP, enrol, push_dossier
from tests.test_cli import gateway_cli


def to_day(gateway: Gateway, day: date) -> None:
    gateway.clock.advance(datetime.combine(day, time(9), tzinfo=UTC) - gateway.clock.now())


def run(gateway: Gateway, *, dry_run: bool = False) -> job.Report:
    services = gateway.services
    return job.run(services.db, catalog=services.catalog, clock=gateway.clock.now, dry_run=dry_run)


def counts(report: job.Report) -> dict[tuple[str, str], int]:
    return dict(report.destroyed)


def transfer(gateway: Gateway, transfer_id: str) -> Transfer | None:
    with gateway.services.db.sessions() as session:
        found = session.get(Transfer, transfer_id)
        session.expunge_all()
        return found


def opens(gateway: Gateway, record_id: str, purpose: str, ciphertext: bytes) -> bytes:
    with gateway.services.db.sessions() as session:
        return gateway.keyring.envelope.open(
            session, record_id=record_id, purpose=purpose, ciphertext=ciphertext
        )


def key_row(gateway: Gateway, ciphertext: bytes) -> DataKey:
    with gateway.services.db.sessions() as session:
        key = session.get(DataKey, gateway.keyring.envelope.key_id(ciphertext))
        assert key is not None
        session.expunge_all()
        return key


def log_size(gateway: Gateway) -> int:
    with gateway.services.db.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def verified(gateway: Gateway) -> bool:
    with gateway.services.db.sessions() as session:
        return audit.verify(session).ok


def two_dossiers(gateway: Gateway) -> tuple[Org, Org, str, str]:
    """The same pupil's overstap dossier pushed twice to the same school, a year apart."""
    po, vo = audited(gateway, "school_po"), audited(gateway, "school_vo")
    enrol(gateway, vo, CHILD)
    old = push_dossier(gateway, po, vo, CHILD)["id"]
    to_day(gateway, date(2017, 4, 15))
    refresh(gateway, po, vo)
    new = push_dossier(gateway, po, vo, CHILD)["id"]
    return po, vo, old, new


def test_an_expired_transfer_is_unreadable_after_the_job_and_its_trail_verifies(
    gateway: Gateway,
) -> None:
    po, vo, old, new = two_dossiers(gateway)
    before, kept = transfer(gateway, old), transfer(gateway, new)
    assert before is not None and kept is not None
    copy = before.dossier  # the ciphertext as a backup would hold it
    assert opens(gateway, f"{old}/dossier", OVERSTAP, copy)
    # Two years after the first push (leerlingdossier), not yet after the second.
    to_day(gateway, date(2018, 5, 1))
    size = log_size(gateway)

    dry = run(gateway, dry_run=True)
    assert counts(dry) == {("transfer", "leerlingdossier"): 1}
    assert transfer(gateway, old) is not None and log_size(gateway) == size
    assert opens(gateway, f"{old}/dossier", OVERSTAP, copy)

    done = run(gateway)
    assert counts(done) == {("transfer", "leerlingdossier"): 1}
    assert transfer(gateway, old) is None
    with pytest.raises(DecryptionError):
        opens(gateway, f"{old}/dossier", OVERSTAP, copy)
    tombstone = key_row(gateway, copy)
    assert tombstone.wrapped is None and tombstone.destroyed_at is not None
    # The pupil's other dossier for the same purpose is untouched and opens.
    assert json.loads(opens(gateway, f"{new}/dossier", OVERSTAP, kept.dossier))["leerling"]

    refresh(gateway, po, vo)
    [destroyed] = [e for e in audit_log(gateway, vo) if e["action"] == "retention.destroy"]
    assert (destroyed["object_id"], destroyed["actor"]) == (old, "gateway.retention")
    # The log names the pupil by the school's pseudonym only.
    assert destroyed["subject_ref"].startswith("ps_") and CHILD["bsn"] not in str(destroyed)
    assert verified(gateway)

    size = log_size(gateway)
    assert run(gateway).total == 0  # a second run finds nothing left
    assert log_size(gateway) == size and verified(gateway)


def test_a_destroyed_transfer_is_answered_as_one_that_never_existed(gateway: Gateway) -> None:
    _, vo, old, _ = two_dossiers(gateway)
    stranger = gateway.make_org("school_vo")
    to_day(gateway, date(2018, 5, 1))
    run(gateway)
    refresh(gateway, vo, stranger)
    for org in (vo, stranger):
        gone = gateway.client.get(f"/v1/transfers/{old}", headers=org.headers(purpose=OVERSTAP))
        never = gateway.client.get(
            "/v1/transfers/tr_00000000000000000000", headers=org.headers(purpose=OVERSTAP)
        )
        assert gone.status_code == never.status_code == 404
        assert gone.json()["code"] == never.json()["code"]
        assert gone.json()["detail"] == never.json()["detail"]


def content_of(gateway: Gateway, entry_id: str) -> bytes:
    with gateway.services.db.sessions() as session:
        entry = session.get(CaseEntry, entry_id)
        assert entry is not None
        return entry.content


def test_an_expired_case_entry_is_shredded_and_another_writers_entry_survives(
    gateway: Gateway,
) -> None:
    school, swv = audited(gateway, "school_po"), audited(gateway, "swv_po")
    case_id = start(gateway, school)
    assert join(gateway, case_id, school, swv).status_code == 201
    mine = wrote(gateway, case_id, school, "knooppunt_afspraken")
    theirs = wrote(gateway, case_id, swv, "knooppunt_afspraken")
    copy, kept = content_of(gateway, mine), content_of(gateway, theirs)
    assert key_row(gateway, copy).scope == case_acts.entry_scope(case_id, school.id)
    closed = gateway.client.post(f"/v1/cases/{case_id}/close", headers=headers(school))
    assert closed.status_code == 200, closed.text
    # The school's two years have passed, the SWV's three have not.
    to_day(gateway, date(2018, 6, 1))
    assert counts(run(gateway)) == {("case_entry", "leerlingdossier"): 1}
    with pytest.raises(DecryptionError):
        opens(gateway, f"{mine}/content", CASE, copy)
    assert opens(gateway, f"{theirs}/content", CASE, kept)
    assert key_row(gateway, kept).wrapped is not None
    assert verified(gateway)
    assert run(gateway).total == 0


def enrolment_rows(gateway: Gateway) -> list[Enrolment]:
    with gateway.services.db.sessions() as session:
        found = list(session.scalars(select(Enrolment)))
        session.expunge_all()
        return found


def test_an_ended_enrolment_goes_after_five_years_and_with_it_the_pupil(
    gateway: Gateway,
) -> None:
    school = audited(gateway, "school_vo")
    enrolled = gateway.client.post(
        "/v1/enrolments",
        json={"subject": CHILD, "status": "ingeschreven"},
        headers=school.headers(purpose="leerling.inschrijving", actor="admin-1"),
    )
    assert enrolled.status_code == 201, enrolled.text
    ended = gateway.client.patch(
        f"/v1/enrolments/{enrolled.json()['id']}",
        json={"status": "uitgeschreven"},
        headers=school.headers(purpose="leerling.inschrijving", actor="admin-1"),
    )
    assert ended.status_code == 200, ended.text
    to_day(gateway, date(2021, 4, 1))
    assert run(gateway).total == 0  # not yet five years
    to_day(gateway, date(2021, 4, 16))
    dry = run(gateway, dry_run=True)
    # The dry run counts the enrolment; the pupil's record still has it, so not yet.
    assert counts(dry) == {("enrolment", "inschrijving_5y"): 1}
    done = run(gateway)
    assert counts(done) == {
        ("enrolment", "inschrijving_5y"): 1,
        ("subject", "subject_record"): 1,
    }
    assert enrolment_rows(gateway) == []
    with gateway.services.db.sessions() as session:
        assert session.scalars(select(Subject)).all() == []
        keys = session.scalars(select(DataKey)).all()
    assert keys and all(k.wrapped is None and k.destroyed_at is not None for k in keys)
    refresh(gateway, school)
    actions = [e["action"] for e in audit_log(gateway, school)]
    assert actions.count("retention.destroy") == 2
    assert verified(gateway)
    assert run(gateway).total == 0


def test_the_operator_runs_the_job_and_its_dry_run_from_the_command_line(
    gateway: Gateway, database_url: str
) -> None:
    _, _, old, new = two_dossiers(gateway)
    env = {"GATEWAY_DATABASE_URL": database_url}
    # Today, long after the tests' 2016: both dossiers are past their term.
    dry = gateway_cli("retention", "run", "--dry-run", env=env)
    assert dry.returncode == 0, dry.stderr
    report: dict[str, Any] = json.loads(dry.stdout)
    assert report["dry_run"] is True
    assert {"kind": "transfer", "retention": "leerlingdossier", "count": 2} in report["destroyed"]
    assert transfer(gateway, old) is not None
    assert CHILD["bsn"] not in dry.stdout and old not in dry.stdout
    done = gateway_cli("retention", "run", env=env)
    assert done.returncode == 0, done.stderr
    assert transfer(gateway, old) is None and transfer(gateway, new) is None
    verify = gateway_cli("audit", "verify", env=env)
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_a_scoped_key_goes_alone_and_the_key_from_before_scopes_stays_readable(
    gateway: Gateway,
) -> None:
    envelope, now = gateway.keyring.envelope, gateway.clock.now()
    with gateway.services.db.unit_of_work() as session:
        legacy = envelope.seal(
            session, subject_ref="sr_1", purpose=OVERSTAP, record_id="a", plaintext=b"a", now=now
        )
        scoped = envelope.seal(
            session,
            subject_ref="sr_1",
            purpose=OVERSTAP,
            record_id="b",
            plaintext=b"b",
            now=now,
            scope="transfer:b",
        )
        assert envelope.key_id(legacy) != envelope.key_id(scoped)
        gone = envelope.destroy(session, DataKey.scope == "transfer:b", now=now)
        assert [key.scope for key in gone] == ["transfer:b"]
        assert envelope.destroy(session, DataKey.scope == "transfer:b", now=now) == []
    with pytest.raises(DecryptionError):
        opens(gateway, "b", OVERSTAP, scoped)
    assert opens(gateway, "a", OVERSTAP, legacy) == b"a"


def consent_row(gateway: Gateway, consent_id: str) -> Consent | None:
    with gateway.services.db.sessions() as session:
        found = session.get(Consent, consent_id)
        session.expunge_all()
        return found


def test_a_consent_goes_its_flows_term_after_it_ended_and_a_later_one_stays(
    gateway: Gateway,
) -> None:
    school, wijkteam = audited(gateway, "school_po"), gateway.make_org("wijkteam")
    first = granted(gateway, school, consent_body([wijkteam.id]))["id"]
    to_day(gateway, date(2017, 4, 15))
    refresh(gateway, school)
    later = granted(gateway, school, consent_body([wijkteam.id], valid_until="2017-10-12"))["id"]
    old, kept = consent_row(gateway, first), consent_row(gateway, later)
    assert old is not None and kept is not None
    # The referral's class is jeugdhulp_20y: twenty years after the first one ended.
    to_day(gateway, date(2036, 12, 1))
    done = run(gateway)
    assert dict(done.destroyed)[("consent", "consent_record")] == 1
    assert consent_row(gateway, first) is None and consent_row(gateway, later) is not None
    with pytest.raises(DecryptionError):
        opens(gateway, first, SEALING_PURPOSE, old.sealed)
    assert json.loads(opens(gateway, later, SEALING_PURPOSE, kept.sealed))["grantors"]
    refresh(gateway, school)
    gone = [e for e in audit_log(gateway, school) if e["action"] == "retention.destroy"]
    assert first in {e["object_id"] for e in gone}
    assert verified(gateway)
    assert run(gateway).total == 0


def idempotency_keys(gateway: Gateway) -> list[str]:
    with gateway.services.db.sessions() as session:
        return list(session.scalars(select(IdempotencyRecord.key)))


def test_an_idempotency_record_goes_after_a_day_and_a_fresh_one_stays(gateway: Gateway) -> None:
    po, vo = gateway.make_org("school_po"), gateway.make_org("school_vo")
    enrol(gateway, vo, CHILD)
    body = {"recipient": vo.id, "subject": CHILD, "dossier": make_dossier()}
    for key in ("old", "new"):
        headers = {**po.headers(purpose=OVERSTAP), "Idempotency-Key": key}
        assert gateway.client.post("/v1/transfers", json=body, headers=headers).status_code == 201
        gateway.clock.advance(timedelta(hours=20))
        refresh(gateway, po, vo)
    # "old" is 40 hours old, "new" 20.
    assert counts(run(gateway, dry_run=True)) == {("idempotency", "idempotency"): 1}
    assert sorted(idempotency_keys(gateway)) == ["new", "old"]
    assert counts(run(gateway)) == {("idempotency", "idempotency"): 1}
    assert idempotency_keys(gateway) == ["new"]


def ended_enrolment(gateway: Gateway, school: Org) -> str:
    registration = school.headers(purpose="leerling.inschrijving", actor="admin-1")
    enrolled = gateway.client.post(
        "/v1/enrolments", json={"subject": CHILD, "status": "ingeschreven"}, headers=registration
    )
    assert enrolled.status_code == 201, enrolled.text
    enrolment_id = str(enrolled.json()["id"])
    ended = gateway.client.patch(
        f"/v1/enrolments/{enrolment_id}", json={"status": "uitgeschreven"}, headers=registration
    )
    assert ended.status_code == 200, ended.text
    return enrolment_id


def test_an_enrolment_ended_later_at_another_school_stays_and_keeps_the_pupil(
    gateway: Gateway,
) -> None:
    first, second = audited(gateway, "school_po"), audited(gateway, "school_vo")
    ended_enrolment(gateway, first)
    to_day(gateway, date(2017, 4, 15))
    refresh(gateway, first, second)
    later = ended_enrolment(gateway, second)
    to_day(gateway, date(2021, 6, 1))
    assert counts(run(gateway)) == {("enrolment", "inschrijving_5y"): 1}
    assert [row.id for row in enrolment_rows(gateway)] == [later]
    with gateway.services.db.sessions() as session:
        assert len(session.scalars(select(Subject)).all()) == 1
    assert verified(gateway)
