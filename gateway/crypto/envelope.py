"""AES-256-GCM envelope encryption of personal data at rest.

A data key is wrapped by the `KeyProvider`'s key-encryption key and belongs to a
(subject, purpose, scope). Every ciphertext binds the record id and purpose as
associated data, so a ciphertext moved to another record or read under another purpose
fails.

The scope is what lets retention end by destroying a key (crypto-shredding) without
taking still-retained data of the same pupil and purpose along. A key's scope is the
set of records that expire together, and nothing else:

- a transfer has its own key (`transfer:<id>`): each transfer has its own term, counted
  from its own last act;
- a consent has its own key for its sealed names (`consent:<id>`);
- a case entry shares a key with the entries of the same writer in the same case
  (`case:<case id>/<writer>`): they are stamped with one class on one close date, so
  they expire on one day, and a read of a case still unwraps one key per writer;
- the empty scope is the key of (subject, purpose) that every record was sealed under
  before scopes: those ciphertexts stay readable, and such a key is destroyed only when
  no record of the pupil is left at all (the subject's own retention).

A key per record would be as exact but would cost a case read one unwrap per entry;
a key per expiry date would have to be known at write time, and a case entry's expiry
is set only when the case closes.

Layout: version (1 byte) | key id length (1) | key id | nonce (12) | ciphertext+tag.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import ColumnElement, bindparam, insert, select, update
from sqlalchemy.orm import Session

from gateway.core.db import insert_or_ignore
from gateway.crypto.keys import KeyProvider
from gateway.crypto.models import DataKey

_VERSION = 1
# Built once: every seal looks its data key up.
_FIND_KEY = select(DataKey.id, DataKey.kek_id, DataKey.wrapped).where(
    DataKey.subject_ref == bindparam("subject_ref"),
    DataKey.purpose == bindparam("purpose"),
    DataKey.scope == bindparam("scope"),
)
_INSERT_KEY = insert(DataKey)
_NONCE = 12


class DecryptionError(Exception):
    """The ciphertext does not open: wrong record, wrong purpose, or a destroyed key."""


def _aad(record_id: str, purpose: str) -> bytes:
    return f"{record_id}\x1f{purpose}".encode()


def _key_aad(subject_ref: str, purpose: str, scope: str) -> bytes:
    # The unscoped keys keep the binding they were wrapped under.
    if not scope:
        return f"dek\x1f{subject_ref}\x1f{purpose}".encode()
    return f"dek\x1f{subject_ref}\x1f{purpose}\x1f{scope}".encode()


def _key_id(ciphertext: bytes) -> str:
    if len(ciphertext) < 2 or ciphertext[0] != _VERSION:
        raise DecryptionError("unknown ciphertext version")
    return ciphertext[2 : 2 + ciphertext[1]].decode("ascii")


@dataclass(frozen=True, slots=True)
class FreshKey:
    """A data key made before its row is written: `key` seals, `row` is stored with
    the record (`Envelope.store`)."""

    key: tuple[str, bytes]
    row: dict[str, object]


@dataclass(frozen=True, slots=True)
class Destroyed:
    """A key destroyed: its id and what it belonged to (pseudonyms and ids only)."""

    key_id: str
    subject_ref: str
    purpose: str
    scope: str


class Envelope:
    def __init__(self, keys: KeyProvider) -> None:
        self._keys = keys

    def fresh_key(self, *, subject_ref: str, purpose: str, scope: str, now: datetime) -> FreshKey:
        """A new data key for a scope of one record, made without the database: a push
        seals with it before taking the write lock and stores its row in the write."""
        data_key = AESGCM.generate_key(bit_length=256)
        kek_id, wrapped = self._keys.wrap(data_key, _key_aad(subject_ref, purpose, scope))
        key_id = secrets.token_hex(16)
        row: dict[str, object] = {
            "id": key_id,
            "subject_ref": subject_ref,
            "purpose": purpose,
            "scope": scope,
            "kek_id": kek_id,
            "wrapped": wrapped,
            "created_at": now,
            "destroyed_at": None,
        }
        return FreshKey((key_id, data_key), row)

    def known_key(
        self, session: Session, *, subject_ref: str, purpose: str, scope: str = ""
    ) -> tuple[str, bytes] | None:
        """The existing data key of (subject, purpose, scope), unwrapped; None when there
        is none or it was destroyed. Read outside a write transaction, it lets a bulk
        writer seal before taking the write lock (`seal_with`)."""
        existing = self._find(session, subject_ref, purpose, scope)
        if existing is None:
            return None
        key_id, kek_id, wrapped = existing
        if wrapped is None:
            return None
        return key_id, self._keys.unwrap(kek_id, wrapped, _key_aad(subject_ref, purpose, scope))

    @staticmethod
    def store(session: Session, fresh: FreshKey) -> None:
        session.connection().execute(_INSERT_KEY, fresh.row)

    @staticmethod
    def seal_with(
        key: tuple[str, bytes], *, record_id: str, purpose: str, plaintext: bytes
    ) -> bytes:
        key_id, data_key = key
        nonce = os.urandom(_NONCE)
        sealed = AESGCM(data_key).encrypt(nonce, plaintext, _aad(record_id, purpose))
        header = bytes([_VERSION, len(key_id)]) + key_id.encode("ascii")
        return header + nonce + sealed

    def seal(
        self,
        session: Session,
        *,
        subject_ref: str,
        purpose: str,
        record_id: str,
        plaintext: bytes,
        now: datetime,
        scope: str = "",
    ) -> bytes:
        key = self._data_key(
            session, subject_ref=subject_ref, purpose=purpose, scope=scope, now=now
        )
        return self.seal_with(key, record_id=record_id, purpose=purpose, plaintext=plaintext)

    def open(self, session: Session, *, record_id: str, purpose: str, ciphertext: bytes) -> bytes:
        key = self.key_of(session, purpose=purpose, ciphertext=ciphertext)
        return self.open_with(key, record_id=record_id, purpose=purpose, ciphertext=ciphertext)

    def key_of(self, session: Session, *, purpose: str, ciphertext: bytes) -> tuple[str, bytes]:
        """The data key that sealed `ciphertext`, unwrapped: for opening many records
        of one subject with one look-up (`open_with`)."""
        key_id = _key_id(ciphertext)
        row = session.get(DataKey, key_id)
        if row is None or row.wrapped is None or row.purpose != purpose:
            raise DecryptionError("the data key is gone or belongs to another purpose")
        return key_id, self._keys.unwrap(
            row.kek_id, row.wrapped, _key_aad(row.subject_ref, purpose, row.scope)
        )

    @staticmethod
    def key_id(ciphertext: bytes) -> str:
        """The id of the data key that sealed `ciphertext`."""
        return _key_id(ciphertext)

    @staticmethod
    def open_with(
        key: tuple[str, bytes], *, record_id: str, purpose: str, ciphertext: bytes
    ) -> bytes:
        key_id, data_key = key
        if _key_id(ciphertext) != key_id:
            raise DecryptionError("the ciphertext was sealed with another data key")
        end = 2 + ciphertext[1]
        nonce, sealed = ciphertext[end : end + _NONCE], ciphertext[end + _NONCE :]
        try:
            return AESGCM(data_key).decrypt(nonce, sealed, _aad(record_id, purpose))
        except InvalidTag as exc:
            raise DecryptionError("the ciphertext does not belong to this record") from exc

    @staticmethod
    def destroy(session: Session, where: ColumnElement[bool], *, now: datetime) -> list[Destroyed]:
        """Crypto-shredding: the wrapped keys that match `where` are set to NULL, with
        the time; the rows stay as tombstones, so a ciphertext sealed under one of them
        (in a backup, a copy) fails with `DecryptionError` and a second run finds
        nothing left to destroy."""
        rows = session.execute(
            select(DataKey.id, DataKey.subject_ref, DataKey.purpose, DataKey.scope)
            .where(where, DataKey.wrapped.is_not(None))
            .order_by(DataKey.id)
        ).all()
        if rows:
            session.execute(
                update(DataKey)
                .where(DataKey.id.in_([row[0] for row in rows]))
                .values(wrapped=None, destroyed_at=now)
                .execution_options(synchronize_session=False)
            )
        return [Destroyed(row[0], row[1], row[2], row[3]) for row in rows]

    def _data_key(
        self, session: Session, *, subject_ref: str, purpose: str, scope: str, now: datetime
    ) -> tuple[str, bytes]:
        existing = self._find(session, subject_ref, purpose, scope)
        if existing is None:
            fresh = self.fresh_key(subject_ref=subject_ref, purpose=purpose, scope=scope, now=now)
            # Two first acts on one subject may race; the first key wins for both.
            insert_or_ignore(session, DataKey, fresh.row)
            existing = self._find(session, subject_ref, purpose, scope)
        key_id, kek_id, wrapped_key = existing or ("", "", None)
        if wrapped_key is None:
            raise DecryptionError("the data key for this scope was destroyed")
        return key_id, self._keys.unwrap(kek_id, wrapped_key, _key_aad(subject_ref, purpose, scope))

    @staticmethod
    def _find(
        session: Session, subject_ref: str, purpose: str, scope: str
    ) -> tuple[str, str, bytes | None] | None:
        found = {"subject_ref": subject_ref, "purpose": purpose, "scope": scope}
        row = session.connection().execute(_FIND_KEY, found).first()
        return (row[0], row[1], row[2]) if row else None
