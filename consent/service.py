"""The consent registry: grant, read, withdraw, and the state the transfer machinery asks.

Plain functions, session first; none of them commits. The caller writes the audit entry
in the same transaction (this package does not reach the audit log itself).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import structlog
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, selectinload

from consent import checks, gezag, period, receipts
from consent.models import (
    SEALING_PURPOSE,
    Consent,
    ConsentEvent,
    ConsentNotification,
    ConsentRecipient,
    consent_scope,
)
from consent.schemas import ConsentCreate, Status
from consent.state import PARENT_ROLES
from gateway.core.errors import Conflict, Forbidden, NotFound
from gateway.crypto.keyring import Keyring
from policies.compiled import Catalog

log = structlog.get_logger("consent")
# The grantor roles that count as a parent with gezag (the catalog's grantor_roles).


@dataclass(frozen=True, slots=True)
class Notice:
    """A pending notification for a recipient, with what it needs to act on it."""

    id: int
    kind: str
    consent_id: str
    subject_ref: str
    purpose: str
    created_at: datetime


def grant(
    session: Session,
    *,
    body: ConsentCreate,
    subject_ref: str,
    org_id: str | None,
    org_kind: str | None,
    actor: str,
    recipient_kinds: Mapping[str, str],
    catalog: Catalog,
    keyring: Keyring,
    issuer: str,
    now: datetime,
    cases: checks.CaseLookup | None = None,
) -> Consent:
    """Registers a consent after every check of `consent.checks`; returns it with receipt.

    `subject_ref` is the pupil the caller resolved (the facts checked against the
    record); `org_id` and `org_kind` the registering organisation (None when a parent or
    pupil grants through the portal, `actor` then being their pseudonym);
    `recipient_kinds` maps each named recipient that is a registered organisation to its
    kind; `cases` the case register a case consent (`case_id`) is checked against, handed
    in by the wiring (without it no case is known and a case consent is refused).
    """
    checks.check_case_purpose(body)
    flow, rule = checks.consent_flow(catalog, body.purpose)
    checks.check_party(flow, org_kind)
    checks.check_scope(body, flow, catalog, recipient_kinds)
    checks.check_case(session, body=body, subject_ref=subject_ref, org_id=org_id, cases=cases)
    checks.check_terms(body, now)
    grantors = checks.check_grantors(
        session,
        body=body,
        rule=rule,
        catalog=catalog,
        subject_ref=subject_ref,
        pseudonyms=keyring.pseudonyms,
        now=now,
    )
    consent = _new_consent(body, subject_ref=subject_ref, grantors=grantors, now=now)
    consent.registered_by_org, consent.registered_by = org_id, actor
    consent.sealed = _seal(session, consent, grantors, body.evidence_ref, keyring, now)
    consent.receipt = receipts.grant_receipt(
        keyring.signing, keyring.pseudonyms, consent, issuer=issuer, now=now
    )
    session.add(consent)
    session.flush()  # the event's foreign key needs the consent row first
    session.add(
        ConsentEvent(
            consent_id=consent.id,
            kind="granted",
            org_id=org_id,
            actor=actor,
            at=now,
            receipt=consent.receipt,
        )
    )
    log.info("consent.granted", consent_id=consent.id, subject_ref=subject_ref)
    return consent


def _new_consent(
    body: ConsentCreate, *, subject_ref: str, grantors: list[checks.Grantor], now: datetime
) -> Consent:
    consent_id = "cns_" + secrets.token_hex(10)
    consent = Consent(
        id=consent_id,
        subject_ref=subject_ref,
        purpose=body.purpose,
        case_id=body.case_id,
        categories=sorted(set(body.categories)),
        grantor_roles=[g.role for g in grantors],
        grantor_refs=sorted({g.person_ref for g in grantors if g.person_ref is not None}),
        evidence=body.evidence,
        valid_from=now,
        valid_until=period.end_of(body.valid_until),
        created_at=now,
    )
    consent.recipients = [
        ConsentRecipient(consent_id=consent_id, org_id=org) for org in sorted(set(body.recipients))
    ]
    return consent


def _seal(
    session: Session,
    consent: Consent,
    grantors: list[checks.Grantor],
    evidence_ref: str | None,
    keyring: Keyring,
    now: datetime,
) -> bytes:
    """The names and the paper form's reference, readable only with the pupil's key."""
    sealed = {
        "grantors": [{"role": g.role, "name": g.name} for g in grantors],
        "evidence_ref": evidence_ref,
    }
    return keyring.envelope.seal(
        session,
        subject_ref=consent.subject_ref,
        purpose=SEALING_PURPOSE,
        record_id=consent.id,
        plaintext=json.dumps(sealed).encode(),
        now=now,
        scope=consent_scope(consent.id),
    )


def status(consent: Consent, now: datetime, renewal: Renewal | None = None) -> Status:
    """Expiry is read off the clock at every look, never set by a job; so is the need
    for renewal (`renewal_needed`), from the pupil's birth date and the grantors."""
    if consent.withdrawn_at is not None:
        return "withdrawn"
    if now >= consent.valid_until:
        return "expired"
    return "active" if renewal is None else "renewal_needed"


