"""A signal after its registration: withdrawn, informed, regie, archive, death.

Withdrawn as unjustified, a signal is deleted without archive; withdrawn because the
risk is gone, it moves to the archive, which never matches and is read only within a
current case, logged with the person and the date (Jeugdwet art. 7.1.4.5, 7.1.4.6).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from consent.period import today
from gateway.audit import service as audit
from gateway.audit.service import AuditEvent
from gateway.cases.models import Case, CaseParticipant
from gateway.catalog.enforce import basis_decision
from gateway.core.context import ActContext
from gateway.core.errors import Conflict, Forbidden, NotFound, Unprocessable
from gateway.core.settings import Settings
from gateway.edges import Edges
from gateway.signals import guards, store
from gateway.signals.guards import MATCH, SIGNAL
from gateway.signals.models import Signal, SignalMatch
from gateway.signals.schemas import Contact, DeathIn, InformedIn, RegieIn
from gateway.subjects import service as subjects
from policies.model import Decision

ARCHIVE_TERM = timedelta(days=5 * 365)  # Jeugdwet art. 7.1.4.6: five years' archive


def _permit(edges: Edges, purpose: str, rule: str, reason: str) -> Decision:
    return basis_decision(edges.catalog, purpose=purpose, rule=f"{purpose}/{rule}", reason=reason)


def _attempt(ctx: ActContext, edges: Edges, action: str) -> audit.AttemptScope:
    return audit.attempt(ctx, action=action, policy_version=edges.catalog.version, now=edges.now)


def _own(session: Session, act: audit.Attempt, signal_id: str, ctx: ActContext) -> Signal:
    """The caller's own active signal; anything else answers as an unknown id."""
    signal = session.get(Signal, signal_id)
    if signal is not None:
        act.object_id, act.owner = signal.id, signal.org_id
    if signal is None or signal.org_id != ctx.org_id or signal.status != "active":
        raise NotFound("No such signal.")
    return signal


def withdraw(
    session: Session, *, signal_id: str, reason: str, ctx: ActContext, edges: Edges,
    settings: Settings,
) -> None:  # fmt: skip
    guards.switched_on(ctx, edges, settings, "signal.withdraw")
    guards.under(ctx, edges, SIGNAL, "signal.withdraw")
    with _attempt(ctx, edges, "signal.withdraw") as act:
        signal = _own(session, act, signal_id, ctx)
    if reason == "unjustified":
        decision = _permit(edges, SIGNAL, "withdraw/unjustified", "An unjustified signal "
                           "is deleted without archive.")  # fmt: skip
        store.log_signal(session, ctx, signal, action="signal.withdraw", decision=decision,
                         now=edges.now)  # fmt: skip
        store.remove(session, [signal.id])
        return
    decision = _permit(edges, SIGNAL, "withdraw/risk_gone", "The risk is gone: five years "
                       "in the archive, which never matches.")  # fmt: skip
    archive(signal, "risk_gone", edges)
    store.log_signal(session, ctx, signal, action="signal.archive", decision=decision,
                     now=edges.now)  # fmt: skip


def archive(signal: Signal, reason: str, edges: Edges) -> None:
    start = edges.now if reason == "risk_gone" else signal.expires_at
    signal.status, signal.archived_at, signal.archive_reason = "archived", edges.now, reason
    signal.archive_until = start + ARCHIVE_TERM


def required_told(age: int) -> frozenset[str]:
    """Who is told of a signal at this age (DOMAIN §5): under 12 the parents, 12 to 15
    the parents and the youth, from 16 the youth."""
    if age < 12:
        return frozenset({"parents"})
    if age < 16:
        return frozenset({"parents", "youth"})
    return frozenset({"youth"})


def record_informed(
    session: Session, *, signal_id: str, body: InformedIn, ctx: ActContext, edges: Edges,
    settings: Settings,
) -> Signal:  # fmt: skip
    guards.switched_on(ctx, edges, settings, "signal.informed")
    guards.under(ctx, edges, SIGNAL, "signal.informed")
    with _attempt(ctx, edges, "signal.informed") as act:
        signal = _own(session, act, signal_id, ctx)
        if bool(body.told) == bool(body.not_told_reason):
            raise Unprocessable(
                "Say who was told and when, or why nobody was told; not both.",
                code="informed_invalid",
            )
        if body.told:
            on = body.on or today(edges.now)
            needed = required_told(guards.age_on(signal.destroy_on, on))
            if not needed <= set(body.told):
                raise Unprocessable(
                    f"At this age the {' and the '.join(sorted(needed))} are told.",
                    code="informed_incomplete",
                )
    if body.told:
        signal.informed = "both" if len(set(body.told)) == 2 else body.told[0]
        signal.informed_on, signal.not_told_reason = body.on or today(edges.now), None
        rule, why = "informed", "The youth or parents were told of the signal."
    else:
        reason = (body.not_told_reason or "").encode()
        signal.informed, signal.informed_on = "not_told", today(edges.now)
        signal.not_told_reason = store.seal(
            session, edges, signal.id, signal.org_id, store.NOT_TOLD, reason
        )
        rule, why = "not_told", "Telling was unsafe; the reason is recorded, sealed."
    store.log_signal(session, ctx, signal, action="signal.informed",
                     decision=_permit(edges, SIGNAL, rule, why), now=edges.now)  # fmt: skip
    return signal


