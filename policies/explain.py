"""`explain(request, catalog)`: a decision step by step, in Dutch, for a privacy officer.

The outcomes come from `evaluate_traced`, the same run of the same checks that
`evaluate` makes; this module only puts into words what each check looked at. It
names things by their Dutch label rather than their code, leaves out a check that
does not apply to this request (no preconditions for this action, no age scope for
it), and says of each category that is withheld why: not on the flow's closed list,
forbidden, or a special category (AVG art. 9) that the consent does not name.
"""

from __future__ import annotations

from collections.abc import Callable

from policies import nl
from policies.compiled import Binding, Catalog, Flow, Route
from policies.engine import evaluate_traced
from policies.facts import known_facts
from policies.model import ConsentState, Decision, Preconditions, Request
from policies.outcome import Failure
from policies.rules import requester_rule

Describe = Callable[[Request, Flow, Route, Catalog], str]


def explain(request: Request, catalog: Catalog) -> list[str]:
    decision, steps = evaluate_traced(request, catalog)
    found = catalog.routes.get((request.purpose, request.sender_kind, request.recipient_kind))
    lines = [_request_line(request, catalog)]
    facts = _facts_line(request, catalog)
    if facts:
        lines.append(facts)
    number = 0
    for name, failure in steps:
        if name in ("flow", "register"):
            what = _flow_line(request, catalog) if failure is None else "Passende stroom"
        elif found is None:
            what = name
        elif failure is None and not _applies(name, request, found.flow, found.route, catalog):
            continue
        else:
            what = _DESCRIBE[name](request, found.flow, found.route, catalog)
        number += 1
        lines.append(f"{number}. {what}: {_outcome(failure, request, found, catalog)}")
    if found is not None and decision.permitted:
        lines += _withheld(request, decision, found.flow, found.route, catalog)
    lines.append(_result_line(decision, catalog))
    return lines


def _applies(name: str, request: Request, flow: Flow, route: Route, catalog: Catalog) -> bool:
    """Whether a check that passed had anything to judge in this request."""
    if name == "age_scope":
        return flow.age_scope is not None and request.action in flow.age_scope.actions
    if name == "mandatory":
        return request.action == "send" and bool(route.mandatory)
    if name == "preconditions":
        return bool(flow.preconditions.get(request.action))
    if name == "consent":
        rule = flow.consent
        needing = request.categories & route.needs_consent
        return rule is not None and (rule.required or bool(needing))
    if name == "threshold":
        # A kind the threshold does not hold for passes at any hours: no step to show.
        kind = request.absence_type
        exempt = kind in catalog.absence_kinds and kind not in flow.verzuim_threshold
        return request.absence_hours is not None and not exempt
    return True


def _outcome(
    failure: Failure | None, request: Request, found: Binding | None, catalog: Catalog
) -> str:
    if failure is None:
        return "voldaan"
    why = _NO_FLOW.get(failure.rule) if found is None else _why(failure, request, found, catalog)
    return f"NIET VOLDAAN ({failure.code}): {why or failure.reason}"


_NO_FLOW = {
    "action": "onbekende handeling.",
    "unknown_purpose": "dit doel staat niet in de beleidscatalogus.",
    "no_flow": "dit doel is geen uitwisseling tussen organisaties.",
    "unknown_kind": "onbekende soort organisatie.",
    "kinds": "deze stroom gaat niet van deze verzender naar deze ontvanger.",
    "register": "deze ontvanger kan voor deze stroom geen aanmelding registreren.",
    "disabled": "de regio heeft deze stroom uitgezet.",
}


def _why(failure: Failure, request: Request, found: Binding, catalog: Catalog) -> str | None:
    """The failure in Dutch; None leaves the engine's own words (a check added later)."""
    flow, route, rule = found.flow, found.route, failure.rule
    age = request.subject_age
    if rule == "disabled":
        return "de regio heeft deze stroom of de verwijsindex uitgezet."
    if rule == "age":
        return "de leeftijd is onbekend." if age is None or age < 0 else f"de leerling is {age}."
    if rule == "category_unknown":
        return (
            f"onbekende categorieën: {', '.join(sorted(request.categories - catalog.categories))}."
        )
    if rule == "category_forbidden":
        refused = request.categories - route.allowed
        verboden = refused & route.forbidden
        parts = [f"verboden (VERBODEN): {_labels(verboden, catalog)}"] if verboden else []
        if refused - verboden:
            parts.append(f"niet op de gesloten lijst: {_labels(refused - verboden, catalog)}")
        return ("; ".join(parts) or "geen van deze categorieën mag naar deze ontvanger") + "."
    if rule == "category_missing":
        return f"ontbreekt: {_labels(route.mandatory - request.categories, catalog)}."
    if rule in nl.PRECONDITIONS:
        pre = request.preconditions
        missing = [n for n in flow.preconditions.get(request.action, ()) if not getattr(pre, n)]
        return "niet vervuld: " + "; ".join(nl.PRECONDITIONS.get(n, n) for n in missing) + "."
    if rule == "consent":
        return _consent_why(request, flow, route, catalog)
    if rule == "meldcode_steps":
        steps = ", ".join(
            nl.meldcode_step(n, catalog)
            for n in sorted(catalog.meldcode_steps - request.meldcode_steps)
        )
        more = "" if any(r.strip() for r in request.reasons) else "; ook de redenen ontbreken"
        return f"ontbrekende stappen: {steps}{more}."
    if rule == "reasons":
        return "de redenen voor de melding ontbreken."
    if rule == "requester":
        if age is None or age < 0 or request.requester not in catalog.grantor_roles:
            return "de verzoeker en de leeftijd van de leerling moeten bekend zijn."
        parents, _ = flow.requester_rule.at(age) if flow.requester_rule else (False, True)
        who = "een ouder met gezag" if parents else "de leerling zelf"
        return f"op {age} jaar oefent {who} deze rechten uit."
    if rule == "threshold" and request.absence_hours is not None:
        return f"{request.absence_hours:g} uur is onder de drempel."
    return None


