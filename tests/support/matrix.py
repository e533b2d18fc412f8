"""The access matrix: cases generated from the policy catalog and the served routes.

Nothing here lists a flow, an organisation kind or a category by hand: every dimension
is read from `load_catalog()` (flows, routes, category sets, age scopes, consent and
age rules, preconditions) and the endpoints from the served OpenAPI document. A flow
or an endpoint added tomorrow is in the matrix tomorrow.

A *scenario* is one attempted exchange: a flow, a sender and a recipient kind on one of
its routes, a dossier of one category class, a pupil of one age band, a consent state
and a precondition state. A *case* is one party (sender, recipient, bystander, the
owner's privacy officer, an organisation without the transfer scopes) at one endpoint in
a scenario. Where the flow asks for case participants, the scenario has a case about its
pupil (the recipient at the table or not: the `participant` precondition state); on the
flow the TLV procedure opens on, it has a procedure between its parties.

The expected outcome is worked out here from the catalog's sets with plain set logic,
without the engine: which checks can fail is collected as a *set* of deny codes (order
free), and what a recipient may see is `route.allowed`, cut by what the consent covers.
"""

from __future__ import annotations

import copy
import itertools
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from gateway.tlv.service import REQUEST as TLV_REQUEST
from policies.compiled import Catalog, Flow, Route
from policies.schema import Taxonomy

# What the brief calls the category classes of a dossier.
CATEGORY_CLASSES = ("allowed", "optional", "forbidden", "unknown", "gezondheid")
# (name, an age in the band per scenario, cycled). 18+ reaches 23, past the verwijsindex.
AGE_BANDS: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("under12", (4, 8, 11, 6)),
    ("12-15", (12, 14, 15, 13)),
    ("16-17", (16, 17)),
    ("18plus", (18, 19, 23)),
)
# "withdrawn" and "expired": in force when pushed, no longer when read.
CONSENT_STATES = ("none", "active", "withdrawn", "expired", "other_recipient", "other_categories")
PRECONDITION_STATES: tuple[frozenset[str], ...] = (
    frozenset(),
    frozenset({"aanmelding"}),
    frozenset({"aanmelding", "inzage"}),
    frozenset({"aanmelding", "inzage", "informed"}),
    frozenset({"informed"}),
    # A case about the pupil at which both take part, the recipient with a mandate.
    frozenset({"participant"}),
)
UNKNOWN_CATEGORY = "geheime_notities"
# The entry the sender writes in the world's case (every kind at the table may).
CASE_ENTRY = "leerling"
# The HTTP status of each deny code (API.md); any other deny is a 403.
DENY_STATUS = {
    "category_forbidden": 422,
    "category_missing": 422,
    "out_of_scope": 422,
    "inzage_missing": 409,
    # What a TLV request lacks for the procedure (gateway.tlv).
    "opp_missing": 422,
    "parents_not_heard": 422,
}
PRECONDITION_CODES = {
    "aanmelding": "no_enrolment",
    "inzage": "inzage_missing",
    "informed": "not_informed",
    "participant": "not_participant",
}


@dataclass(frozen=True)
class Scenario:
    key: str
    flow: str
    sender_kind: str
    recipient_kind: str
    bystander_kind: str
    category_class: str
    age_band: str
    age: int
    consent: str
    preconditions: frozenset[str]
    categories: frozenset[str]
    # Worked out from the catalog (see `expect`).
    push_denies: frozenset[str]
    read_denies: frozenset[str]
    released: frozenset[str]
    consent_categories: frozenset[str] | None
    grantors: tuple[str, ...]
    consent_flow: bool
    waits_for_inzage: bool
    # Where the flow asks for case participants: the world starts a case about the
    # pupil (the sender its first participant, with one `leerling` entry), and this is
    # what of that entry the engine releases to the recipient at the table.
    case_flow: bool = False
    case_released: frozenset[str] = frozenset()
    # The flow the TLV procedure opens on: the world also runs one procedure.
    tlv_flow: bool = False

    @property
    def at_the_table(self) -> bool:
        """The recipient takes part in the case (with a mandate)."""
        return self.case_flow and "participant" in self.preconditions

    @property
    def push_permitted(self) -> bool:
        return not self.push_denies

    @property
    def read_permitted(self) -> bool:
        return self.push_permitted and not self.read_denies

    @property
    def has_consent(self) -> bool:
        return self.consent_categories is not None

    @property
    def listed_to_recipient(self) -> bool:
        """A recipient's inbox never shows what awaits the parents' inzage."""
        return self.push_permitted and (not self.waits_for_inzage or "inzage" in self.preconditions)