@dataclass(frozen=True, slots=True)
class Renewal:
    """Why a consent stopped counting on a birthday: its grantors no longer meet the age
    rule of its purpose (a consent of the parents alone, once the pupil is 12 or 16)."""

    # The birthday (Dutch date) from which the grantors fall short.
    since: date
    age: int
    reason: str
    # What the age rule asks at `age`: (parents, pupil).
    needs: tuple[bool, bool]
    # Would the pupil's own consent, added to this one, meet the rule again?
    pupil_completes: bool


def renewal(
    consent: Consent,
    *,
    birth_date: date | None,
    catalog: Catalog,
    gezag_on_record: gezag.Holders | None,
    now: datetime,
) -> Renewal | None:
    """Computed at every look, like expiry: no job marks it, so it is never stale, and it
    follows a corrected birth date or a changed age rule at once. The engine applies
    the same `consent_gap` on every access, so such a consent already counts for nothing
    from that birthday on; this says so to the people who can renew it.

    "Both parents" are those who hold gezag on record now (`gezag_on_record`, counted by
    `checks.counted_holders` as at registration; every access re-reads it too): a
    consent by the one parent with sole gezag stays active. Should gezag become joint
    after the grant, that one parent's consent no longer meets the rule, and it needs
    renewal from the day the second holder was registered.

    A withdrawn or expired consent needs no renewal. An unknown birth date (the pupil's
    key shredded) or a purpose no longer resting on consent answers None: no access
    counts it either way.
    """
    if consent.withdrawn_at is not None or now >= consent.valid_until or birth_date is None:
        return None
    flow = catalog.flow_for_purpose(consent.purpose)
    if flow is None or flow.consent is None:
        return None
    rule = flow.consent
    holders = checks.counted_holders(rule, gezag_on_record)
    granted_parents = sum(1 for role in consent.grantor_roles if role in PARENT_ROLES)

    def gap(
        age: int, roles: Sequence[str] = consent.grantor_roles, count: int | None = holders
    ) -> str | None:
        return checks.grantors_gap(
            roles, age=age, purpose=consent.purpose, rule=rule, catalog=catalog, gezag_holders=count
        )

    today = period.today(now)
    age = period.age_on(birth_date, today)
    reason = gap(age)
    if reason is None:
        return None
    granted_on = period.today(consent.created_at)
    granted_at = period.age_on(birth_date, granted_on)
    # The first birthday after the grant from which the grantors fell short by age alone,
    # counting the parents who consented as all who held gezag then (it stays short from
    # then on: the bands only ask more of a consent as the pupil grows up).
    first = next(
        (
            a
            for a in range(granted_at + 1, age + 1)
            if gap(a, count=max(1, granted_parents)) is not None
        ),
        None,
    )
    starts = [] if first is None else [period.birthday(birth_date, first)]
    if (
        holders is not None
        and gezag_on_record is not None
        and gezag_on_record.since is not None
        and gezag_on_record.since > consent.created_at
        and gezag_on_record.count > granted_parents
    ):
        starts.append(period.today(gezag_on_record.since))
    since = min(starts, default=granted_on)
    with_pupil = [*consent.grantor_roles, "pupil"]
    completes = "pupil" not in consent.grantor_roles and gap(age, with_pupil) is None
    return Renewal(
        since=since,
        age=age,
        reason=reason,
        needs=rule.age_rule.at(age),
        pupil_completes=completes,
    )


