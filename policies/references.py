"""Cross-checks between the catalog files: every name a flow uses must exist.

Pydantic checks each file's shape; this module checks what one file says about another,
so that a typo in a region's override is a load error naming the file and the flow,
never a silent deny (or worse, a silent permit) at run time.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Iterator

from policies.fields import schema_errors
from policies.schema import AgeRule, Category, FlowSpec, Region, Route, Taxonomy

FLOWS_FILE = "flows.yaml"


def taxonomy_errors(tax: Taxonomy) -> Iterator[str]:
    for name, rule in tax.age_rules.items():
        yield from _band_errors(name, rule)
    for name, purpose in tax.purposes.items():
        if purpose.legal_basis and purpose.legal_basis not in tax.legal_bases:
            yield f"taxonomy.yaml: purpose '{name}': unknown legal basis '{purpose.legal_basis}'"
        for kind in purpose.actors:
            if kind not in tax.org_kinds:
                yield f"taxonomy.yaml: purpose '{name}': unknown org kind '{kind}'"
    for name, basis in tax.legal_bases.items():
        # A bare "to be verified" tells the privacy officer nothing: say what and why.
        if basis.verify and not (basis.unverified or "").strip():
            yield f"taxonomy.yaml: legal basis '{name}': verify needs 'unverified' (what and why)"
        if basis.unverified and not basis.verify:
            yield f"taxonomy.yaml: legal basis '{name}': 'unverified' without verify"
        if basis.kind == "special_category" and "9(2)" not in basis.avg_ground:
            yield f"taxonomy.yaml: legal basis '{name}': a special-category ground cites art. 9(2)"
    for name, category in tax.categories.items():
        yield from (f"taxonomy.yaml: {problem}" for problem in _field_errors(name, category))
    for step in tax.meldcode_skippable:
        if step not in tax.meldcode_steps:
            yield f"taxonomy.yaml: meldcode_skippable names '{step}', which is not a meldcode step"
    yield from _retention_errors(tax)
    clash = set(tax.org_kinds) & set(tax.parties)
    if clash:
        yield f"taxonomy.yaml: names used as both org kind and party: {sorted(clash)}"


def _retention_errors(tax: Taxonomy) -> Iterator[str]:
    """A per-writer class names known writers and plain classes (one level: a writer's
    class is the term of its own file, never again each party's own)."""
    for name, spec in tax.retention_classes.items():
        where = f"taxonomy.yaml: retention class '{name}'"
        for kind, target in spec.by_writer.items():
            if kind not in tax.org_kinds and kind not in tax.parties:
                yield f"{where}: unknown writer kind '{kind}'"
            resolved = tax.retention_classes.get(target)
            if resolved is None:
                yield f"{where}: writer '{kind}': unknown retention class '{target}'"
            elif resolved.by_writer:
                yield f"{where}: writer '{kind}': '{target}' is itself resolved per writer"


def _unresolved_writers(tax: Taxonomy, flow: FlowSpec) -> Iterator[str]:
    """Under a class that is each party's own, every kind that may write has its class:
    an entry is never kept under a term nobody set."""
    spec = tax.retention_classes.get(flow.retention)
    if spec is None or not spec.by_writer:
        return
    senders = sorted({kind for route in flow.routes for kind in route.senders})
    for kind in senders:
        if kind not in spec.by_writer:
            yield (
                f"sender '{kind}' has no class of its own under retention class "
                f"'{flow.retention}' (by_writer)"
            )


def _field_errors(name: str, category: Category) -> Iterator[str]:
    """A content category has closed fields with a fitting example; structure has none."""
    if category.structure:
        if category.fields is not None:
            yield f"category '{name}': a structure category has no fields"
        return
    if category.fields is None:
        yield f"category '{name}': a content category needs its fields (a closed JSON Schema)"
        return
    yield from schema_errors(name, category.fields, category.example)


def _band_errors(name: str, rule: AgeRule) -> Iterator[str]:
    # The bands must cover every age from 0 exactly once, the last one open-ended, so
    # that no age falls between two bands and is silently permitted or denied.
    expected = 0
    for i, band in enumerate(rule.bands):
        where = f"taxonomy.yaml: age rule '{name}' band {i}"
        if band.min_age != expected:
            yield f"{where}: starts at {band.min_age}, expected {expected}"
        last = i == len(rule.bands) - 1
        if band.max_age is None:
            if not last:
                yield f"{where}: only the last band may be open-ended"
            return
        if band.max_age < band.min_age:
            yield f"{where}: max_age {band.max_age} is below min_age {band.min_age}"
        expected = band.max_age + 1
    yield f"taxonomy.yaml: age rule '{name}': the last band must be open-ended"


def flow_errors(tax: Taxonomy, flows: tuple[FlowSpec, ...]) -> Iterator[str]:
    seen: set[str] = set()
    for flow in flows:
        where = f"{FLOWS_FILE}: flow '{flow.purpose}'"
        if flow.purpose in seen:
            yield f"{where}: defined twice"
        seen.add(flow.purpose)
        yield from (f"{where}: {problem}" for problem in _one_flow(tax, flow))


def _one_flow(tax: Taxonomy, flow: FlowSpec) -> Iterator[str]:
    if flow.purpose not in tax.purposes:
        yield f"unknown purpose '{flow.purpose}'"
    yield from _unknown("legal basis", [flow.legal_basis], tax.legal_bases)
    yield from _unknown("retention class", [flow.retention], tax.retention_classes)
    yield from _unresolved_writers(tax, flow)
    conditional = [c.obligation for c in flow.conditional_obligations]
    yield from _unknown("obligation", [*flow.obligations, *conditional], tax.obligations)
    yield from _unknown("safeguard", flow.safeguards, tax.safeguards)
    named = (flow.requester_rule, flow.inzage_rule, flow.consent and flow.consent.rule)
    rules = [r for r in named if r]
    yield from _unknown("age rule", rules, tax.age_rules)
    for basis in flow.special_grounds.values():
        yield from _unknown("legal basis", [basis.basis], tax.legal_bases)
        known = tax.legal_bases.get(basis.basis)
        # Only an exception of AVG art. 9(2) lifts the ban on special categories.
        if known is not None and known.kind != "special_category":
            yield f"special ground '{basis.basis}' is not an AVG art. 9(2) exception"
    yield from _unknown("absence kind", flow.verzuim_threshold, absence_kinds(tax))
    pairs: set[tuple[str, str]] = set()
    related = "sender_related" in flow.preconditions.send
    if "sender_related" in flow.preconditions.release:
        yield "sender_related is a precondition of send only"
    for i, route in enumerate(flow.routes):
        if related and route.sender_relation is None:
            yield f"routes[{i}]: sender_related needs the route's sender_relation"
        if not related and route.sender_relation is not None:
            yield f"routes[{i}]: sender_relation without the precondition sender_related"
        relation = route.sender_relation
        if relation is not None:
            yield from _unknown("purpose", relation.received, tax.purposes)
            if not relation.model_dump(exclude_defaults=True):
                yield f"routes[{i}]: sender_relation names no relation"
        yield from (f"routes[{i}]: {p}" for p in _route(tax, flow, route, pairs))
    yield from _create_relation(tax, flow)
    for name in flow.special_grounds:
        if name not in tax.categories or not tax.categories[name].special:
            yield f"special_grounds names '{name}', which is not a special category"


def _create_relation(tax: Taxonomy, flow: FlowSpec) -> Iterator[str]:
    """Starting a case needs standing that exists apart from cases: a case one started
    oneself (`case`), or a consent registered at it (`registered_consent`), is none."""
    relation = flow.create_relation
    if relation is None:
        return
    yield from _unknown("purpose", relation.received, tax.purposes)
    if relation.case or relation.registered_consent:
        yield "create_relation may not rest on a case or a consent registered at one"
    if not relation.model_dump(exclude_defaults=True):
        yield "create_relation names no relation"


def _route(
    tax: Taxonomy, flow: FlowSpec, route: Route, pairs: set[tuple[str, str]]
) -> Iterator[str]:
    kinds = tax.org_kinds.keys() | tax.parties.keys()
    yield from _unknown("sender kind", route.senders, kinds)
    yield from _unknown("recipient kind", route.recipients, kinds)
    for pair in ((s, r) for s in route.senders for r in route.recipients):
        if pair in pairs:
            # Two routes for one pair would make the decision depend on their order.
            yield f"sender/recipient pair {pair} is on more than one route"
        pairs.add(pair)
    lists = route.categories
    named = [
        *lists.mandatory,
        *lists.optional,
        *lists.with_consent,
        *lists.own_task,
        *lists.forbidden,
    ]
    yield from _unknown("category", named, tax.categories)
    twice = sorted({c for c in named if named.count(c) > 1})
    if twice:
        yield f"categories listed twice: {twice}"
    structure = [c for c in lists.mandatory if c in tax.categories and tax.categories[c].structure]
    if structure:
        yield f"structure categories cannot be mandatory: {structure}"
    if lists.with_consent and flow.consent is None:
        yield "with_consent categories need a consent block"
    if lists.own_task and flow.consent is None:
        yield "own_task categories only mean something on a flow with a consent block"
    special_own = [c for c in lists.own_task if c in tax.categories and tax.categories[c].special]
    if special_own:
        # A special category needs its own ground (AVG art. 9), never a task alone.
        yield f"a special category cannot be shared on a task alone: {special_own}"
    allowed = {*lists.mandatory, *lists.optional, *lists.with_consent, *lists.own_task}
    for name in sorted(allowed):
        special = name in tax.categories and tax.categories[name].special
        if special and name not in flow.special_grounds:
            yield f"special category '{name}' needs its own ground in special_grounds"


def absence_kinds(tax: Taxonomy) -> frozenset[str]:
    """The kinds of absence a verzuimmelding names (`verzuim_melding.soort`)."""
    melding = tax.categories.get("verzuim_melding")
    fields = melding.fields if melding is not None and melding.fields else {}
    soort = fields.get("properties", {}).get("soort", {})
    return frozenset(soort.get("enum", ()))


def _unknown(what: str, names: Iterable[str], known: Container[str]) -> Iterator[str]:
    for name in names:
        if name not in known:
            yield f"unknown {what} '{name}'"


def region_errors(region: Region, flows: tuple[FlowSpec, ...], file: str) -> Iterator[str]:
    purposes = {flow.purpose for flow in flows}
    for name in region.flows:
        if name not in purposes:
            yield f"{file}: override for unknown flow '{name}'"
