"""The shape of the catalog YAML, validated on load (unknown keys are errors).

These models only describe the files; `references.py` checks that the names they use
exist, and `compiled.py` turns them into the frozen structures the engine reads.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

ActionName = Literal["send", "release"]
PreconditionName = Literal["sender_related", "aanmelding", "inzage", "informed", "participant"]
ParentsNeeded = Literal["one", "both"]
# When a conditional obligation applies; the predicates live in `rules.py`.
ObligationWhen = Literal[
    "no_consent",
    "pupil_16_plus",
    "parents_to_be_told",
    "not_told_reason",
    "meldcode_step_skipped",
    "thuiszitter",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OrgKind(_Strict):
    label: str
    description: str


class Party(_Strict):
    """A non-organisation end of a flow: the data subject, the verwijsindex."""

    label: str
    description: str


class Purpose(_Strict):
    label: str
    description: str
    # Only for a purpose without a flow (audit.toezicht, leerling.inschrijving): a flow
    # names its own basis.
    legal_basis: str | None = None
    # The org kinds that act under a purpose without a flow; empty: any organisation.
    actors: tuple[str, ...] = ()


class LegalBasis(_Strict):
    statute: str
    avg_ground: str
    kind: Literal[
        "legal_obligation",
        "public_task",
        "consent",
        # A party's own statutory task for what it may share anyway, consent for the rest.
        "task_and_consent",
        "statutory_power",
        "data_subject_right",
        "special_category",
        "accountability",
    ]
    description: str
    # The article number comes from a secondary source (reference/legal-rules.md [VERIFY]);
    # `unverified` then says exactly what is not confirmed and why (checked on load).
    verify: bool = False
    unverified: str | None = None


class Category(_Strict):
    label: str
    source: Literal["oso", "gateway"]
    special: bool = False
    # OSO structure (metadata, ouderinzage): carried by the dossier, never content.
    structure: bool = False
    # A content category's fields: a closed JSON Schema a JSON dossier's value must fit
    # (`fields.py`), and an example that fits it. Required for every content category.
    fields: dict[str, Any] | None = None
    example: Any = None


class AgeBand(_Strict):
    min_age: int = Field(ge=0)
    max_age: int | None = None
    parents: bool
    pupil: bool


class AgeRule(_Strict):
    statute: str
    description: str
    bands: tuple[AgeBand, ...]


class RetentionClass(_Strict):
    term: str
    basis: str
    # Where the term is a fixed number of years the gateway can count itself (from the
    # record's own start: see where each record is stamped); None where it runs from an
    # event the gateway does not see (leaving the school, the end of care) or is each
    # party's own.
    years: int | None = Field(default=None, ge=1, le=100)
    # A short technical term in days (an idempotency record), counted the same way.
    days: int | None = Field(default=None, ge=1, le=366)
    # A class that is each party's own (`own_term`): the class each writer kind (an org
    # kind or a party) keeps what it writes under. Every kind that may send under a flow
    # with this class must be named (`references.flow_errors`).
    by_writer: dict[str, str] = {}

    @model_validator(mode="after")
    def _resolved_or_counted(self) -> RetentionClass:
        if self.by_writer and self.years is not None:
            raise ValueError("a class resolved per writer has no years of its own")
        return self


class Taxonomy(_Strict):
    org_kinds: dict[str, OrgKind]
    parties: dict[str, Party]
    roles: dict[str, str]
    grantor_roles: dict[str, Literal["parent", "pupil"]]
    purposes: dict[str, Purpose]
    legal_bases: dict[str, LegalBasis]
    categories: dict[str, Category]
    age_rules: dict[str, AgeRule]
    retention_classes: dict[str, RetentionClass]
    obligations: dict[str, str]
    safeguards: dict[str, str]
    meldcode_steps: dict[str, str]
    # Steps a report may skip with a recorded reason, and when (a subset of the steps).
    meldcode_skippable: dict[str, str] = {}


class CategoryLists(_Strict):
    mandatory: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    # Allowed only under a consent that satisfies the flow's age rule.
    with_consent: tuple[str, ...] = ()
    # Shared on the sender's own statutory task: no consent needed, even on a flow that
    # otherwise rests on consent (knooppunt: leerplicht's closed list, DOMAIN §3 row 11).
    own_task: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()


class SenderRelation(_Strict):
    """The standing a sender must have with the pupil to say anything about them.

    Any one of the named relations is enough. The gateway looks them up in its own
    records; the engine sees only the outcome, the precondition `sender_related`.
    """

    # The sender holds an active aanmelding or inschrijving of the pupil (DOMAIN §7).
    enrolled: bool = False
    # The sender received a transfer about the pupil under one of these purposes.
    received: tuple[str, ...] = ()
    # The sender takes part in an open case about the pupil (knooppunt, OT, MDO).
    case: bool = False
    # The sender registered the parents' consent for this flow about the pupil.
    registered_consent: bool = False
    # The sender sent or received any transfer about the pupil: it holds data about them.
    holds_data: bool = False


class Route(_Strict):
    senders: tuple[str, ...]
    recipients: tuple[str, ...]
    oso_profile: str | None = None
    categories: CategoryLists
    # Required on every route of a flow whose `send` names `sender_related`.
    sender_relation: SenderRelation | None = None


class AgeScope(_Strict):
    """The ages a flow is for, by law; outside them the engine denies `out_of_scope`."""

    min_age: int = Field(default=0, ge=0)
    max_age: int = Field(ge=0)
    statute: str = Field(min_length=1)
    # The actions judged by it. An overstap is judged when it is sent: a pupil who has a
    # birthday before the receiving school reads the dossier is still the same pupil.
    actions: tuple[ActionName, ...] = Field(default=("send", "release"), min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> AgeScope:
        if self.max_age < self.min_age:
            raise ValueError(f"max_age {self.max_age} is below min_age {self.min_age}")
        return self


class SpecialGround(_Strict):
    basis: str
    # The consent must name the category itself (AVG art. 9(2)(a)).
    explicit_consent: bool = False


class ConsentSpec(_Strict):
    # True: the flow itself rests on consent. False: only `with_consent` categories do.
    required: bool
    rule: str
    parents: ParentsNeeded | Literal["region"] = "region"


class ConditionalObligation(_Strict):
    obligation: str
    when: ObligationWhen


class Preconditions(_Strict):
    send: tuple[PreconditionName, ...] = ()
    release: tuple[PreconditionName, ...] = ()


class FlowSpec(_Strict):
    purpose: str
    title: str
    legal_basis: str
    routes: tuple[Route, ...] = Field(min_length=1)
    special_grounds: dict[str, SpecialGround] = {}
    consent: ConsentSpec | None = None
    requester_rule: str | None = None
    # For a dossier of this flow asked under a rights flow: who may see it, by age, where
    # the sector law gives more than the AVG (the parents keep the OKR until 18).
    inzage_rule: str | None = None
    preconditions: Preconditions = Preconditions()
    # `informed` may be waived by a recorded reason why telling was unsafe.
    inform_waivable: bool = False
    break_glass: bool = False
    age_scope: AgeScope | None = None
    region_feature: Literal["verwijsindex"] | None = None
    # The kinds of absence (`verzuim_melding.soort`) reportable only from the region's
    # hours threshold; every other kind is reportable at any number of hours.
    verzuim_threshold: tuple[str, ...] = ()
    obligations: tuple[str, ...] = ()
    conditional_obligations: tuple[ConditionalObligation, ...] = ()
    retention: str
    bsn_allowed: bool = False
    safeguards: tuple[str, ...] = ()
    # A flow whose exchanges happen at a case (knooppunt): the standing a party needs
    # with the pupil to start one. Never `case` or `registered_consent`: both are made
    # at a case, and a case one started oneself is no standing to start it.
    create_relation: SenderRelation | None = None


class Flows(_Strict):
    flows: tuple[FlowSpec, ...]


class FlowOverride(_Strict):
    enabled: bool = True
    parents: ParentsNeeded | None = None


class RegionSettings(_Strict):
    verwijsindex: bool
    parents: ParentsNeeded
    verzuim_threshold_hours: float = Field(gt=0)
    verzuim_window_weeks: int = Field(gt=0)
    thuiszitter_weeks: int = Field(gt=0)


class Region(_Strict):
    region: str
    name: str
    settings: RegionSettings
    flows: dict[str, FlowOverride] = {}
