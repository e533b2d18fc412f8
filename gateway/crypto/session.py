"""The portal's session secret: it seals what a session must keep of the person.

Portal sessions live server-side (`gateway/web/session_store.py`); the one personal
value a session needs (the parent's BSN, to name them as grantor of a consent) is
stored sealed with AES-256-GCM under a key derived from this secret with HKDF.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from gateway.crypto.keys import write_secret
from gateway.crypto.secrets import SecretBytes

SESSION_KEY = "session.key"
_NONCE = 12


class SealError(Exception):
    """A sealed session value does not open: tampered, or sealed under another secret."""


def _derive(secret: bytes, use: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=use).derive(secret)


class SessionSecret:
    def __init__(self, secret: SecretBytes) -> None:
        if len(secret.reveal()) < 32:
            raise ValueError("the session secret must be at least 32 bytes")
        self._sealing = AESGCM(_derive(secret.reveal(), b"portal-session-sealing"))

    @classmethod
    def load(cls, configured: str, keys_dir: Path, *, development: bool) -> SessionSecret:
        """The configured secret, else the key file; a throwaway one only in development."""
        if configured:
            return cls(SecretBytes(configured.encode()))
        path = keys_dir / SESSION_KEY
        if path.exists():
            return cls(SecretBytes(path.read_bytes()))
        if not development:
            raise RuntimeError("set GATEWAY_SESSION_SECRET or create the session key file")
        return cls(SecretBytes(secrets.token_bytes(32)))

    @staticmethod
    def create(keys_dir: Path) -> None:
        write_secret(keys_dir / SESSION_KEY, secrets.token_bytes(32))

    def seal(self, value: str, *, purpose: str) -> str:
        nonce = os.urandom(_NONCE)
        sealed = self._sealing.encrypt(nonce, value.encode(), purpose.encode())
        return base64.urlsafe_b64encode(nonce + sealed).decode()

    def open(self, token: str, *, purpose: str) -> str:
        try:
            raw = base64.urlsafe_b64decode(token.encode())
            return self._sealing.decrypt(raw[:_NONCE], raw[_NONCE:], purpose.encode()).decode()
        except (InvalidTag, ValueError) as exc:
            raise SealError("the sealed session value does not open") from exc

    def __repr__(self) -> str:
        return "SessionSecret(**********)"
