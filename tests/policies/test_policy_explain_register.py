"""The explanation a privacy officer reads, and the AVG art. 30 register."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from policies.catalog import Catalog, load_catalog
from policies.engine import evaluate
from policies.explain import explain
from policies.register import register, render
from tests.policies.policy_cases import BOTH, MELDCODE_STEPS, OVERSTAP, make_request


def test_explain_walks_the_po_vo_decision_step_by_step(catalog: Catalog) -> None:
    request = make_request("school_po", "school_vo", "overdracht.po_vo", OVERSTAP | {"vve"},
                           pre=["aanmelding"])  # fmt: skip
    lines = explain(request, catalog)
    assert lines[0].startswith("Request: release for purpose overdracht.po_vo")
    assert "Flow overdracht.po_vo" in lines[1] and "WPO art. 42" in lines[1]
    assert lines[1].endswith(": passed")
    assert any("Preconditions for release: aanmelding, inzage: FAILED" in line for line in lines)
    assert lines[-1] == (
        "Result: DENY (inzage_missing) by rule overdracht.po_vo/deny/inzage; nothing is released."
    )


def test_explain_of_a_permit_names_what_is_released_and_what_must_follow(catalog: Catalog) -> None:
    request = make_request(
        "school_po", "veilig_thuis", "meldcode.melding", {"leerling"}, age=8, action="send",
        meldcode_steps=MELDCODE_STEPS, reasons=("signals",),
    )  # fmt: skip
    lines = explain(request, catalog)
    assert not any("FAILED" in line for line in lines)
    assert any(line.startswith("4. Break-glass: all five meldcode steps") for line in lines)
    assert lines[-1].startswith(
        "Result: PERMIT by rule meldcode.melding/permit; released: leerling"
    )
    assert "review_by_privacy_officer" in lines[-1]


@pytest.mark.parametrize(
    "request_args",
    [
        ("school_po", "school_vo", "overdracht.po_mbo", OVERSTAP),
        ("school_po", "wijkteam", "jeugdhulp.verwijzing", {"leerling", "gezondheid"}),
        ("school_vo", "verwijsindex", "verwijsindex.signaal", {"leerling", "signaal"}),
        ("school_po", "school_vo", "overdracht.po_vo", OVERSTAP),
    ],
)
def test_explain_agrees_with_evaluate(catalog: Catalog, request_args: tuple[Any, ...]) -> None:
    request = make_request(*request_args, age=23, grantors=("parent",), pre=BOTH, action="send")
    decision = evaluate(request, catalog)
    lines = explain(request, catalog)
    assert decision.rule in lines[-1]
    failed = [line for line in lines if "FAILED" in line]
    expected = 0 if decision.permitted else len(decision.reasons)
    assert len(failed) == expected


def test_register_has_an_entry_per_purpose_with_its_statute(catalog: Catalog) -> None:
    entries = {entry.purpose: entry for entry in register(catalog)}
    assert set(entries) == catalog.purposes
    po_vo = entries["overdracht.po_vo"]
    assert po_vo.legal_basis == "WPO art. 42; AVG art. 6(1)(c)"
    assert "Primary school (basisschool) (school_po)" in po_vo.controllers
    assert po_vo.special_categories == ()
    tlv = entries["tlv.aanvraag"]
    assert any("WPO art. 18a lid 13" in s for s in tlv.special_categories)
    assert any("special category" in c for c in tlv.categories)
    meldcode = entries["meldcode.melding"]
    assert any("break-glass" in s.lower() for s in meldcode.safeguards)
    assert any("consent" in s.lower() for s in entries["jeugdhulp.verwijzing"].safeguards)


def test_register_renders_markdown_for_the_autoriteit_persoonsgegevens(catalog: Catalog) -> None:
    text = render(register(catalog), "md")
    assert text.startswith("# Register of processing activities (AVG art. 30)")
    assert text.count("\n## ") == len(catalog.purposes)
    assert "## Overstap PO to VO (`overdracht.po_vo`)" in text
    assert "**Legal basis:** WPO art. 42" in text


def test_register_renders_csv_and_json(catalog: Catalog) -> None:
    entries = register(catalog)
    rows = list(csv.DictReader(io.StringIO(render(entries, "csv"))))
    assert [row["purpose"] for row in rows] == [entry.purpose for entry in entries]
    assert "WEC art. 43" in next(r for r in rows if r["purpose"] == "overdracht.so")["legal_basis"]
    data = json.loads(render(entries, "json"))
    assert {item["purpose"] for item in data} == catalog.purposes
    with pytest.raises(ValueError, match="unknown register format"):
        render(entries, "pdf")  # type: ignore[arg-type]


def test_a_flow_switched_off_leaves_the_register(catalog_dir: Path, edit_yaml: Any) -> None:
    off = {"overdracht.voorschool_po": {"enabled": False}}
    edit_yaml(catalog_dir / "regions/demo.yaml", lambda d: d["flows"].update(off))
    purposes = {entry.purpose for entry in register(load_catalog(catalog_dir))}
    assert "overdracht.voorschool_po" not in purposes
