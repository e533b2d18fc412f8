"""The values that go into and come out of the engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Effect = Literal["permit", "deny"]
# "send": the sender hands data to the gateway, which holds it (nothing released yet).
# "release": the gateway releases data to the recipient.
# "register": the recipient registers an aanmelding that opens the flow (no data moves).
Action = Literal["send", "release", "register"]


@dataclass(frozen=True, slots=True)
class ConsentState:
    """Who granted a consent that covers this request, one entry per grantor."""

    granted_by: tuple[str, ...]
    # The categories the consent names (consent is specific, DOMAIN §5). None: the consent
    # does not narrow the flow's categories; a special category (gezondheid) on a consent
    # ground is only covered when it is named here ("explicit consent", AVG art. 9(2)(a)).
    categories: frozenset[str] | None = None
    # How many people hold gezag over the pupil on record (the school's register); None:
    # not looked up. A flow that asks both parents asks both who hold gezag.
    gezag_holders: int | None = None


@dataclass(frozen=True, slots=True)
class Preconditions:
    # The sender has the standing with the pupil its route's `sender_relation` names.
    sender_related: bool = False
    aanmelding: bool = False
    inzage: bool = False
    informed: bool = False
    # knooppunt: the recipient is a participant of the case with a mandate.
    participant: bool = False


@dataclass(frozen=True, slots=True)
class Request:
    sender_kind: str
    recipient_kind: str
    purpose: str
    categories: frozenset[str]
    subject_age: int | None = None
    consent: ConsentState | None = None
    preconditions: Preconditions = field(default_factory=Preconditions)
    action: Action = "release"
    # Meldcode break-glass (flow 14): the meldcode steps recorded and the reasons given.
    meldcode_steps: frozenset[str] = frozenset()
    # Steps skipped with a recorded reason (the text is kept by the gateway, not here).
    meldcode_skipped: frozenset[str] = frozenset()
    reasons: tuple[str, ...] = ()
    # Parents (or youth) already told of a meldcode report / verwijsindex signal, or why not
    # (telling them would be unsafe); the reason is recorded, never judged here.
    parents_told: bool = False
    not_told_reason: str | None = None
    # Data-subject rights (flow 15): who asks, "parent" | "guardian" | "pupil".
    requester: str | None = None
    # Rights on one dossier: the purpose it was sent under, whose `inzage_rule` (if any)
    # says who may see it instead of the rights flow's own requester rule.
    record_purpose: str | None = None
    # Verzuimmelding (flow 7), as the melding itself states it (`verzuim_melding`): the
    # absence hours in the region's window, the kind of absence (its `soort`) and the
    # length of its period in days, both ends counted. None: not stated.
    absence_hours: float | None = None
    absence_type: str | None = None
    absence_days: int | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    effect: Effect
    # Machine-readable reason for a deny (API.md error codes); None on permit.
    code: str | None
    flow: str | None
    legal_basis: str | None
    rule: str
    reasons: tuple[str, ...]
    obligations: tuple[str, ...]
    policy_version: str
    # The categories the recipient may receive (a subset of the request's).
    released: frozenset[str] = frozenset()
    retention: str | None = None
    # May the BSN travel on this flow (UAVG art. 46)? Elsewhere: a pseudonym.
    bsn_allowed: bool = False

    @property
    def permitted(self) -> bool:
        return self.effect == "permit"
