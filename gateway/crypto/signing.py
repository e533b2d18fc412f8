"""The gateway's own signing keys (Ed25519, JWS alg `Ed25519` of RFC 9864).

Tokens, consent receipts and checkpoints are signed with the newest key; older keys
stay published in the JWKS until everything they signed has expired, so a key can be
rotated without invalidating tokens in flight.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from joserfc import jws, jwt
from joserfc.jwk import KeySet, OKPKey

from gateway.crypto.keys import write_secret

ALGORITHM = "Ed25519"


class SigningKeys:
    def __init__(self, keys: list[OKPKey]) -> None:
        if not keys:
            raise ValueError("at least one signing key is needed")
        self._keys = keys
        self._active = keys[-1]
        self._keyset = KeySet(list(keys))

    @classmethod
    def generate(cls) -> SigningKeys:
        return cls([OKPKey.generate_key("Ed25519", auto_kid=True)])

    @classmethod
    def load(cls, keys_dir: Path) -> SigningKeys:
        files = sorted(keys_dir.glob("signing-*.jwk"))
        if not files:
            raise FileNotFoundError("no signing key; run `gateway serve` once to create one")
        return cls([OKPKey.import_key(json.loads(f.read_text())) for f in files])

    @staticmethod
    def create(keys_dir: Path) -> str:
        """Adds a fresh signing key, which becomes the active one."""
        keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = OKPKey.generate_key("Ed25519", auto_kid=True)
        index = len(list(keys_dir.glob("signing-*.jwk"))) + 1
        write_secret(
            keys_dir / f"signing-{index:04d}.jwk", json.dumps(key.as_dict(private=True)).encode()
        )
        return str(key.kid)

    @property
    def active_kid(self) -> str:
        return str(self._active.kid)

    def jwks(self) -> dict[str, Any]:
        keys = [{**k.as_dict(private=False), "alg": ALGORITHM, "use": "sig"} for k in self._keys]
        return {"keys": keys}

    def sign_jwt(self, claims: dict[str, Any], *, typ: str = "JWT") -> str:
        header = {"alg": ALGORITHM, "kid": self.active_kid, "typ": typ}
        return jwt.encode(header, claims, self._active, algorithms=[ALGORITHM])

    def decode_jwt(self, token: str) -> jwt.Token:
        """Verifies the signature only; the caller validates the claims."""
        return jwt.decode(token, self._keyset, algorithms=[ALGORITHM])

    def sign_bytes(self, payload: bytes, *, typ: str | None = None) -> str:
        """A compact JWS over `payload`, verifiable against `jwks()`."""
        header = {"alg": ALGORITHM, "kid": self.active_kid}
        if typ is not None:
            header["typ"] = typ
        return jws.serialize_compact(header, payload, self._active, algorithms=[ALGORITHM])

    def __repr__(self) -> str:
        return f"SigningKeys(active_kid={self.active_kid!r}, count={len(self._keys)})"