def _visible(consent: Consent, org_id: str) -> bool:
    return consent.registered_by_org == org_id or org_id in consent.recipient_ids


def find(session: Session, consent_id: str) -> Consent | None:
    """The consent by id, whoever asks: for recording an attempt on it, never to return."""
    return session.get(Consent, consent_id)


def get(session: Session, *, consent_id: str, org_id: str) -> Consent:
    """The consent, for the organisation that registered it or one it names."""
    query = select(Consent).where(Consent.id == consent_id)
    consent = session.scalars(query.options(selectinload(Consent.recipients))).first()
    if consent is None or not _visible(consent, org_id):
        raise NotFound("No such consent.")
    return consent


def search(session: Session, *, subject_ref: str, org_id: str | None) -> list[Consent]:
    """Consents about the subject that `org_id` registered or is named in, oldest first.

    With `org_id` None: all of them, for the portal once it has matched the person to the
    pupil (the pupil themself, or a parent with gezag: `gezag.children_of`).
    """
    query = (
        select(Consent)
        .where(Consent.subject_ref == subject_ref)
        .options(selectinload(Consent.recipients))
        .order_by(Consent.created_at, Consent.id)
    )
    if org_id is not None:
        named = select(ConsentRecipient.consent_id).where(ConsentRecipient.org_id == org_id)
        query = query.where(or_(Consent.registered_by_org == org_id, Consent.id.in_(named)))
    return list(session.scalars(query))


def in_force_registered_by(session: Session, *, org_id: str, now: datetime) -> list[Consent]:
    """The unwithdrawn consents `org_id` registered that are within their period."""
    query = (
        select(Consent)
        .where(
            Consent.registered_by_org == org_id,
            Consent.withdrawn_at.is_(None),
            Consent.valid_until > now,
        )
        .options(selectinload(Consent.recipients))
        .order_by(Consent.created_at, Consent.id)
    )
    return list(session.scalars(query))


def cosign(
    session: Session,
    *,
    consent_id: str,
    subject_ref: str,
    name: str,
    keyring: Keyring,
    issuer: str,
    now: datetime,
) -> Consent:
    """The pupil adds their own consent to one their parents gave (DOMAIN §5: from 12
    parents and child for youth care and the knooppunt; from 16 the youth).

    Only the pupil the consent is about, and only to a consent that is in force and
    does not carry the pupil yet. The grant stays as it was in the history; the pupil's
    consent is appended (roles, the pupil's pseudonym, the sealed names) with an event,
    and a new receipt names every grantor role (the grant's stays in the history).
    """
    query = (
        select(Consent)
        .where(Consent.id == consent_id, Consent.subject_ref == subject_ref)
        .options(selectinload(Consent.recipients))
        .with_for_update()
    )
    consent = session.scalars(query).first()
    if consent is None:
        raise NotFound("No such consent.")
    if consent.withdrawn_at is not None or now >= consent.valid_until:
        raise Conflict("The consent is no longer in force.", code="consent_not_in_force")
    if "pupil" in consent.grantor_roles:
        raise Conflict("The pupil already consented.", code="already_consented")
    sealed = json.loads(
        keyring.envelope.open(
            session, record_id=consent.id, purpose=SEALING_PURPOSE, ciphertext=consent.sealed
        )
    )
    sealed["grantors"].append({"role": "pupil", "name": name})
    consent.sealed = keyring.envelope.seal(
        session,
        subject_ref=consent.subject_ref,
        purpose=SEALING_PURPOSE,
        record_id=consent.id,
        plaintext=json.dumps(sealed).encode(),
        now=now,
        scope=consent_scope(consent.id),
    )
    consent.grantor_roles = [*consent.grantor_roles, "pupil"]
    consent.grantor_refs = sorted({*consent.grantor_refs, subject_ref})
    consent.receipt = receipts.grant_receipt(
        keyring.signing, keyring.pseudonyms, consent, issuer=issuer, now=now
    )
    session.add(
        ConsentEvent(
            consent_id=consent.id,
            kind="cosigned",
            org_id=None,
            actor=subject_ref,
            at=now,
            receipt=consent.receipt,
        )
    )
    log.info("consent.cosigned", consent_id=consent.id, subject_ref=subject_ref)
    return consent


