"""The AVG art. 30 register word for word: the texts the code adds to the catalog's own.

The privacy officer hands this document to the Autoriteit Persoonsgegevens, so what
the code writes into it (the fixed sentences, the consent summary, the markers of
special categories and unverified articles, the layout) is specified here exactly.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict

from policies.catalog import Catalog
from policies.register import RegisterEntry, register, render

EEA = "None; all processing stays within the EEA."
BSN_TRAVELS = "The BSN travels only because this flow's statutory basis allows it (UAVG art. 46)."


def entries(catalog: Catalog) -> dict[str, RegisterEntry]:
    return {entry.purpose: entry for entry in register(catalog)}


def test_the_supervision_entry_in_markdown_word_for_word(catalog: Catalog) -> None:
    spec = catalog.taxonomy.purposes["audit.toezicht"]
    basis = catalog.legal_basis("audit.toezicht")
    assert basis is not None
    safeguards = catalog.taxonomy.safeguards
    entry = entries(catalog)["audit.toezicht"]
    assert entry.special_categories == ()
    text = render([entry], "md")
    assert text == "\n".join(
        [
            "# Register of processing activities (AVG art. 30)",
            "",
            f"## {spec.label} (`audit.toezicht`)",
            "",
            spec.description,
            "",
            "- **Controllers (senders):**",
            "  - Every connected organisation, through its privacy officer (FG)",
            "- **Recipients:**",
            "  - The privacy officer (FG) of the organisation concerned",
            "- **Data subjects:** Pupils and their parents or carers; the professionals who acted",
            f"- **Legal basis:** {basis.label}. {basis.description}",
            "- **Consent:** Not applicable",
            "- **Personal data:**",
            "  - Audit events: pseudonymised subject reference, purpose, category names, "
            "decision and rule; never dossier content",
            "- **Special categories (AVG art. 9):**",
            "  - None",
            "- **Retention:** As long as the longest retention of the records the log covers",
            f"- **Transfers outside the EEA:** {EEA}",
            "- **Safeguards:**",
            f"  - {safeguards['hash_chained_audit']}",
            f"  - {safeguards['pseudonymised_bsn']}",
            "",
        ]
    )


def test_the_consent_summary_names_the_rule_and_how_many_parents(catalog: Catalog) -> None:
    found = entries(catalog)
    knooppunt = catalog.flows["knooppunt.casus"].consent
    thuiszitter = catalog.flows["leerplicht.thuiszitter"].consent
    assert knooppunt is not None and thuiszitter is not None
    assert found["knooppunt.casus"].consent == (
        f"Required for the flow: {knooppunt.age_rule.description} "
        f"Parents needed: both parents ({knooppunt.age_rule.statute})."
    )
    assert found["leerplicht.thuiszitter"].consent == (
        f"Required beyond the closed list: {thuiszitter.age_rule.description} "
        f"Parents needed: one parent ({thuiszitter.age_rule.statute})."
    )
    assert found["overdracht.po_vo"].consent == "Not required: legal obligation"


def test_a_flow_entry_marks_special_categories_unverified_articles_and_the_bsn(
    catalog: Catalog,
) -> None:
    found = entries(catalog)
    thuiszitter, po_vo = found["leerplicht.thuiszitter"], found["overdracht.po_vo"]
    flow = catalog.flows["leerplicht.thuiszitter"]
    assert thuiszitter.data_subjects == "Pupils and their parents or carers"
    assert thuiszitter.third_countries == EEA
    assert (
        thuiszitter.legal_basis_note == f"{flow.legal_basis.description} (article to be verified)"
    )
    assert po_vo.legal_basis_note == catalog.flows["overdracht.po_vo"].legal_basis.description
    assert "gezondheid (Health data), special category (AVG art. 9)" in thuiszitter.categories
    assert "leerling (Pupil identity)" in thuiszitter.categories
    assert thuiszitter.special_categories == ("gezondheid (Health data), ground: AVG art. 9(2)(a)",)
    assert not any(c.startswith(("metadata", "ouderinzage")) for c in po_vo.categories)
    assert thuiszitter.retention == f"{flow.retention.term} ({flow.retention.basis})"
    safeguards = catalog.taxonomy.safeguards
    assert thuiszitter.safeguards[-2:] == (BSN_TRAVELS, safeguards["consent_registry"])
    knooppunt = found["knooppunt.casus"].safeguards
    assert knooppunt[-2:] == (safeguards["pseudonymised_bsn"], safeguards["consent_registry"])
    assert po_vo.safeguards[-1] == BSN_TRAVELS
    assert "Primary school (basisschool) (school_po)" in po_vo.controllers
    assert "Secondary school (VO) (school_vo)" in po_vo.recipients


def test_csv_has_one_column_per_field_and_lists_joined_by_semicolons(catalog: Catalog) -> None:
    found = entries(catalog)
    text = render([found["audit.toezicht"], found["knooppunt.casus"]], "csv")
    header, *_ = text.split("\n")
    assert header == ",".join(RegisterEntry.__dataclass_fields__)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["purpose"] for row in rows] == ["audit.toezicht", "knooppunt.casus"]
    assert rows[1]["safeguards"] == "; ".join(found["knooppunt.casus"].safeguards)
    assert rows[0]["special_categories"] == ""
    assert rows[0]["consent"] == "Not applicable"
    assert render([], "csv") == "\n"
    single = render([found["audit.toezicht"]], "csv").split("\n")
    assert (single[0], len(single)) == (header, 3)


def test_json_holds_every_field_of_every_entry(catalog: Catalog) -> None:
    listed = register(catalog)
    text = render(listed, "json")
    assert json.loads(text) == [json.loads(json.dumps(asdict(entry))) for entry in listed]
    assert text.startswith('[\n  {\n    "purpose": ')
