"""The hash of one audit entry: SHA-256 over its canonical JSON and the previous hash."""

from __future__ import annotations

import hashlib
import json
from typing import Any

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


def canonical(entry: AuditEntry) -> dict[str, Any]:
    values = {name: getattr(entry, name) for name in HASHED_FIELDS}
    values["time"] = entry.time.isoformat(timespec="microseconds")
    values["categories"] = sorted(entry.categories)
    # Hashed only when set, so entries written before the field existed still verify.
    if entry.owner is not None:
        values["owner"] = entry.owner
    return values


def entry_hash(entry: AuditEntry) -> str:
    encoded = json.dumps(canonical(entry), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()
