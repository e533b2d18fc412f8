"""Audit entries for tests that exercise the chain itself, not a particular act."""

from __future__ import annotations

from gateway.audit.service import AuditEvent
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
