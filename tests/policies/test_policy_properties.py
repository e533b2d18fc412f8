"""Invariants of the engine over generated requests (hypothesis).

The oracle for consent is written here from DOMAIN.md §5, not taken from the engine:
a bug in the engine's age table must not be able to hide itself.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from policies.catalog import Catalog, load_catalog
from policies.engine import evaluate
from policies.explain import explain
from policies.loader import DEFAULT_PATH
from policies.model import Request
from tests.policies.generators import CATALOG, draw_request

# DOMAIN.md §5: who must consent at each age (parents needed, pupil needed).
JEUGDWET = {range(0, 12): (True, False), range(12, 16): (True, True), range(16, 200): (False, True)}
UAVG = {range(0, 16): (True, False), range(16, 200): (False, True)}
ORACLE = {"jeugdwet": JEUGDWET, "uavg": UAVG}
SAMPLE = 2000


def requests() -> st.SearchStrategy[Request]:
    """`draw_request` under hypothesis: the seed is drawn, so the mix is the measured one."""
    return st.integers(0, 2**64 - 1).map(lambda seed: draw_request(random.Random(seed)))


def test_the_generator_makes_both_sides_of_every_property_reachable() -> None:
    """A third of the requests are permits, every flow permits some, every deny code shows.

    Without this the permit-side properties below could run on one example, or none.
    """
    rng = random.Random(20160415)
    decisions = [evaluate(draw_request(rng), CATALOG) for _ in range(SAMPLE)]
    permits = [decision for decision in decisions if decision.permitted]
    assert len(permits) >= SAMPLE / 3
    assert SAMPLE - len(permits) >= SAMPLE / 5
    assert {decision.flow for decision in permits} == set(CATALOG.flows)
    # Every deny code a check can give; flow_disabled needs a region that switches a flow off.
    codes = {decision.code for decision in decisions if not decision.permitted}
    assert codes == {
        "flow_not_allowed", "out_of_scope", "category_forbidden", "category_missing",
        "sender_not_related", "no_enrolment", "inzage_missing", "not_participant",
        "consent_missing",
        "meldcode_incomplete", "reasons_missing", "requester_not_entitled", "below_threshold",
    }  # fmt: skip


def _oracle_consent_ok(request: Request, rule: str, parents_needed: int) -> bool:
    consent, age = request.consent, request.subject_age
    if consent is None or age is None or age < 0:
        return False
    need_parents, need_pupil = next(v for r, v in ORACLE[rule].items() if age in r)
    parents = sum(1 for g in consent.granted_by if g in ("parent", "guardian"))
    return (not need_parents or parents >= parents_needed) and (
        not need_pupil or "pupil" in consent.granted_by
    )


@given(requests())
def test_unknown_anything_is_denied(request: Request) -> None:
    decision = evaluate(request, CATALOG)
    unknown = (
        request.purpose not in CATALOG.flows
        or request.sender_kind not in CATALOG.party_kinds
        or request.recipient_kind not in CATALOG.party_kinds
        or not request.categories <= CATALOG.categories
        or request.action not in ("send", "release")
    )
    if unknown:
        assert not decision.permitted
        assert decision.code is not None


@given(requests())
def test_never_releases_a_forbidden_or_unlisted_category(request: Request) -> None:
    decision = evaluate(request, CATALOG)
    found = CATALOG.routes.get((request.purpose, request.sender_kind, request.recipient_kind))
    if not decision.permitted:
        assert decision.released == frozenset()
        assert decision.obligations == ()
        return
    assert found is not None
    assert decision.released <= request.categories & found.route.allowed
    assert not decision.released & found.route.forbidden
    if request.action == "send":
        assert request.categories <= found.route.allowed
        assert found.route.mandatory <= request.categories


@given(requests())
def test_never_permits_consent_based_data_without_the_grantors_the_age_rule_requires(
    request: Request,
) -> None:
    decision = evaluate(request, CATALOG)
    flow = CATALOG.flows.get(request.purpose)
    if not decision.permitted or flow is None or flow.consent is None:
        return
    found = CATALOG.routes[(request.purpose, request.sender_kind, request.recipient_kind)]
    under_consent = decision.released & found.route.needs_consent
    # A route of own-task categories (the knooppunt: what each party may share anyway)
    # asks consent only for what goes beyond them, as the engine's `_facts` does.
    if (flow.consent.required and not found.route.own_task) or under_consent:
        rule, needed = flow.consent.age_rule.name, flow.consent.parents_needed
        assert _oracle_consent_ok(request, rule, needed), (request, decision)
    for special in decision.released & found.route.needs_explicit:
        assert request.consent is not None and request.consent.categories is not None
        assert special in request.consent.categories


@given(requests())
def test_break_glass_and_verwijsindex_rules_hold(request: Request) -> None:
    decision = evaluate(request, CATALOG)
    if not decision.permitted:
        return
    if request.purpose == "meldcode.melding":
        assert request.meldcode_steps == CATALOG.meldcode_steps
        assert "review_by_privacy_officer" in decision.obligations
        assert any(reason.strip() for reason in request.reasons)
    if request.purpose.startswith("verwijsindex."):
        assert request.subject_age is not None and 0 <= request.subject_age < 23


@given(requests())
def test_explain_tells_the_same_decision(request: Request) -> None:
    decision = evaluate(request, CATALOG)
    lines = explain(request, CATALOG)
    failed = [line for line in lines if ": NIET VOLDAAN (" in line]
    assert bool(failed) != decision.permitted
    assert decision.rule in lines[-1]
    # One failed step per reason of a deny (in Dutch, so counted, not compared).
    assert len(failed) == (0 if decision.permitted else len(decision.reasons))


def _shuffled_copy(root: Path, seed: int) -> Catalog:
    """The packaged catalog with flows, routes and category lists in a random order."""
    rng = random.Random(seed)
    source = DEFAULT_PATH
    target = root / f"shuffled-{seed}"
    (target / "regions").mkdir(parents=True)
    for name in ("taxonomy.yaml", "regions/demo.yaml"):
        (target / name).write_text((source / name).read_text(encoding="utf-8"), encoding="utf-8")
    data = yaml.safe_load((source / "flows.yaml").read_text(encoding="utf-8"))
    flows = data["flows"]
    rng.shuffle(flows)
    for flow in flows:
        rng.shuffle(flow["routes"])
        for route in flow["routes"]:
            for names in route["categories"].values():
                rng.shuffle(names)
    (target / "flows.yaml").write_text(yaml.safe_dump({"flows": flows}), encoding="utf-8")
    return load_catalog(target)


@settings(max_examples=10, deadline=None)
@given(st.lists(requests(), min_size=60, max_size=60), st.integers(0, 2**16))
def test_decisions_do_not_depend_on_the_order_of_rules(
    tmp_path_factory: pytest.TempPathFactory, batch: list[Request], seed: int
) -> None:
    shuffled = _shuffled_copy(tmp_path_factory.mktemp("cat"), seed)
    assert shuffled.version == CATALOG.version
    for request in batch:
        assert evaluate(request, shuffled) == evaluate(request, CATALOG)