@dataclass(frozen=True)
class Case:
    scenario: Scenario
    party: str
    endpoint: str

    @property
    def id(self) -> str:
        return f"{self.scenario.key}-{self.party}-{self.endpoint}"


@dataclass
class Matrix:
    scenarios: list[Scenario]
    cases: list[Case]
    endpoints: list[str]
    stats: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        flows = {s.flow for s in self.scenarios}
        kinds = {k for s in self.scenarios for k in (s.sender_kind, s.recipient_kind)}
        bystanders = {s.bystander_kind for s in self.scenarios}
        return (
            f"access matrix: {len(self.cases)} cases from {len(self.scenarios)} scenarios "
            f"(flows {len(flows)}, kinds as party {len(kinds)}, bystander kinds "
            f"{len(bystanders)}, category classes {len(CATEGORY_CLASSES)}, age bands "
            f"{len(AGE_BANDS)}, consent states {len({s.consent for s in self.scenarios})}, "
            f"precondition states {len({s.preconditions for s in self.scenarios})}, "
            f"endpoints {len(self.endpoints)}; push permits {self.stats['push_permit']}, "
            f"push denies {self.stats['push_deny']}, read permits {self.stats['read_permit']}, "
            f"read denies {self.stats['read_deny']})"
        )


def transfer_flows(catalog: Catalog) -> list[Flow]:
    """The flows that move data from one organisation to another: the transfer API's."""
    kinds = catalog.org_kinds
    return [
        flow
        for flow in sorted(catalog.flows.values(), key=lambda f: f.id)
        if flow.enabled
        and any(route.senders & kinds and route.recipients & kinds for route in flow.routes)
    ]


def dossier_categories(route: Route, flow: Flow, category_class: str) -> frozenset[str]:
    """The categories of a dossier of `category_class` on `route`: always the mandatory
    ones, plus one of the class (the mandatory alone when the route has none of it)."""
    base = set(route.mandatory) or set(sorted(route.allowed)[:1])
    plain_optional = sorted(
        (route.optional | route.own_task) - route.needs_consent - {"gezondheid"}
    )
    consent_optional = sorted(route.with_consent - {"gezondheid"})
    if category_class == "allowed":
        return frozenset(base | set(plain_optional[:2]))
    if category_class == "optional":
        pick = consent_optional or plain_optional
        return frozenset(base | set(pick[-1:]))
    if category_class == "forbidden":
        named = sorted(route.forbidden - {"gezondheid"}) or sorted(
            _catalog_categories(flow) - route.allowed
        )
        return frozenset(base | set(named[:1]))
    if category_class == "unknown":
        return frozenset(base | {UNKNOWN_CATEGORY})
    return frozenset(base | {"gezondheid"})


def _catalog_categories(flow: Flow) -> frozenset[str]:
    # Every category named anywhere in this flow's routes, plus the special one.
    names: set[str] = {"gezondheid"}
    for route in flow.routes:
        names |= route.allowed | route.forbidden
    return frozenset(names)


def grantors_for(flow: Flow, catalog: Catalog, age: int) -> tuple[str, ...]:
    """The grantors the catalog's age rule asks at `age`: the right people, no more."""
    if flow.consent is None:
        return ()
    parents, pupil = flow.consent.age_rule.at(age)
    roles: list[str] = []
    if parents:
        roles += ["parent", "guardian"][: flow.consent.parents_needed]
    if pupil:
        roles.append("pupil")
    return tuple(roles)


