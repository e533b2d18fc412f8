"""The checks a matched flow runs, each a small pure function.

Every check answers one question about a request on a flow and returns a `Failure` or
None. The engine runs those that apply to the flow in the fixed order of `CHECK_BY_NAME`,
so the first failure (and thus the deny code) never depends on the order of anything in
the catalog files; `explain` renders the very same outcomes.
"""

from __future__ import annotations

from collections.abc import Callable

from policies.compiled import AgeRule, Catalog, Check, ConsentRule, Flow, Route
from policies.model import Request
from policies.outcome import Facts, Failure

# The deny code for each precondition, in the order they are reported (API.md codes).
# `sender_related` comes first: a sender with no standing learns nothing else about the
# pupil (not whether the recipient has an aanmelding, not whether a consent exists).
PRECONDITION_CODES = {
    "sender_related": "sender_not_related",
    "aanmelding": "no_enrolment",
    "inzage": "inzage_missing",
    "informed": "not_informed",
    "participant": "not_participant",
}

_PRECONDITION_ORDER = list(PRECONDITION_CODES)


def consent_gap(request: Request, rule: ConsentRule, catalog: Catalog) -> str | None:
    """Why the grantors do not satisfy the age rule, or None when they do."""
    consent = request.consent
    if consent is None:
        return "no consent is recorded for this purpose"
    age = request.subject_age
    if age is None or age < 0:
        return "the pupil's age is unknown, so the age rule cannot be applied"
    need_parents, need_pupil = rule.age_rule.at(age)
    roles = catalog.grantor_roles
    parents = sum(1 for grantor in consent.granted_by if roles.get(grantor) == "parent")
    needed = rule.parents_needed
    if consent.gezag_holders is not None:
        # "Both parents" are both who hold gezag: with sole gezag (one parent, or a voogd
        # alone) that one is enough. Never fewer than one parent, whatever the count.
        needed = max(1, min(needed, consent.gezag_holders))
    missing = []
    if need_parents and parents < needed:
        missing.append("both parents with gezag" if needed == 2 else "a parent with gezag")
    if need_pupil and not any(roles.get(grantor) == "pupil" for grantor in consent.granted_by):
        missing.append("the pupil")
    if not missing:
        return None
    return f"at age {age} consent is needed from {' and '.join(missing)} ({rule.age_rule.statute})"


def uncovered(
    request: Request, route: Route, needing: frozenset[str], gap: str | None
) -> frozenset[str]:
    """The categories in `needing` that the request's consent does not cover."""
    if gap is not None or request.consent is None:
        return needing
    scope = request.consent.categories
    if scope is None:
        # An unscoped consent covers the flow, but never a special category implicitly.
        return needing & route.needs_explicit
    return needing - scope


def check_region(
    request: Request, flow: Flow, route: Route, facts: Facts, catalog: Catalog
) -> Failure | None:
    if not flow.enabled:
        return Failure(
            "flow_disabled", "disabled", f"Region {catalog.region} has switched this flow off."
        )
    if flow.region_feature == "verwijsindex" and not catalog.settings.verwijsindex:
        return Failure(
            "flow_disabled", "disabled", f"Region {catalog.region} does not use the verwijsindex."
        )
    return None


def check_age_scope(
    request: Request, flow: Flow, route: Route, facts: Facts, catalog: Catalog
) -> Failure | None:
    scope = flow.age_scope
    if scope is None or request.action not in scope.actions:
        return None
    ages = f"{scope.min_age} to {scope.max_age} ({scope.statute})"
    age = request.subject_age
    if age is None or age < 0:
        return Failure(
            "out_of_scope",
            "age",
            f"The pupil's age is unknown; this flow is for youths aged {ages} only.",
        )
    if not scope.covers(age):
        return Failure(
            "out_of_scope", "age", f"This flow covers youths aged {ages}; the subject is {age}."
        )
    return None


