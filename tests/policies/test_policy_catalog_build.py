"""The compiled catalog holds what its files say, and publishes it (`GET /v1/policies`).

Each test builds its own catalog: the session's is built once, before any test runs.
"""

from __future__ import annotations

import pytest

from policies.build import build_catalog
from policies.catalog import Catalog
from policies.loader import DEFAULT_PATH, read_sources

TAX, FLOWS, REGION = read_sources(DEFAULT_PATH, "demo")


@pytest.fixture
def catalog() -> Catalog:
    return build_catalog(*read_sources(DEFAULT_PATH, "demo"))


def test_the_catalog_carries_the_region_and_the_taxonomy_it_was_built_from(
    catalog: Catalog,
) -> None:
    assert (catalog.region, catalog.region_name) == ("demo", REGION.name)
    assert catalog.org_kinds == set(TAX.org_kinds)
    assert catalog.parties == set(TAX.parties)
    assert set(catalog.legal_bases) == set(TAX.legal_bases)
    for key, basis in catalog.legal_bases.items():
        spec = TAX.legal_bases[key]
        assert (basis.key, basis.statute, basis.avg_ground) == (key, spec.statute, spec.avg_ground)
        assert (basis.kind, basis.description, basis.verify, basis.unverified) == (
            spec.kind,
            spec.description,
            spec.verify,
            spec.unverified or "",
        )


def test_each_flow_carries_its_title_description_retention_and_age_rule(catalog: Catalog) -> None:
    for spec in FLOWS:
        flow = catalog.flows[spec.purpose]
        assert (flow.title, flow.inform_waivable) == (spec.title, spec.inform_waivable)
        assert flow.description == TAX.purposes[spec.purpose].description
        retention = TAX.retention_classes[spec.retention]
        assert (flow.retention.key, flow.retention.term, flow.retention.basis) == (
            spec.retention,
            retention.term,
            retention.basis,
        )
        if spec.consent is not None:
            assert flow.consent is not None
            rule = flow.consent.age_rule
            assert (rule.name, rule.description) == (
                spec.consent.rule,
                TAX.age_rules[spec.consent.rule].description,
            )
            assert rule.statute == TAX.age_rules[spec.consent.rule].statute


def test_the_published_catalog_names_version_region_and_every_flow(catalog: Catalog) -> None:
    public = catalog.to_dict()
    assert list(public) == ["version", "region", "flows", "categories"]
    assert public["version"] == catalog.version
    assert public["region"] == {
        "code": "demo",
        "name": REGION.name,
        "settings": {
            "verwijsindex": True,
            "parents": "one",
            "verzuim_threshold_hours": 16.0,
            "verzuim_window_weeks": 4,
            "thuiszitter_weeks": 4,
        },
    }
    assert [flow["purpose"] for flow in public["flows"]] == sorted(catalog.flows)
    content = {name for name, c in TAX.categories.items() if not c.structure}
    assert set(public["categories"]) == content
    melding = public["categories"]["verzuim_melding"]["fields"]
    assert melding["additionalProperties"] is False
    assert set(melding["properties"]) == {"soort", "periode", "uren"}


def test_a_published_flow_says_who_may_send_what_on_which_ground(catalog: Catalog) -> None:
    knooppunt = next(f for f in catalog.to_dict()["flows"] if f["purpose"] == "knooppunt.casus")
    route = catalog.flows["knooppunt.casus"].routes[0]
    assert len(knooppunt["routes"]) == len(catalog.flows["knooppunt.casus"].routes) == 5
    assert knooppunt["routes"][0] == {
        "senders": sorted(route.senders),
        "recipients": sorted(route.recipients),
        "oso_profile": None,
        "mandatory": [],
        "optional": sorted(route.optional),
        "with_consent": [],
        "own_task": [],
        "forbidden": [],
        # Only a party at the case's table speaks about the pupil in it.
        "sender_relation": {
            "enrolled": False,
            "received": [],
            "case": True,
            "registered_consent": False,
            "holds_data": False,
        },
    }
    # Leerplicht's closed list needs no case consent: its own statutory task.
    leerplicht = next(r for r in knooppunt["routes"] if r["senders"] == ["leerplicht"])
    assert leerplicht["own_task"] == [
        "leerling", "oudersverzorgers", "school", "schoolloopbaan", "verzuim", "verzuim_melding",
    ]  # fmt: skip
    # The parents' and the pupil's own view is theirs to share: no case consent either.
    own_view = next(r for r in knooppunt["routes"] if r["senders"] == ["data_subject"])
    assert own_view["own_task"] == ["visie_leerling", "visie_ouders"]
    assert own_view["recipients"] == sorted(catalog.flows["knooppunt.casus"].recipient_kinds)
    del knooppunt["routes"]
    assert knooppunt == {
        "purpose": "knooppunt.casus",
        "title": "Knooppunt / OT / MDO case consultation",
        "enabled": True,
        "legal_basis": {
            "statute": "De eigen wettelijke taak van elke partij voor wat zij hoe dan ook mag "
            "delen; casustoestemming voor de rest",
            "avg_ground": "AVG art. 6(1)(c), 6(1)(e) en 6(1)(a)",
            "kind": "task_and_consent",
        },
        "consent": {"required": True, "age_rule": "jeugdwet", "parents_needed": 2},
        "special_grounds": {"gezondheid": "AVG art. 9(2)(a)"},
        "preconditions": {"send": ["sender_related", "participant"], "release": ["participant"]},
        "break_glass": False,
        "verzuim_threshold": [],
        "age_scope": None,
        "obligations": ["purpose_bound_minimum", "stop_on_withdrawal"],
        "retention": {
            "class": "own_term",
            "term": "Each party its own term; no shared master file",
        },
        "bsn_allowed": False,
        # Who may start a case: standing apart from any case (a case makes standing).
        "create_relation": {
            "enrolled": True,
            "received": [
                "jeugdhulp.terugkoppeling",
                "jeugdhulp.verwijzing",
                "leerplicht.thuiszitter",
                "leerplicht.verzuim",
                "tlv.aanvraag",
                "tlv.advies",
            ],
            "case": False,
            "registered_consent": False,
            "holds_data": False,
        },
    }
