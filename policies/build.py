"""Turns the validated catalog files into the frozen `Catalog` the engine reads."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from policies.compiled import (
    AgeRule,
    AgeScope,
    Binding,
    Catalog,
    ConsentRule,
    Flow,
    LegalBasis,
    Retention,
    Route,
    SenderRelation,
)
from policies.fields import validator
from policies.references import absence_kinds
from policies.rules import plan
from policies.schema import AgeRule as AgeRuleSpec
from policies.schema import FlowSpec, Region, Taxonomy
from policies.schema import Route as RouteSpec
from policies.schema import SenderRelation as SenderRelationSpec


def catalog_version(tax: Taxonomy, flows: tuple[FlowSpec, ...], region: Region) -> str:
    """A content hash: the same rules give the same version, whatever their order in the files."""
    canonical = _canonical(
        {
            "taxonomy": tax.model_dump(mode="json"),
            "flows": [flow.model_dump(mode="json") for flow in flows],
            "region": region.model_dump(mode="json"),
        }
    )
    blob = json.dumps(canonical, sort_keys=True, separators=(",", ":")).encode()
    return "sha256:" + hashlib.sha256(blob).hexdigest()[:16]


def _canonical(value: Any) -> Any:
    # No decision depends on the order of a list in the files (routes are keyed, sets
    # are sets, age bands must be contiguous), so the version does not either.
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in value.items()}
    if isinstance(value, list):
        items = [_canonical(item) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    return value


def build_catalog(tax: Taxonomy, flows: tuple[FlowSpec, ...], region: Region) -> Catalog:
    bases = {key: _basis(key, tax) for key in tax.legal_bases}
    rules = {name: _age_rule(name, spec) for name, spec in tax.age_rules.items()}
    compiled = {spec.purpose: _flow(spec, tax, region, bases, rules) for spec in flows}
    routes = {
        (flow.id, sender, recipient): _binding(flow, route, sender, recipient)
        for flow in compiled.values()
        for route in flow.routes
        for sender in route.senders
        for recipient in route.recipients
    }
    purpose_bases = {
        name: bases[p.legal_basis] for name, p in tax.purposes.items() if p.legal_basis
    }
    purpose_bases.update({purpose: flow.legal_basis for purpose, flow in compiled.items()})
    version = catalog_version(tax, flows, region)
    return Catalog(
        version=version,
        region=region.region,
        region_name=region.name,
        settings=region.settings,
        flows=MappingProxyType(dict(sorted(compiled.items()))),
        routes=routes,
        categories=frozenset(tax.categories),
        purposes=frozenset(tax.purposes),
        org_kinds=frozenset(tax.org_kinds),
        parties=frozenset(tax.parties),
        party_kinds=frozenset(tax.org_kinds) | frozenset(tax.parties),
        grantor_roles=dict(tax.grantor_roles),
        meldcode_steps=frozenset(tax.meldcode_steps),
        meldcode_skippable=frozenset(tax.meldcode_skippable),
        absence_kinds=absence_kinds(tax),
        taxonomy=tax,
        legal_bases=MappingProxyType(bases),
        purpose_bases=MappingProxyType(purpose_bases),
        field_validators=MappingProxyType(
            {
                name: validator(category.fields)
                for name, category in tax.categories.items()
                if category.fields is not None
            }
        ),
        _public=MappingProxyType(_public(version, region, compiled, tax)),
    )


def _binding(flow: Flow, route: Route, sender: str, recipient: str) -> Binding:
    profile = f" (OSO profile {route.oso_profile})" if route.oso_profile else ""
    reason = f"Flow {flow.id}{profile} permits {sender} to {recipient} on {flow.basis_label}."
    return Binding(flow, route, f"{flow.id}/permit", (reason,))


def _basis(key: str, tax: Taxonomy) -> LegalBasis:
    spec = tax.legal_bases[key]
    return LegalBasis(
        key,
        spec.statute,
        spec.avg_ground,
        spec.kind,
        spec.description,
        spec.verify,
        spec.unverified or "",
    )


def _age_rule(name: str, spec: AgeRuleSpec) -> AgeRule:
    table: list[tuple[bool, bool]] = []
    for band in spec.bands:
        # The last band is open-ended: one entry stands for every older age.
        top = band.min_age if band.max_age is None else band.max_age
        table.extend((band.parents, band.pupil) for _ in range(band.min_age, top + 1))
    return AgeRule(name, spec.statute, spec.description, tuple(table))


def _age_scope(spec: FlowSpec) -> AgeScope | None:
    scope = spec.age_scope
    if scope is None:
        return None
    return AgeScope(scope.min_age, scope.max_age, scope.statute, frozenset(scope.actions))


def _flow(
    spec: FlowSpec,
    tax: Taxonomy,
    region: Region,
    bases: dict[str, LegalBasis],
    rules: dict[str, AgeRule],
) -> Flow:
    override = region.flows.get(spec.purpose)
    consent = None
    if spec.consent is not None:
        parents = spec.consent.parents
        if override is not None and override.parents is not None:
            parents = override.parents
        if parents == "region":
            parents = region.settings.parents
        consent = ConsentRule(
            spec.consent.required, rules[spec.consent.rule], 2 if parents == "both" else 1
        )
    flow = Flow(
        id=spec.purpose,
        title=spec.title,
        description=tax.purposes[spec.purpose].description,
        legal_basis=bases[spec.legal_basis],
        routes=tuple(_route(r, spec, tax, consent) for r in spec.routes),
        special_grounds=MappingProxyType(
            {name: bases[g.basis] for name, g in spec.special_grounds.items()}
        ),
        consent=consent,
        requester_rule=rules[spec.requester_rule] if spec.requester_rule else None,
        inzage_rule=rules[spec.inzage_rule] if spec.inzage_rule else None,
        preconditions={"send": spec.preconditions.send, "release": spec.preconditions.release},
        inform_waivable=spec.inform_waivable,
        break_glass=spec.break_glass,
        age_scope=_age_scope(spec),
        region_feature=spec.region_feature,
        verzuim_threshold=frozenset(spec.verzuim_threshold),
        obligations=spec.obligations,
        conditional_obligations=tuple((c.obligation, c.when) for c in spec.conditional_obligations),
        retention=_retention(tax, spec.retention),
        bsn_allowed=spec.bsn_allowed,
        safeguards=spec.safeguards,
        enabled=override.enabled if override is not None else True,
        basis_label=bases[spec.legal_basis].label,
        permit_obligations=tuple(sorted(set(spec.obligations))),
        create_relation=_relation(spec.create_relation),
    )
    return replace(flow, checks=plan(flow))


def _retention(tax: Taxonomy, key: str) -> Retention:
    spec = tax.retention_classes[key]
    own = MappingProxyType(
        {kind: _retention(tax, class_) for kind, class_ in spec.by_writer.items()}
    )
    return Retention(key, spec.term, spec.basis, spec.years, own, spec.days)


def _route(spec: RouteSpec, flow: FlowSpec, tax: Taxonomy, consent: ConsentRule | None) -> Route:
    lists = spec.categories
    mandatory, optional = frozenset(lists.mandatory), frozenset(lists.optional)
    with_consent, own_task = frozenset(lists.with_consent), frozenset(lists.own_task)
    allowed = mandatory | optional | with_consent | own_task
    explicit = frozenset(
        name
        for name, ground in flow.special_grounds.items()
        if ground.explicit_consent and name in allowed
    )
    # On a consent-based flow every category travels under the consent, except what the
    # sender shares on its own statutory task.
    needs_consent = allowed - own_task if consent is not None and consent.required else with_consent
    return Route(
        senders=frozenset(spec.senders),
        recipients=frozenset(spec.recipients),
        oso_profile=spec.oso_profile,
        mandatory=mandatory,
        optional=optional,
        with_consent=with_consent,
        own_task=own_task,
        forbidden=frozenset(lists.forbidden),
        allowed=allowed,
        needs_consent=needs_consent | explicit,
        needs_explicit=explicit,
        sender_relation=_relation(spec.sender_relation),
    )


def _relation(relation: SenderRelationSpec | None) -> SenderRelation | None:
    if relation is None:
        return None
    return SenderRelation(
        enrolled=relation.enrolled,
        received=frozenset(relation.received),
        case=relation.case,
        registered_consent=relation.registered_consent,
        holds_data=relation.holds_data,
    )


def _public(version: str, region: Region, flows: dict[str, Flow], tax: Taxonomy) -> dict[str, Any]:
    return {
        "version": version,
        "region": {
            "code": region.region,
            "name": region.name,
            "settings": region.settings.model_dump(mode="json"),
        },
        "flows": [_flow_public(flow) for flow in sorted(flows.values(), key=lambda f: f.id)],
        # What each category of a JSON dossier may hold: its closed JSON Schema.
        "categories": {
            name: {"label": category.label, "source": category.source, "fields": category.fields}
            for name, category in sorted(tax.categories.items())
            if not category.structure
        },
    }


def _flow_public(flow: Flow) -> dict[str, Any]:
    consent = flow.consent
    return {
        "purpose": flow.id,
        "title": flow.title,
        "enabled": flow.enabled,
        "legal_basis": {
            "statute": flow.legal_basis.statute,
            "avg_ground": flow.legal_basis.avg_ground,
            "kind": flow.legal_basis.kind,
        },
        "consent": None
        if consent is None
        else {
            "required": consent.required,
            "age_rule": consent.age_rule.name,
            "parents_needed": consent.parents_needed,
        },
        "routes": [
            {
                "senders": sorted(r.senders),
                "recipients": sorted(r.recipients),
                "oso_profile": r.oso_profile,
                "mandatory": sorted(r.mandatory),
                "optional": sorted(r.optional),
                "with_consent": sorted(r.with_consent),
                "own_task": sorted(r.own_task),
                "forbidden": sorted(r.forbidden),
                "sender_relation": None
                if r.sender_relation is None
                else r.sender_relation.to_dict(),
            }
            for r in flow.routes
        ],
        "special_grounds": {name: basis.statute for name, basis in flow.special_grounds.items()},
        "preconditions": {action: list(names) for action, names in flow.preconditions.items()},
        "break_glass": flow.break_glass,
        "verzuim_threshold": sorted(flow.verzuim_threshold),
        "age_scope": _age_scope_json(flow.age_scope),
        "obligations": list(flow.obligations),
        "retention": {"class": flow.retention.key, "term": flow.retention.term},
        "bsn_allowed": flow.bsn_allowed,
        "create_relation": None if flow.create_relation is None else flow.create_relation.to_dict(),
    }


def _age_scope_json(scope: AgeScope | None) -> dict[str, Any] | None:
    if scope is None:
        return None
    return {
        "min_age": scope.min_age,
        "max_age": scope.max_age,
        "statute": scope.statute,
        "actions": sorted(scope.actions),
    }
