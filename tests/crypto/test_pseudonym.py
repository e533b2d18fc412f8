from __future__ import annotations

import hashlib
import os

from gateway.crypto.pseudonym import Pseudonymizer
from gateway.crypto.secrets import SecretBytes


def test_subject_ref_is_stable_keyed_and_not_a_plain_hash() -> None:
    key = SecretBytes(os.urandom(32))
    one, other = Pseudonymizer(key), Pseudonymizer(SecretBytes(os.urandom(32)))
    assert one.subject_ref("111222333") == one.subject_ref("111222333")
    assert one.subject_ref("111222333") != other.subject_ref("111222333")
    assert hashlib.sha256(b"111222333").hexdigest()[:40] not in one.subject_ref("111222333")
    assert "**" in repr(key) and key.reveal().hex() not in repr(one)