def record_regie(
    session: Session, *, match_id: str, body: RegieIn, ctx: ActContext, edges: Edges,
    settings: Settings,
) -> SignalMatch:  # fmt: skip
    """A matched professional records which of the two organisations holds regie."""
    guards.switched_on(ctx, edges, settings, "signal.regie")
    guards.under(ctx, edges, MATCH, "signal.regie")
    with _attempt(ctx, edges, "signal.regie") as act:
        match = session.get(SignalMatch, match_id)
        sides = [session.get(Signal, i) for i in (match.signal_id, match.other_id)] if match else []
        signals = [s for s in sides if s is not None and s.status == "active"]
        orgs = {s.org_id for s in signals}
        if match is not None:
            act.object_id = match.id
        if match is None or len(signals) != 2 or ctx.org_id not in orgs:
            raise NotFound("No such match.")
        if body.org not in orgs:
            raise Unprocessable("Regie is held by one of the matched organisations.",
                                code="regie_not_party")  # fmt: skip
    match.regie_org, match.regie_person, match.regie_at = body.org, ctx.actor, edges.now
    other = next(s.org_id for s in signals if s.org_id != ctx.org_id)
    decision = _permit(edges, MATCH, "regie", "A matched professional records who holds regie.")
    store.log_both(
        session,
        parties=(
            store.Party(ctx.org_id, ctx.actor, ctx.actor_role),
            store.Party(other, None, None),
        ),
        action="signal.regie",
        decisions=(decision, decision),
        match_id=match.id,
        subject_ref=None,
        request_id=ctx.request_id,
        now=edges.now,
    )
    return match


def archive_lookup(
    session: Session, *, case_id: str, ctx: ActContext, edges: Edges, settings: Settings
) -> list[tuple[Signal, Contact]]:
    """The archived signals of a case's child, for a current participant of the open
    case only; logged with the person (X-Actor) and the date."""
    guards.switched_on(ctx, edges, settings, "signal.archive_lookup")
    guards.under(ctx, edges, MATCH, "signal.archive_lookup")
    with _attempt(ctx, edges, "signal.archive_lookup") as act:
        case = session.get(Case, case_id)
        me = session.get(CaseParticipant, (case_id, ctx.org_id)) if case else None
        if case is not None:
            act.subject_ref, act.object_id, act.owner = (
                case.subject_ref,
                case.id,
                case.created_by_org,
            )
        if case is None or me is None or me.left_at is not None:
            raise NotFound("No such case.")
        if case.status != "open":
            raise Conflict("The case is closed.", code="case_closed")
        identity = subjects.identity(session, case.subject_ref, keyring=edges.keyring)
        if identity is None:
            raise Conflict("The pupil's record is gone.", code="subject_unknown")
    child = edges.keyring.index.child(identity.bsn)
    query = (
        select(Signal)
        .where(Signal.child_key == child, Signal.status == "archived")
        .order_by(Signal.created_at, Signal.id)
    )
    rows = [(s, store.contact_of(session, edges, s)) for s in session.scalars(query)]
    decision = _permit(edges, MATCH, "archive_lookup", "An archive look-up within a current "
                       "case, logged with the person and the date.")  # fmt: skip
    event = AuditEvent.of(ctx, action="signal.archive_lookup", decision=decision,
                          subject_ref=case.subject_ref, object_id=case.id)  # fmt: skip
    audit.append(session, event, now=edges.now)
    return rows


def record_death(
    session: Session, *, body: DeathIn, ctx: ActContext, edges: Edges, settings: Settings
) -> None:
    """The school holding the pupil's inschrijving states the death; every signal of the
    child, active or archived, is destroyed at once. The answer is the same whether the
    index held any, so it tells nobody whether it did. An irreversible act: an aanmelding,
    which any school registers on its own say, does not make a school the one to state
    it (`PupilAuthority.states_death`); anyone else gets the same refusal, on record."""
    guards.switched_on(ctx, edges, settings, "signal.death")
    guards.under(ctx, edges, SIGNAL, "signal.death")
    subject_ref = edges.keyring.pseudonyms.subject_ref(body.subject)
    with _attempt(ctx, edges, "signal.death") as act:
        act.subject_ref = subject_ref
        if not edges.authority.states_death(session, org_id=ctx.org_id, subject_ref=subject_ref):
            raise Forbidden("Only the school where the pupil is ingeschreven states this.",
                            code="not_authoritative")  # fmt: skip
    child = edges.keyring.index.child(body.subject)
    signals = list(session.scalars(select(Signal).where(Signal.child_key == child)))
    decision = _permit(edges, SIGNAL, "destroy/death", "Destroyed on the youth's death.")
    for signal in signals:
        store.log_signal(session, None, signal, action="signal.destroy", decision=decision,
                         now=edges.now, subject_ref=subject_ref)  # fmt: skip
    store.remove(session, [s.id for s in signals])
    event = AuditEvent.of(ctx, action="signal.death", decision=decision, subject_ref=subject_ref)
    audit.append(session, event, now=edges.now)
