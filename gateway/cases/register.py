"""What other parts of the gateway ask the case register, without reading a case.

Plain look-ups, no audit entry of their own: the act that asks (a consent registered, a
dossier pushed) writes its own. Nothing is cached, so a participant that leaves or a
case that closes counts from the next request.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from consent.checks import CaseFacts
from gateway.cases.models import Case, CaseParticipant


def case_facts(session: Session, case_id: str) -> CaseFacts | None:
    """The pupil, state and present participants of a case, for checking a case consent
    (`consent.checks.check_case`); None for an id that names no case."""
    case = session.get(Case, case_id)
    if case is None:
        return None
    present = select(CaseParticipant.org_id).where(
        CaseParticipant.case_id == case_id, CaseParticipant.left_at.is_(None)
    )
    return CaseFacts(
        subject_ref=case.subject_ref,
        open=case.status == "open",
        participants=frozenset(session.scalars(present)),
    )


def shared_cases(
    session: Session, *, subject_ref: str, sender_org_id: str, recipient_org_id: str
) -> list[str]:
    """The open cases about this pupil at which the recipient takes part with a mandate
    and the sender takes part too (with or without one), oldest first: the catalog's
    `participant` for a knooppunt exchange holds when there is one. A participant that
    left, or a closed case, counts no more. One indexed query."""
    recipient = aliased(CaseParticipant)
    sender = aliased(CaseParticipant)
    query = (
        select(Case.id)
        .join(recipient, recipient.case_id == Case.id)
        .join(sender, sender.case_id == Case.id)
        .where(
            Case.subject_ref == subject_ref,
            Case.status == "open",
            recipient.org_id == recipient_org_id,
            recipient.left_at.is_(None),
            recipient.mandate.is_(True),
            sender.org_id == sender_org_id,
            sender.left_at.is_(None),
        )
        .order_by(Case.created_at, Case.id)
    )
    return list(session.scalars(query))
