"""The audit log in the shape of the Logboek Dataverwerkingen standard (Logius, 1.0.0).

Each entry is one record, a span of OpenTelemetry's shape: `trace_id` (the request's
W3C trace), `span_id`, `name` (the act), `start_time`/`end_time`, `status`, and the
`attributes` the standard defines in its namespace `dpl.core`:

- `dpl.core.processing_activity_id`: the purpose code (`overdracht.po_vo`), the id the
  register of processing activities (the catalog) uses;
- `dpl.core.data_subject_id` / `dpl.core.data_subject_id_type`: the pupil's pseudonym
  and which one it is (never a BSN; absent when the act concerned no pupil).

The standard reserves `dpl.` for attributes it defines; the gateway's own (the actor,
the decision, the rule, the legal basis, the seq and hash that tie a record to the log)
are in the namespace `gateway.`. `status` is `Ok` for a permitted act and `Unset` for a
refusal: the standard keeps `Error` for a failure of the system itself, and a refusal is
an act carried out as it should be (its decision and code are attributes). Entries
written before traces were kept get a trace-id and span-id from their hash.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from gateway.audit.models import AuditEntry
from gateway.audit.service import owner_seen_by, strayed

# The pseudonym the gateway keeps for a pupil, and the one an organisation is given.
GATEWAY_PSEUDONYM = "urn:gateway:pseudoniem"
STATUS = {"permit": "Ok", "deny": "Unset"}
SERVICE = {"service.name": "gateway"}
BATCH = 2000


def org_pseudonym(org: str) -> str:
    return f"{GATEWAY_PSEUDONYM}:{org}"


def _time(value: datetime) -> str:
    return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def record(
    entry: AuditEntry,
    *,
    viewer: str | None = None,
    refs: Callable[[str], str] | None = None,
) -> dict[str, Any]:
    """One entry as a Logboek record; for `viewer`'s privacy officer with `refs` its
    pseudonyms, its own try on another's object shown as the try on an unknown id."""
    hidden = viewer is not None and strayed(entry, viewer)
    subject = None if hidden else entry.subject_ref
    attributes: dict[str, Any] = {"dpl.core.processing_activity_id": entry.purpose}
    if subject is not None:
        attributes["dpl.core.data_subject_id"] = refs(subject) if refs else subject
        attributes["dpl.core.data_subject_id_type"] = (
            org_pseudonym(viewer) if refs and viewer else GATEWAY_PSEUDONYM
        )
    own = {
        "gateway.org": entry.org,
        "gateway.owner": None if hidden else owner_seen_by(entry, viewer),
        "gateway.actor": entry.actor,
        "gateway.actor_role": entry.actor_role,
        "gateway.object_id": None if hidden else entry.object_id,
        "gateway.categories": [] if hidden else list(entry.categories),
        "gateway.decision": entry.decision,
        "gateway.decision_code": entry.code,
        "gateway.rule": entry.rule,
        "gateway.legal_basis": entry.legal_basis,
        "gateway.policy_version": entry.policy_version,
        "gateway.request_id": entry.request_id,
        "gateway.transaction_id": entry.transaction_id,
        "gateway.audit.seq": entry.seq,
        "gateway.audit.hash": entry.hash,
    }
    attributes.update((key, value) for key, value in own.items() if value is not None)
    time = _time(entry.time)
    return {
        "trace_id": entry.trace_id or entry.hash[32:],
        "span_id": entry.hash[:16],
        "name": entry.action,
        "start_time": time,
        "end_time": time,
        "status": STATUS.get(entry.decision, "Unset"),
        "resource": {"attributes": SERVICE},
        "attributes": attributes,
    }


def selected(
    *, org: str | None, start: datetime | None, end: datetime | None
) -> list[ColumnElement[bool]]:
    """What an export selects: the entries in [start, end); with `org` its own acts and
    the attempts of others on its objects (what its privacy officer sees)."""
    found: list[ColumnElement[bool]] = []
    if org is not None:
        found.append(or_(AuditEntry.org == org, AuditEntry.owner == org))
    if start is not None:
        found.append(AuditEntry.time >= start)
    if end is not None:
        found.append(AuditEntry.time < end)
    return found


def entries(
    session: Session,
    *,
    org: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    first: int = 1,
    last: int | None = None,
    batch: int = BATCH,
) -> Iterator[AuditEntry]:
    """The entries `selected` oldest first, `batch` at a time; only those with seq in
    [first, last] (an export's run, `gateway.audit.export`)."""
    query = select(AuditEntry).where(*selected(org=org, start=start, end=end))
    query = query.order_by(AuditEntry.seq).limit(batch)
    if last is not None:
        query = query.where(AuditEntry.seq <= last)
    after = first - 1
    while True:
        found = list(session.scalars(query.where(AuditEntry.seq > after)))
        yield from found
        if len(found) < batch:
            return
        after = found[-1].seq
        session.expunge_all()