def check_categories(
    request: Request, flow: Flow, route: Route, facts: Facts, catalog: Catalog
) -> Failure | None:
    requested = request.categories
    if len(facts.allowed) == len(requested):
        return None  # every requested category is allowed on this route
    unknown = requested - catalog.categories
    if unknown:
        return Failure(
            "category_forbidden", "category_unknown", f"Unknown categories: {_names(unknown)}."
        )
    if request.action == "send":
        refused = requested - route.allowed
        verboden = refused & route.forbidden
        parts = [f"forbidden (VERBODEN): {_names(verboden)}"] if verboden else []
        if refused - verboden:
            parts.append(f"not allowed on this flow: {_names(refused - verboden)}")
        return Failure(
            "category_forbidden", "category_forbidden", f"Categories {'; '.join(parts)}."
        )
    if not facts.allowed:
        return Failure(
            "category_forbidden",
            "category_forbidden",
            "None of the requested categories may go to this recipient.",
        )
    return None


def _names(names: frozenset[str]) -> str:
    return ", ".join(sorted(names))


def check_mandatory(
    request: Request, flow: Flow, route: Route, facts: Facts, catalog: Catalog
) -> Failure | None:
    if request.action != "send":
        return None
    missing = route.mandatory - request.categories
    if missing:
        return Failure(
            "category_missing",
            "category_missing",
            f"Mandatory categories missing: {', '.join(sorted(missing))}.",
        )
    return None


def check_preconditions(
    request: Request, flow: Flow, route: Route, facts: Facts, catalog: Catalog
) -> Failure | None:
    pre = request.preconditions
    missing = [name for name in flow.preconditions[request.action] if not getattr(pre, name)]
    if not missing:
        return None
    if "informed" in missing and flow.inform_waivable and _given(request.not_told_reason):
        missing.remove("informed")
    if not missing:
        return None
    missing.sort(key=_PRECONDITION_ORDER.index)
    return Failure(
        PRECONDITION_CODES[missing[0]],
        missing[0],
        f"Preconditions not met for {request.action}: {', '.join(missing)}.",
    )


def check_consent(
    request: Request, flow: Flow, route: Route, facts: Facts, catalog: Catalog
) -> Failure | None:
    # On a route with own-task categories a missing consent withholds only the rest.
    whole = flow.consent is not None and flow.consent.required and not route.own_task
    if whole and facts.consent_gap is not None:
        return Failure("consent_missing", "consent", f"Consent insufficient: {facts.consent_gap}.")
    if not facts.uncovered:
        return None
    names = ", ".join(sorted(facts.uncovered))
    if request.action == "send":
        why = facts.consent_gap or "the consent must name them explicitly"
        return Failure("consent_missing", "consent", f"No consent covers {names}: {why}.")
    if not facts.released and facts.allowed:
        return Failure("consent_missing", "consent", f"No consent covers {names}.")
    return None


def check_break_glass(
    request: Request, flow: Flow, route: Route, facts: Facts, catalog: Catalog
) -> Failure | None:
    if not flow.break_glass:
        return None
    # A skipped step counts only where the catalog lets it be skipped (the conversation,
    # when it is unsafe), and only with its reason: the gateway passes no other.
    unskippable = request.meldcode_skipped - catalog.meldcode_skippable
    skipped = request.meldcode_skipped & catalog.meldcode_skippable
    missing = catalog.meldcode_steps - request.meldcode_steps - skipped
    has_reasons = any(_given(reason) for reason in request.reasons)
    if missing:
        more = "" if has_reasons else " No reasons given either."
        if unskippable:
            more = (
                f" Only {_names(catalog.meldcode_skippable) or 'no step'} may be skipped; "
                f"not {_steps_named(unskippable, catalog)}." + more
            )
        return Failure(
            "meldcode_incomplete",
            "meldcode_steps",
            f"Break-glass needs all five meldcode steps; missing: {', '.join(sorted(missing))}."
            + more,
        )
    if not has_reasons:
        return Failure(
            "reasons_missing", "reasons", "Break-glass needs the reasons for the report."
        )
    return None


def _steps_named(steps: frozenset[str], catalog: Catalog) -> str:
    # The caller chose these codes: only the catalog's own are repeated back.
    known = steps & catalog.meldcode_steps
    named = [*sorted(known), *(["an unknown step"] if steps - known else [])]
    return ", ".join(named)


def requester_rule(request: Request, flow: Flow, catalog: Catalog) -> AgeRule | None:
    """The rights flow's rule, or that of the dossier's own flow where the law gives
    more: the onderwijskundig rapport stays open to the parents until 18 (WPO art. 42)."""
    if flow.requester_rule is not None and request.record_purpose is not None:
        record = catalog.flow_for_purpose(request.record_purpose)
        if record is not None and record.inzage_rule is not None:
            return record.inzage_rule
    return flow.requester_rule


