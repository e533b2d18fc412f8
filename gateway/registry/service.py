"""The consent registry's acts: each decided, done and on record in one transaction.

One function per act, called by the HTTP API (organisations) and the portal (a parent
or pupil, `ActContext.is_person`) alike. The `consent` package checks what a consent
must satisfy; this layer resolves the pupil against the facts on record, establishes
who may act, and writes the audit entry of the act or of its refusal
(`gateway.audit.service.attempt`). An act on a consent is logged under the consent's
own purpose, whatever X-Purpose said, so the log of that flow is complete.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from sqlalchemy.orm import Session

from consent import checks, gezag, receipts
from consent import service as registry
from consent.models import Consent, GezagRelation
from consent.schemas import ConsentCreate, GezagCreate
from consent.service import Notice, Renewal
from gateway.audit import service as audit
from gateway.audit.service import AuditEvent
from gateway.cases.register import case_facts
from gateway.catalog.enforce import REGISTRATION_PURPOSE, basis_decision, own_task_decision
from gateway.core.context import ActContext
from gateway.core.errors import Forbidden, NotFound
from gateway.delivery import outbox
from gateway.edges import Edges
from gateway.orgs import service as orgs
from gateway.registry.standing import Standing, standing
from gateway.subjects import service as subjects
from gateway.subjects.schemas import SubjectIn

REASONS = {
    "grant": "A consent that meets the age rule of its purpose is registered.",
    "read": "The registering organisation or a named recipient reads the consent.",
    "search": "The organisation looks up the consents it registered or relies on.",
    "withdraw": "Consent is withdrawable at any time, with effect for every later access.",
    "notification": "A recipient learns that a consent it relies on was withdrawn.",
    "gezag": "The school where the pupil is enrolled records who holds gezag.",
    "renewal": "The registering organisation finds its consents that a birthday of the "
    "pupil left short of the age rule, to have them renewed.",
    "cosign": "The pupil adds their own consent where the age rule asks for it.",
}


def grant(
    session: Session, *, body: ConsentCreate, ctx: ActContext, edges: Edges, issuer: str
) -> Consent:
    """Registers a consent: by a party to the flow, or by the parent or pupil themself."""
    with _attempt(ctx, edges, "grant", purpose=body.purpose) as act:
        act.subject_ref = edges.keyring.pseudonyms.subject_ref(body.subject.bsn)
        if ctx.purpose != body.purpose:
            # The request's X-Purpose is what the caller acts under, and what its token,
            # its audit entry and its privacy officer read: a consent for another purpose
            # is registered under that purpose, never beside it.
            raise Forbidden(
                "A consent is registered under its own purpose: X-Purpose must name it.",
                code="purpose_mismatch",
            )
        subject_ref = _resolve(session, body, ctx=ctx, edges=edges, act=act)
        consent = registry.grant(
            session,
            body=body,
            subject_ref=subject_ref,
            org_id=None if ctx.is_person else ctx.org_id,
            org_kind=None if ctx.is_person else ctx.org_kind,
            actor=ctx.actor,
            recipient_kinds=orgs.kinds(session, body.recipients),
            catalog=edges.catalog,
            keyring=edges.keyring,
            issuer=issuer,
            now=edges.now,
            cases=case_facts,
        )
    _log(session, ctx, edges, "grant", consent)
    return consent


def _resolve(
    session: Session, body: ConsentCreate, *, ctx: ActContext, edges: Edges, act: audit.Attempt
) -> str:
    """The pupil's ref, once the registrant's standing with them is settled.

    A parent or pupil at the portal acts on their own child's page. An organisation is
    first asked for its standing (`gateway.registry.standing`), before the pupil's record,
    gezag or anything else about the pupil is read: a stranger is refused on that alone,
    `sender_not_related`, whatever the pupil, its birth date or the grantors. A registrant
    whose standing is the consent itself (the voorschool) states the pupil discreetly: a
    birth date that conflicts with the record is not refused, and the record stands. So
    does any other organisation that does not hold the pupil's facts (a school whose
    standing is its own aanmelding): only the school of the inschrijving is told of a
    conflict (`subjects.agreed`).
    """
    ref = edges.keyring.pseudonyms.subject_ref(body.subject.bsn)
    found = Standing.RELATED
    if not ctx.is_person:
        flow, _ = checks.consent_flow(edges.catalog, body.purpose)
        checks.check_party(flow, ctx.org_kind)
        found = standing(
            session,
            flow,
            org_id=ctx.org_id,
            org_kind=ctx.org_kind,
            subject_ref=ref,
            purpose=body.purpose,
        )
    if found is not Standing.RELATED:
        # The attempt is on the record of the school whose pupil it is: its privacy
        # officer sees who tried to register a consent about the pupil.
        act.owner = subjects.school_of_record(session, ref, edges.authority)
    if found is Standing.NONE:
        raise Forbidden(
            "The registering organisation has no standing with this pupil on this flow "
            "(sender_relation in GET /v1/policies).",
            code="sender_not_related",
        )
    if not ctx.is_person:
        known = subjects.agreed(
            session, body.subject, ctx=ctx, standing=edges.standing, act=act, discreet=True
        )
        if known is not None:
            return known
    return subjects.resolve(session, body.subject, ctx=ctx, standing=edges.standing, act=act)


def read(session: Session, *, consent_id: str, ctx: ActContext, edges: Edges) -> Consent:
    """One consent, for the organisation that registered it or one it names."""
    with _attempt(ctx, edges, "read") as act:
        _on(act, session, consent_id)
        consent = registry.get(session, consent_id=consent_id, org_id=ctx.org_id)
    _log(session, ctx, edges, "read", consent)
    return consent


def search(session: Session, *, subject: SubjectIn, ctx: ActContext, edges: Edges) -> list[Consent]:
    """The consents about a pupil that the caller registered or is named in."""
    subject_ref = edges.keyring.pseudonyms.subject_ref(subject.bsn)
    found = registry.search(session, subject_ref=subject_ref, org_id=ctx.org_id)
    decision = basis_decision(
        edges.catalog, purpose=ctx.purpose, rule="consent/search", reason=REASONS["search"]
    )
    event = AuditEvent.of(ctx, action="consent.search", decision=decision, subject_ref=subject_ref)
    audit.append(session, event, now=edges.now)
    return found


def withdraw(
    session: Session,
    *,
    consent_id: str,
    ctx: ActContext,
    edges: Edges,
    subject_ref: str | None = None,
) -> Consent:
    """AVG art. 7(3): by the registering organisation, or by the parent or pupil.

    A person acts on the page of one child (`subject_ref`): a consent about another
    child is not found there, so the age rule applied is always that child's."""
    with _attempt(ctx, edges, "withdraw") as act:
        found = _on(act, session, consent_id)
        if subject_ref is not None and (found is None or found.subject_ref != subject_ref):
            raise NotFound("No such consent for this child.")
        consent = registry.withdraw(
            session,
            consent_id=consent_id,
            by=ctx.actor,
            org_id=None if ctx.is_person else ctx.org_id,
            now=edges.now,
        )
    _log(session, ctx, edges, "withdraw", consent)
    outbox.consent_withdrawn(
        session,
        consent_id=consent.id,
        recipients=consent.recipient_ids,
        purpose=consent.purpose,
        subject_ref=consent.subject_ref,
        pseudonyms=edges.keyring.pseudonyms,
        now=edges.now,
    )
    return consent


