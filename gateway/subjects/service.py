"""Resolving a pupil to its pseudonym, storing the identity encrypted on first sight."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from gateway.core.db import insert_or_ignore
from gateway.crypto.keyring import Keyring
from gateway.subjects.models import Subject
from gateway.subjects.schemas import SubjectIn

IDENTITY_PURPOSE = "subject.identity"
_KNOWN = select(Subject.subject_ref).where(Subject.subject_ref == bindparam("ref"))


def resolve(session: Session, subject: SubjectIn, *, keyring: Keyring, now: datetime) -> str:
    """The subject's `subject_ref`; the first time, its identity is sealed and stored."""
    ref = keyring.pseudonyms.subject_ref(subject.bsn)
    if session.connection().execute(_KNOWN, {"ref": ref}).first() is not None:
        return ref
    identity = json.dumps(subject.model_dump(mode="json")).encode()
    sealed = keyring.envelope.seal(
        session,
        subject_ref=ref,
        purpose=IDENTITY_PURPOSE,
        record_id=ref,
        plaintext=identity,
        now=now,
    )
    insert_or_ignore(session, Subject, {"subject_ref": ref, "identity": sealed, "created_at": now})
    return ref


def identity(session: Session, subject_ref: str, *, keyring: Keyring) -> SubjectIn | None:
    row = session.get(Subject, subject_ref)
    if row is None:
        return None
    plaintext = keyring.envelope.open(
        session, record_id=subject_ref, purpose=IDENTITY_PURPOSE, ciphertext=row.identity
    )
    return SubjectIn.model_validate_json(plaintext)
