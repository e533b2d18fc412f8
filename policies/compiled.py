"""The loaded catalog: frozen structures with every set the engine needs precomputed.

`evaluate` must stay at a few dict look-ups and set operations per request, so all work
that depends only on the catalog (category sets per route, age-rule tables, rule ids,
the permit reasons) happens once, here, at load time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator

from policies.fields import Misfit, dossier_misfits
from policies.model import Decision, Request
from policies.outcome import Facts, Failure
from policies.schema import RegionSettings, Taxonomy


@dataclass(frozen=True, slots=True)
class LegalBasis:
    key: str
    statute: str
    avg_ground: str
    kind: str
    description: str
    verify: bool
    # What is not confirmed about the statute and why; "" when it is confirmed.
    unverified: str = ""

    @property
    def label(self) -> str:
        """The statute and the AVG ground, as written in a decision and the register."""
        if self.statute == self.avg_ground:
            return self.statute
        return f"{self.statute}; {self.avg_ground}"


@dataclass(frozen=True, slots=True)
class AgeRule:
    """Who must act at each age: `by_age[age]` is (parents needed, pupil needed)."""

    name: str
    statute: str
    description: str
    # Indexed by age up to the start of the last band; older ages use the last entry.
    by_age: tuple[tuple[bool, bool], ...]

    def at(self, age: int) -> tuple[bool, bool]:
        return self.by_age[min(age, len(self.by_age) - 1)]


@dataclass(frozen=True, slots=True)
class ConsentRule:
    # True: the flow itself rests on consent; False: only `with_consent` categories do.
    required: bool
    age_rule: AgeRule
    parents_needed: int


@dataclass(frozen=True, slots=True)
class Retention:
    key: str
    term: str
    basis: str
    # The term in years where the catalog gives one (RetentionClass.years).
    years: int | None = None
    # Each party's own (`own_term`): the class per writer kind (RetentionClass.by_writer).
    by_writer: Mapping[str, Retention] = field(default_factory=dict)
    # A short technical term in days (RetentionClass.days).
    days: int | None = None

    def for_writer(self, kind: str) -> Retention:
        """The class a writer of `kind` keeps its part under; this one where it is not
        resolved per writer. The loader refuses a catalog where a kind that may write
        under a per-writer class has no resolution, so the fallback is never reached for
        a permitted writer."""
        return self.by_writer.get(kind, self)


@dataclass(frozen=True, slots=True)
class SenderRelation:
    """What standing with the pupil a sender on a route needs (any one is enough)."""

    enrolled: bool = False
    received: frozenset[str] = frozenset()
    case: bool = False
    registered_consent: bool = False
    holds_data: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "enrolled": self.enrolled,
            "received": sorted(self.received),
            "case": self.case,
            "registered_consent": self.registered_consent,
            "holds_data": self.holds_data,
        }


@dataclass(frozen=True, slots=True)
class Route:
    """One sender/recipient binding of a flow with its category sets."""

    senders: frozenset[str]
    recipients: frozenset[str]
    oso_profile: str | None
    mandatory: frozenset[str]
    optional: frozenset[str]
    with_consent: frozenset[str]
    # No consent needed on this route, whatever the flow's consent block says.
    own_task: frozenset[str]
    forbidden: frozenset[str]
    # Derived: everything that may travel, and what needs a consent to travel.
    allowed: frozenset[str]
    needs_consent: frozenset[str]
    # Special categories on a consent ground: the consent must name them.
    needs_explicit: frozenset[str]
    # The sender's standing with the pupil the flow's `sender_related` asks for.
    sender_relation: SenderRelation | None = None


@dataclass(frozen=True, slots=True)
class AgeScope:
    """The ages a flow is for (inclusive), and the actions that are judged by them."""

    min_age: int
    max_age: int
    statute: str
    actions: frozenset[str]

    def covers(self, age: int) -> bool:
        return self.min_age <= age <= self.max_age


@dataclass(frozen=True, slots=True, eq=False)
class Flow:
    id: str
    title: str
    description: str
    legal_basis: LegalBasis
    routes: tuple[Route, ...]
    special_grounds: Mapping[str, LegalBasis]
    consent: ConsentRule | None
    requester_rule: AgeRule | None
    preconditions: Mapping[str, tuple[str, ...]]
    inform_waivable: bool
    break_glass: bool
    age_scope: AgeScope | None
    region_feature: str | None
    # The kinds of absence the hours threshold applies to; empty: no threshold.
    verzuim_threshold: frozenset[str]
    obligations: tuple[str, ...]
    conditional_obligations: tuple[tuple[str, str], ...]
    retention: Retention
    bsn_allowed: bool
    safeguards: tuple[str, ...]
    enabled: bool
    # Precomputed for the engine: the label of the basis, the sorted obligations of a
    # permit, and the checks that apply to this flow in their fixed order (`rules.plan`).
    basis_label: str = ""
    permit_obligations: tuple[str, ...] = ()
    checks: tuple[tuple[str, Check], ...] = ()
    # Who may see a dossier of this flow under a rights flow, when the law says more.
    inzage_rule: AgeRule | None = None
    # The standing a party needs with the pupil to start a case of this flow; None: the
    # flow has no cases, or no one may start one (fail closed).
    create_relation: SenderRelation | None = None

    @property
    def purpose(self) -> str:
        return self.id

    @property
    def sender_kinds(self) -> frozenset[str]:
        return frozenset().union(*(route.senders for route in self.routes))

    @property
    def recipient_kinds(self) -> frozenset[str]:
        return frozenset().union(*(route.recipients for route in self.routes))

    @property
    def categories(self) -> frozenset[str]:
        """Every category some route of this flow may carry."""
        return frozenset().union(*(route.allowed for route in self.routes))


PermitKey = tuple[frozenset[str], frozenset[str], tuple[str, ...]]
PERMIT_MEMO_LIMIT = 64


@dataclass(frozen=True, slots=True, eq=False)
class Binding:
    """What the engine finds for (purpose, sender kind, recipient kind)."""

    flow: Flow
    route: Route
    permit_rule: str
    permit_reasons: tuple[str, ...]
    # Permits already made on this binding, by (requested, released, obligations): a
    # Decision is immutable and fully determined by these, and building one is the
    # costliest step of `evaluate`. Bounded by `PERMIT_MEMO_LIMIT`.
    permits: dict[PermitKey, Decision] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, eq=False)
class Catalog:
    version: str
    region: str
    region_name: str
    settings: RegionSettings
    flows: Mapping[str, Flow]
    # (purpose, sender kind, recipient kind) -> the one flow and route that apply.
    routes: Mapping[tuple[str, str, str], Binding]
    categories: frozenset[str]
    purposes: frozenset[str]
    org_kinds: frozenset[str]
    parties: frozenset[str]
    # Org kinds plus the non-organisation ends of flows (data_subject, verwijsindex).
    party_kinds: frozenset[str]
    grantor_roles: Mapping[str, str]
    meldcode_steps: frozenset[str]
    meldcode_skippable: frozenset[str]
    # The kinds of absence a verzuimmelding may name (`verzuim_melding.soort`).
    absence_kinds: frozenset[str]
    taxonomy: Taxonomy
    legal_bases: Mapping[str, LegalBasis]
    purpose_bases: Mapping[str, LegalBasis]
    # The closed fields of every content category, compiled once.
    field_validators: Mapping[str, Draft202012Validator]
    _public: Mapping[str, Any]

    def flow_for_purpose(self, purpose: str) -> Flow | None:
        return self.flows.get(purpose)

    def break_glass_purposes(self) -> frozenset[str]:
        """The purposes whose acts may be restricted towards the parents (the meldcode)."""
        return frozenset(purpose for purpose, flow in self.flows.items() if flow.break_glass)

    def flow_for(self, purpose: str, sender_kind: str, recipient_kind: str) -> Flow | None:
        found = self.routes.get((purpose, sender_kind, recipient_kind))
        return found.flow if found else None

    def legal_basis(self, purpose: str) -> LegalBasis | None:
        """The basis of the flow for `purpose`, or of a purpose without a flow (audit)."""
        return self.purpose_bases.get(purpose)

    def misfits(self, dossier: Mapping[str, Any]) -> list[Misfit]:
        """Where a JSON dossier does not fit its categories' fields; [] when it fits."""
        return dossier_misfits(self.field_validators, dossier)

    def to_dict(self) -> dict[str, Any]:
        """The catalog in force for `GET /v1/policies`: version, region and flows."""
        return dict(self._public)


# One check of `rules.py`: None when the request passes it.
Check = Callable[[Request, Flow, Route, Facts, Catalog], Failure | None]