def check_requester(
    request: Request, flow: Flow, route: Route, facts: Facts, catalog: Catalog
) -> Failure | None:
    rule = requester_rule(request, flow, catalog)
    if rule is None:
        return None
    age = request.subject_age
    role = catalog.grantor_roles.get(request.requester or "")
    if age is None or age < 0 or role is None:
        return Failure(
            "requester_not_entitled",
            "requester",
            "The requester and the pupil's age must be known to exercise these rights.",
        )
    parents, pupil = rule.at(age)
    if (role == "parent" and parents) or (role == "pupil" and pupil):
        return None
    who = "a parent with gezag" if parents else "the pupil"
    return Failure(
        "requester_not_entitled",
        "requester",
        f"At age {age} the rights are exercised by {who} ({rule.statute}).",
    )


def check_threshold(
    request: Request, flow: Flow, route: Route, facts: Facts, catalog: Catalog
) -> Failure | None:
    """Leerplichtwet art. 21a: unauthorised absence is reported from the region's hours.

    Only the kinds the flow names (ongeoorloofd verzuim) wait for the threshold; luxe
    verzuim, long absence and the rest are reportable at any number of hours. A kind not
    stated (or not known) is judged as the strictest; hours not stated never reach it.
    """
    kind = request.absence_type
    if kind in catalog.absence_kinds and kind not in flow.verzuim_threshold:
        return None
    hours = request.absence_hours
    limit = catalog.settings.verzuim_threshold_hours
    if hours is not None and hours >= limit:
        return None
    weeks = catalog.settings.verzuim_window_weeks
    if hours is None:
        reason = f"No hours of absence are stated; the reporting threshold is {limit:g} hours"
    else:
        reason = f"{hours:g} hours is below the reporting threshold of {limit:g} hours"
    return Failure("below_threshold", "threshold", f"{reason} in {weeks} school weeks.")


def is_thuiszitter(request: Request, catalog: Catalog) -> bool:
    """Absent for longer than the region's thuiszitter term (DOMAIN §3 row 7)."""
    days = request.absence_days
    return days is not None and days > 7 * catalog.settings.thuiszitter_weeks


def _given(text: str | None) -> bool:
    return bool(text and text.strip())


# Every check in its one fixed order: the first failure gives the deny code.
CHECK_BY_NAME: dict[str, Check] = {
    "region": check_region,
    "age_scope": check_age_scope,
    "categories": check_categories,
    "mandatory": check_mandatory,
    "preconditions": check_preconditions,
    "consent": check_consent,
    "break_glass": check_break_glass,
    "requester": check_requester,
    "threshold": check_threshold,
}


def plan(flow: Flow) -> tuple[tuple[str, Check], ...]:
    """The checks that can fail on `flow`, in the order of `CHECK_BY_NAME`.

    Skipping checks that can never fail on a flow keeps `evaluate` short; the order
    stays that of `CHECK_BY_NAME`, so the deny code does not depend on the catalog files.
    """
    applies = {
        "region": not flow.enabled or flow.region_feature is not None,
        "age_scope": flow.age_scope is not None,
        "categories": True,
        "mandatory": any(route.mandatory for route in flow.routes),
        "preconditions": any(flow.preconditions.values()),
        "consent": flow.consent is not None,
        "break_glass": flow.break_glass,
        "requester": flow.requester_rule is not None,
        "threshold": bool(flow.verzuim_threshold),
    }
    return tuple((name, check) for name, check in CHECK_BY_NAME.items() if applies[name])


# When a conditional obligation of a flow applies (schema.ObligationWhen).
OBLIGATION_WHEN: dict[str, Callable[[Request, Catalog], bool]] = {
    "no_consent": lambda r, c: r.consent is None,
    "pupil_16_plus": lambda r, c: r.subject_age is not None and r.subject_age >= 16,
    "parents_to_be_told": lambda r, c: not r.parents_told and not _given(r.not_told_reason),
    "not_told_reason": lambda r, c: _given(r.not_told_reason),
    "meldcode_step_skipped": lambda r, c: bool(r.meldcode_skipped & c.meldcode_skippable),
    "thuiszitter": is_thuiszitter,
}
