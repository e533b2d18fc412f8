"""`evaluate(request, catalog) -> Decision`: pure, and closed unless a flow says yes.

The engine finds the one route for (purpose, sender kind, recipient kind) with a dict
look-up, works out the released categories with set operations, and runs the checks of
`rules.CHECK_BY_NAME` that apply to the flow, in their fixed order. Anything it does not
know is a deny with a reason.
"""

from __future__ import annotations

from policies.compiled import PERMIT_MEMO_LIMIT, Binding, Catalog, Flow, Route
from policies.model import Decision, Request
from policies.outcome import Facts, Failure
from policies.rules import OBLIGATION_WHEN, consent_gap, uncovered

# One outcome per check, in order: (check name, its failure or None).
Step = tuple[str, Failure | None]


def evaluate(request: Request, catalog: Catalog) -> Decision:
    """The decision for `request` under `catalog`; never raises for unknown input."""
    return _evaluate(request, catalog, None)


def evaluate_traced(request: Request, catalog: Catalog) -> tuple[Decision, list[Step]]:
    """The same decision, with the outcome of every check (for `explain`)."""
    steps: list[Step] = []
    return _evaluate(request, catalog, steps), steps


def _evaluate(request: Request, catalog: Catalog, steps: list[Step] | None) -> Decision:
    if request.action == "register":
        return _register(request, catalog, steps)
    found = catalog.routes.get((request.purpose, request.sender_kind, request.recipient_kind))
    if found is None or request.action not in ("send", "release"):
        failure = _no_route(request, catalog)
        if steps is not None:
            steps.append(("flow", failure))
        return _deny(catalog, catalog.flows.get(request.purpose), failure)
    flow, route = found.flow, found.route
    if steps is not None:
        steps.append(("flow", None))
    facts = _facts(request, flow, route, catalog)
    first: Failure | None = None
    reasons: list[str] = []
    for name, check in flow.checks:
        outcome = check(request, flow, route, facts, catalog)
        if steps is not None:
            steps.append((name, outcome))
        if outcome is not None:
            first = first or outcome
            reasons.append(outcome.reason)
    if first is not None:
        return _deny(catalog, flow, first, tuple(reasons))
    return _permit(request, catalog, found, facts)


def _facts(request: Request, flow: Flow, route: Route, catalog: Catalog) -> Facts:
    allowed = request.categories & route.allowed
    needing = allowed & route.needs_consent
    gap = None
    # A route with own-task categories asks for consent only for what goes beyond them.
    if flow.consent is not None and (needing or (flow.consent.required and not route.own_task)):
        gap = consent_gap(request, flow.consent, catalog)
    if not needing:
        return _new_facts(Facts, (allowed, allowed, _NOTHING, gap))
    missing = uncovered(request, route, needing, gap)
    return _new_facts(Facts, (allowed, allowed - missing, missing, gap))


# The hot path: tuple.__new__ skips the Python-level __new__ of a NamedTuple (3x faster).
_new_facts = tuple.__new__
_NOTHING: frozenset[str] = frozenset()


def _no_route(request: Request, catalog: Catalog) -> Failure:
    if request.action not in ("send", "release"):
        return Failure("flow_not_allowed", "action", f"Unknown action {request.action!r}.")
    if request.purpose not in catalog.purposes:
        return Failure(
            "flow_not_allowed", "unknown_purpose", "The purpose is not in the policy catalog."
        )
    if request.purpose not in catalog.flows:
        return Failure(
            "flow_not_allowed", "no_flow", f"Purpose {request.purpose} is not an exchange flow."
        )
    unknown = {request.sender_kind, request.recipient_kind} - catalog.party_kinds
    if unknown:
        return Failure(
            "flow_not_allowed",
            "unknown_kind",
            f"Unknown organisation kind(s): {', '.join(sorted(repr(kind) for kind in unknown))}.",
        )
    return Failure(
        "flow_not_allowed",
        "kinds",
        f"Flow {request.purpose} does not carry data from "
        f"{request.sender_kind} to {request.recipient_kind}.",
    )


def _register(request: Request, catalog: Catalog, steps: list[Step] | None) -> Decision:
    """May the recipient kind register an aanmelding that opens this flow?"""
    flow = catalog.flows.get(request.purpose)
    failure = _register_failure(request, catalog, flow)
    if steps is not None:
        steps.append(("register", failure))
    if flow is None or failure is not None:
        return _deny(catalog, flow, failure or _NO_FLOW)
    return Decision(
        "permit",
        None,
        flow.id,
        flow.basis_label,
        f"{flow.id}/register/permit",
        (f"A {request.recipient_kind} may register an aanmelding for {flow.id}.",),
        (),
        catalog.version,
    )


_NO_FLOW = Failure("flow_not_allowed", "unknown_purpose", "The purpose is not an exchange flow.")


def _register_failure(request: Request, catalog: Catalog, flow: Flow | None) -> Failure | None:
    if flow is None:
        return _NO_FLOW
    if not flow.enabled:
        return Failure(
            "flow_disabled", "disabled", f"Region {catalog.region} has switched this flow off."
        )
    if request.recipient_kind not in flow.recipient_kinds:
        return Failure(
            "flow_not_allowed",
            "register",
            f"A {request.recipient_kind} is not a recipient of {flow.id}.",
        )
    if not any("aanmelding" in names for names in flow.preconditions.values()):
        return Failure(
            "flow_not_allowed", "register", f"Flow {flow.id} does not use an aanmelding."
        )
    return None


def _deny(
    catalog: Catalog, flow: Flow | None, first: Failure, reasons: tuple[str, ...] = ()
) -> Decision:
    prefix = flow.id if flow is not None else "catalog"
    # Positional: a frozen dataclass takes keyword arguments markedly slower.
    return Decision(
        "deny",
        first.code,
        flow.id if flow is not None else None,
        flow.basis_label if flow is not None else None,
        f"{prefix}/deny/{first.rule}",
        reasons or (first.reason,),
        (),
        catalog.version,
    )


def _permit(request: Request, catalog: Catalog, found: Binding, facts: Facts) -> Decision:
    flow = found.flow
    obligations = flow.permit_obligations
    if flow.conditional_obligations:
        extra = {
            name
            for name, when in flow.conditional_obligations
            if OBLIGATION_WHEN[when](request, catalog)
        }
        obligations = tuple(sorted(extra.union(obligations)))
    key = (request.categories, facts.released, obligations)
    decision = found.permits.get(key)
    if decision is None:
        decision = _new_permit(request, catalog, found, facts, obligations)
        if len(found.permits) < PERMIT_MEMO_LIMIT:
            found.permits[key] = decision
    return decision


def _new_permit(
    request: Request, catalog: Catalog, found: Binding, facts: Facts, obligations: tuple[str, ...]
) -> Decision:
    flow = found.flow
    reasons = found.permit_reasons
    if len(facts.released) != len(request.categories):
        withheld = request.categories - facts.released
        reasons = (*reasons, f"Withheld from the recipient: {', '.join(sorted(withheld))}.")
    # Positional, in the field order of `Decision`: effect, code, flow, legal_basis, rule,
    # reasons, obligations, policy_version, released, retention, bsn_allowed.
    return Decision(
        "permit",
        None,
        flow.id,
        flow.basis_label,
        found.permit_rule,
        reasons,
        obligations,
        catalog.version,
        facts.released,
        flow.retention.key,
        flow.bsn_allowed,
    )