def expect(
    catalog: Catalog,
    flow: Flow,
    route: Route,
    *,
    categories: frozenset[str],
    age: int,
    consent: str,
    preconditions: frozenset[str],
) -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str] | None]:
    """(deny codes at push, deny codes at read, released, consent categories).

    Every check that can fail adds its code; the product must answer with one of them
    (which one first is the engine's fixed order, not asserted here).
    """
    known = catalog.categories
    consent_categories: frozenset[str] | None = None
    if flow.consent is not None and consent != "none":
        named = categories & flow.categories & known
        if consent == "other_categories":
            others = sorted(flow.categories - categories - {"gezondheid"})
            named = frozenset(others[:1]) or frozenset(sorted(flow.categories)[:1])
        consent_categories = named
    # A consent counts for a request only when it names the recipient and every category.
    covers_push = (
        consent in ("active", "withdrawn", "expired")
        and consent_categories is not None
        and categories <= consent_categories
    )
    covers_read = consent == "active" and covers_push

    push: set[str] = set()
    scope = flow.age_scope
    if scope is not None and "send" in scope.actions and not scope.covers(age):
        push.add("out_of_scope")
    if categories - known or categories - route.allowed:
        push.add("category_forbidden")
    if route.mandatory - categories:
        push.add("category_missing")
    for name in flow.preconditions.get("send", ()):
        if name == "sender_related":
            # The world's senders hold the standing their route asks (the test gateway
            # gives it, tests/support/standing.py), except a voorschool's, which is the
            # consent it registered: without one it has none.
            relation = route.sender_relation
            if relation is not None and relation.registered_consent and consent == "none":
                push.add("sender_not_related")
        elif name not in preconditions:
            push.add(PRECONDITION_CODES[name])
    needing = categories & route.needs_consent
    # Own-task categories (leerplicht at the knooppunt) need no consent; the rest does.
    whole = flow.consent is not None and flow.consent.required and not route.own_task
    if flow.consent is not None and (whole or needing) and not covers_push:
        push.add("consent_missing")

    read: set[str] = set()
    if scope is not None and "release" in scope.actions and not scope.covers(age):
        read.add("out_of_scope")
    for name in flow.preconditions.get("release", ()):
        if name not in preconditions:
            read.add(PRECONDITION_CODES[name])
    released = categories & route.allowed
    if flow.consent is not None and (whole or needing) and not covers_read:
        if whole:
            read.add("consent_missing")
        released -= needing
        if not released:
            read.add("consent_missing")
    if read:
        released = frozenset()
    return frozenset(push), frozenset(read), frozenset(released), consent_categories


def case_release(catalog: Catalog, flow: Flow, route: Route, age: int) -> frozenset[str]:
    """What of the sender's `leerling` entry in the case a recipient at the table reads:
    a read of that one category by a participant with a mandate, under no case consent
    (the world's consents name no case)."""
    _, denies, released, _ = expect(
        catalog,
        flow,
        route,
        categories=frozenset({CASE_ENTRY}),
        age=age,
        consent="none",
        preconditions=frozenset({"participant"}),
    )
    return frozenset() if denies else released


def served_endpoints(openapi: Mapping[str, Any]) -> list[str]:
    """`METHOD path` of every operation the app serves under /v1."""
    found = []
    for path, operations in openapi["paths"].items():
        for method in operations:
            if path.startswith("/v1/"):
                found.append(f"{method.upper()} {path}")
    return sorted(found)


