"""The explanation a privacy officer reads: the same decision as `evaluate`, in Dutch."""

from __future__ import annotations

from typing import Any

import pytest

from policies.catalog import Catalog
from policies.engine import evaluate
from policies.explain import explain
from tests.policies.policy_cases import BOTH, MELDCODE_STEPS, OVERSTAP, make_request


def test_explain_walks_the_po_vo_decision_step_by_step(catalog: Catalog) -> None:
    request = make_request("school_po", "school_vo", "overdracht.po_vo", OVERSTAP | {"vve"},
                           pre=["aanmelding"])  # fmt: skip
    lines = explain(request, catalog)
    assert lines[0].startswith("Verzoek: verstrekken aan de ontvanger voor Overstap van PO")
    assert lines[1] == (
        "Feiten: aanmelding bij de ontvangende school: ja; verzender heeft een band met de "
        "leerling: ja."
    )
    assert "De stroom Overstap van PO naar VO" in lines[2] and "WPO art. 42" in lines[2]
    assert lines[2].endswith(": voldaan")
    assert any(
        line.endswith("NIET VOLDAAN (inzage_missing): niet vervuld: inzage door de ouders "
                      "vóór verstrekking.")
        for line in lines
    )  # fmt: skip
    assert lines[-1] == (
        "Uitkomst: GEWEIGERD (inzage_missing) volgens regel overdracht.po_vo/deny/inzage; er "
        "wordt niets verstrekt."
    )


def test_explain_of_a_permit_names_what_is_released_and_what_must_follow(catalog: Catalog) -> None:
    request = make_request(
        "school_po", "veilig_thuis", "meldcode.melding", {"leerling"}, age=8, action="send",
        meldcode_steps=MELDCODE_STEPS, reasons=("signals",),
    )  # fmt: skip
    lines = explain(request, catalog)
    assert not any("NIET VOLDAAN" in line for line in lines)
    assert any(line.startswith("4. Doorbraak (break-glass): alle vijf") for line in lines)
    assert lines[-1].startswith(
        "Uitkomst: TOEGESTAAN volgens regel meldcode.melding/permit; verstrekt: Leerling"
    )
    assert "de FG beoordeelt deze doorbraak achteraf" in lines[-1]


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
    failed = [line for line in lines if "NIET VOLDAAN" in line]
    expected = 0 if decision.permitted else len(decision.reasons)
    assert len(failed) == expected


def test_explain_leaves_out_checks_that_do_not_apply(catalog: Catalog) -> None:
    """A release has no mandatory categories to hold, nor the sender's relation to
    show; a verwijsindex signal asks before it is sent only that relation: informing is
    an obligation that follows the signal, not a precondition."""
    request = make_request(
        "school_vo", "verwijsindex", "verwijsindex.signaal", {"leerling", "signaal"}, age=12
    )
    lines = explain(request, catalog)
    assert not any("verplichte categorieën" in line for line in lines)
    assert not any("Voorwaarden vooraf" in line for line in lines)
    sent = explain(make_request(
        "school_vo", "verwijsindex", "verwijsindex.signaal", {"leerling", "signaal"}, age=12,
        action="send",
    ), catalog)  # fmt: skip
    assert any("verplichte categorieën" in line for line in sent)
    (before,) = [line for line in sent if "Voorwaarden vooraf" in line]
    assert "band met de leerling" in before and "ingelicht" not in before


def test_explain_says_why_each_category_is_withheld(catalog: Catalog) -> None:
    request = make_request(
        "school_vo", "leerplicht", "leerplicht.thuiszitter",
        {"leerling", "opp", "gezondheid", "handelingsplannen", "vve"}, age=17, grantors=("pupil",),
        scope={"opp"},
    )  # fmt: skip
    lines = explain(request, catalog)
    assert (
        "Achtergehouden: Gezondheidsgegevens: bijzonder persoonsgegeven (AVG art. 9): alleen "
        "met uitdrukkelijke toestemming die deze categorie noemt." in lines
    )
    assert (
        "Achtergehouden: Handelingsplannen: alleen met toestemming, en die ontbreekt of noemt "
        "deze categorie niet." in lines
    )
    assert (
        "Achtergehouden: Voor- en vroegschoolse educatie: staat niet op de gesloten lijst van "
        "deze stroom." in lines
    )
    assert lines[-1].startswith(
        "Uitkomst: TOEGESTAAN volgens regel leerplicht.thuiszitter/permit; verstrekt: Leerling "
        "(identiteit), Ontwikkelingsperspectiefplan (OPP);"
    )
