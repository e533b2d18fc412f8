"""Signed notes (c2sp.org/signed-note) with Ed25519, for the audit log's checkpoints.

A note is a UTF-8 text ending in a newline, a blank line, then one line per signature:
`— <name> <base64(key hash || signature)>`. The key hash of an Ed25519 key is the first
four bytes of SHA-256(name || 0x0A || 0x01 || public key); a verifier names a key as
`<name>+<hex key hash>+<base64(0x01 || public key)>`. The checkpoint key is the
gateway's own and signs nothing else; older keys stay to check older checkpoints.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from gateway.crypto.keys import write_secret

ED25519 = b"\x01"
DASH = "\u2014"
KEY_FILES = "audit-checkpoint-*.key"


class NoteError(ValueError):
    """A note that is malformed or not signed by a known key."""


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_hash(name: str, public: Ed25519PublicKey) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + _raw(public)).digest()[:4]


@dataclass(frozen=True, slots=True)
class NoteVerifier:
    """A public checkpoint key under a name: what a witness or an auditor holds."""

    name: str
    public: Ed25519PublicKey

    @property
    def key_id(self) -> str:
        return f"{self.name}+{key_hash(self.name, self.public).hex()}"

    @classmethod
    def parse(cls, verifier_key: str) -> NoteVerifier:
        """`<name>+<hex key hash>+<base64(0x01 || public key)>`."""
        name, _, rest = verifier_key.partition("+")
        hash_hex, _, encoded = rest.partition("+")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except ValueError as exc:
            raise NoteError("not a verifier key") from exc
        if not name or raw[:1] != ED25519 or len(raw) != 33:
            raise NoteError("not an Ed25519 verifier key")
        found = cls(name, Ed25519PublicKey.from_public_bytes(raw[1:]))
        if key_hash(name, found.public).hex() != hash_hex:
            raise NoteError("the verifier key's hash does not match its key")
        return found


@dataclass(frozen=True, slots=True)
class NoteKey:
    """One Ed25519 checkpoint key under the log's name (the checkpoint origin)."""

    name: str
    private: Ed25519PrivateKey

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    @property
    def key_id(self) -> str:
        return f"{self.name}+{key_hash(self.name, self.public).hex()}"

    @property
    def verifier_key(self) -> str:
        """The key as witnesses configure it."""
        encoded = base64.b64encode(ED25519 + _raw(self.public)).decode()
        return f"{self.key_id}+{encoded}"

    @property
    def verifier(self) -> NoteVerifier:
        return NoteVerifier(self.name, self.public)

    def named(self, name: str) -> NoteKey:
        """The same key under the log's name `name`."""
        return NoteKey(name, self.private)

    def sign(self, text: str) -> bytes:
        return self.private.sign(text.encode())

    def signed_note(self, text: str, signature: bytes) -> str:
        stamp = base64.b64encode(key_hash(self.name, self.public) + signature).decode()
        return f"{text}\n{DASH} {self.name} {stamp}\n"


@dataclass(frozen=True, slots=True)
class NoteKeys:
    """The checkpoint keys of a deployment: the newest signs, all verify."""

    keys: tuple[Ed25519PrivateKey, ...]

    @classmethod
    def generate(cls) -> NoteKeys:
        return cls((Ed25519PrivateKey.generate(),))

    @classmethod
    def load(cls, keys_dir: Path) -> NoteKeys:
        files = sorted(keys_dir.glob(KEY_FILES))
        if not files:
            raise FileNotFoundError("no checkpoint key; run `gateway serve` once to create one")
        return cls(tuple(Ed25519PrivateKey.from_private_bytes(f.read_bytes()) for f in files))

    @staticmethod
    def create(keys_dir: Path) -> None:
        """Adds a fresh checkpoint key, which becomes the active one."""
        keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        index = len(list(keys_dir.glob(KEY_FILES))) + 1
        seed = Ed25519PrivateKey.generate().private_bytes_raw()
        write_secret(keys_dir / f"audit-checkpoint-{index:04d}.key", seed)

    def active(self, name: str) -> NoteKey:
        return NoteKey(name, self.keys[-1])

    def verifiers(self, name: str) -> list[NoteVerifier]:
        return [NoteKey(name, key).verifier for key in self.keys]


def open_note(note: str, keys: list[NoteVerifier]) -> tuple[str, NoteVerifier]:
    """The text of `note` and the key of `keys` whose signature on it checks out."""
    text, sep, signatures = note.rpartition("\n\n")
    if not sep or not text:
        raise NoteError("not a signed note")
    text += "\n"
    for line in signatures.splitlines():
        dash, _, rest = line.partition(" ")
        signer, _, stamp = rest.rpartition(" ")
        if dash != DASH:
            continue
        try:
            raw = base64.b64decode(stamp, validate=True)
        except ValueError:
            continue
        for key in keys:
            if key.name != signer or raw[:4] != key_hash(signer, key.public):
                continue
            try:
                key.public.verify(raw[4:], text.encode())
            except InvalidSignature:
                continue
            return text, key
    raise NoteError("no valid signature of a known key")