def histories(session: Session, consent_ids: Sequence[str]) -> dict[str, list[ConsentEvent]]:
    """The events of each consent, oldest first, in one query."""
    found: dict[str, list[ConsentEvent]] = {consent_id: [] for consent_id in consent_ids}
    query = select(ConsentEvent).where(ConsentEvent.consent_id.in_(consent_ids))
    for event in session.scalars(query.order_by(ConsentEvent.id)):
        found[event.consent_id].append(event)
    return found


def withdraw(
    session: Session, *, consent_id: str, by: str, org_id: str | None, now: datetime
) -> Consent:
    """AVG art. 7(3): as easy as granting, and it stops every access from `now` on.

    By the organisation that registered the consent (`org_id`, `by` its actor), or with
    `org_id` None by a person through the portal (`by` their pseudonym): the pupil, a
    grantor identified by BSN, or a parent holding gezag. Recipients are notified.
    """
    query = (
        select(Consent)
        .where(Consent.id == consent_id)
        .options(selectinload(Consent.recipients))
        .with_for_update()
    )
    consent = session.scalars(query).first()
    if consent is None:
        raise NotFound("No such consent.")
    _check_withdrawer(session, consent, by=by, org_id=org_id)
    if consent.withdrawn_at is not None:
        raise Conflict("The consent was already withdrawn.", code="consent_withdrawn")
    consent.withdrawn_at, consent.withdrawn_by, consent.withdrawn_by_org = now, by, org_id
    session.add(
        ConsentEvent(consent_id=consent.id, kind="withdrawn", org_id=org_id, actor=by, at=now)
    )
    session.add_all(
        ConsentNotification(
            recipient_org_id=org, consent_id=consent.id, kind="withdrawn", created_at=now
        )
        for org in consent.recipient_ids
    )
    log.info("consent.withdrawn", consent_id=consent.id, subject_ref=consent.subject_ref)
    return consent


def _check_withdrawer(session: Session, consent: Consent, *, by: str, org_id: str | None) -> None:
    if org_id is not None:
        if consent.registered_by_org == org_id:
            return
        if org_id in consent.recipient_ids:
            raise Forbidden(
                "Only the organisation that registered a consent withdraws it for the parents.",
                code="withdraw_not_allowed",
            )
        raise NotFound("No such consent.")
    entitled = (
        by == consent.subject_ref
        or by in consent.grantor_refs
        or gezag.holds_gezag(session, subject_ref=consent.subject_ref, person_ref=by)
    )
    if not entitled:
        raise NotFound("No such consent.")


def deliver_notifications(
    session: Session, *, org_id: str, now: datetime, limit: int = 100
) -> list[Notice]:
    """The recipient's pending notifications, oldest first, marked delivered at `now`."""
    query = (
        select(ConsentNotification, Consent.subject_ref, Consent.purpose)
        .join(Consent, Consent.id == ConsentNotification.consent_id)
        .where(
            ConsentNotification.recipient_org_id == org_id,
            ConsentNotification.delivered_at.is_(None),
        )
        .order_by(ConsentNotification.id)
        .limit(limit)
        # Two fetches at once by one organisation never both deliver the same row.
        .with_for_update(of=ConsentNotification, skip_locked=True)
    )
    notices = [
        Notice(note.id, note.kind, note.consent_id, subject_ref, purpose, note.created_at)
        for note, subject_ref, purpose in session.execute(query)
    ]
    if notices:
        session.execute(
            update(ConsentNotification)
            .where(ConsentNotification.id.in_([n.id for n in notices]))
            .values(delivered_at=now)
        )
    return notices
