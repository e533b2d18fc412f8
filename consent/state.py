"""Which consent covers an act now: what the policy engine is told of consent.

One indexed query per question; among several covering consents the one no other
outdoes in grantors, the newest where they differ both ways.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from consent import gezag
from consent.models import Consent, ConsentRecipient
from policies.model import ConsentState

PARENT_ROLES = frozenset({"parent", "guardian"})


def consent_state(
    session: Session,
    *,
    subject_ref: str,
    purpose: str,
    recipient_org_id: str,
    categories: frozenset[str],
    now: datetime,
    case_id: str | None = None,
    case_only: bool = False,
    count_gezag: bool = False,
) -> ConsentState | None:
    """The consent that covers this act at `now`, for the policy engine; None if none.

    Counted: unwithdrawn, within its period, for this subject and purpose, naming the
    recipient and every requested category. A consent for a case covers only that case.
    With `case_only`, only a consent for that very case counts (what a participant of
    the case reads beyond its own task). One indexed query (subject and purpose, then
    the recipients' primary key); with
    `count_gezag` (a flow that asks both parents) one more for the gezag holders now on
    record, so that a consent by the one parent with sole gezag counts as both.
    """
    query = (
        select(Consent.id, Consent.grantor_roles, Consent.categories, Consent.created_at)
        .join(
            ConsentRecipient,
            (ConsentRecipient.consent_id == Consent.id)
            & (ConsentRecipient.org_id == recipient_org_id),
        )
        .where(
            Consent.subject_ref == subject_ref,
            Consent.purpose == purpose,
            Consent.withdrawn_at.is_(None),
            Consent.valid_from <= now,
            Consent.valid_until > now,
            _case_scope(case_id, case_only=case_only),
        )
    )
    covering = [
        _Candidate(row.id, tuple(row.grantor_roles), frozenset(row.categories), row.created_at)
        for row in session.execute(query)
        if categories <= set(row.categories)
    ]
    if not covering:
        return None
    best = _best(covering)
    holders = gezag.holders(session, subject_ref=subject_ref) if count_gezag else None
    return ConsentState(granted_by=best.roles, categories=best.categories, gezag_holders=holders)


def _case_scope(case_id: str | None, *, case_only: bool) -> ColumnElement[bool]:
    if case_id is None:
        return Consent.case_id.is_(None)
    if case_only:
        return Consent.case_id == case_id
    return or_(Consent.case_id.is_(None), Consent.case_id == case_id)


@dataclass(frozen=True, slots=True)
class _Candidate:
    id: str
    roles: tuple[str, ...]
    categories: frozenset[str]
    created_at: datetime

    @property
    def strength(self) -> tuple[int, int]:
        """(parents, pupil): what an age rule can ask, two parents at most."""
        parents = sum(1 for role in self.roles if role in PARENT_ROLES)
        return min(parents, 2), int("pupil" in self.roles)


def _best(candidates: list[_Candidate]) -> _Candidate:
    """The newest of the consents that no other one outdoes in both parents and pupil.

    consent_state does not know the pupil's age, so it cannot tell which age band the
    engine will apply: a consent with every kind of grantor another has, and more, is
    never worse; between consents that differ the other way round (two parents, or a
    parent and the pupil), the most recent one is the current will.
    """

    def outdone(mine: tuple[int, int]) -> bool:
        return any(
            other.strength != mine and other.strength[0] >= mine[0] and other.strength[1] >= mine[1]
            for other in candidates
        )

    undominated = [c for c in candidates if not outdone(c.strength)]
    return max(undominated, key=lambda candidate: (candidate.created_at, candidate.id))
