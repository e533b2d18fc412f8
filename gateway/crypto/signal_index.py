"""Keyed pseudonyms of the verwijsindex, under a key of its own.

The index matches signals on who the child is (and, for the household match, who the
parents are) without ever holding a BSN. Its pseudonyms are HMACs under the
verwijsindex key, not the key behind `subject_ref`: the index cannot be joined with the
rest of the gateway's records by its refs, and destroying or rotating one key leaves the
other intact. A child's and a parent's pseudonym of one BSN differ (a domain label), so
a parent is never matched as a child.
"""

from __future__ import annotations

import hashlib
import hmac

from gateway.crypto.secrets import SecretBytes

INDEX_KEY = "verwijsindex.key"
_HEX = 40


class IndexPseudonymizer:
    def __init__(self, key: SecretBytes) -> None:
        if len(key.reveal()) < 32:
            raise ValueError("the verwijsindex key must be at least 32 bytes")
        self._key = key

    def _mac(self, label: bytes, bsn: str) -> str:
        digest = hmac.new(self._key.reveal(), label + bsn.encode("ascii"), hashlib.sha256)
        return digest.hexdigest()[:_HEX]

    def child(self, bsn: str) -> str:
        return "vc_" + self._mac(b"verwijsindex-child:", bsn)

    def parent(self, bsn: str) -> str:
        return "vp_" + self._mac(b"verwijsindex-parent:", bsn)

    def __repr__(self) -> str:
        return "IndexPseudonymizer(key=**********)"
