"""The closed fields of every content category, and the categories issue 10 split or closed.

A JSON dossier's value for a category must fit the JSON Schema the catalog gives that
category; a misfit is named by its path, never by its value. The SWV passes health data
only to the bevoegd gezag (the school); the experts' advice on a TLV never travels with
the decision.
"""

from __future__ import annotations

from typing import Any

import pytest

from policies.catalog import Catalog
from tests.policies.policy_cases import decide

KC = "knooppunt.casus"
MELDING = {"soort": "luxe", "periode": {"van": "2016-03-14", "tot": "2016-03-18"}, "uren": 20}


def paths(catalog: Catalog, dossier: dict[str, Any]) -> list[tuple[str, str]]:
    return [(m.path, m.problem) for m in catalog.misfits(dossier)]


def test_every_content_category_has_closed_fields_with_a_fitting_example(
    catalog: Catalog,
) -> None:
    content = {n for n, c in catalog.taxonomy.categories.items() if not c.structure}
    assert set(catalog.field_validators) == content
    for name in content:
        category = catalog.taxonomy.categories[name]
        assert category.fields is not None
        assert category.fields.get("additionalProperties") is False or "items" in category.fields
        assert paths(catalog, {name: category.example}) == []


def test_a_verzuimmelding_holds_type_period_and_hours_and_nothing_else(catalog: Catalog) -> None:
    assert paths(catalog, {"verzuim_melding": MELDING}) == []
    reason = {**MELDING, "reden": "depressie, opname GGZ"}
    assert paths(catalog, {"verzuim_melding": reason}) == [
        ("verzuim_melding", "holds a field the catalog does not list")
    ]
    free_type = {**MELDING, "soort": "ziek: depressie"}
    assert paths(catalog, {"verzuim_melding": free_type}) == [
        ("verzuim_melding.soort", "is not one of the values the catalog lists")
    ]
    assert paths(catalog, {"verzuim_melding": {"soort": "luxe"}}) == [
        ("verzuim_melding", "misses a required field")
    ]
    bad_day = {**MELDING, "periode": {"van": "2016-13-40", "tot": "2016-03-18"}}
    assert paths(catalog, {"verzuim_melding": bad_day}) == [
        ("verzuim_melding.periode.van", "is not in the required format")
    ]


@pytest.mark.parametrize("hours", [float("nan"), float("inf"), float("-inf")])
def test_hours_are_a_finite_number(catalog: Catalog, hours: float) -> None:
    # The API refuses NaN as JSON; the fields do not rely on that.
    assert paths(catalog, {"verzuim_melding": {**MELDING, "uren": hours}}) == [
        ("verzuim_melding.uren", "has the wrong type")
    ]


def test_health_data_cannot_hide_in_another_category(catalog: Catalog) -> None:
    hidden = {
        "leerling": {"roepnaam": "Sam", "diagnose": "ADHD"},
        "onderwijsondersteuning": {"ondersteuning": "rekenen", "medicijngebruik": "Ritalin"},
        "oudersverzorgers": [{"relatie": "moeder", "ggz": "opname"}],
    }
    assert paths(catalog, hidden) == [
        ("leerling", "holds a field the catalog does not list"),
        ("onderwijsondersteuning", "holds a field the catalog does not list"),
        ("oudersverzorgers[0]", "holds a field the catalog does not list"),
    ]


def test_a_misfit_never_names_a_value_or_an_invented_field(catalog: Catalog) -> None:
    dossier = {"verzuim_melding": {**MELDING, "soort": "depressie", "depressie": True}}
    found = " ".join(f"{path} {problem}" for path, problem in paths(catalog, dossier))
    assert "verzuim_melding" in found
    assert "depressie" not in found


def test_a_category_without_fields_does_not_fit(catalog: Catalog) -> None:
    assert paths(catalog, {"metadata": {}}) == [("metadata", "has no fields in the catalog")]


@pytest.mark.parametrize(
    "recipient", ["wijkteam", "leerplicht", "jeugdhulp", "jgz", "smw", "swv_vo"]
)
def test_the_swv_never_passes_health_data_to_a_care_partner(
    catalog: Catalog, recipient: str
) -> None:
    """WPO art. 18a lid 13 / WVO art. 17a lid 14: only to the bevoegd gezag, consent or not."""
    scope = ("leerling", "gezondheid")
    decision = decide(catalog, "swv_po", recipient, KC, scope, age=9, grantors=("parent", "parent"),
                      scope=scope, pre=("participant",), action="send")  # fmt: skip
    assert decision.code == "category_forbidden"
    without = decide(catalog, "swv_po", recipient, KC, {"leerling"}, age=9,
                     grantors=("parent", "parent"), scope=scope, pre=("participant",),
                     action="send")  # fmt: skip
    assert without.permitted


@pytest.mark.parametrize("school", ["school_po", "school_so", "school_vo"])
def test_the_swv_passes_health_data_to_the_school_with_explicit_consent(
    catalog: Catalog, school: str
) -> None:
    scope = ("leerling", "gezondheid")
    decision = decide(catalog, "swv_vo", school, KC, scope, age=9, grantors=("parent", "parent"),
                      scope=scope, pre=("participant",), action="send")  # fmt: skip
    assert decision.permitted
    assert decision.released == frozenset(scope)


def test_other_partners_keep_health_data_under_explicit_consent(catalog: Catalog) -> None:
    scope = ("leerling", "gezondheid")
    decision = decide(catalog, "jgz", "wijkteam", KC, scope, age=9, grantors=("parent", "parent"),
                      scope=scope, pre=("participant",), action="send")  # fmt: skip
    assert decision.permitted


def test_the_tlv_decision_carries_no_expert_advice(catalog: Catalog) -> None:
    decision = decide(catalog, "swv_po", "school_po", "tlv.besluit",
                      {"leerling", "tlv_besluit", "deskundigenadvies"}, action="send")  # fmt: skip
    assert decision.code == "category_forbidden"
    plain = decide(catalog, "swv_po", "school_po", "tlv.besluit", {"leerling", "tlv_besluit"},
                   action="send")  # fmt: skip
    assert plain.permitted
    request = decide(catalog, "school_po", "swv_po", "tlv.aanvraag",
                     {"school", "leerling", "oudersverzorgers", "schoolloopbaan",
                      "onderwijsondersteuning", "tlv_aanvraag"}, action="send")  # fmt: skip
    assert request.permitted
    assert "tlv" not in catalog.categories
