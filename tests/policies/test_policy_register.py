"""The AVG art. 30 register, one per controller, complete against art. 30(1)(a)-(g).

The privacy officer hands this document to the Autoriteit Persoonsgegevens: each
organisation is controller of its own flows (as sender and as recipient), the operator of
the gateway of what the gateway itself does, and every register answers (a) to (g).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import replace

import pytest

from policies.catalog import Catalog
from policies.register import (
    GATEWAY,
    Controller,
    ControllerRegister,
    Deployment,
    Location,
    registers,
)
from policies.register_render import render

DEPLOYMENT = Deployment(
    operator=Controller(GATEWAY, "Gateway regio Demo", None, "beheer@demo.example", "FG beheer"),
    dpia_reference="DPIA gateway, versie 1",
    hosting=Location("hosting", "Eigen server", "NL"),
    identity_providers=(Location("inlogdienst", "DigiD", "NL"),),
)
ORGS = (
    Controller("org_po", "OBS De Hien", "school_po", "privacy@dehien.example", "FG SPO"),
    Controller("org_vo", "Da Vinci College", "school_vo", "privacy@davinci.example", "FG DV"),
    Controller("org_wt", "Wijkteam", "wijkteam", "wijkteam@demo.example", "FG gemeente"),
    Controller("org_swv", "SWV PO", "swv_po", "info@swv.example", "FG SWV"),
    Controller("org_lp", "Leerrecht", "leerplicht", "lp@demo.example", "FG Leerrecht"),
)
# Art. 30(1) per letter: the labels the markdown register gives them.
LETTERS = {
    "a": ("(a) Verwerkingsverantwoordelijke", "(a) Contactgegevens",
          "(a) Functionaris gegevensbescherming"),
    "b": ("(b) Doeleinden",),
    "c": ("(c) Betrokkenen", "(c) Persoonsgegevens"),
    "d": ("(d) Ontvangers",),
    "e": ("(e) Doorgifte buiten de EER",),
    "f": ("(f) Bewaartermijn",),
    "g": ("(g) Beveiligingsmaatregelen",),
}  # fmt: skip


def by_id(catalog: Catalog, deployment: Deployment = DEPLOYMENT) -> dict[str, ControllerRegister]:
    return {reg.controller: reg for reg in registers(catalog, ORGS, deployment)}


def sections(markdown: str) -> dict[str, str]:
    """The markdown register split per controller (`## name (`id`)`)."""
    parts = re.split(r"^## .*\(`([^`]+)`\)$", markdown, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def values(section: str, label: str) -> list[str]:
    """Every value given for `label`: inline, or as the list under it."""
    found = []
    lines = section.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(f"- **{label}:**"):
            inline = line.split(":**", 1)[1].strip()
            items = []
            for follow in lines[i + 1 :]:
                if not follow.startswith("  - "):
                    break
                items.append(follow[4:].strip())
            found.append(inline or "; ".join(items))
    return found


def assert_complete(markdown: str, controllers: set[str]) -> None:
    found = sections(markdown)
    assert set(found) == controllers
    for controller, section in found.items():
        activities = section.count("\n### ")
        assert activities, controller
        for letter, labels in LETTERS.items():
            for label in labels:
                given = values(section, label)
                expected = 1 if letter == "a" else activities
                assert len(given) == expected, (controller, label)
                assert all(v and "niet ingesteld" not in v for v in given), (controller, label)


def test_every_controller_is_complete_against_art_30_1_a_to_g(catalog: Catalog) -> None:
    assert_complete(
        render(registers(catalog, ORGS, DEPLOYMENT), "md"), {GATEWAY, *(o.id for o in ORGS)}
    )


def test_a_missing_fg_or_hosting_shows_as_not_set(catalog: Catalog) -> None:
    no_fg = replace(ORGS[0], privacy_officer="")
    unset = replace(DEPLOYMENT, hosting=Location("hosting", "Eigen server", ""))
    text = render(registers(catalog, [no_fg], unset), "md")
    with pytest.raises(AssertionError):
        assert_complete(text, {GATEWAY, "org_po"})
    po = sections(text)["org_po"]
    assert values(po, "(a) Functionaris gegevensbescherming") == ["niet ingesteld"]
    assert all(
        v.startswith("Niet vast te stellen") for v in values(po, "(e) Doorgifte buiten de EER")
    )


def test_a_school_registers_its_flows_as_sender_and_as_recipient(catalog: Catalog) -> None:
    po = {(a.purpose, a.role) for a in by_id(catalog)["org_po"].activities}
    assert ("overdracht.po_vo", "verstrekker") in po
    assert ("jeugdhulp.terugkoppeling", "ontvanger") in po
    assert ("tlv.besluit", "ontvanger") in po
    assert ("leerling.inschrijving", "eigen verwerking") in po
    assert ("audit.toezicht", "eigen verwerking") in po
    assert ("overdracht.po_vo", "ontvanger") not in po
    wijkteam = {a.purpose for a in by_id(catalog)["org_wt"].activities}
    assert "leerling.inschrijving" not in wijkteam and "jeugdhulp.verwijzing" in wijkteam


def test_the_operator_registers_what_the_gateway_itself_does(catalog: Catalog) -> None:
    operator = by_id(catalog)[GATEWAY]
    assert (operator.controller_name, operator.contact, operator.privacy_officer) == (
        "Gateway regio Demo",
        "beheer@demo.example",
        "FG beheer",
    )
    names = {a.name for a in operator.activities}
    assert names == {
        "Toestemmingsregister",
        "Gezagsregister",
        "Aanmeldingen en inschrijvingen",
        "Inloggen op het ouderportaal",
        "Beoordeling van doorbraken (break-glass)",
        "Auditlog",
    }
    assert operator.dpia_reference == "DPIA gateway, versie 1"


def test_data_subjects_follow_the_flow(catalog: Catalog) -> None:
    po = {(a.purpose, a.role): a for a in by_id(catalog)["org_po"].activities}
    meldcode = po["meldcode.melding", "verstrekker"].data_subjects
    assert "gezinsleden en huisgenoten" in meldcode
    assert "melders (professionals die melden)" in meldcode
    signaal = po["verwijsindex.signaal", "verstrekker"].data_subjects
    assert "melders (professionals die signaleren)" in signaal
    assert "ouders/verzorgers" in po["overdracht.po_vo", "verstrekker"].data_subjects
    assert "gezinsleden en huisgenoten" not in po["overdracht.po_vo", "verstrekker"].data_subjects


def test_personal_data_are_described_by_their_fields(catalog: Catalog) -> None:
    po = {(a.purpose, a.role): a for a in by_id(catalog)["org_po"].activities}
    data = po["overdracht.po_vo", "verstrekker"].personal_data
    leerling = next(d for d in data if d.startswith("Leerling (identiteit)"))
    assert "roepnaam" in leerling and "geboortedatum" in leerling
    referral = po["jeugdhulp.verwijzing", "verstrekker"]
    assert any("bijzonder persoonsgegeven, AVG art. 9" in d for d in referral.personal_data)
    assert referral.special_categories == ("Gezondheidsgegevens: AVG art. 9(2)(a)",)


def test_retention_is_a_term_not_an_answer_deadline(catalog: Catalog) -> None:
    for reg in by_id(catalog).values():
        for activity in reg.activities:
            assert "binnen" not in activity.retention and "maand" not in activity.retention
    po = {(a.purpose, a.role): a for a in by_id(catalog)["org_po"].activities}
    assert (
        po["overdracht.po_po", "ontvanger"].retention == "2 jaar na uitschrijving van de leerling"
    )


def test_transfers_outside_the_eea_come_from_the_configuration(catalog: Catalog) -> None:
    inside = by_id(catalog)[GATEWAY].activities
    assert all(a.transfers.startswith("Geen doorgifte buiten de EER") for a in inside)
    abroad = replace(DEPLOYMENT, identity_providers=(Location("inlogdienst", "Cloud IdP", "US"),))
    operator = {a.purpose: a for a in by_id(catalog, abroad)[GATEWAY].activities}
    assert operator["gateway.portaal"].transfers.startswith(
        "Doorgifte buiten de EER: inlogdienst in US"
    )
    assert operator["gateway.auditlog"].transfers.startswith("Geen doorgifte")


def test_no_entry_says_only_to_be_verified(catalog: Catalog) -> None:
    text = render(registers(catalog, ORGS, DEPLOYMENT), "md")
    assert "to be verified" not in text and "te verifiëren" not in text
    assert "Niet bevestigd: Het artikel van de meldingsbevoegdheid" in text


def test_csv_json_and_html_hold_the_same_registers(catalog: Catalog) -> None:
    found = registers(catalog, ORGS, DEPLOYMENT)
    rows = list(csv.DictReader(io.StringIO(render(found, "csv"))))
    assert len(rows) == sum(len(r.activities) for r in found)
    assert {row["controller"] for row in rows} == {GATEWAY, *(o.id for o in ORGS)}
    assert all(row["privacy_officer"] and row["transfers"] for row in rows)
    data = json.loads(render(found, "json"))
    assert [d["controller"] for d in data] == [r.controller for r in found]
    page = render(found, "html")
    assert page.startswith("<!doctype html>") and '<html lang="nl">' in page
    assert page.count("<section>") == len(found)
    with pytest.raises(ValueError, match="unknown register format"):
        render(found, "pdf")  # type: ignore[arg-type]


def test_html_escapes_what_the_registry_holds(catalog: Catalog) -> None:
    odd = replace(ORGS[0], name="<b>School</b>")
    page = render(registers(catalog, [odd], DEPLOYMENT), "html")
    assert "<b>School</b>" not in page and "&lt;b&gt;School&lt;/b&gt;" in page
