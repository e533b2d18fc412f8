"""Personal data at rest: sealed per subject and purpose, bound to record and purpose."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from gateway.crypto.envelope import DecryptionError
from gateway.crypto.models import DataKey
from tests.support.gateway import Gateway


def seal(gateway: Gateway, record_id: str, purpose: str, plaintext: bytes) -> bytes:
    with gateway.services.db.sessions() as session, session.begin():
        return gateway.keyring.envelope.seal(
            session,
            subject_ref="sr_1",
            purpose=purpose,
            record_id=record_id,
            plaintext=plaintext,
            now=gateway.clock.now(),
        )


def open_(gateway: Gateway, record_id: str, purpose: str, ciphertext: bytes) -> bytes:
    with gateway.services.db.sessions() as session:
        return gateway.keyring.envelope.open(
            session, record_id=record_id, purpose=purpose, ciphertext=ciphertext
        )


def test_roundtrip_and_one_data_key_per_subject_and_purpose(gateway: Gateway) -> None:
    first = seal(gateway, "r1", "overdracht.po_vo", b"dossier")
    seal(gateway, "r2", "overdracht.po_vo", b"more")
    seal(gateway, "r3", "jeugdhulp.verwijzing", b"other")
    assert b"dossier" not in first
    assert open_(gateway, "r1", "overdracht.po_vo", first) == b"dossier"
    with gateway.services.db.sessions() as session:
        keys = session.scalars(select(DataKey)).all()
    assert sorted(k.purpose for k in keys) == ["jeugdhulp.verwijzing", "overdracht.po_vo"]


def test_ciphertext_is_bound_to_its_record_and_purpose(gateway: Gateway) -> None:
    sealed = seal(gateway, "r1", "overdracht.po_vo", b"dossier")
    with pytest.raises(DecryptionError):
        open_(gateway, "r2", "overdracht.po_vo", sealed)
    with pytest.raises(DecryptionError):
        open_(gateway, "r1", "jeugdhulp.verwijzing", sealed)


def test_destroyed_key_makes_the_data_unreadable(gateway: Gateway) -> None:
    sealed = seal(gateway, "r1", "overdracht.po_vo", b"dossier")
    with gateway.services.db.sessions() as session, session.begin():
        session.execute(update(DataKey).values(wrapped=None, destroyed_at=gateway.clock.now()))
    with pytest.raises(DecryptionError):
        open_(gateway, "r1", "overdracht.po_vo", sealed)


def test_bsn_is_stored_only_encrypted(gateway: Gateway) -> None:
    vo = gateway.make_org("school_vo")
    subject = {"bsn": "111222333", "birth_date": "2004-02-29", "family_name": "Jansen"}
    response = gateway.client.post(
        "/v1/enrolments", json={"subject": subject}, headers=vo.headers()
    )
    assert response.status_code == 201
    assert response.json()["subject_ref"].startswith("ps_")
    assert "111222333" not in response.text
    with gateway.services.db.engine.connect() as connection:
        dump = repr(
            [
                row
                for table in ("subjects", "enrolments", "audit_entries", "data_keys")
                for row in connection.exec_driver_sql(f"SELECT * FROM {table}")
            ]
        )
    assert "111222333" not in dump
    assert "Jansen" not in dump
