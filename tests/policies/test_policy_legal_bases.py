"""The legal bases as the law gives them (DOMAIN.md §3, reference/legal-rules.md).

Each test names one basis that was once written wrong, so that it cannot come back:
the privacy convenant as a ground, a power under art. 6(1)(c), the beroepsgeheim of
the Jeugdwet on a school, a data-subject right as an art. 9 exception, and a bare
"article to be verified" that tells the privacy officer nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from policies.catalog import Catalog, load_catalog
from policies.loader import CatalogError


def test_the_knooppunt_rests_on_own_task_and_case_consent_not_on_the_convenant(
    catalog: Catalog,
) -> None:
    basis = catalog.flows["knooppunt.casus"].legal_basis
    # DOMAIN row 11: each party's task (6(1)(c)/(e)) for what it may share anyway, case
    # consent (6(1)(a)) for the rest; the convenant says how, it is no ground.
    assert "6(1)(c)" in basis.avg_ground and "6(1)(e)" in basis.avg_ground
    assert "6(1)(a)" in basis.avg_ground
    assert "convenant" not in basis.statute.lower()
    assert "geen grondslag" in basis.description
    assert basis.kind == "task_and_consent"


@pytest.mark.parametrize(
    "purpose", ["verwijsindex.signaal", "verwijsindex.match", "meldcode.melding"]
)
def test_a_statutory_power_rests_on_public_task_not_on_legal_obligation(
    catalog: Catalog, purpose: str
) -> None:
    basis = catalog.flows[purpose].legal_basis
    assert basis.kind == "statutory_power"
    assert basis.avg_ground == "AVG art. 6(1)(e)"


def test_a_referring_school_is_not_bound_by_the_jeugdwet_beroepsgeheim(catalog: Catalog) -> None:
    referral = catalog.flows["jeugdhulp.verwijzing"]
    assert referral.sender_kinds <= {k for k in catalog.org_kinds if k.startswith("school_")}
    assert "7.3.11" not in referral.legal_basis.statute
    assert referral.legal_basis.avg_ground == "AVG art. 6(1)(a)"
    # The care provider's feedback is where the beroepsgeheim binds.
    feedback = catalog.flows["jeugdhulp.terugkoppeling"]
    assert "7.3.11" in feedback.legal_basis.statute
    assert "school_po" not in feedback.sender_kinds


def test_every_special_ground_is_an_exception_of_art_9_2(catalog: Catalog) -> None:
    for flow in catalog.flows.values():
        for name, ground in flow.special_grounds.items():
            assert ground.kind == "special_category", (flow.id, name)
            assert ground.avg_ground.startswith("AVG art. 9(2)"), (flow.id, name)


@pytest.mark.parametrize("purpose", ["rechten.inzage", "rechten.correctie", "rechten.verwijdering"])
def test_a_data_subject_right_has_an_art_6_ground_and_art_15_is_no_art_9_ground(
    catalog: Catalog, purpose: str
) -> None:
    flow = catalog.flows[purpose]
    assert flow.legal_basis.avg_ground == "AVG art. 6(1)(c)"
    assert flow.special_grounds["gezondheid"].avg_ground == "AVG art. 9(2)(g)"


def test_the_meldrecht_names_its_own_art_9_ground(catalog: Catalog) -> None:
    flow = catalog.flows["meldcode.melding"]
    assert "9(2)" not in flow.legal_basis.avg_ground
    assert flow.special_grounds["gezondheid"].avg_ground == "AVG art. 9(2)(g)"


def test_an_unverified_article_says_what_and_why(catalog: Catalog) -> None:
    unverified = {k: b for k, b in catalog.legal_bases.items() if b.verify}
    assert {"wvo_okr", "jeugdwet_vi", "swv_health", "school_administration"} <= set(unverified)
    for key, basis in catalog.legal_bases.items():
        assert bool(basis.unverified) == basis.verify, key
        assert "to be verified" not in basis.unverified + basis.statute + basis.description


def test_the_verwijsindex_article_of_the_power_is_marked_as_inferred(catalog: Catalog) -> None:
    basis = catalog.legal_bases["jeugdwet_vi"]
    assert basis.statute == "Jeugdwet §7.1 (verwijsindex risicojongeren)"
    assert "7.1.4.1" in basis.unverified


def _load_with(catalog_dir: Path, edit_yaml: Any, change: Any) -> None:
    edit_yaml(catalog_dir / "taxonomy.yaml", change)
    load_catalog(catalog_dir)


def test_verify_without_saying_what_is_a_load_error(catalog_dir: Path, edit_yaml: Any) -> None:
    def bare(data: dict[str, Any]) -> None:
        del data["legal_bases"]["wvo_okr"]["unverified"]

    with pytest.raises(CatalogError, match=r"wvo_okr.*verify needs 'unverified'"):
        _load_with(catalog_dir, edit_yaml, bare)


def test_a_special_ground_that_is_no_art_9_exception_is_a_load_error(
    catalog_dir: Path, edit_yaml: Any
) -> None:
    def right_as_ground(data: dict[str, Any]) -> None:
        data["legal_bases"]["avg_rights_health"]["kind"] = "data_subject_right"

    with pytest.raises(CatalogError, match=r"'avg_rights_health' is not an AVG art\. 9"):
        _load_with(catalog_dir, edit_yaml, right_as_ground)
