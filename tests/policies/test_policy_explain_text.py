"""What `explain` tells a privacy officer, word for word, for one request of each kind.

Each check's line names what it looked at (the route's categories, the age rule, the
preconditions, the consent given, the threshold) and the result line names what is
released, the obligations and the retention. The sentences are the specification.
"""

from __future__ import annotations

import pytest

from policies.catalog import Catalog
from policies.explain import explain
from policies.model import Request
from tests.policies.policy_cases import VERZUIM, make_request

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
            "Request: send for purpose verwijsindex.signaal from school_vo to verwijsindex; "
            "pupil's age 30; categories leerling, signaal.",
            "1. Flow verwijsindex.signaal (Signal in the verwijsindex) applies from school_vo to "
            "verwijsindex, on Jeugdwet art. 7.1.1.1 ff. (melding art. 7.1.4.1) (article to be "
            "verified) with AVG art. 6(1)(c): passed",
            "2. Region demo has this flow switched on and uses the verwijsindex: passed",
            "3. The flow covers youths aged 0 to 22 (Jeugdwet §7.1) on release and send: FAILED: "
            "This flow covers youths aged 0 to 22 (Jeugdwet §7.1); the subject is 30.",
            "4. Categories must be known and allowed on this route (2 allowed; forbidden: "
            "gezinsplan, gezondheid, handelingsplannen, onderwijsondersteuning, opp); on release "
            "the rest is withheld: passed",
            "5. When sending, the dossier must hold the mandatory categories (leerling, signaal): "
            "passed",
            "6. Preconditions for send: informed: FAILED: Preconditions not met for send: "
            "informed.",
            "Result: DENY (out_of_scope) by rule verwijsindex.signaal/deny/age; nothing is "
            "released.",
        ],
    ),
    "knooppunt_one_parent_for_a_13_year_old": (
        make_request(
            "school_po",
            "wijkteam",
            "knooppunt.casus",
            {"leerling", "opp"},
            age=13,
            grantors=("parent",),
            pre=["participant"],
        ),
        [
            "Request: release for purpose knooppunt.casus from school_po to wijkteam; pupil's age "
            "13; categories leerling, opp.",
            "1. Flow knooppunt.casus (Knooppunt / OT / MDO case consultation) applies from "
            "school_po to wijkteam, on Regional privacy convenant and each party's own statutory "
            "task with AVG art. 6(1)(e) and 6(1)(a): passed",
            "2. Categories must be known and allowed on this route (12 allowed; forbidden: none); "
            "on release the rest is withheld: passed",
            "3. Preconditions for release: participant: passed",
            "4. Consent for the whole flow (Under 12 the parents with gezag; 12-15 the parents "
            "and the child; 16 and over the youth alone. Parents needed: both parents.) Given by: "
            "parent: FAILED: Consent insufficient: at age 13 consent is needed from both parents "
            "with gezag and the pupil (Jeugdwet art. 7.3.4 and 7.3.5; NVO beroepscode art. 5).",
            "Result: DENY (consent_missing) by rule knooppunt.casus/deny/consent; nothing is "
            "released.",
        ],
    ),
    "meldcode_without_steps": (
        make_request(
            "school_po", "veilig_thuis", "meldcode.melding", {"leerling"}, age=8, action="send"
        ),
        [
            "Request: send for purpose meldcode.melding from school_po to veilig_thuis; pupil's "
            "age 8; categories leerling.",
            "1. Flow meldcode.melding (Meldcode report to Veilig Thuis) applies from school_po to "
            "veilig_thuis, on Wmo 2015 art. 5.2.6 with AVG art. 6(1)(c) and 9(2)(g): passed",
            "2. Categories must be known and allowed on this route (10 allowed; forbidden: none); "
            "on release the rest is withheld: passed",
            "3. When sending, the dossier must hold the mandatory categories (leerling): passed",
            "4. Break-glass: all five meldcode steps (gesprek may be skipped with its reason) "
            "and the reasons must be recorded: FAILED: "
            "Break-glass needs all five meldcode steps; missing: afweging, besluit, "
            "collegiale_consultatie, gesprek, signalen. No reasons given either.",
            "Result: DENY (meldcode_incomplete) by rule meldcode.melding/deny/meldcode_steps; "
            "nothing is released.",
        ],
    ),
    "inzage_by_nobody_known": (
        make_request("school_vo", "data_subject", "rechten.inzage", {"leerling"}, age=17),
        [
            "Request: release for purpose rechten.inzage from school_vo to data_subject; pupil's "
            "age 17; categories leerling.",
            "1. Flow rechten.inzage (Inzage and copy for the parent or pupil) applies from "
            "school_vo to data_subject, on AVG art. 15 with AVG art. 15: passed",
            "2. Categories must be known and allowed on this route (24 allowed; forbidden: none); "
            "on release the rest is withheld: passed",
            "3. Who may exercise the right (Under 16 a parent with gezag exercises the rights; "
            "from 16 the pupil.) Requester: unknown: FAILED: The requester and the pupil's age "
            "must be known to exercise these rights.",
            "Result: DENY (requester_not_entitled) by rule rechten.inzage/deny/requester; nothing "
            "is released.",
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
            "Request: send for purpose leerplicht.verzuim from school_vo to leerplicht; pupil's "
            "age 10; categories leerling, school, verzuim_melding.",
            "1. Flow leerplicht.verzuim (Verzuimmelding to leerplicht) applies from school_vo to "
            "leerplicht, on Leerplichtwet 1969 art. 21a with AVG art. 6(1)(c): passed",
            "2. Categories must be known and allowed on this route (4 allowed; forbidden: none); "
            "on release the rest is withheld: passed",
            "3. When sending, the dossier must hold the mandatory categories (leerling, school, "
            "verzuim_melding): passed",
            "4. Absence of the kind ongeoorloofd reaches the threshold of 16 hours in 4 school "
            "weeks (other kinds are reportable at any number of hours): passed",
            "Result: PERMIT by rule leerplicht.verzuim/permit; released: leerling, school, "
            "verzuim_melding; obligations: inform_parents; retention: 5 years after "
            "deregistration.",
        ],
    ),
    "thuiszitter_withholds_what_consent_does_not_cover": (
        make_request(
            "school_vo",
            "leerplicht",
            "leerplicht.thuiszitter",
            {"leerling", "opp"},
            grantors=("pupil",),
        ),
        [
            "Request: release for purpose leerplicht.thuiszitter from school_vo to leerplicht; "
            "pupil's age unknown; categories leerling, opp.",
            "1. Flow leerplicht.thuiszitter (Thuiszitters follow-up between school, SWV and "
            "leerplicht) applies from school_vo to leerplicht, on Leerplichtwet 1969 art. 16 and "
            "21a (article to be verified) with AVG art. 6(1)(c) and 6(1)(e): passed",
            "2. Categories must be known and allowed on this route (11 allowed; forbidden: none); "
            "on release the rest is withheld: passed",
            "3. When sending, the dossier must hold the mandatory categories (leerling): passed",
            "4. Consent for duiden_en_doen, gezondheid, handelingsplannen, "
            "onderwijsondersteuning, opp (Under 16 the parents with gezag; 16 and over the pupil. "
            "Parents needed: one parent.) Given by: pupil: passed",
            "Result: PERMIT by rule leerplicht.thuiszitter/permit; released: leerling; "
            "obligations: no_system_account_for_leerplicht; retention: 5 years after "
            "deregistration.",
        ],
    ),
    "po_vo_send_missing_categories": (
        make_request(
            "school_po", "school_vo", "overdracht.po_vo", {"leerling"}, age=11, action="send"
        ),
        [
            "Request: send for purpose overdracht.po_vo from school_po to school_vo; pupil's age "
            "11; categories leerling.",
            "1. Flow overdracht.po_vo (Onderwijskundig rapport / OSO overstapdossier PO to VO) "
            "applies from school_po to school_vo, on WPO art. 42 with AVG art. 6(1)(c): passed",
            "2. The flow covers youths aged 4 to 14 (WPO art. 39) on send: passed",
            "3. Categories must be known and allowed on this route (14 allowed; forbidden: vombo, "
            "vve); on release the rest is withheld: passed",
            "4. When sending, the dossier must hold the mandatory categories (leerling, "
            "oudersverzorgers, overstapadvies, school, schoolloopbaan): FAILED: Mandatory "
            "categories missing: oudersverzorgers, overstapadvies, school, schoolloopbaan.",
            "5. Preconditions for send: aanmelding: FAILED: Preconditions not met for send: "
            "aanmelding.",
            "Result: DENY (category_missing) by rule overdracht.po_vo/deny/category_missing; "
            "nothing is released.",
        ],
    ),
    "unknown_purpose": (
        make_request("", "x", "nope"),
        [
            "Request: release for purpose nope from - to x; pupil's age unknown; categories none.",
            "1. Looking for a flow: FAILED: The purpose is not in the policy catalog.",
            "Result: DENY (flow_not_allowed) by rule catalog/deny/unknown_purpose; nothing is "
            "released.",
        ],
    ),
    "unknown_kind": (
        make_request("school_vo", "x", "leerplicht.verzuim", {"leerling"}),
        [
            "Request: release for purpose leerplicht.verzuim from school_vo to x; pupil's age "
            "unknown; categories leerling.",
            "1. Looking for a flow: FAILED: Unknown organisation kind(s): 'x'.",
            "Result: DENY (flow_not_allowed) by rule leerplicht.verzuim/deny/unknown_kind; "
            "nothing is released.",
        ],
    ),
    "register_an_aanmelding": (
        make_request("", "school_vo", "overdracht.po_vo", action="register"),
        [
            "Request: register for purpose overdracht.po_vo from - to school_vo; pupil's age "
            "unknown; categories none.",
            "1. Flow overdracht.po_vo (Onderwijskundig rapport / OSO overstapdossier PO to VO) "
            "applies from - to school_vo, on WPO art. 42 with AVG art. 6(1)(c): passed",
            "Result: PERMIT by rule overdracht.po_vo/register/permit; released: nothing; "
            "obligations: none; retention: 2 years after the pupil leaves the school.",
        ],
    ),
    "verwijsindex_release_has_no_preconditions": (
        make_request(
            "school_vo", "verwijsindex", "verwijsindex.signaal", {"leerling", "signaal"}, age=12
        ),
        [
            "Request: release for purpose verwijsindex.signaal from school_vo to verwijsindex; "
            "pupil's age 12; categories leerling, signaal.",
            "1. Flow verwijsindex.signaal (Signal in the verwijsindex) applies from school_vo to "
            "verwijsindex, on Jeugdwet art. 7.1.1.1 ff. (melding art. 7.1.4.1) (article to be "
            "verified) with AVG art. 6(1)(c): passed",
            "2. Region demo has this flow switched on and uses the verwijsindex: passed",
            "3. The flow covers youths aged 0 to 22 (Jeugdwet §7.1) on release and send: passed",
            "4. Categories must be known and allowed on this route (2 allowed; forbidden: "
            "gezinsplan, gezondheid, handelingsplannen, onderwijsondersteuning, opp); on release "
            "the rest is withheld: passed",
            "5. When sending, the dossier must hold the mandatory categories (leerling, signaal): "
            "passed",
            "6. Preconditions for release: none: passed",
            "Result: PERMIT by rule verwijsindex.signaal/permit; released: leerling, signaal; "
            "obligations: never_reason_or_content; retention: Active at most 2 years, then 5 "
            "years archive; destroyed at 23 or death.",
        ],
    ),
    "knooppunt_permitted_with_both_parents": (
        make_request(
            "school_po",
            "wijkteam",
            "knooppunt.casus",
            {"leerling"},
            age=10,
            grantors=("parent", "guardian"),
            pre=["participant"],
        ),
        [
            "Request: release for purpose knooppunt.casus from school_po to wijkteam; pupil's age "
            "10; categories leerling.",
            "1. Flow knooppunt.casus (Knooppunt / OT / MDO case consultation) applies from "
            "school_po to wijkteam, on Regional privacy convenant and each party's own statutory "
            "task with AVG art. 6(1)(e) and 6(1)(a): passed",
            "2. Categories must be known and allowed on this route (12 allowed; forbidden: none); "
            "on release the rest is withheld: passed",
            "3. Preconditions for release: participant: passed",
            "4. Consent for the whole flow (Under 12 the parents with gezag; 12-15 the parents "
            "and the child; 16 and over the youth alone. Parents needed: both parents.) Given by: "
            "parent, guardian: passed",
            "Result: PERMIT by rule knooppunt.casus/permit; released: leerling; obligations: "
            "purpose_bound_minimum, stop_on_withdrawal; retention: Each party its own term; no "
            "shared master file.",
        ],
    ),
    "knooppunt_without_consent": (
        make_request(
            "school_po", "wijkteam", "knooppunt.casus", {"leerling"}, age=10, pre=["participant"]
        ),
        [
            "Request: release for purpose knooppunt.casus from school_po to wijkteam; pupil's age "
            "10; categories leerling.",
            "1. Flow knooppunt.casus (Knooppunt / OT / MDO case consultation) applies from "
            "school_po to wijkteam, on Regional privacy convenant and each party's own statutory "
            "task with AVG art. 6(1)(e) and 6(1)(a): passed",
            "2. Categories must be known and allowed on this route (12 allowed; forbidden: none); "
            "on release the rest is withheld: passed",
            "3. Preconditions for release: participant: passed",
            "4. Consent for the whole flow (Under 12 the parents with gezag; 12-15 the parents "
            "and the child; 16 and over the youth alone. Parents needed: both parents.) Given by: "
            "no consent: FAILED: Consent insufficient: no consent is recorded for this purpose.",
            "Result: DENY (consent_missing) by rule knooppunt.casus/deny/consent; nothing is "
            "released.",
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(EXPLANATIONS))
def test_the_explanation_word_for_word(catalog: Catalog, name: str) -> None:
    request, expected = EXPLANATIONS[name]
    assert explain(request, catalog) == expected