def withdrawal_receipt(consent: Consent, *, edges: Edges, issuer: str) -> str:
    keyring = edges.keyring
    return receipts.withdrawal_receipt(
        keyring.signing, keyring.pseudonyms, consent, issuer=issuer, now=edges.now
    )


def notifications(session: Session, *, ctx: ActContext, edges: Edges, limit: int) -> list[Notice]:
    """The caller's pending withdrawal notices; fetching delivers them, on record."""
    notices = registry.deliver_notifications(session, org_id=ctx.org_id, now=edges.now, limit=limit)
    for notice in notices:
        decision = basis_decision(
            edges.catalog,
            purpose=notice.purpose,
            rule="consent/notification",
            reason=REASONS["notification"],
        )
        event = AuditEvent.of(
            ctx,
            action="consent.notification",
            decision=decision,
            subject_ref=notice.subject_ref,
            object_id=notice.consent_id,
        )
        audit.append(session, replace(event, purpose=notice.purpose), now=edges.now)
    return notices


def renewals(
    session: Session, consents: Sequence[Consent], *, edges: Edges
) -> dict[str, Renewal | None]:
    """Which of `consents` a birthday left short of the age rule, read off the pupil's
    birth date and gezag on record now (one identity opened and gezag counted per pupil,
    only for consents in force)."""
    births: dict[str, date | None] = {}
    holding: dict[str, gezag.Holders] = {}
    found: dict[str, Renewal | None] = {}
    for consent in consents:
        if consent.withdrawn_at is not None or edges.now >= consent.valid_until:
            found[consent.id] = None
            continue
        pupil = consent.subject_ref
        if pupil not in births:
            identity = subjects.identity(session, pupil, keyring=edges.keyring)
            births[pupil] = identity.birth_date if identity else None
            holding[pupil] = gezag.holding(session, subject_ref=pupil)
        found[consent.id] = registry.renewal(
            consent,
            birth_date=births[pupil],
            catalog=edges.catalog,
            gezag_on_record=holding[pupil],
            now=edges.now,
        )
    return found


