"""Audit entries for tests that exercise the chain itself, not a particular act."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gateway.audit.models import GENESIS_HASH, AuditCheckpoint, AuditEntry, AuditHead
from gateway.audit.service import AuditEvent
from gateway.main import publisher_of
from policies.model import Decision

PERMIT = Decision(
    effect="permit",
    code=None,
    flow="overdracht.po_vo",
    legal_basis="WPO art. 42",
    rule="r",
    reasons=(),
    obligations=(),
    policy_version="v1",
)


def read_event(org: str, subject_ref: str | None = None) -> AuditEvent:
    """A permitted read by `org`, as the chain records it."""
    return AuditEvent(
        org=org,
        actor="a",
        actor_role=None,
        purpose="overdracht.po_vo",
        action="transfer.read",
        decision=PERMIT,
        subject_ref=subject_ref,
        categories=frozenset({"school"}),
    )


def publish(gateway: Any) -> AuditCheckpoint | None:
    """Signs a checkpoint of the gateway's log now, as its publisher does."""
    return publisher_of(gateway.services).publish()


def check_note(note: str, verifier_key: str) -> tuple[str, int, bytes]:
    """Checks a C2SP tlog-checkpoint signed note by the specs alone (not the gateway's
    code): the key hash, the signature line and the Ed25519 signature over the text.
    Returns origin, tree size and root hash."""
    name, key_hash_hex, encoded = verifier_key.split("+", 2)
    raw = base64.b64decode(encoded)
    assert raw[0] == 1 and len(raw) == 33
    key_hash = hashlib.sha256(name.encode() + b"\n" + b"\x01" + raw[1:]).digest()[:4]
    assert key_hash.hex() == key_hash_hex
    text, blank, signatures = note.partition("\n\n")
    assert blank and note.endswith("\n")
    origin, size, root, *extensions = text.split("\n")
    assert origin == name and not extensions
    (line,) = signatures.rstrip("\n").split("\n")
    dash, signer, stamp = line.split(" ")
    assert dash == "\u2014" and signer == name
    signed = base64.b64decode(stamp)
    assert signed[:4] == key_hash
    Ed25519PublicKey.from_public_bytes(raw[1:]).verify(signed[4:], (text + "\n").encode())
    return origin, int(size), base64.b64decode(root)


def leaf_of(values: dict[str, Any]) -> str:
    return json.dumps(values, sort_keys=True, separators=(",", ":"))


def rewrite(session: Session, seq: int, **changes: Any) -> None:
    """Changes what entry `seq` holds, as whoever can write to the database would: its
    stored bytes (every other column is derived from them)."""
    leaf = session.scalar(select(AuditEntry.leaf).where(AuditEntry.seq == seq))
    assert leaf is not None
    changed = leaf_of(json.loads(leaf) | changes)
    session.execute(update(AuditEntry).where(AuditEntry.seq == seq).values(leaf=changed))


def rechain(session: Session) -> None:
    """What a careful forger does after tampering: rewrites every link and the head."""
    previous, seq = GENESIS_HASH, 0
    for seq, leaf in session.execute(
        select(AuditEntry.seq, AuditEntry.leaf).order_by(AuditEntry.seq)
    ).all():
        changed = leaf_of(json.loads(leaf) | {"prev_hash": previous})
        session.execute(update(AuditEntry).where(AuditEntry.seq == seq).values(leaf=changed))
        previous = hashlib.sha256(changed.encode()).hexdigest()
    session.execute(update(AuditHead).values(seq=seq, hash=previous))