def _consent_why(request: Request, flow: Flow, route: Route, catalog: Catalog) -> str:
    rule, consent, age = flow.consent, request.consent, request.subject_age
    if consent is None:
        return "er is geen toestemming vastgelegd voor dit doel."
    if age is None or age < 0:
        return "de leeftijd is onbekend, dus de leeftijdsregel is niet toe te passen."
    if rule is not None:
        need_parents, need_pupil = rule.age_rule.at(age)
        roles = catalog.grantor_roles
        parents = sum(1 for g in consent.granted_by if roles.get(g) == "parent")
        missing = []
        if need_parents and parents < rule.parents_needed:
            missing.append(
                "beide ouders met gezag" if rule.parents_needed == 2 else "een ouder met gezag"
            )
        if need_pupil and not any(roles.get(g) == "pupil" for g in consent.granted_by):
            missing.append("de leerling")
        if missing:
            return f"op {age} jaar is toestemming nodig van {' en '.join(missing)}."
    uncovered = request.categories & route.needs_consent
    if consent.categories is not None:
        uncovered -= consent.categories
    else:
        uncovered &= route.needs_explicit
    return f"geen toestemming dekt {_labels(uncovered, catalog)}."


def _labels(names: frozenset[str] | tuple[str, ...], catalog: Catalog) -> str:
    return ", ".join(nl.category(n, catalog) for n in sorted(names)) or "geen"


def _request_line(request: Request, catalog: Catalog) -> str:
    age = "onbekend" if request.subject_age is None else f"{request.subject_age} jaar"
    purpose = (
        nl.purpose(request.purpose, catalog)[0] if request.purpose in catalog.purposes else None
    )
    named = f"{purpose} ({request.purpose})" if purpose else request.purpose
    sender = nl.kind(request.sender_kind, catalog) if request.sender_kind else "-"
    action = nl.ACTIONS.get(request.action, request.action)
    return (
        f"Verzoek: {action} voor {named}, van {sender} aan "
        f"{nl.kind(request.recipient_kind, catalog)}; leeftijd van de leerling: {age}; "
        f"categorieën: {_labels(request.categories, catalog)}."
    )


def _facts_line(request: Request, catalog: Catalog) -> str:
    """The facts given besides the question itself, in Dutch; free text never repeated."""
    given: list[str] = []
    for name in known_facts():
        value = _fact_value(request, name)
        if value in (None, False, (), frozenset(), {}, "") or name == "subject_age":
            continue
        given.append(f"{nl.fact(name)}: {_fact_text(name, value, catalog)}")
    return ("Feiten: " + "; ".join(given) + ".") if given else ""


def _fact_value(request: Request, name: str) -> object:
    consent = request.consent or ConsentState(())
    if name == "granted_by":
        return consent.granted_by
    if name == "consent_categories":
        return consent.categories
    if name == "gezag_holders":
        return consent.gezag_holders
    if name in Preconditions.__dataclass_fields__:
        return getattr(request.preconditions, name)
    return getattr(request, name, None)


def _fact_text(name: str, value: object, catalog: Catalog) -> str:
    if value is True:
        return "ja"
    if name in ("reasons", "not_told_reason"):
        return "opgegeven"  # free text may name people: it stays out of the explanation
    if name == "granted_by" and isinstance(value, tuple):
        return ", ".join(nl.GRANTORS.get(str(g), str(g)) for g in value)
    if name == "requester" and isinstance(value, str):
        return nl.GRANTORS.get(value, value)
    if name == "consent_categories" and isinstance(value, frozenset):
        return _labels(value, catalog)
    if name in ("meldcode_steps", "meldcode_skipped") and isinstance(value, frozenset):
        return ", ".join(nl.meldcode_step(s, catalog) for s in sorted(value))
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, frozenset | tuple):
        return ", ".join(sorted(str(v) for v in value))
    if isinstance(value, dict):
        return ", ".join(f"{k}: opgegeven" for k in sorted(value))
    return str(value)


