"""Keyed pseudonyms: the only way a BSN is ever indexed or referred to.

A plain hash of a nine-digit number is reversed by trying all 10^9 candidates in
seconds; an HMAC under a secret key is not.

Inside the gateway a pupil is one `subject_ref` (HMAC of the BSN). Outside it every
organisation gets its own pseudonym for that pupil (DOMAIN §7, as the BSN pseudonym
system gives each service provider its own): the internal ref encrypted with AES-SIV
under a key of its own, with the organisation's id as associated data. It is stable
(SIV is deterministic), differs per organisation, cannot be joined across organisations
without the key, and the gateway maps it back where a flow needs it; a ref presented
by another organisation than the one it was issued to does not open.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import unicodedata
from collections.abc import Callable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from gateway.crypto.secrets import SecretBytes

_INTERNAL_PREFIX = "sr_"
_EXTERNAL_PREFIX = "ps_"
_INTERNAL_HEX = 40


def _derive(key: bytes, label: bytes, length: int = 32) -> bytes:
    """A key of its own per use, so no two uses ever share key material (RFC 5869)."""
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=label).derive(key)


def normalise_name(value: str) -> str:
    """Names compare without regard to case, accents' encoding or spacing."""
    return " ".join(unicodedata.normalize("NFC", value).casefold().split())


class Pseudonymizer:
    def __init__(self, key: SecretBytes) -> None:
        raw = key.reveal()
        if len(raw) < 32:
            raise ValueError("the pseudonym key must be at least 32 bytes")
        self._key = key
        self._pairwise = AESSIV(_derive(raw, b"pairwise-subject-ref", 64))
        self._facts = _derive(raw, b"subject-facts")

    def subject_ref(self, bsn: str) -> str:
        digest = hmac.new(self._key.reveal(), b"bsn:" + bsn.encode("ascii"), hashlib.sha256)
        return _INTERNAL_PREFIX + digest.hexdigest()[:_INTERNAL_HEX]

    def officer_ref(self, sub: str) -> str:
        """A person known by their login's `sub` (a privacy officer): its keyed pseudonym."""
        digest = hmac.new(self._key.reveal(), b"oidc-sub:" + sub.encode(), hashlib.sha256)
        return "fg_" + digest.hexdigest()[:_INTERNAL_HEX]

    def for_org(self, subject_ref: str, org_id: str) -> str:
        """The pupil's pseudonym as `org_id` sees it."""
        raw = bytes.fromhex(subject_ref.removeprefix(_INTERNAL_PREFIX))
        sealed = self._pairwise.encrypt(raw, [b"org:" + org_id.encode()])
        return _EXTERNAL_PREFIX + base64.urlsafe_b64encode(sealed).rstrip(b"=").decode()

    def refs_for(self, org_id: str) -> Callable[[str], str]:
        """Maps internal refs to `org_id`'s pseudonyms, for a response to that org."""
        return lambda subject_ref: self.for_org(subject_ref, org_id)

    def from_org(self, external: str, org_id: str) -> str | None:
        """The internal ref behind a pseudonym `org_id` presents; None if not its own."""
        if not external.startswith(_EXTERNAL_PREFIX) or len(external) > 80:
            return None
        body = external.removeprefix(_EXTERNAL_PREFIX)
        try:
            sealed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            raw = self._pairwise.decrypt(sealed, [b"org:" + org_id.encode()])
        except (InvalidTag, ValueError, binascii.Error):
            return None
        return _INTERNAL_PREFIX + raw.hex()

    def fact(self, subject_ref: str, name: str, value: str) -> str:
        """A keyed fingerprint of one identity fact, compared without opening the identity."""
        message = f"{subject_ref}\x1f{name}\x1f{value}".encode()
        return hmac.new(self._facts, message, hashlib.sha256).hexdigest()

    def __repr__(self) -> str:
        return "Pseudonymizer(key=**********)"
