"""Loads (and on first start creates) the local key material of a deployment."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from gateway.crypto.envelope import Envelope
from gateway.crypto.keys import KeyProvider, LocalKeyProvider, write_secret
from gateway.crypto.notes import KEY_FILES, NoteKeys
from gateway.crypto.pseudonym import Pseudonymizer
from gateway.crypto.secrets import SecretBytes
from gateway.crypto.session import SESSION_KEY, SessionSecret
from gateway.crypto.signal_index import INDEX_KEY, IndexPseudonymizer
from gateway.crypto.signing import SigningKeys

PSEUDONYM_KEY = "pseudonym.key"


@dataclass(frozen=True, slots=True)
class Keyring:
    envelope: Envelope
    pseudonyms: Pseudonymizer
    signing: SigningKeys
    # The verwijsindex's own pseudonym key, separate from the one behind subject_ref.
    index: IndexPseudonymizer
    # Signs the audit log's checkpoints, and nothing else.
    checkpoints: NoteKeys

    @classmethod
    def from_parts(
        cls,
        provider: KeyProvider,
        pseudonym_key: SecretBytes,
        signing: SigningKeys,
        index_key: SecretBytes,
        checkpoints: NoteKeys | None = None,
    ) -> Keyring:
        return cls(
            Envelope(provider),
            Pseudonymizer(pseudonym_key),
            signing,
            IndexPseudonymizer(index_key),
            checkpoints or NoteKeys.generate(),
        )

    @classmethod
    def local(cls, keys_dir: Path, *, create: bool = False) -> Keyring:
        if create:
            ensure_local_keys(keys_dir)
        pseudonym_key = SecretBytes((keys_dir / PSEUDONYM_KEY).read_bytes())
        index_key = SecretBytes((keys_dir / INDEX_KEY).read_bytes())
        return cls.from_parts(
            LocalKeyProvider(keys_dir),
            pseudonym_key,
            SigningKeys.load(keys_dir),
            index_key,
            NoteKeys.load(keys_dir),
        )


def ensure_local_keys(keys_dir: Path) -> None:
    """Creates whatever key of the embedded default is still missing."""
    keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not any(keys_dir.glob("kek-*.key")):
        LocalKeyProvider.create(keys_dir)
    if not any(keys_dir.glob("signing-*.jwk")):
        SigningKeys.create(keys_dir)
    if not any(keys_dir.glob(KEY_FILES)):
        NoteKeys.create(keys_dir)
    if not (keys_dir / PSEUDONYM_KEY).exists():
        write_secret(keys_dir / PSEUDONYM_KEY, secrets.token_bytes(32))
    if not (keys_dir / INDEX_KEY).exists():
        write_secret(keys_dir / INDEX_KEY, secrets.token_bytes(32))
    if not (keys_dir / SESSION_KEY).exists():
        SessionSecret.create(keys_dir)
