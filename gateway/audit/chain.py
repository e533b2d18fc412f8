"""The canonical bytes of one audit entry, its chain hash and its Merkle leaf hash.

The canonical form is the JSON of `HASHED_FIELDS` (and each of `OPTIONAL_FIELDS` when
set: `owner`, `transaction_id`, `trace_id`) with sorted
keys and no spaces, `time` in ISO 8601 with microseconds. It holds the previous
entry's hash, so the entries form a hash chain (`hash` = SHA-256 of the canonical
bytes); the same bytes are the leaf of the Merkle tree (`gateway.audit.merkle`).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from typing import TYPE_CHECKING, Any

from gateway.audit.merkle import leaf_hash

if TYPE_CHECKING:
    from gateway.audit.models import AuditEntry

HASHED_FIELDS = (
    "seq",
    "time",
    "org",
    "actor",
    "actor_role",
    "purpose",
    "legal_basis",
    "subject_ref",
    "categories",
    "action",
    "object_id",
    "decision",
    "code",
    "rule",
    "policy_version",
    "request_id",
    "prev_hash",
)
# Hashed only when set, so entries written before a field existed still verify.
OPTIONAL_FIELDS = ("owner", "transaction_id", "trace_id")


def canonical(entry: AuditEntry | Any) -> dict[str, Any]:
    """The hashed fields of an entry (or of a row with the same attributes)."""
    values = {name: getattr(entry, name) for name in HASHED_FIELDS}
    values["time"] = entry.time.astimezone(UTC).isoformat(timespec="microseconds")
    values["categories"] = sorted(entry.categories)
    for name in OPTIONAL_FIELDS:
        value = getattr(entry, name)
        if value is not None:
            values[name] = value
    return values


def canonical_text(entry: AuditEntry | Any) -> str:
    """The canonical JSON (ASCII: JSON escapes the rest), as `AuditEntry.leaf` keeps it."""
    return json.dumps(canonical(entry), sort_keys=True, separators=(",", ":"))


def canonical_bytes(entry: AuditEntry | Any) -> bytes:
    return canonical_text(entry).encode()


def entry_hash(entry: AuditEntry | Any) -> str:
    """The chain hash of an entry built in memory (a stored one: `AuditEntry.hash`)."""
    return hashlib.sha256(canonical_bytes(entry)).hexdigest()


def stored_leaf_hash(leaf: str) -> bytes:
    """The Merkle leaf hash of an entry as stored (`AuditEntry.leaf`)."""
    return leaf_hash(leaf.encode())
