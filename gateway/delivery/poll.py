"""The notification poll: what a system that cannot receive webhooks reads instead.

A notification names a pupil by the organisation's own pseudonym, so handing it over
is an act on the audit log, in the poll's transaction: one entry per poll that returns
anything (an empty poll hands over nothing and leaves no entry, as fetching consent
withdrawal notices does), never one per notification. The entry's object is the run
of notifications handed over (`first..last`, or the one id; the organisation's
notifications are polled in order, so the two ends name every one between) and its
pupil the one they concern, when they concern one and no meldcode report is among them;
the log never holds the pseudonym the organisation was given, only the gateway's own,
as every entry does. An `after` that is not the organisation's own is refused (404) and
that refusal is on record, the same for another's id and one that never existed (down
to the entry's hash: it names neither the id nor its owner).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from consent.models import Consent
from gateway.audit.service import handed_over
from gateway.core.errors import NotFound
from gateway.delivery import service
from gateway.delivery.models import Notification
from gateway.transfers.models import Transfer
from policies.compiled import Catalog

ACTION = "notification.poll"
REASON = "The organisation reads the notifications addressed to it."


def poll(
    session: Session,
    *,
    org_id: str,
    actor: str | None,
    after: str | None,
    limit: int,
    catalog: Catalog,
    now: datetime,
    request_id: str | None,
) -> list[Notification]:
    """The organisation's notifications after `after`, oldest first; 404 for an `after`
    that is not one of its own, on record as a refusal. Logged when any are handed over."""
    query = select(Notification).where(Notification.org_id == org_id)
    if after is not None:
        found = session.execute(
            select(Notification.seq, Notification.org_id).where(Notification.id == after)
        ).first()
        if found is None or found.org_id != org_id:
            raise refused(org_id, actor, catalog.version, now, request_id)
        query = query.where(Notification.seq > found.seq)
    notes = list(session.scalars(query.order_by(Notification.seq).limit(limit)))
    if notes:
        permit = service.decision("permit", "poll", REASON, catalog.version)
        service.log(
            session,
            org_id=org_id,
            actor=actor,
            action=ACTION,
            object_id=handed_over([note.id for note in notes]),
            subject_ref=pupil_of(session, notes, catalog.break_glass_purposes()),
            decided=permit,
            now=now,
            request_id=request_id,
        )
    return notes


def refused(
    org_id: str,
    actor: str | None,
    version: str,
    now: datetime,
    request_id: str | None,
) -> NotFound:
    """The 404 for an `after` that is not the organisation's own, with its refusal on
    record: a probe is an act like any other. The entry names neither the id nor, for
    another organisation's notification, its owner: what an entry holds is hashed, and
    the hash is shown to the caller (`GET /v1/audit/events`, inclusion proofs), which
    could test a hidden owner or id against it and so tell another's notification from
    one that never existed. Both entries are alike, and the owner is not told."""
    error = NotFound("No such notification.")
    denied = service.decision("deny", "poll", error.detail, version, code=error.code)
    error.record = partial(
        service.log,
        org_id=org_id,
        actor=actor,
        action=ACTION,
        object_id=None,
        decided=denied,
        now=now,
        request_id=request_id,
    )
    return error


def pupil_of(session: Session, notes: Sequence[Notification], glass: frozenset[str]) -> str | None:
    """The gateway's pseudonym of the pupil every one of the notifications concerns;
    None when they concern several, or one of them none that is known (a verwijsindex
    match never names the child; a dossier past its term is gone), or one is under a
    break-glass purpose (`glass`): a meldcode report may be hidden from the parents, and
    an entry naming the pupil would show them in their access log who was told of it."""
    if not notes or any(n.data.get("purpose") in glass for n in notes):
        return None
    transfers = {n.data["transfer_id"] for n in notes if "transfer_id" in n.data}
    consents = {n.data["consent_id"] for n in notes if "consent_id" in n.data}
    found: dict[str, str] = {}
    if transfers:
        query = select(Transfer.id, Transfer.subject_ref).where(Transfer.id.in_(transfers))
        found.update((key, ref) for key, ref in session.execute(query))
    if consents:
        query = select(Consent.id, Consent.subject_ref).where(Consent.id.in_(consents))
        found.update((key, ref) for key, ref in session.execute(query))
    refs = {found.get(n.data.get("transfer_id") or n.data.get("consent_id") or "") for n in notes}
    return refs.pop() if len(refs) == 1 else None