# The operations on one case and on one TLV, by id: a stranger's answer is that of an
# unknown id, an organisation without the transfer scopes gets 403 whatever the id.
CASE_BY_ID = (
    "GET /v1/cases/{case_id}",
    "GET /v1/cases/{case_id}/entries",
    "GET /v1/cases/{case_id}/entries/{entry_id}",
    "POST /v1/cases/{case_id}/entries",
    "POST /v1/cases/{case_id}/participants",
    "POST /v1/cases/{case_id}/participants/{org_id}/leave",
    "POST /v1/cases/{case_id}/close",
    "POST /v1/cases/{case_id}/mdo",
    "POST /v1/cases/{case_id}/evaluation",
)
TLV_BY_ID = (
    "GET /v1/tlvs/{tlv_id}",
    "POST /v1/tlvs/{tlv_id}/advices",
    "POST /v1/tlvs/{tlv_id}/decision",
)
# Which case exercises which served operation. An operation of /v1 that no case names
# and that is not listed as out of the matrix fails `test_every_endpoint_is_covered`.
CASE_ENDPOINTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("sender", "push"): ("POST /v1/transfers",),
    ("sender", "outbox"): ("GET /v1/transfers",),
    ("sender", "inzage"): ("POST /v1/transfers/{transfer_id}/inzage",),
    ("recipient", "read"): ("GET /v1/transfers/{transfer_id}",),
    ("recipient", "read_other_purpose"): ("GET /v1/transfers/{transfer_id}",),
    ("recipient", "inbox"): ("GET /v1/transfers",),
    ("recipient", "acknowledge"): ("POST /v1/transfers/{transfer_id}/acknowledge",),
    ("recipient", "consent_read"): ("GET /v1/consents/{consent_id}",),
    ("bystander", "read"): ("GET /v1/transfers/{transfer_id}",),
    ("bystander", "acknowledge"): ("POST /v1/transfers/{transfer_id}/acknowledge",),
    ("bystander", "inzage"): ("POST /v1/transfers/{transfer_id}/inzage",),
    ("bystander", "restriction_lift"): ("POST /v1/transfers/{transfer_id}/restriction/lift",),
    ("bystander", "lists"): ("GET /v1/transfers",),
    ("bystander", "consent_read"): ("GET /v1/consents/{consent_id}",),
    ("bystander", "consent_withdraw"): ("POST /v1/consents/{consent_id}/withdraw",),
    ("bystander", "consent_search"): ("POST /v1/consents/search",),
    ("bystander", "consent_notifications"): ("GET /v1/consents/notifications",),
    ("bystander", "consent_renewals"): ("GET /v1/consents",),
    ("bystander", "audit"): (
        "GET /v1/audit/events",
        "POST /v1/audit/events/search",
        "GET /v1/audit/logboek",
    ),
    ("owner_officer", "audit"): ("GET /v1/audit/events", "POST /v1/audit/events/search"),
    # Cases: the world's case about the scenario's pupil, started by the sender.
    ("sender", "case_list"): (
        "POST /v1/cases",
        "GET /v1/cases",
        "POST /v1/cases/{case_id}/entries",
    ),
    ("recipient", "case_read"): (
        "GET /v1/cases/{case_id}",
        "GET /v1/cases/{case_id}/entries",
        "GET /v1/cases/{case_id}/entries/{entry_id}",
    ),
    ("recipient", "case_other_purpose"): ("GET /v1/cases/{case_id}",),
    ("bystander", "case"): CASE_BY_ID,
    ("bystander", "case_lists"): ("GET /v1/cases",),
    ("unscoped", "case"): CASE_BY_ID,
    # TLVs: the recipient SWV opens one on the scenario's request; the world runs one
    # procedure on a request that carries the OPP.
    ("recipient", "tlv_open"): ("POST /v1/tlvs",),
    ("sender", "tlv_read"): ("GET /v1/tlvs/{tlv_id}",),
    ("bystander", "tlv_open"): ("POST /v1/tlvs",),
    ("bystander", "tlv"): TLV_BY_ID,
    ("bystander", "tlv_lists"): ("GET /v1/tlvs",),
    ("unscoped", "tlv"): (*TLV_BY_ID, "POST /v1/tlvs", "GET /v1/tlvs"),
}
# Served operations that carry no pupil's exchange data to a party, so no access case:
# registration of the school's own facts, the catalog, the officer's review queue.
OUT_OF_MATRIX = {
    "POST /v1/enrolments": "the school's own registration; used to set up aanmelding",
    "PATCH /v1/enrolments/{enrolment_id}": "the school's own registration",
    "POST /v1/consents": "used to set up every consent state",
    "POST /v1/subjects/gezag": "the school's own registration; used to set up gezag",
    "POST /v1/subjects/correction": "the school's own registration",
    "GET /v1/policies": "the public catalog, the same for everyone",
    "POST /v1/policies/evaluate": "a dry run on the caller's own question; holds no data",
    "GET /v1/audit/reviews": "break-glass reviews of the officer's own organisation",
    "GET /v1/audit/register": "the officer's own register of processing; no personal data",
    "GET /v1/audit/checkpoint": "the log's signed tree head: sizes and hashes, no entry",
    "GET /v1/audit/proof/{seq}": (
        "hashes proving one entry of the officer's own organisation; another's entry is a "
        "404, tested in tests/audit/test_proofs.py"
    ),
    "GET /v1/audit/consistency": "hashes linking two checkpoints; no entry, no pupil",
    "POST /v1/audit/reviews/{review_id}": "break-glass reviews of the officer's own organisation",
    "POST /v1/audit/reviews/{review_id}/restriction/lift": (
        "break-glass reviews of the officer's own organisation"
    ),
    "POST /v1/rights/refusals": (
        "the controller's own answer to a rights request: it records a refusal, moves no data"
    ),
    "POST /v1/rights/inzage/report": (
        "the officer's report of what its own organisation holds; no exchange between parties. "
        "tests/web/test_rights_requests.py checks that an organisation holding nothing gets "
        "the unknown pupil's 404, and the purpose and scope refusals"
    ),
    "GET /v1/rights/requests": (
        "the controller's own requests only; tests/web/test_rights_requests.py checks "
        "another controller sees none"
    ),
    "POST /v1/rights/requests/{request_id}/decision": (
        "the controller's answer to its own request; another's is a 404 as an unknown id "
        "(tests/web/test_rights_requests.py)"
    ),
    "POST /v1/cases/{case_id}/export": (
        "the signed bundle is exactly the participant's own entries read (tests/cases/"
        "test_export.py checks equality, strangers, leavers and the signature)"
    ),
    **{
        endpoint: "the verwijsindex moves no dossier between a sender and a recipient: it "
        "answers each organisation about its own signals only; tests/signals covers reporter "
        "kinds, strangers, the age scope, the region switch and the absence of content in "
        "every answer for each of these"
        for endpoint in (
            "POST /v1/signals",
            "GET /v1/signals",
            "GET /v1/signals/matches",
            "GET /v1/signals/notifications",
            "GET /v1/signals/archive",
            "DELETE /v1/signals/{signal_id}",
            "POST /v1/signals/{signal_id}/informed",
            "POST /v1/signals/matches/{match_id}/regie",
            "POST /v1/signals/deaths",
        )
    },
    **{
        endpoint: "the organisation's own webhooks, deliveries and notifications (ids, event "
        "names and its own pseudonyms; never a dossier): tests/delivery covers that another "
        "organisation's webhook, delivery or notification is a 404 like an unknown id"
        for endpoint in (
            "POST /v1/webhooks",
            "GET /v1/webhooks",
            "DELETE /v1/webhooks/{webhook_id}",
            "GET /v1/webhooks/deliveries",
            "POST /v1/webhooks/deliveries/{delivery_id}/replay",
            "GET /v1/notifications",
        )
    },
}


