"""`explain(request, catalog)`: a decision step by step, for a privacy officer.

The outcomes come from `evaluate_traced`, the same run of the same checks that
`evaluate` makes; this module only puts into words what each check looked at.
"""

from __future__ import annotations

from collections.abc import Callable

from policies.compiled import Catalog, Flow, Route
from policies.engine import evaluate_traced
from policies.model import Decision, Request
from policies.rules import requester_rule

Describe = Callable[[Request, Flow, Route, Catalog], str]


def explain(request: Request, catalog: Catalog) -> list[str]:
    decision, steps = evaluate_traced(request, catalog)
    found = catalog.routes.get((request.purpose, request.sender_kind, request.recipient_kind))
    lines = [_request_line(request)]
    for number, (name, failure) in enumerate(steps, start=1):
        if name in ("flow", "register"):
            what = _flow_line(request, catalog) if failure is None else "Looking for a flow"
        elif found is not None:
            what = _DESCRIBE[name](request, found.flow, found.route, catalog)
        else:
            what = name
        outcome = "passed" if failure is None else f"FAILED: {failure.reason}"
        lines.append(f"{number}. {what}: {outcome}")
    lines.append(_result_line(decision, catalog))
    return lines


def _request_line(request: Request) -> str:
    age = "unknown" if request.subject_age is None else str(request.subject_age)
    categories = ", ".join(sorted(request.categories)) or "none"
    sender = request.sender_kind or "-"
    return (
        f"Request: {request.action} for purpose {request.purpose} from {sender} "
        f"to {request.recipient_kind}; pupil's age {age}; categories {categories}."
    )


def _flow_line(request: Request, catalog: Catalog) -> str:
    flow = catalog.flows[request.purpose]
    basis = flow.legal_basis
    verify = " (article to be verified)" if basis.verify else ""
    return (
        f"Flow {flow.id} ({flow.title}) applies from {request.sender_kind or '-'} to "
        f"{request.recipient_kind}, on {basis.statute}{verify} with {basis.avg_ground}"
    )


def _result_line(decision: Decision, catalog: Catalog) -> str:
    if not decision.permitted:
        return f"Result: DENY ({decision.code}) by rule {decision.rule}; nothing is released."
    released = ", ".join(sorted(decision.released)) or "nothing"
    obligations = ", ".join(decision.obligations) or "none"
    flow = catalog.flows.get(decision.flow or "")
    retention = flow.retention.term if flow is not None else "-"
    return (
        f"Result: PERMIT by rule {decision.rule}; released: {released}; "
        f"obligations: {obligations}; retention: {retention}."
    )


def _region(request: Request, flow: Flow, route: Route, catalog: Catalog) -> str:
    feature = f" and uses the {flow.region_feature}" if flow.region_feature else ""
    return f"Region {catalog.region} has this flow switched on{feature}"


def _age_scope(request: Request, flow: Flow, route: Route, catalog: Catalog) -> str:
    scope = flow.age_scope
    if scope is None:  # `plan` only runs this check on a flow with an age scope
        return "The flow covers every age"
    actions = " and ".join(sorted(scope.actions))
    return (
        f"The flow covers youths aged {scope.min_age} to {scope.max_age} "
        f"({scope.statute}) on {actions}"
    )


def _categories(request: Request, flow: Flow, route: Route, catalog: Catalog) -> str:
    forbidden = ", ".join(sorted(route.forbidden)) or "none"
    return (
        f"Categories must be known and allowed on this route ({len(route.allowed)} allowed; "
        f"forbidden: {forbidden}); on release the rest is withheld"
    )


def _mandatory(request: Request, flow: Flow, route: Route, catalog: Catalog) -> str:
    names = ", ".join(sorted(route.mandatory)) or "none"
    return f"When sending, the dossier must hold the mandatory categories ({names})"


def _preconditions(request: Request, flow: Flow, route: Route, catalog: Catalog) -> str:
    names = ", ".join(flow.preconditions.get(request.action, ())) or "none"
    return f"Preconditions for {request.action}: {names}"


def _consent(request: Request, flow: Flow, route: Route, catalog: Catalog) -> str:
    rule = flow.consent
    if rule is None:
        return "Consent"
    grantors = ", ".join(request.consent.granted_by) if request.consent else "no consent"
    scope = "the whole flow" if rule.required else ", ".join(sorted(route.with_consent))
    parents = "both parents" if rule.parents_needed == 2 else "one parent"
    return (
        f"Consent for {scope} ({rule.age_rule.description} Parents needed: {parents}.) "
        f"Given by: {grantors}"
    )


def _break_glass(request: Request, flow: Flow, route: Route, catalog: Catalog) -> str:
    skippable = ", ".join(sorted(catalog.meldcode_skippable))
    may_skip = f" ({skippable} may be skipped with its reason)" if skippable else ""
    return f"Break-glass: all five meldcode steps{may_skip} and the reasons must be recorded"


def _requester(request: Request, flow: Flow, route: Route, catalog: Catalog) -> str:
    rule = requester_rule(request, flow, catalog)
    description = rule.description if rule else ""
    return f"Who may exercise the right ({description}) Requester: {request.requester or 'unknown'}"


def _threshold(request: Request, flow: Flow, route: Route, catalog: Catalog) -> str:
    settings = catalog.settings
    kinds = ", ".join(sorted(flow.verzuim_threshold))
    return (
        f"Absence of the kind {kinds} reaches the threshold of "
        f"{settings.verzuim_threshold_hours:g} hours in {settings.verzuim_window_weeks} school "
        "weeks (other kinds are reportable at any number of hours)"
    )


_DESCRIBE: dict[str, Describe] = {
    "region": _region,
    "age_scope": _age_scope,
    "categories": _categories,
    "mandatory": _mandatory,
    "preconditions": _preconditions,
    "consent": _consent,
    "break_glass": _break_glass,
    "requester": _requester,
    "threshold": _threshold,
}
