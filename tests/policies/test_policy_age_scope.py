"""A flow's age range: a PO overstap is for a pupil of primary-school age (WPO art. 39)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from policies.catalog import Catalog, load_catalog
from policies.loader import CatalogError
from tests.policies.policy_cases import BOTH, OVERSTAP, Case, cases, check, req

PO_VO = "overdracht.po_vo"
PO_PO = "overdracht.po_po"
Edit = Callable[[Path, Callable[[dict[str, Any]], None]], None]


def send(purpose: str, recipient: str, age: int | None) -> dict[str, Any]:
    return req(
        "school_po", recipient, purpose, OVERSTAP, age=age, pre=["aanmelding"], action="send"
    )


@cases(
    Case("PO to VO at 12", send(PO_VO, "school_vo", 12), "permit"),
    Case("PO to VO at 4, the youngest pupil", send(PO_VO, "school_vo", 4), "permit"),
    Case("PO to VO at 14, the oldest pupil", send(PO_VO, "school_vo", 14), "permit"),
    Case("PO to VO at 15", send(PO_VO, "school_vo", 15), "out_of_scope"),
    Case("PO to VO at 23", send(PO_VO, "school_vo", 23), "out_of_scope"),
    Case("PO to VO at 3", send(PO_VO, "school_vo", 3), "out_of_scope"),
    Case("PO to VO, age unknown", send(PO_VO, "school_vo", None), "out_of_scope"),
    Case("PO to VO, born in the future", send(PO_VO, "school_vo", -1), "out_of_scope"),
    Case("PO to PO at 9", send(PO_PO, "school_po", 9), "permit"),
    Case("PO to PO at 23", send(PO_PO, "school_po", 23), "out_of_scope"),
    Case(
        "the release is not judged by age: a birthday after the send refuses nothing",
        req("school_po", "school_vo", PO_VO, OVERSTAP, age=15, pre=BOTH),
        "permit",
    ),
    Case(
        "VO to VO has no primary-school range",
        req("school_vo", "school_vo", "overdracht.vo_vo", OVERSTAP, age=17, pre=BOTH),
        "permit",
    ),
)
def test_a_po_overstap_is_for_a_pupil_of_primary_school_age(catalog: Catalog, case: Case) -> None:
    check(catalog, case)


def test_the_range_is_catalog_data_with_its_statute(catalog: Catalog) -> None:
    public = next(f for f in catalog.to_dict()["flows"] if f["purpose"] == PO_VO)
    assert public["age_scope"] == {
        "min_age": 4,
        "max_age": 14,
        "statute": "WPO art. 39",
        "actions": ["send"],
    }


@pytest.mark.parametrize(
    ("scope", "message"),
    [
        ({"min_age": 10, "max_age": 4, "statute": "x"}, "max_age 4 is below min_age 10"),
        ({"min_age": -1, "max_age": 4, "statute": "x"}, "min_age"),
        ({"max_age": 4}, "statute"),
        ({"max_age": 4, "statute": "x", "actions": ["delete"]}, "actions"),
    ],
)
def test_an_age_range_is_validated_on_load(
    catalog_dir: Path, edit_yaml: Edit, scope: dict[str, Any], message: str
) -> None:
    def change(data: dict[str, Any]) -> None:
        flow = next(f for f in data["flows"] if f["purpose"] == PO_VO)
        flow["age_scope"] = scope

    edit_yaml(catalog_dir / "flows.yaml", change)
    with pytest.raises(CatalogError) as raised:
        load_catalog(catalog_dir)
    assert any(message in error for error in raised.value.errors), raised.value.errors