def cases_of(scenario: Scenario) -> list[Case]:
    chosen = ["push", "outbox"]
    parties: list[tuple[str, str]] = [("sender", name) for name in chosen]
    if scenario.push_permitted and "inzage" in scenario.preconditions:
        parties.append(("sender", "inzage"))
    if scenario.push_permitted:
        parties += [
            ("recipient", "read"),
            ("recipient", "read_other_purpose"),
            ("recipient", "acknowledge"),
        ]
    parties.append(("recipient", "inbox"))
    if scenario.has_consent:
        parties.append(("recipient", "consent_read"))
    if scenario.push_permitted:
        parties += [("bystander", n) for n in ("read", "acknowledge", "inzage", "restriction_lift")]
    parties += [("bystander", "lists"), ("bystander", "consent_search")]
    parties += [("bystander", "consent_notifications"), ("bystander", "consent_renewals")]
    if scenario.has_consent:
        parties += [("bystander", "consent_read"), ("bystander", "consent_withdraw")]
    parties += [("bystander", "audit"), ("owner_officer", "audit")]
    if scenario.case_flow:
        parties += [
            ("sender", "case_list"),
            ("recipient", "case_read"),
            ("recipient", "case_other_purpose"),
            ("bystander", "case"),
            ("bystander", "case_lists"),
            ("unscoped", "case"),
        ]
    if scenario.tlv_flow:
        if scenario.read_permitted:
            parties += [("recipient", "tlv_open"), ("bystander", "tlv_open")]
        if scenario.push_permitted:
            parties += [("sender", "tlv_read"), ("bystander", "tlv"), ("unscoped", "tlv")]
        parties.append(("bystander", "tlv_lists"))
    return [Case(scenario, party, endpoint) for party, endpoint in parties]


