"""Requests for the property tests, drawn from a `random.Random` so their mix can be measured.

Most requests are built to fit a route of the catalog (its categories, an age its rules
accept, the consent its age rule asks for, every precondition met) so the permit-side
properties have permits to check; some of those are then spoilt in one respect, and
some are anything at all, to reach the denies and the unknowns.
"""

from __future__ import annotations

import dataclasses
import random
import string
from typing import Any

from policies.catalog import Catalog, load_catalog
from policies.compiled import Binding
from policies.model import ConsentState, Preconditions, Request

CATALOG = load_catalog()
ROUTES = sorted(CATALOG.routes)
KINDS = sorted(CATALOG.party_kinds)
CATEGORIES = sorted(CATALOG.categories)
STRANGE = ["", "school_mbo", "bsn", "GEZONDHEID", "overdracht.po_vo ", "*", "leerling\x00"]
GRANTORS = ["parent", "guardian", "pupil", "teacher", ""]
ACTIONS = ["send", "release", "release", "bogus"]
# Route keys per flow: a flow is drawn first, so a flow with many routes (knooppunt)
# does not crowd out the others.
BY_FLOW = [[key for key in ROUTES if key[0] == flow] for flow in sorted(CATALOG.flows)]
# Of 20 requests: 9 fit a route, 7 fit one but are spoilt, 4 are anything at all.
FITTING, SPOILT = 9, 16


def draw_request(rng: random.Random) -> Request:
    """One request: usually one the packaged catalog should permit, else one it should deny."""
    kind = rng.randrange(20)
    if kind >= SPOILT:
        return _anything(rng, CATALOG)
    request = _fitting(rng, CATALOG, rng.choice(rng.choice(BY_FLOW)))
    return request if kind < FITTING else _spoilt(rng, CATALOG, request)


def _fitting(rng: random.Random, catalog: Catalog, key: tuple[str, str, str]) -> Request:
    found = catalog.routes[key]
    flow, route = found.flow, found.route
    action = rng.choice(["send", "release"])
    extra = sorted(route.optional | route.with_consent)
    chosen = frozenset(rng.sample(extra, rng.randint(0, len(extra))))
    if action == "send":
        categories = route.mandatory | chosen
    else:
        categories = chosen or frozenset([rng.choice(sorted(route.allowed))])
    scope = flow.age_scope
    age = rng.randint(scope.min_age, scope.max_age) if scope is not None else rng.randint(0, 25)
    return Request(
        sender_kind=key[1],
        recipient_kind=key[2],
        purpose=key[0],
        categories=categories,
        subject_age=age,
        consent=_consent(rng, found, age, categories),
        preconditions=Preconditions(True, True, True, True, True),
        action=action,  # type: ignore[arg-type]
        meldcode_steps=catalog.meldcode_steps,
        reasons=("bruises",),
        parents_told=rng.random() < 0.5,
        requester=_requester(rng, found, age),
        absence_hours=catalog.settings.verzuim_threshold_hours + rng.randint(0, 20),
    )


def _consent(
    rng: random.Random, found: Binding, age: int, categories: frozenset[str]
) -> ConsentState | None:
    """The grantors the flow's age rule asks for, naming the categories that need it."""
    rule = found.flow.consent
    if rule is None:
        return None if rng.random() < 0.7 else ConsentState(("parent",))
    need_parents, need_pupil = rule.age_rule.at(age)
    parents = ["parent", "guardian"][: rule.parents_needed] if need_parents else []
    grantors = (*parents, *(["pupil"] if need_pupil else []))
    named = categories & found.route.needs_explicit
    scope = None if not named and rng.random() < 0.5 else categories & found.route.needs_consent
    return ConsentState(grantors, scope)


def _requester(rng: random.Random, found: Binding, age: int) -> str | None:
    rule = found.flow.requester_rule
    if rule is None:
        return rng.choice([None, "parent", "pupil"])
    parents, _ = rule.at(age)
    return rng.choice(["parent", "guardian"]) if parents else "pupil"


def _spoilt(rng: random.Random, catalog: Catalog, request: Request) -> Request:
    """The same request with one thing changed that the flow checks: mostly a deny."""
    found = catalog.routes[(request.purpose, request.sender_kind, request.recipient_kind)]
    flow, route = found.flow, found.route
    outsiders = sorted(route.forbidden or catalog.categories - route.allowed) or CATEGORIES
    changes: dict[str, Any] = {
        "categories": frozenset([*request.categories, rng.choice(outsiders)]),
        "subject_age": rng.choice([None, -1, rng.randint(0, 30)]),
        "action": rng.choice(["send", "release", "bogus"]),
        "sender_kind": rng.choice(KINDS),
    }
    if flow.consent is not None:
        changes["consent"] = _other_consent(rng, request.consent)
    if flow.preconditions.get(request.action):
        unmet = rng.choice(flow.preconditions[request.action])
        changes["preconditions"] = dataclasses.replace(request.preconditions, **{unmet: False})
    if flow.break_glass:
        changes["meldcode_steps"] = frozenset(rng.sample(sorted(catalog.meldcode_steps), 3))
        changes["reasons"] = rng.choice([(), ("",), (" ",)])
    if flow.requester_rule is not None:
        changes["requester"] = rng.choice([None, "uncle", "parent", "pupil"])
    if flow.verzuim_threshold:
        changes["absence_hours"] = rng.uniform(0, catalog.settings.verzuim_threshold_hours - 1)
    name = rng.choice(sorted(changes))
    return dataclasses.replace(request, **{name: changes[name]})


def _other_consent(rng: random.Random, consent: ConsentState | None) -> ConsentState | None:
    if consent is None or rng.random() < 0.3:
        return None
    kept = tuple(g for g in consent.granted_by if rng.random() < 0.5)
    scope = consent.categories
    if scope is not None and scope:
        scope = frozenset(rng.sample(sorted(scope), len(scope) - 1))
    return ConsentState(kept, rng.choice([scope, frozenset()]))


def _anything(rng: random.Random, catalog: Catalog) -> Request:
    """Names from the catalog, near misses and random text, in any combination."""
    words = [*sorted(catalog.purposes), *STRANGE]
    random_text = "".join(rng.choices(string.printable, k=rng.randint(0, 12)))
    names = [*CATEGORIES, *STRANGE]
    return Request(
        sender_kind=rng.choice([*KINDS, *STRANGE]),
        recipient_kind=rng.choice([*KINDS, *STRANGE]),
        purpose=rng.choice([*words, random_text]),
        categories=frozenset(rng.sample(names, rng.randint(0, 8))),
        subject_age=rng.choice([None, rng.randint(-3, 30)]),
        consent=rng.choice([None, ConsentState(tuple(rng.choices(GRANTORS, k=rng.randint(0, 4))))]),
        preconditions=Preconditions(*(rng.random() < 0.5 for _ in range(5))),
        action=rng.choice(ACTIONS),  # type: ignore[arg-type]
        meldcode_steps=frozenset(rng.sample(sorted(catalog.meldcode_steps), rng.randint(0, 5))),
        reasons=tuple(rng.choices(["", " ", "bruises"], k=rng.randint(0, 2))),
        not_told_reason=rng.choice([None, "", "unsafe"]),
        requester=rng.choice([None, "parent", "pupil", "guardian", "uncle"]),
        absence_hours=rng.choice([None, rng.uniform(0, 40)]),
    )