def _flow_line(request: Request, catalog: Catalog) -> str:
    flow = catalog.flows[request.purpose]
    basis = flow.legal_basis
    unverified = f"; niet bevestigd: {basis.unverified}" if basis.unverified else ""
    return (
        f"De stroom {nl.purpose(flow.id, catalog)[0]} geldt hier (grondslag: "
        f"{basis.statute}; {basis.avg_ground}{unverified})"
    )


def _withheld(
    request: Request, decision: Decision, flow: Flow, route: Route, catalog: Catalog
) -> list[str]:
    lines = []
    for name in sorted(request.categories - decision.released):
        special = name in catalog.categories and catalog.taxonomy.categories[name].special
        if name not in catalog.categories:
            why = "onbekende categorie"
        elif name in route.forbidden:
            why = "verboden op deze stroom (VERBODEN)"
        elif name not in route.allowed:
            why = "staat niet op de gesloten lijst van deze stroom"
        elif special and name in route.needs_explicit:
            why = (
                "bijzonder persoonsgegeven (AVG art. 9): alleen met uitdrukkelijke toestemming "
                "die deze categorie noemt"
            )
        else:
            why = "alleen met toestemming, en die ontbreekt of noemt deze categorie niet"
        lines.append(f"Achtergehouden: {nl.category(name, catalog)}: {why}.")
    return lines


def _result_line(decision: Decision, catalog: Catalog) -> str:
    if not decision.permitted:
        return (
            f"Uitkomst: GEWEIGERD ({decision.code}) volgens regel {decision.rule}; er wordt "
            "niets verstrekt."
        )
    released = _labels(decision.released, catalog)
    obligations = "; ".join(nl.obligation(o, catalog) for o in decision.obligations) or "geen"
    flow = catalog.flows.get(decision.flow or "")
    retention = nl.retention(flow.retention.key, catalog) if flow is not None else "-"
    return (
        f"Uitkomst: TOEGESTAAN volgens regel {decision.rule}; verstrekt: {released}; "
        f"verplichtingen: {obligations}; bewaartermijn: {retention}."
    )


def _region(request: Request, flow: Flow, route: Route, catalog: Catalog) -> str:
    feature = " en gebruikt de verwijsindex" if flow.region_feature == "verwijsindex" else ""
    return f"Regio {catalog.region} heeft deze stroom aan{feature}"


def _age_scope(request: Request, flow: Flow, route: Route, catalog: Catalog) -> str:
    scope = flow.age_scope
    if scope is None:
        return "De stroom geldt voor elke leeftijd"
    return (
        f"De stroom is voor jeugdigen van {scope.min_age} tot en met {scope.max_age} jaar "
        f"({scope.statute})"
    )


def _categories(request: Request, flow: Flow, route: Route, catalog: Catalog) -> str:
    forbidden = _labels(route.forbidden, catalog)
    return (
        f"De categorieën moeten op de gesloten lijst van deze stroom staan "
        f"({len(route.allowed)} toegestaan; verboden: {forbidden})"
    )


def _mandatory(request: Request, flow: Flow, route: Route, catalog: Catalog) -> str:
    return f"Het dossier bevat de verplichte categorieën ({_labels(route.mandatory, catalog)})"


def _preconditions(request: Request, flow: Flow, route: Route, catalog: Catalog) -> str:
    names = flow.preconditions.get(request.action, ())
    wanted = "; ".join(nl.PRECONDITIONS.get(n, n) for n in names)
    return f"Voorwaarden vooraf: {wanted}"


def _consent(request: Request, flow: Flow, route: Route, catalog: Catalog) -> str:
    rule = flow.consent
    if rule is None:
        return "Toestemming"
    scope = "de hele stroom" if rule.required else _labels(route.with_consent, catalog)
    parents = "beide ouders" if rule.parents_needed == 2 else "één ouder"
    return (
        f"Toestemming voor {scope}, naar leeftijd ({rule.age_rule.statute}; ouders nodig: "
        f"{parents})"
    )


def _break_glass(request: Request, flow: Flow, route: Route, catalog: Catalog) -> str:
    skippable = ", ".join(sorted(catalog.meldcode_skippable))
    may_skip = f" (mag worden overgeslagen met de reden: {skippable})" if skippable else ""
    return (
        f"Doorbraak (break-glass): alle vijf meldcodestappen{may_skip} en de redenen zijn "
        "vastgelegd"
    )


def _requester(request: Request, flow: Flow, route: Route, catalog: Catalog) -> str:
    # The dossier's own rule where it gives more (the onderwijskundig rapport: WPO art. 42).
    rule = requester_rule(request, flow, catalog)
    statute = f" ({rule.statute})" if rule else ""
    return f"De verzoeker mag dit recht naar leeftijd uitoefenen{statute}"


def _threshold(request: Request, flow: Flow, route: Route, catalog: Catalog) -> str:
    settings = catalog.settings
    kinds = ", ".join(sorted(flow.verzuim_threshold))
    return (
        f"Verzuim van de soort {kinds} haalt de drempel van "
        f"{settings.verzuim_threshold_hours:g} uur in {settings.verzuim_window_weeks} "
        "schoolweken (andere soorten verzuim mogen bij elk aantal uren worden gemeld)"
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
