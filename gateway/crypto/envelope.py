"""AES-256-GCM envelope encryption of personal data at rest.

Each (subject, purpose) has its own data key, wrapped by the `KeyProvider`'s
key-encryption key. Every ciphertext binds the record id and purpose as associated
data, so a ciphertext moved to another record or read under another purpose fails.

Layout: version (1 byte) | key id length (1) | key id | nonce (12) | ciphertext+tag.
"""

from __future__ import annotations

import os
import secrets
from datetime import datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from gateway.core.db import insert_or_ignore
from gateway.crypto.keys import KeyProvider
from gateway.crypto.models import DataKey

_VERSION = 1
# Built once: every seal looks its data key up.
_FIND_KEY = select(DataKey.id, DataKey.kek_id, DataKey.wrapped).where(
    DataKey.subject_ref == bindparam("subject_ref"), DataKey.purpose == bindparam("purpose")
)
_NONCE = 12


class DecryptionError(Exception):
    """The ciphertext does not open: wrong record, wrong purpose, or a destroyed key."""


def _aad(record_id: str, purpose: str) -> bytes:
    return f"{record_id}\x1f{purpose}".encode()


def _key_aad(subject_ref: str, purpose: str) -> bytes:
    return f"dek\x1f{subject_ref}\x1f{purpose}".encode()


def _key_id(ciphertext: bytes) -> str:
    if len(ciphertext) < 2 or ciphertext[0] != _VERSION:
        raise DecryptionError("unknown ciphertext version")
    return ciphertext[2 : 2 + ciphertext[1]].decode("ascii")


class Envelope:
    def __init__(self, keys: KeyProvider) -> None:
        self._keys = keys

    def known_key(
        self, session: Session, *, subject_ref: str, purpose: str
    ) -> tuple[str, bytes] | None:
        """The existing data key of (subject, purpose), unwrapped; None when there is none
        yet. Read outside the write transaction, it lets a push seal before taking the
        database's write lock (`seal_with`)."""
        existing = self._find(session, subject_ref, purpose)
        if existing is None:
            return None
        key_id, kek_id, wrapped = existing
        if wrapped is None:
            return None
        return key_id, self._keys.unwrap(kek_id, wrapped, _key_aad(subject_ref, purpose))

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
    ) -> bytes:
        key = self._data_key(session, subject_ref=subject_ref, purpose=purpose, now=now)
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
            row.kek_id, row.wrapped, _key_aad(row.subject_ref, purpose)
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

    def _data_key(
        self, session: Session, *, subject_ref: str, purpose: str, now: datetime
    ) -> tuple[str, bytes]:
        existing = self._find(session, subject_ref, purpose)
        if existing is None:
            kek_id, wrapped = self._keys.wrap(
                AESGCM.generate_key(bit_length=256), _key_aad(subject_ref, purpose)
            )
            values = {
                "id": secrets.token_hex(16),
                "subject_ref": subject_ref,
                "purpose": purpose,
                "kek_id": kek_id,
                "wrapped": wrapped,
                "created_at": now,
            }
            # Two first acts on one subject may race; the first key wins for both.
            insert_or_ignore(session, DataKey, values)
            existing = self._find(session, subject_ref, purpose)
        key_id, kek_id, wrapped_key = existing or ("", "", None)
        if wrapped_key is None:
            raise DecryptionError("the data key for this subject and purpose was destroyed")
        return key_id, self._keys.unwrap(kek_id, wrapped_key, _key_aad(subject_ref, purpose))

    @staticmethod
    def _find(
        session: Session, subject_ref: str, purpose: str
    ) -> tuple[str, str, bytes | None] | None:
        row = (
            session.connection()
            .execute(_FIND_KEY, {"subject_ref": subject_ref, "purpose": purpose})
            .first()
        )
        return (row[0], row[1], row[2]) if row else None