def _cycle(values: tuple[Any, ...] | list[Any], index: int) -> Any:
    return values[index % len(values)]


def generate(catalog: Catalog, openapi: Mapping[str, Any]) -> Matrix:
    """Every transfer flow x every kind in every role x category class x age band, with
    consent state, precondition state and bystander kind spread pairwise over them."""
    scenarios: list[Scenario] = []
    seen: set[tuple[Any, ...]] = set()
    org_kinds = sorted(catalog.org_kinds)
    org_kinds_set = catalog.org_kinds
    # Each row moves the bystander on by stride + 1 kinds (the row and the scenario count
    # both grow): coprime with the number of kinds, every kind is a bystander in turn.
    stride = next(s for s in itertools.count(7) if math.gcd(s + 1, len(org_kinds)) == 1)
    for flow in transfer_flows(catalog):
        # Organisation to organisation: a route to the parents (data_subject) is the
        # portal's, not the transfer API's.
        routes = [
            r for r in flow.routes if r.senders & catalog.org_kinds and r.recipients & org_kinds_set
        ]
        consent_states = CONSENT_STATES if flow.consent is not None else ("none",)
        used_pre = set(flow.preconditions.get("send", ())) | set(
            flow.preconditions.get("release", ())
        )
        pre_states = tuple(dict.fromkeys(state & used_pre for state in PRECONDITION_STATES)) or (
            frozenset(),
        )
        # Per category class, `width` rows: each class meets every age band, every
        # consent state and every precondition state of the flow (pairwise), and the
        # shifts by class spread the remaining pairs (age x consent, consent x
        # precondition) over the classes.
        width = max(len(AGE_BANDS), len(consent_states), len(pre_states))
        base = [
            (
                category_class,
                AGE_BANDS[j % len(AGE_BANDS)],
                consent_states[(j + c) % len(consent_states)],
                pre_states[(j + 2 * c) % len(pre_states)],
            )
            for c, category_class in enumerate(CATEGORY_CLASSES)
            for j in range(width)
        ]
        # More rows where needed so that every sender and recipient kind of the flow
        # appears at least once.
        kinds_needed = max(
            max(len(r.senders) for r in routes) * len(routes),
            max(len(r.recipients) for r in routes) * len(routes),
        )
        rows = max(len(base), kinds_needed)
        for i in range(rows):
            category_class, (band, ages), consent, pre = base[i % len(base)]
            route = routes[i % len(routes)]
            senders, recipients = sorted(route.senders), sorted(route.recipients)
            sender = _cycle(senders, i // len(routes))
            recipient = _cycle(recipients, i // len(routes) + i // len(senders))
            bystander = _cycle(org_kinds, i * stride + len(scenarios))
            age = _cycle(ages, i // len(base) + i)
            categories = dossier_categories(route, flow, category_class)
            dedup = (flow.id, sender, recipient, categories, age, consent, pre)
            if dedup in seen:
                continue
            seen.add(dedup)
            push, read, released, named = expect(
                catalog,
                flow,
                route,
                categories=categories,
                age=age,
                consent=consent,
                preconditions=pre,
            )
            key = f"{flow.id}.{len(scenarios):04d}.{category_class}.{band}.{consent}"
            case_flow = "participant" in used_pre
            at_table = case_release(catalog, flow, route, age) if case_flow else frozenset()
            scenarios.append(
                Scenario(
                    key=key,
                    flow=flow.id,
                    sender_kind=sender,
                    recipient_kind=recipient,
                    bystander_kind=bystander,
                    category_class=category_class,
                    age_band=band,
                    age=age,
                    consent=consent,
                    preconditions=pre,
                    categories=categories,
                    push_denies=push,
                    read_denies=read,
                    released=released,
                    consent_categories=named,
                    grantors=grantors_for(flow, catalog, age),
                    consent_flow=flow.consent is not None,
                    waits_for_inzage="inzage" in flow.preconditions.get("release", ()),
                    case_flow=case_flow,
                    case_released=at_table,
                    tlv_flow=flow.id == TLV_REQUEST,
                )
            )
    cases = [case for scenario in scenarios for case in cases_of(scenario)]
    ids = [case.id for case in cases]
    duplicates = [name for name, count in Counter(ids).items() if count > 1]
    if duplicates:
        raise AssertionError(f"duplicate matrix cases: {duplicates[:5]}")
    stats: Counter[str] = Counter()
    for s in scenarios:
        stats["push_permit" if s.push_permitted else "push_deny"] += 1
        if s.push_permitted:
            stats["read_permit" if s.read_permitted else "read_deny"] += 1
    return Matrix(scenarios, cases, served_endpoints(openapi), stats)


def bsn_numbers(start: int) -> Iterable[str]:
    """Valid BSNs (11-proef), one after the other from `start`."""
    for n in itertools.count(start):
        digits = [int(d) for d in f"{n:08d}"]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        last = total % 11
        if last < 10 and digits[0] != 0:
            yield f"{n:08d}{last}"


def birth_date(age: int, today: date) -> str:
    """Born `age` years before `today`, the birthday 60 days past: the same age for
    the 40 days the world is built back in time."""
    birthday = today - timedelta(days=60)
    return date(birthday.year - age, birthday.month, birthday.day).isoformat()


def dossier(scenario: Scenario, taxonomy: Taxonomy) -> dict[str, Any]:
    """One marker per category, unique to the scenario: a marker seen where its category
    was not released is a leak."""
    return {
        name: payload(taxonomy, name, marker(scenario, name))
        for name in sorted(scenario.categories)
    }


def payload(taxonomy: Taxonomy, category: str, mark: str) -> Any:
    """The category's catalog example with `mark` in its first free-text field, so the
    payload fits the category's closed fields. A category the catalog does not know (it
    is refused before its fields matter) carries the mark as it comes; one whose fields
    are closed lists only (a verzuimmelding, a signaal) carries no mark, and only the
    exact-categories checks watch it."""
    spec = taxonomy.categories.get(category)
    if spec is None or spec.fields is None:
        return {"kenmerk": mark}
    value = copy.deepcopy(spec.example)
    _mark(spec.fields, value, mark)
    return value


def _mark(schema: dict[str, Any], value: Any, mark: str) -> bool:
    if schema.get("type") == "array" and isinstance(value, list) and value:
        items = schema.get("items", {})
        return isinstance(items, dict) and _mark(items, value[0], mark)
    if schema.get("type") != "object" or not isinstance(value, dict):
        return False
    for name, prop in sorted(schema.get("properties", {}).items()):
        if _free_text(prop, mark):
            value[name] = mark
            return True
    return False


def _free_text(field: dict[str, Any], mark: str) -> bool:
    return (
        field.get("type") == "string"
        and not {"enum", "pattern", "format", "const"} & set(field)
        and int(field.get("maxLength", len(mark))) >= len(mark)
    )


def marker(scenario: Scenario, category: str) -> str:
    return f"MX{scenario.key}/{category}"
