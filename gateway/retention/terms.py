"""The arithmetic of terms and the log line of a destruction, shared by every kind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from gateway.audit.service import AuditEvent
from gateway.catalog.enforce import basis_decision
from policies.compiled import Catalog

# The actor of a destruction in the audit log: the gateway itself, on its daily job.
ACTOR = "gateway.retention"
ACTION = "retention.destroy"
REASON = "The record is past the retention term the catalog gives its class."


@dataclass(frozen=True, slots=True)
class Due:
    """A record whose term has passed: its kind, class and id (no personal data)."""

    kind: str
    retention: str
    id: str


def years_after(day: date, years: int) -> date:
    """The same day `years` on; 29 February becomes 1 March (never a day early)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def event(
    catalog: Catalog,
    *,
    org: str,
    purpose: str,
    subject_ref: str | None,
    object_id: str,
    retention: str,
) -> AuditEvent:
    """The log line of one destruction: pseudonym and ids only, on the holder's log."""
    decision = basis_decision(
        catalog, purpose=purpose, rule=f"{purpose}/retention/{retention}", reason=REASON
    )
    return AuditEvent(
        org=org,
        actor=ACTOR,
        actor_role=None,
        purpose=purpose,
        action=ACTION,
        decision=decision,
        subject_ref=subject_ref,
        object_id=object_id,
        owner=org,
    )


def expired(start: date, years: int | None, today: date) -> bool:
    return years is not None and years_after(start, years) <= today
