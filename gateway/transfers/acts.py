"""What every act on a transfer shares: its edges, its facts, its decision, its seal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from consent.period import today
from consent.state import consent_state
from gateway.cases.register import shared_cases
from gateway.catalog.enforce import enforce
from gateway.core.context import ActContext
from gateway.core.errors import NotFound
from gateway.edges import Edges
from gateway.enrolments import service as enrolments
from gateway.orgs.models import Organisation
from gateway.subjects import service as subjects
from gateway.transfers.facts import skipped_steps
from gateway.transfers.models import Transfer
from gateway.transfers.relation import related, relation_for
from gateway.transfers.schemas import ActFacts, InzageIn
from policies.catalog import Catalog
from policies.model import Action, Decision, Preconditions, Request

NO_FACTS = ActFacts()


@dataclass(frozen=True, slots=True)
class _Parties:
    sender: Organisation
    recipient: Organisation


def decide(
    session: Session,
    transfer: Transfer,
    ctx: ActContext,
    edges: Edges,
    *,
    action: Action,
    inzage: bool,
    audit_action: str,
    categories: frozenset[str] | None = None,
) -> Decision:
    """A later act on a held transfer, decided on the same facts as its send."""
    held_by = parties(session, transfer)
    identity = subjects.identity(session, transfer.subject_ref, keyring=edges.keyring)
    facts = NO_FACTS
    if transfer.context is not None:
        facts = ActFacts.model_validate_json(
            open_sealed(session, transfer, "context", transfer.context, edges)
        )
    request = build_request(
        session,
        transfer,
        edges,
        action=action,
        sender_kind=held_by.sender.kind,
        recipient_kind=held_by.recipient.kind,
        age=identity.age_on(today(edges.now)) if identity else None,
        inzage=inzage,
        facts=facts,
        purpose=ctx.purpose,
        categories=categories,
    )
    return enforce(
        edges.catalog,
        request,
        ctx,
        action=audit_action,
        now=edges.now,
        subject_ref=transfer.subject_ref,
        object_id=transfer.id,
        bound_purpose=transfer.purpose,
        owner=transfer.sender_org_id,
    )


def parties(session: Session, transfer: Transfer) -> _Parties:
    sender = session.get(Organisation, transfer.sender_org_id)
    recipient = session.get(Organisation, transfer.recipient_org_id)
    if sender is None or recipient is None:
        raise NotFound("No such transfer.")
    return _Parties(sender, recipient)


def build_request(
    session: Session,
    transfer: Transfer,
    edges: Edges,
    *,
    action: Action,
    sender_kind: str,
    recipient_kind: str,
    age: int | None,
    inzage: bool,
    facts: ActFacts,
    purpose: str | None = None,
    categories: frozenset[str] | None = None,
    sender_related: bool | None = None,
) -> Request:
    """The engine's question, with only the look-ups this flow needs.

    `sender_related` is the sender's standing with the pupil when the caller looked it
    up already (the push does, before it reads the pupil's record); None: looked up
    here where the action asks for it.
    """
    flow = edges.catalog.flow_for_purpose(transfer.purpose)
    needed = set(flow.preconditions.get(action, ())) if flow else set()
    if sender_related is None:
        sender_related = "sender_related" in needed and sender_standing(
            session, transfer, edges, sender_kind=sender_kind, recipient_kind=recipient_kind
        )
    enrolled = (
        "aanmelding" in needed
        and enrolments.active(
            session,
            org_id=transfer.recipient_org_id,
            subject_ref=transfer.subject_ref,
            purpose=transfer.purpose,
        )
        is not None
    )
    asked = frozenset(transfer.categories) if categories is None else categories
    # The case register is asked only where the flow's precondition needs it.
    cases: list[str | None] = [*_shared_cases(session, transfer)] if "participant" in needed else []
    consent = None
    if flow is not None and flow.consent is not None:
        both = flow.consent.parents_needed > 1
        # A consent for no case, or for a case the two share (a case consent).
        for case_id in cases or [None]:
            consent = consent_state(
                session,
                subject_ref=transfer.subject_ref,
                purpose=transfer.purpose,
                recipient_org_id=transfer.recipient_org_id,
                categories=asked,
                now=edges.now,
                case_id=case_id,
                count_gezag=both,
            )
            if consent is not None:
                break
    meldcode = facts.meldcode
    return Request(
        sender_kind=sender_kind,
        recipient_kind=recipient_kind,
        purpose=purpose or transfer.purpose,
        categories=asked,
        subject_age=age,
        consent=consent,
        action=action,
        absence_hours=facts.absence_hours,
        absence_type=facts.absence_type,
        absence_days=facts.absence_days,
        preconditions=Preconditions(
            sender_related=sender_related,
            aanmelding=enrolled,
            inzage=inzage,
            informed=facts.informed,
            participant=bool(cases),
        ),
        meldcode_steps=frozenset(meldcode.steps) if meldcode else frozenset(),
        meldcode_skipped=skipped_steps(meldcode),
        reasons=tuple(meldcode.reasons) if meldcode else (),
        parents_told=meldcode.parents_told if meldcode else False,
        not_told_reason=meldcode.not_told_reason if meldcode else None,
    )


def _shared_cases(session: Session, transfer: Transfer) -> list[str]:
    """The catalog's `participant` (knooppunt.casus), from the case register: the open
    cases about this pupil where the recipient takes part with a mandate and the sender
    takes part too. Asked again at every act, so a departure or a closed case stops the
    next push or release."""
    return shared_cases(
        session,
        subject_ref=transfer.subject_ref,
        sender_org_id=transfer.sender_org_id,
        recipient_org_id=transfer.recipient_org_id,
    )


def sender_standing(
    session: Session, transfer: Transfer, edges: Edges, *, sender_kind: str, recipient_kind: str
) -> bool:
    """The sender holds the relation with the pupil its route asks (`sender_relation`)."""
    relation = relation_for(
        edges.catalog,
        purpose=transfer.purpose,
        sender_kind=sender_kind,
        recipient_kind=recipient_kind,
    )
    return related(
        session,
        relation,
        org_id=transfer.sender_org_id,
        subject_ref=transfer.subject_ref,
        purpose=transfer.purpose,
    )


def apply_inzage(
    transfer: Transfer, inzage: InzageIn, sealer: Callable[[str, bytes], bytes]
) -> None:
    transfer.inzage_date, transfer.inzage_akkoord = inzage.date, inzage.akkoord
    if inzage.zienswijze:
        transfer.zienswijze = sealer("zienswijze", inzage.zienswijze.encode())


def key_scope(transfer_id: str) -> str:
    """The data key of one transfer: it expires on its own (`gateway.retention`)."""
    return f"transfer:{transfer_id}"


def seal(session: Session, transfer: Transfer, field: str, data: bytes, *, edges: Edges) -> bytes:
    return edges.keyring.envelope.seal(
        session,
        subject_ref=transfer.subject_ref,
        purpose=transfer.purpose,
        record_id=f"{transfer.id}/{field}",
        plaintext=data,
        now=edges.now,
        scope=key_scope(transfer.id),
    )


def open_sealed(
    session: Session, transfer: Transfer, field: str, data: bytes, edges: Edges
) -> bytes:
    return edges.keyring.envelope.open(
        session, record_id=f"{transfer.id}/{field}", purpose=transfer.purpose, ciphertext=data
    )


def waits_for_inzage(catalog: Catalog, purpose: str) -> bool:
    flow = catalog.flow_for_purpose(purpose)
    return flow is not None and "inzage" in flow.preconditions.get("release", ())
