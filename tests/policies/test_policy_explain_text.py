"""What `explain` tells a privacy officer, word for word, for one request of each kind.

Dutch, with labels rather than codes. Each check's line names what it looked at (the
route's categories, the age rule, the preconditions, the consent given, the threshold);
a check with nothing to judge in this request is left out; the result line names what
is released, the obligations and the retention. The sentences are the specification.
"""

from __future__ import annotations

from functools import partial

import pytest

from policies.catalog import Catalog
from policies.explain import explain
from policies.model import Request
from tests.policies.policy_cases import VERZUIM, make_request

# A request whose flow does not ask the sender's standing with the pupil (or not for this
# action) states none, so its explanation has no line for it.
unrelated = partial(make_request, related=False)

EXPLANATIONS: dict[str, tuple[Request, list[str]]] = {
    "verwijsindex_signal_too_old": (
        make_request(
            "school_vo",
            "verwijsindex",
            "verwijsindex.signaal",
            {"leerling", "signaal"},
            age=30,
            action="send",
        ),
        [
            "Verzoek: verzenden voor Signaal in de verwijsindex (verwijsindex.signaal), van "
            "School voor voortgezet onderwijs (VO) aan Verwijsindex risicojongeren; leeftijd van "
            "de leerling: 30 jaar; categorieën: Leerling (identiteit), Signaal in de verwijsindex "
            "(alleen identiteit en contact).",
            "Feiten: verzender heeft een band met de leerling: ja.",
            "1. De stroom Signaal in de verwijsindex geldt hier (grondslag: Jeugdwet §7.1 "
            "(verwijsindex risicojongeren); AVG art. 6(1)(e); niet bevestigd: Het artikel van de "
            "meldingsbevoegdheid (Jeugdwet art. 7.1.4.1, opvolger van Wjz art. 2j) is afgeleid "
            "uit een secundaire bron; verwijdering (art. 7.1.4.5) en archief (art. 7.1.4.6) zijn "
            "bevestigd.): voldaan",
            "2. Regio demo heeft deze stroom aan en gebruikt de verwijsindex: voldaan",
            "3. De stroom is voor jeugdigen van 0 tot en met 22 jaar (Jeugdwet §7.1): NIET "
            "VOLDAAN (out_of_scope): de leerling is 30.",
            "4. De categorieën moeten op de gesloten lijst van deze stroom staan (2 toegestaan; "
            "verboden: Gezinsplan, Gezondheidsgegevens, Handelingsplannen, "
            "Onderwijsondersteuning, Ontwikkelingsperspectiefplan (OPP)): voldaan",
            "5. Het dossier bevat de verplichte categorieën (Leerling (identiteit), Signaal in de "
            "verwijsindex (alleen identiteit en contact)): voldaan",
            "6. Voorwaarden vooraf: de verzender heeft een band met de leerling (inschrijving, "
            "ontvangen aanvraag of verwijzing): voldaan",
            "Uitkomst: GEWEIGERD (out_of_scope) volgens regel verwijsindex.signaal/deny/age; er "
            "wordt niets verstrekt.",
        ],
    ),
    "knooppunt_one_parent_for_a_13_year_old": (
        unrelated(
            "school_po",
            "wijkteam",
            "knooppunt.casus",
            {"leerling", "opp"},
            age=13,
            grantors=("parent",),
            pre=["participant"],
        ),
        [
            "Verzoek: verstrekken aan de ontvanger voor Casusoverleg knooppunt / OT / MDO "
            "(knooppunt.casus), van Basisschool aan Wijkteam / gemeentelijke toegang; leeftijd "
            "van de leerling: 13 jaar; categorieën: Leerling (identiteit), "
            "Ontwikkelingsperspectiefplan (OPP).",
            "Feiten: toestemming gegeven door: ouder met gezag; ontvanger is deelnemer van de "
            "casus: ja.",
            "1. De stroom Casusoverleg knooppunt / OT / MDO geldt hier (grondslag: De eigen "
            "wettelijke taak van elke partij voor wat zij hoe dan ook mag delen; casustoestemming "
            "voor de rest; AVG art. 6(1)(c), 6(1)(e) en 6(1)(a)): voldaan",
            "2. De categorieën moeten op de gesloten lijst van deze stroom staan (12 toegestaan; "
            "verboden: geen): voldaan",
            "3. Voorwaarden vooraf: de ontvanger neemt met mandaat deel aan de casus: voldaan",
            "4. Toestemming voor de hele stroom, naar leeftijd (Jeugdwet art. 7.3.4 and 7.3.5; "
            "NVO beroepscode art. 5; ouders nodig: beide ouders): NIET VOLDAAN (consent_missing): "
            "op 13 jaar is toestemming nodig van beide ouders met gezag en de leerling.",
            "Uitkomst: GEWEIGERD (consent_missing) volgens regel knooppunt.casus/deny/consent; er "
            "wordt niets verstrekt.",
        ],
    ),
    "meldcode_without_steps": (
        unrelated(
            "school_po", "veilig_thuis", "meldcode.melding", {"leerling"}, age=8, action="send"
        ),
        [
            "Verzoek: verzenden voor Melding aan Veilig Thuis (meldcode) (meldcode.melding), van "
            "Basisschool aan Veilig Thuis; leeftijd van de leerling: 8 jaar; categorieën: "
            "Leerling (identiteit).",
            "1. De stroom Melding aan Veilig Thuis (meldcode) geldt hier (grondslag: Wmo 2015 "
            "art. 5.2.6; AVG art. 6(1)(e)): voldaan",
            "2. De categorieën moeten op de gesloten lijst van deze stroom staan (10 toegestaan; "
            "verboden: geen): voldaan",
            "3. Het dossier bevat de verplichte categorieën (Leerling (identiteit)): voldaan",
            "4. Doorbraak (break-glass): alle vijf meldcodestappen (mag worden overgeslagen met "
            "de reden: gesprek) en de redenen zijn vastgelegd: "
            "NIET VOLDAAN (meldcode_incomplete): ontbrekende stappen: afweging met het "
            "afwegingskader, besluit over hulp en/of melden, collegiale consultatie (en zo nodig "
            "Veilig Thuis), gesprek met ouders en kind, signalen in kaart brengen; ook de redenen "
            "ontbreken.",
            "Uitkomst: GEWEIGERD (meldcode_incomplete) volgens regel "
            "meldcode.melding/deny/meldcode_steps; er wordt niets verstrekt.",
        ],
    ),
    "inzage_by_nobody_known": (
        unrelated("school_vo", "data_subject", "rechten.inzage", {"leerling"}, age=17),
        [
            "Verzoek: verstrekken aan de ontvanger voor Recht op inzage (rechten.inzage), van "
            "School voor voortgezet onderwijs (VO) aan De ouder of leerling zelf; leeftijd van de "
            "leerling: 17 jaar; categorieën: Leerling (identiteit).",
            "1. De stroom Recht op inzage geldt hier (grondslag: AVG art. 12 en 15; AVG art. "
            "6(1)(c)): voldaan",
            "2. De categorieën moeten op de gesloten lijst van deze stroom staan (24 toegestaan; "
            "verboden: geen): voldaan",
            "3. De verzoeker mag dit recht naar leeftijd uitoefenen (AVG art. 12-17 with UAVG "
            "art. 5): NIET VOLDAAN (requester_not_entitled): de verzoeker en de leeftijd van de "
            "leerling moeten bekend zijn.",
            "Uitkomst: GEWEIGERD (requester_not_entitled) volgens regel "
            "rechten.inzage/deny/requester; er wordt niets verstrekt.",
        ],
    ),
    "verzuim_permitted": (
        make_request(
            "school_vo",
            "leerplicht",
            "leerplicht.verzuim",
            VERZUIM,
            age=10,
            action="send",
            absence_hours=20,
            absence_type="ongeoorloofd",
        ),
        [
            "Verzoek: verzenden voor Verzuimmelding (leerplicht.verzuim), van School voor "
            "voortgezet onderwijs (VO) aan Leerplicht / RMC; leeftijd van de leerling: 10 jaar; "
            "categorieën: Leerling (identiteit), School, Verzuimmelding (soort, periode en uren).",
            "Feiten: uren verzuim: 20; soort verzuim: ongeoorloofd; verzender heeft een band "
            "met de leerling: ja.",
            "1. De stroom Verzuimmelding geldt hier (grondslag: Leerplichtwet 1969 art. 21a; AVG "
            "art. 6(1)(c)): voldaan",
            "2. De categorieën moeten op de gesloten lijst van deze stroom staan (4 toegestaan; "
            "verboden: geen): voldaan",
            "3. Het dossier bevat de verplichte categorieën (Leerling (identiteit), School, "
            "Verzuimmelding (soort, periode en uren)): voldaan",
            "4. Voorwaarden vooraf: de verzender heeft een band met de leerling (inschrijving, "
            "ontvangen aanvraag of verwijzing): voldaan",
            "5. Verzuim van de soort ongeoorloofd haalt de drempel van 16 uur in 4 schoolweken "
            "(andere soorten verzuim mogen bij elk aantal uren worden gemeld): voldaan",
            "Uitkomst: TOEGESTAAN volgens regel leerplicht.verzuim/permit; verstrekt: Leerling "
            "(identiteit), School, Verzuimmelding (soort, periode en uren); verplichtingen: "
            "vertel de ouders (en de leerling vanaf 12) dat dit is gebeurd; bewaartermijn: 5 jaar "
            "na uitschrijving.",
        ],
    ),
    "thuiszitter_withholds_what_consent_does_not_cover": (
        unrelated(
            "school_vo",
            "leerplicht",
            "leerplicht.thuiszitter",
            {"leerling", "opp"},
            grantors=("pupil",),
        ),
        [
            "Verzoek: verstrekken aan de ontvanger voor Thuiszittersoverleg met leerplicht "
            "(leerplicht.thuiszitter), van School voor voortgezet onderwijs (VO) aan Leerplicht / "
            "RMC; leeftijd van de leerling: onbekend; categorieën: Leerling (identiteit), "
            "Ontwikkelingsperspectiefplan (OPP).",
            "Feiten: toestemming gegeven door: leerling.",
            "1. De stroom Thuiszittersoverleg met leerplicht geldt hier (grondslag: Leerplichtwet "
            "1969 (toezicht door de leerplichtambtenaar) en art. 21a; AVG art. 6(1)(c) en "
            "6(1)(e); niet bevestigd: De gesloten lijst van wat leerplicht mag ontvangen komt uit "
            "sectorinformatie (Kennisnet, Ingrado), die er geen artikel van de Leerplichtwet bij "
            "noemt.): voldaan",
            "2. De categorieën moeten op de gesloten lijst van deze stroom staan (11 toegestaan; "
            "verboden: geen): voldaan",
            "3. Toestemming voor Duiden en doen (vast deel), Gezondheidsgegevens, "
            "Handelingsplannen, Onderwijsondersteuning, Ontwikkelingsperspectiefplan (OPP), naar "
            "leeftijd (UAVG art. 5; ouders nodig: één ouder): voldaan",
            "Achtergehouden: Ontwikkelingsperspectiefplan (OPP): alleen met toestemming, en die "
            "ontbreekt of noemt deze categorie niet.",
            "Uitkomst: TOEGESTAAN volgens regel leerplicht.thuiszitter/permit; verstrekt: "
            "Leerling (identiteit); verplichtingen: leerplicht krijgt nooit een account op het "
            "schoolsysteem; bewaartermijn: 5 jaar na uitschrijving.",
        ],
    ),
    "po_vo_send_missing_categories": (
        make_request(
            "school_po", "school_vo", "overdracht.po_vo", {"leerling"}, age=11, action="send"
        ),
        [
            "Verzoek: verzenden voor Overstap van PO naar VO (overdracht.po_vo), van Basisschool "
            "aan School voor voortgezet onderwijs (VO); leeftijd van de leerling: 11 jaar; "
            "categorieën: Leerling (identiteit).",
            "Feiten: verzender heeft een band met de leerling: ja.",
            "1. De stroom Overstap van PO naar VO geldt hier (grondslag: WPO art. 42; AVG art. "
            "6(1)(c)): voldaan",
            "2. De stroom is voor jeugdigen van 4 tot en met 14 jaar (WPO art. 39): voldaan",
            "3. De categorieën moeten op de gesloten lijst van deze stroom staan (14 toegestaan; "
            "verboden: VO-resultaten voor het mbo, Voor- en vroegschoolse educatie): voldaan",
            "4. Het dossier bevat de verplichte categorieën (Leerling (identiteit), "
            "Ouders/verzorgers, Schooladvies (overstapadvies), School, Schoolloopbaan): NIET "
            "VOLDAAN (category_missing): ontbreekt: Ouders/verzorgers, Schooladvies "
            "(overstapadvies), School, Schoolloopbaan.",
            "5. Voorwaarden vooraf: de verzender heeft een band met de leerling (inschrijving, "
            "ontvangen aanvraag of verwijzing); een aanmelding bij de ontvangende school: NIET "
            "VOLDAAN "
            "(no_enrolment): niet vervuld: een aanmelding bij de ontvangende school.",
            "Uitkomst: GEWEIGERD (category_missing) volgens regel "
            "overdracht.po_vo/deny/category_missing; er wordt niets verstrekt.",
        ],
    ),
    "unknown_purpose": (
        unrelated("", "x", "nope"),
        [
            "Verzoek: verstrekken aan de ontvanger voor nope, van - aan x; leeftijd van de "
            "leerling: onbekend; categorieën: geen.",
            "1. Passende stroom: NIET VOLDAAN (flow_not_allowed): dit doel staat niet in de "
            "beleidscatalogus.",
            "Uitkomst: GEWEIGERD (flow_not_allowed) volgens regel catalog/deny/unknown_purpose; "
            "er wordt niets verstrekt.",
        ],
    ),
    "unknown_kind": (
        unrelated("school_vo", "x", "leerplicht.verzuim", {"leerling"}),
        [
            "Verzoek: verstrekken aan de ontvanger voor Verzuimmelding (leerplicht.verzuim), van "
            "School voor voortgezet onderwijs (VO) aan x; leeftijd van de leerling: onbekend; "
            "categorieën: Leerling (identiteit).",
            "1. Passende stroom: NIET VOLDAAN (flow_not_allowed): onbekende soort organisatie.",
            "Uitkomst: GEWEIGERD (flow_not_allowed) volgens regel "
            "leerplicht.verzuim/deny/unknown_kind; er wordt niets verstrekt.",
        ],
    ),
    "register_an_aanmelding": (
        unrelated("", "school_vo", "overdracht.po_vo", action="register"),
        [
            "Verzoek: aanmelding registreren voor Overstap van PO naar VO (overdracht.po_vo), van "
            "- aan School voor voortgezet onderwijs (VO); leeftijd van de leerling: onbekend; "
            "categorieën: geen.",
            "1. De stroom Overstap van PO naar VO geldt hier (grondslag: WPO art. 42; AVG art. "
            "6(1)(c)): voldaan",
            "Uitkomst: TOEGESTAAN volgens regel overdracht.po_vo/register/permit; verstrekt: "
            "geen; verplichtingen: geen; bewaartermijn: 2 jaar na uitschrijving van de leerling.",
        ],
    ),
    "verwijsindex_release_has_no_preconditions": (
        unrelated(
            "school_vo", "verwijsindex", "verwijsindex.signaal", {"leerling", "signaal"}, age=12
        ),
        [
            "Verzoek: verstrekken aan de ontvanger voor Signaal in de verwijsindex "
            "(verwijsindex.signaal), van School voor voortgezet onderwijs (VO) aan Verwijsindex "
            "risicojongeren; leeftijd van de leerling: 12 jaar; categorieën: Leerling "
            "(identiteit), Signaal in de verwijsindex (alleen identiteit en contact).",
            "1. De stroom Signaal in de verwijsindex geldt hier (grondslag: Jeugdwet §7.1 "
            "(verwijsindex risicojongeren); AVG art. 6(1)(e); niet bevestigd: Het artikel van de "
            "meldingsbevoegdheid (Jeugdwet art. 7.1.4.1, opvolger van Wjz art. 2j) is afgeleid "
            "uit een secundaire bron; verwijdering (art. 7.1.4.5) en archief (art. 7.1.4.6) zijn "
            "bevestigd.): voldaan",
            "2. Regio demo heeft deze stroom aan en gebruikt de verwijsindex: voldaan",
            "3. De stroom is voor jeugdigen van 0 tot en met 22 jaar (Jeugdwet §7.1): voldaan",
            "4. De categorieën moeten op de gesloten lijst van deze stroom staan (2 toegestaan; "
            "verboden: Gezinsplan, Gezondheidsgegevens, Handelingsplannen, "
            "Onderwijsondersteuning, Ontwikkelingsperspectiefplan (OPP)): voldaan",
            "Uitkomst: TOEGESTAAN volgens regel verwijsindex.signaal/permit; verstrekt: Leerling "
            "(identiteit), Signaal in de verwijsindex (alleen identiteit en contact); "
            "verplichtingen: licht naar leeftijd ouders en/of jeugdige in over het signaal, of "
            "leg vast waarom niet; leg nooit een reden of inhoud bij het signaal vast; "
            "bewaartermijn: "
            "Actief ten hoogste 2 jaar, daarna 5 jaar archief; vernietigd bij 23 jaar of "
            "overlijden.",
        ],
    ),
    "knooppunt_permitted_with_both_parents": (
        unrelated(
            "school_po",
            "wijkteam",
            "knooppunt.casus",
            {"leerling"},
            age=10,
            grantors=("parent", "guardian"),
            pre=["participant"],
        ),
        [
            "Verzoek: verstrekken aan de ontvanger voor Casusoverleg knooppunt / OT / MDO "
            "(knooppunt.casus), van Basisschool aan Wijkteam / gemeentelijke toegang; leeftijd "
            "van de leerling: 10 jaar; categorieën: Leerling (identiteit).",
            "Feiten: toestemming gegeven door: ouder met gezag, voogd; ontvanger is deelnemer van "
            "de casus: ja.",
            "1. De stroom Casusoverleg knooppunt / OT / MDO geldt hier (grondslag: De eigen "
            "wettelijke taak van elke partij voor wat zij hoe dan ook mag delen; casustoestemming "
            "voor de rest; AVG art. 6(1)(c), 6(1)(e) en 6(1)(a)): voldaan",
            "2. De categorieën moeten op de gesloten lijst van deze stroom staan (12 toegestaan; "
            "verboden: geen): voldaan",
            "3. Voorwaarden vooraf: de ontvanger neemt met mandaat deel aan de casus: voldaan",
            "4. Toestemming voor de hele stroom, naar leeftijd (Jeugdwet art. 7.3.4 and 7.3.5; "
            "NVO beroepscode art. 5; ouders nodig: beide ouders): voldaan",
            "Uitkomst: TOEGESTAAN volgens regel knooppunt.casus/permit; verstrekt: Leerling "
            "(identiteit); verplichtingen: deel per deelnemer het doelgebonden minimum; stop elke "
            "latere toegang zodra de toestemming is ingetrokken; bewaartermijn: Elke partij haar "
            "eigen termijn; er is geen gedeeld dossier.",
        ],
    ),
    "knooppunt_without_consent": (
        unrelated(
            "school_po", "wijkteam", "knooppunt.casus", {"leerling"}, age=10, pre=["participant"]
        ),
        [
            "Verzoek: verstrekken aan de ontvanger voor Casusoverleg knooppunt / OT / MDO "
            "(knooppunt.casus), van Basisschool aan Wijkteam / gemeentelijke toegang; leeftijd "
            "van de leerling: 10 jaar; categorieën: Leerling (identiteit).",
            "Feiten: ontvanger is deelnemer van de casus: ja.",
            "1. De stroom Casusoverleg knooppunt / OT / MDO geldt hier (grondslag: De eigen "
            "wettelijke taak van elke partij voor wat zij hoe dan ook mag delen; casustoestemming "
            "voor de rest; AVG art. 6(1)(c), 6(1)(e) en 6(1)(a)): voldaan",
            "2. De categorieën moeten op de gesloten lijst van deze stroom staan (12 toegestaan; "
            "verboden: geen): voldaan",
            "3. Voorwaarden vooraf: de ontvanger neemt met mandaat deel aan de casus: voldaan",
            "4. Toestemming voor de hele stroom, naar leeftijd (Jeugdwet art. 7.3.4 and 7.3.5; "
            "NVO beroepscode art. 5; ouders nodig: beide ouders): NIET VOLDAAN (consent_missing): "
            "er is geen toestemming vastgelegd voor dit doel.",
            "Uitkomst: GEWEIGERD (consent_missing) volgens regel knooppunt.casus/deny/consent; er "
            "wordt niets verstrekt.",
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(EXPLANATIONS))
def test_the_explanation_word_for_word(catalog: Catalog, name: str) -> None:
    request, expected = EXPLANATIONS[name]
    assert explain(request, catalog) == expected
