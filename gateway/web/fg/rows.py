"""Audit entries as the privacy officer reads them: in Dutch, pupils under the
organisation's own pseudonym, and the organisation's own tries on another's object
(answered as for an id that never existed) without the pupil, object or owner."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.audit import service as audit
from gateway.audit.models import AuditEntry
from gateway.core.context import PORTAL_ORG
from gateway.orgs.models import Organisation
from gateway.web import wording
from gateway.web.fg import reasons

DECISIONS = {"permit": "toegestaan", "deny": "geweigerd"}


@dataclass(frozen=True, slots=True)
class Row:
    seq: int
    time: datetime
    organisation: str
    own: bool
    actor: str
    role: str
    action: str
    purpose: str
    purpose_code: str
    decision: str
    refused: bool
    code: str
    # The code in Dutch, for the page (the CSV keeps the code).
    reason: str
    subject: str
    object_id: str


def rows(
    session: Session, entries: Sequence[AuditEntry], *, org: str, refs: Callable[[str], str]
) -> list[Row]:
    names = _names(session, {e.org for e in entries})
    return [_row(entry, names, org, refs) for entry in entries]


def _row(entry: AuditEntry, names: dict[str, str], org: str, refs: Callable[[str], str]) -> Row:
    strayed = audit.strayed(entry, org)
    subject = "" if strayed or not entry.subject_ref else refs(entry.subject_ref)
    if entry.org == PORTAL_ORG:
        organisation = "Ouderportaal (ouder of leerling)"
    else:
        organisation = names.get(entry.org, "Onbekende organisatie")
    return Row(
        seq=entry.seq,
        time=entry.time,
        organisation=organisation,
        own=entry.org == org,
        actor=entry.actor or "",
        role=wording.role(entry.actor_role) if entry.actor_role else "",
        action=_what(entry),
        purpose=wording.officer_purpose(entry.purpose),
        purpose_code=entry.purpose,
        decision=DECISIONS.get(entry.decision, entry.decision),
        refused=entry.decision == "deny",
        code=entry.code or "",
        reason=reasons.reason(entry.code) if entry.code else "",
        subject=subject,
        object_id="" if strayed else entry.object_id or "",
    )


def _what(entry: AuditEntry) -> str:
    """What was done; a refused act as what was tried."""
    if entry.decision == "deny":
        return "wilde " + wording.action(entry.action, refused=True)
    return wording.action(entry.action)


def _names(session: Session, org_ids: set[str]) -> dict[str, str]:
    if not org_ids:
        return {}
    query = select(Organisation.id, Organisation.name).where(Organisation.id.in_(org_ids))
    return {org_id: name for org_id, name in session.execute(query)}


def day_start(value: date | None) -> datetime | None:
    return None if value is None else datetime.combine(value, time(), tzinfo=UTC)


def day_end(value: date | None) -> datetime | None:
    """Up to the end of the day: the period's last day counts whole."""
    return None if value is None else datetime.combine(value + timedelta(days=1), time(), UTC)