def needing_renewal(
    session: Session, *, ctx: ActContext, edges: Edges, limit: int
) -> list[tuple[Consent, Renewal]]:
    """The caller's registered consents that need renewal, longest waiting first.

    Each one returned names a pupil, so each is on record as its own read."""
    candidates = registry.in_force_registered_by(session, org_id=ctx.org_id, now=edges.now)
    found = renewals(session, candidates, edges=edges)
    due = [(c, r) for c in candidates if (r := found[c.id]) is not None]
    due.sort(key=lambda pair: (pair[1].since, pair[0].id))
    for consent, _ in due[:limit]:
        _log(session, ctx, edges, "renewal", consent)
    return due[:limit]


def cosign(
    session: Session, *, consent_id: str, name: str, ctx: ActContext, edges: Edges, issuer: str
) -> Consent:
    """The pupil, logged in as themself (`ctx.actor` is their pseudonym), adds their
    consent to one about them; the act or its refusal is on record with the consent."""
    with _attempt(ctx, edges, "cosign") as act:
        found = _on(act, session, consent_id)
        if found is None or found.subject_ref != ctx.actor:
            raise NotFound("No such consent for this pupil.")
        consent = registry.cosign(
            session,
            consent_id=consent_id,
            subject_ref=ctx.actor,
            name=name,
            keyring=edges.keyring,
            issuer=issuer,
            now=edges.now,
        )
    _log(session, ctx, edges, "cosign", consent)
    return consent


def register_gezag(
    session: Session, *, body: GezagCreate, ctx: ActContext, edges: Edges
) -> GezagRelation:
    """Only the school where the pupil is enrolled says who holds gezag (DOMAIN §7)."""
    subject_ref = edges.keyring.pseudonyms.subject_ref(body.subject.bsn)
    # Whose record this is: the school whose gezag is in force, else whoever stated the
    # pupil's facts. Its privacy officer sees every try, and every change, by another.
    holders = gezag.registered_by(session, subject_ref=subject_ref)
    owner = min(holders - {ctx.org_id}, default=None) or subjects.stated_by(session, subject_ref)
    decision = own_task_decision(
        edges.catalog,
        ctx,
        purpose=REGISTRATION_PURPOSE,
        action="consent.gezag",
        now=edges.now,
        reason=REASONS["gezag"],
        subject_ref=subject_ref,
        owner=owner,
    )
    with _attempt(ctx, edges, "gezag") as act:
        act.subject_ref, act.owner = subject_ref, owner
        schools: set[str | None] = set(holders) or {None}
        mine = all(
            subjects.holds_record(
                session,
                ctx=ctx,
                subject_ref=subject_ref,
                stated_by=school,
                authority=edges.authority,
            )
            for school in schools
        )
        if not mine:
            raise Forbidden(
                "Only the school where the pupil is enrolled registers gezag, and gezag "
                "another enrolled school registered is that school's to change.",
                code="not_authoritative",
            )
        subjects.resolve(
            session, body.subject, ctx=ctx, standing=edges.standing, authoritative=True, act=act
        )
        relation = gezag.register(
            session,
            body=body,
            subject_ref=subject_ref,
            org_id=ctx.org_id,
            keyring=edges.keyring,
            now=edges.now,
        )
    event = AuditEvent.of(
        ctx,
        action="consent.gezag",
        decision=decision,
        subject_ref=subject_ref,
        object_id=relation.id,
    )
    audit.append(session, replace(event, owner=owner), now=edges.now)
    return relation


def _attempt(
    ctx: ActContext, edges: Edges, act: str, *, purpose: str | None = None
) -> audit.AttemptScope:
    return audit.attempt(
        ctx,
        action=f"consent.{act}",
        policy_version=edges.catalog.version,
        now=edges.now,
        purpose=purpose,
    )


def _on(act: audit.Attempt, session: Session, consent_id: str) -> Consent | None:
    """An attempt on an existing consent is logged under its purpose, for its owner."""
    found = registry.find(session, consent_id)
    if found is not None:
        act.subject_ref, act.object_id, act.purpose = found.subject_ref, found.id, found.purpose
        act.owner = found.registered_by_org
    return found


def _log(session: Session, ctx: ActContext, edges: Edges, act: str, consent: Consent) -> None:
    decision = basis_decision(
        edges.catalog,
        purpose=consent.purpose,
        rule=f"consent/{act}",
        reason=REASONS[act],
        categories=frozenset(consent.categories) if act == "grant" else frozenset(),
    )
    event = AuditEvent.of(
        ctx,
        action=f"consent.{act}",
        decision=decision,
        subject_ref=consent.subject_ref,
        object_id=consent.id,
    )
    audit.append(session, replace(event, purpose=consent.purpose), now=edges.now)
