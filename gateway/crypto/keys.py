"""Key-encryption keys behind a `KeyProvider`: local files, or memory in tests.

A production deployment plugs in an HSM or a Vault transit engine behind the same
protocol; the data keys it wraps never leave the gateway unwrapped.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Protocol

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from gateway.crypto.secrets import SecretBytes

_NONCE = 12


class KeyProvider(Protocol):
    @property
    def active_kek_id(self) -> str: ...

    def wrap(self, data_key: bytes, aad: bytes) -> tuple[str, bytes]: ...

    def unwrap(self, kek_id: str, wrapped: bytes, aad: bytes) -> bytes: ...


class _AesKeyring:
    """Wraps data keys with AES-256-GCM under named key-encryption keys."""

    def __init__(self, keks: dict[str, SecretBytes], active: str) -> None:
        if active not in keks:
            raise ValueError("the active key-encryption key is missing")
        self._keks = keks
        self._active = active

    @property
    def active_kek_id(self) -> str:
        return self._active

    def wrap(self, data_key: bytes, aad: bytes) -> tuple[str, bytes]:
        nonce = os.urandom(_NONCE)
        sealed = AESGCM(self._keks[self._active].reveal()).encrypt(nonce, data_key, aad)
        return self._active, nonce + sealed

    def unwrap(self, kek_id: str, wrapped: bytes, aad: bytes) -> bytes:
        kek = self._keks.get(kek_id)
        if kek is None:
            raise KeyError("unknown key-encryption key")
        return AESGCM(kek.reveal()).decrypt(wrapped[:_NONCE], wrapped[_NONCE:], aad)


class InMemoryKeyProvider(_AesKeyring):
    def __init__(self) -> None:
        super().__init__({"mem-1": SecretBytes(AESGCM.generate_key(bit_length=256))}, "mem-1")


class LocalKeyProvider(_AesKeyring):
    """Key-encryption keys as files `kek-<id>.key` in the keys directory.

    The newest file is the active key; older ones stay to unwrap what they wrapped.
    """

    def __init__(self, keys_dir: Path) -> None:
        files = sorted(keys_dir.glob("kek-*.key"))
        if not files:
            raise FileNotFoundError("no key-encryption key; run `gateway serve` once to create one")
        keks = {f.stem.removeprefix("kek-"): SecretBytes(f.read_bytes()) for f in files}
        super().__init__(keks, files[-1].stem.removeprefix("kek-"))

    @staticmethod
    def create(keys_dir: Path) -> str:
        """Adds a fresh key-encryption key, which becomes the active one."""
        keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        existing = sorted(keys_dir.glob("kek-*.key"))
        kek_id = f"{len(existing) + 1:04d}-{secrets.token_hex(4)}"
        write_secret(keys_dir / f"kek-{kek_id}.key", AESGCM.generate_key(bit_length=256))
        return kek_id


def write_secret(path: Path, content: bytes) -> None:
    """Writes a key file readable by its owner only, refusing to overwrite."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
