"""Does an organisation registering a consent have standing with the pupil? (DOMAIN §7)

A consent is about one pupil, and registering one says something about that pupil: that
these parents hold gezag, that this is the birth date. Only a party that already has a
relation with the pupil may say it, the relation the consented flow asks of it:

- a sender on the flow: what its route asks of it (`sender_relation`), the school its
  own pupil, the wijkteam the referral it received, the party at the case's table;
- a recipient on the flow: that it holds data on the pupil through the gateway
  (`holds_data`), or has the pupil enrolled.

Looked up before anything about the pupil is read, so a stranger is refused on that
alone (`sender_not_related`), the same for a pupil known or unknown, with any birth
date and any grantor. The one exception is a sender whose route names its own
registered consent as its standing (the voorschool): it cannot show any other, so it
registers without one, discreetly (`Standing.DISCREET`).
"""

from __future__ import annotations

import enum

from sqlalchemy.orm import Session

from gateway.transfers.relation import related
from policies.compiled import Flow, SenderRelation

# What a recipient on the flow must hold: data on the pupil, or the pupil enrolled.
RECIPIENT = SenderRelation(enrolled=True, holds_data=True)


class Standing(enum.Enum):
    RELATED = "related"
    # Its own consent is its standing: it registers, but learns nothing about the
    # record from the answer (no subject_conflict).
    DISCREET = "discreet"
    NONE = "none"


def registrant_relation(flow: Flow, org_kind: str) -> SenderRelation | None:
    """Every relation that gives an organisation of `org_kind` standing on `flow`,
    merged (any one is enough); None when the flow names none for it (fail closed)."""
    relations = [
        route.sender_relation
        for route in flow.routes
        if org_kind in route.senders and route.sender_relation is not None
    ]
    if any(org_kind in route.recipients for route in flow.routes):
        relations.append(RECIPIENT)
    if not relations:
        return None
    return SenderRelation(
        enrolled=any(r.enrolled for r in relations),
        received=frozenset().union(*(r.received for r in relations)),
        case=any(r.case for r in relations),
        registered_consent=any(r.registered_consent for r in relations),
        holds_data=any(r.holds_data for r in relations),
    )


def standing(
    session: Session, flow: Flow, *, org_id: str, org_kind: str, subject_ref: str, purpose: str
) -> Standing:
    relation = registrant_relation(flow, org_kind)
    if relation is None:
        return Standing.NONE
    # Its consents so far do not count: a consent is what is being registered.
    others = SenderRelation(
        enrolled=relation.enrolled,
        received=relation.received,
        case=relation.case,
        holds_data=relation.holds_data,
    )
    if related(session, others, org_id=org_id, subject_ref=subject_ref, purpose=purpose):
        return Standing.RELATED
    return Standing.DISCREET if relation.registered_consent else Standing.NONE
