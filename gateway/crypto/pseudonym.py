"""Keyed pseudonyms: the only way a BSN is ever indexed or referred to.

A plain hash of a nine-digit number is reversed by trying all 10^9 candidates in
seconds; an HMAC under a secret key is not.
"""

from __future__ import annotations

import hashlib
import hmac

from gateway.crypto.secrets import SecretBytes


class Pseudonymizer:
    def __init__(self, key: SecretBytes) -> None:
        if len(key.reveal()) < 32:
            raise ValueError("the pseudonym key must be at least 32 bytes")
        self._key = key

    def subject_ref(self, bsn: str) -> str:
        digest = hmac.new(self._key.reveal(), b"bsn:" + bsn.encode("ascii"), hashlib.sha256)
        return "sr_" + digest.hexdigest()[:40]

    def __repr__(self) -> str:
        return "Pseudonymizer(key=**********)"
