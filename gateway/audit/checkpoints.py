"""Signed checkpoints of the audit log (c2sp.org/tlog-checkpoint), and their witness.

A checkpoint is a signed note whose text is the log's origin, the tree size and the
base64 root hash, each on its own line; the gateway signs it with its checkpoint key
(Ed25519, `gateway.crypto.notes`). Publishing one locks the tree row, so that gateway
processes sharing one database publish one after the other.
"""

from __future__ import annotations

import base64
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx2
import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.audit import tree
from gateway.audit.models import AuditCheckpoint, AuditHead, AuditTree
from gateway.core.db import Database
from gateway.crypto.notes import NoteKey

log = structlog.get_logger("gateway.audit")
WITNESS_TIMEOUT_SECONDS = 10.0

_LOCK_TREE = select(AuditTree).where(AuditTree.id == 1).with_for_update()
_HEAD_SEQ = select(AuditHead.seq).where(AuditHead.id == 1)


def note_text(origin: str, size: int, root: bytes) -> str:
    return f"{origin}\n{size}\n{base64.b64encode(root).decode()}\n"


def latest(session: Session) -> AuditCheckpoint | None:
    query = select(AuditCheckpoint).order_by(AuditCheckpoint.tree_size.desc()).limit(1)
    return session.scalars(query).first()


def at_size(session: Session, size: int) -> AuditCheckpoint | None:
    return session.get(AuditCheckpoint, size)


def log_origin(session: Session, configured: str) -> str:
    """The log's origin: the one its first checkpoint named, kept for good after it.

    A log is one log to its witnesses whichever address the gateway is served at (a
    `make run PORT=…`, a CLI run without the server's issuer): the configured origin
    names only the first checkpoint.
    """
    query = select(AuditCheckpoint.note).order_by(AuditCheckpoint.tree_size).limit(1)
    first = session.scalars(query).first()
    return first.split("\n", 1)[0] if first else configured


def head_seq(session: Session) -> int:
    return int(session.scalar(_HEAD_SEQ) or 0)


def publish(session: Session, key: NoteKey, *, now: datetime) -> AuditCheckpoint | None:
    """Signs a checkpoint of every committed entry; None when nothing new was appended.

    The head read after taking the tree lock names entries that are all committed: an
    append moves the head in the transaction that writes its entry.
    """
    state = session.scalars(_LOCK_TREE).one()
    size = head_seq(session)
    if size == 0 or at_size(session, size) is not None:
        return None
    tree.extend(session, state.size, size)
    root = tree.root_at(session, size)
    key = key.named(log_origin(session, key.name))
    text = note_text(key.name, size, root)
    signature = key.sign(text)
    checkpoint = AuditCheckpoint(
        tree_size=size,
        root_hash=root.hex(),
        time=now,
        key_id=key.key_id,
        signature=base64.b64encode(signature).decode(),
        note=key.signed_note(text, signature),
        witnessed_at=None,
    )
    session.add(checkpoint)
    state.size = size
    session.flush()
    return checkpoint


def view(checkpoint: AuditCheckpoint, key: NoteKey | None = None) -> dict[str, Any]:
    """The checkpoint as JSON; with `key` (under any name), its verifier key where
    that key signed it under the checkpoint's own origin."""
    if key is not None:
        key = key.named(checkpoint.note.split("\n", 1)[0])
    found: dict[str, Any] = {
        "tree_size": checkpoint.tree_size,
        "root_hash": checkpoint.root_hash,
        "signature": checkpoint.signature,
        "key_id": checkpoint.key_id,
        "time": checkpoint.time,
        "note": checkpoint.note,
    }
    if key is not None and key.key_id == checkpoint.key_id:
        found["verifier_key"] = key.verifier_key
    return found


def deliver(target: str, note: str) -> None:
    """Hands one signed note to the witness: appended to a file, or POSTed to a URL."""
    if target.startswith(("http://", "https://")):
        response = httpx2.post(
            target,
            content=note.encode(),
            headers={"Content-Type": "text/plain; charset=utf-8"},
            timeout=WITNESS_TIMEOUT_SECONDS,
        )
        response.raise_for_status()
        return
    with Path(target).open("a", encoding="utf-8") as handle:
        handle.write(note + "\n")


def push_to_witness(db: Database, target: str, *, now: datetime) -> int:
    """Hands every checkpoint the witness has not yet had to it, oldest first.

    A failure is logged and the rest wait for the next run; acts never wait for this.
    """
    if not target:
        return 0
    with db.sessions() as session:
        query = select(AuditCheckpoint).where(AuditCheckpoint.witnessed_at.is_(None))
        pending = list(session.scalars(query.order_by(AuditCheckpoint.tree_size)))
    pushed = 0
    for checkpoint in pending:
        try:
            deliver(target, checkpoint.note)
        except (OSError, httpx2.HTTPError) as exc:
            log.warning(
                "audit_witness_failed", tree_size=checkpoint.tree_size, error=type(exc).__name__
            )
            break
        with db.sessions() as session, session.begin():
            stored = session.get(AuditCheckpoint, checkpoint.tree_size)
            if stored is not None:
                stored.witnessed_at = now
        pushed += 1
    return pushed
