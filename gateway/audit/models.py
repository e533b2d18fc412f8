from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, LargeBinary, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gateway.audit.derived import computed
from gateway.core.db import Base

GENESIS_HASH = "0" * 64
# Subtrees of fewer leaves are hashed from the entries when asked for.
MIN_STORED_LEVEL = 4


class AuditEntry(Base):
    """One entry: its canonical bytes (`leaf`, `gateway.audit.chain`), and every other
    column derived from them by the database (`gateway.audit.derived`)."""

    __tablename__ = "audit_entries"
    # An officer's page reads its organisation's entries, and those on its objects,
    # newest first straight from these (`service.search`).
    __table_args__ = (
        Index("ix_audit_entries_org_seq", "org", "seq"),
        Index("ix_audit_entries_owner_seq", "owner", "seq"),
    )

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    leaf: Mapped[str] = mapped_column(Text)
    time: Mapped[datetime] = mapped_column(computed("time"), index=True)
    org: Mapped[str] = mapped_column(Text, computed("org"))
    actor: Mapped[str | None] = mapped_column(Text, computed("actor"))
    actor_role: Mapped[str | None] = mapped_column(Text, computed("actor_role"))
    purpose: Mapped[str] = mapped_column(Text, computed("purpose"))
    legal_basis: Mapped[str | None] = mapped_column(Text, computed("legal_basis"))
    subject_ref: Mapped[str | None] = mapped_column(Text, computed("subject_ref"), index=True)
    categories: Mapped[list[str]] = mapped_column(computed("categories"))
    action: Mapped[str] = mapped_column(Text, computed("action"))
    object_id: Mapped[str | None] = mapped_column(Text, computed("object_id"))
    decision: Mapped[str] = mapped_column(Text, computed("decision"))
    code: Mapped[str | None] = mapped_column(Text, computed("code"))
    rule: Mapped[str] = mapped_column(Text, computed("rule"))
    policy_version: Mapped[str] = mapped_column(Text, computed("policy_version"))
    request_id: Mapped[str | None] = mapped_column(Text, computed("request_id"))
    # The organisation whose object the act touched, when another one acted on it (a
    # refused attempt on someone else's transfer): its privacy officer sees it too.
    owner: Mapped[str | None] = mapped_column(Text, computed("owner"))
    # The unit of work that wrote the entry (every entry of one act shares it, on the
    # actor's side and the owner's) and the W3C trace-id of the request or job run.
    transaction_id: Mapped[str | None] = mapped_column(Text, computed("transaction_id"))
    trace_id: Mapped[str | None] = mapped_column(Text, computed("trace_id"))
    prev_hash: Mapped[str] = mapped_column(Text, computed("prev_hash"))

    @property
    def hash(self) -> str:
        """The entry's chain hash: SHA-256 of its canonical bytes (the next entry's link)."""
        return hashlib.sha256(self.leaf.encode()).hexdigest()


class AuditHead(Base):
    """The one row that names the end of the chain; appends lock it in turn."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


class AuditTreeNode(Base):
    """The hash of one perfect subtree of the Merkle tree over the entries.

    Kept from level `MIN_STORED_LEVEL` up (2**level leaves), so that a proof or a root
    reads a few of these and at most a few leaves instead of rehashing the log.
    """

    __tablename__ = "audit_tree_nodes"

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    position: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class AuditTree(Base):
    """How many leaves the stored nodes cover; publishing a checkpoint locks this row."""

    __tablename__ = "audit_tree"

    id: Mapped[int] = mapped_column(primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)


class AuditCheckpoint(Base):
    """A signed tree head, as the signed note (c2sp.org/tlog-checkpoint) it was issued in."""

    __tablename__ = "audit_checkpoints"

    tree_size: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    root_hash: Mapped[str] = mapped_column(String(64))
    time: Mapped[datetime]
    key_id: Mapped[str] = mapped_column(String(300))
    signature: Mapped[str] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(Text)
    # Handed to the configured witness; null until that succeeded (retried each run).
    witnessed_at: Mapped[datetime | None]
