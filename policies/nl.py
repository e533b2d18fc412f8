"""Dutch words for the catalog's codes, for the register and the explanation an FG reads.

The catalog speaks English (API.md: code and docs in English, domain words in Dutch);
the privacy officer reads Dutch. A name missing here falls back to the catalog's own
label with its code, so a new category or org kind is never dropped from the register,
and `tests/policies/test_policy_dutch.py` names what still needs a Dutch word.
"""

from __future__ import annotations

from policies.compiled import Catalog

ORG_KINDS = {
    "school_po": "Basisschool",
    "school_sbo": "Speciale school voor basisonderwijs (SBO)",
    "school_so": "School voor speciaal onderwijs (SO)",
    "school_vo": "School voor voortgezet onderwijs (VO)",
    "school_vso": "School voor voortgezet speciaal onderwijs (VSO)",
    "school_pro": "School voor praktijkonderwijs (PrO)",
    "swv_po": "Samenwerkingsverband passend onderwijs PO",
    "swv_vo": "Samenwerkingsverband passend onderwijs VO",
    "wijkteam": "Wijkteam / gemeentelijke toegang",
    "leerplicht": "Leerplicht / RMC",
    "jgz": "Jeugdgezondheidszorg (JGZ)",
    "smw": "Schoolmaatschappelijk werk",
    "voorschool": "Voorschool",
    "mbo": "Mbo-school (roc, vakschool)",
    "jeugdhulp": "Jeugdhulpaanbieder",
    "veilig_thuis": "Veilig Thuis",
    "data_subject": "De ouder of leerling zelf",
    "verwijsindex": "Verwijsindex risicojongeren",
}

CATEGORIES = {
    "metadata": "Dossiermetadata",
    "ouderinzage": "Inzage door de ouders",
    "school": "School",
    "leerling": "Leerling (identiteit)",
    "oudersverzorgers": "Ouders/verzorgers",
    "vve": "Voor- en vroegschoolse educatie",
    "schoolloopbaan": "Schoolloopbaan",
    "overstapadvies": "Schooladvies (overstapadvies)",
    "onderwijsondersteuning": "Onderwijsondersteuning",
    "verzuim": "Verzuimgeschiedenis",
    "eindtoetsbo": "Doorstroomtoets PO",
    "toetsresultaten": "Toetsresultaten",
    "handelingsplannen": "Handelingsplannen",
    "cijferlijsten": "Cijferlijsten",
    "vombo": "VO-resultaten voor het mbo",
    "bijlagedocs": "Bijlagen",
    "opp": "Ontwikkelingsperspectiefplan (OPP)",
    "duiden_en_doen": "Duiden en doen (vast deel)",
    "gezinsplan": "Gezinsplan",
    "knooppunt_afspraken": "Afspraken van het knooppunt en wie de regie heeft",
    "verzuim_melding": "Verzuimmelding (soort, periode en uren)",
    "tlv_aanvraag": "Aanvraag TLV of arrangement",
    "deskundigenadvies": "Advies van deskundigen bij een TLV",
    "tlv_besluit": "Besluit over een TLV of arrangement",
    "signaal": "Signaal in de verwijsindex (alleen identiteit en contact)",
    "gezondheid": "Gezondheidsgegevens",
    "visie_ouders": "Eigen visie van de ouders in een casus",
    "visie_leerling": "Eigen visie van de leerling in een casus",
}

PURPOSES = {
    "overdracht.po_vo": (
        "Overstap van PO naar VO",
        "Het onderwijskundig rapport (OSO-overstapdossier) van de basisschool aan de "
        "VO-school waar de leerling is aangemeld.",
    ),
    "overdracht.po_po": (
        "Overstap van PO naar PO",
        "Het onderwijskundig rapport als een leerling naar een andere basisschool gaat.",
    ),
    "overdracht.vo_vo": (
        "Overstap van VO naar VO",
        "Het onderwijskundig rapport als een leerling naar een andere VO-school gaat.",
    ),
    "overdracht.vo_mbo": (
        "Overstap van VO naar mbo",
        "Het onderwijskundig rapport als een leerling naar het mbo gaat.",
    ),
    "overdracht.so": (
        "Overstap vanuit het (V)SO",
        "Het onderwijskundig rapport uit het speciaal onderwijs, met het ontwikkelingsperspectief.",
    ),
    "overdracht.voorschool_po": (
        "Warme overdracht van voorschool naar basisschool",
        "De voorschool geeft de ontwikkeling en de werkzame ondersteuning door aan de "
        "basisschool, met toestemming van de ouders.",
    ),
    "tlv.aanvraag": (
        "Aanvraag TLV of arrangement",
        "De school vraagt het samenwerkingsverband om een toelaatbaarheidsverklaring of "
        "een arrangement.",
    ),
    "tlv.advies": (
        "Deskundigenadvies bij een TLV",
        "Het samenwerkingsverband vraagt deskundigen om advies over een aanvraag.",
    ),
    "tlv.besluit": (
        "Besluit TLV of arrangement",
        "Het samenwerkingsverband laat de school zijn besluit (beschikking) weten.",
    ),
    "leerplicht.verzuim": (
        "Verzuimmelding",
        "De school meldt ongeoorloofd verzuim aan leerplicht.",
    ),
    "leerplicht.thuiszitter": (
        "Thuiszittersoverleg met leerplicht",
        "School en leerplicht volgen verzuim en thuiszitters samen op.",
    ),
    "jeugdhulp.verwijzing": (
        "Verwijzing naar jeugdhulp",
        "De school verwijst een leerling naar het wijkteam of een jeugdhulpaanbieder.",
    ),
    "jeugdhulp.terugkoppeling": (
        "Terugkoppeling van jeugdhulp",
        "Het wijkteam of de jeugdhulpaanbieder vertelt de school wat zij voor haar eigen "
        "taak nodig heeft.",
    ),
    "knooppunt.casus": (
        "Casusoverleg knooppunt / OT / MDO",
        "School, ouders en partners maken samen één plan voor een kind; elke partij "
        "deelt het doelgebonden minimum.",
    ),
    "verwijsindex.signaal": (
        "Signaal in de verwijsindex",
        "Een professional meldt dat hij bij een jeugdige betrokken is, zonder inhoud.",
    ),
    "verwijsindex.match": (
        "Match in de verwijsindex",
        "De verwijsindex laat betrokken professionals weten wie de ander is.",
    ),
    "meldcode.melding": (
        "Melding aan Veilig Thuis (meldcode)",
        "Een professional meldt een vermoeden van huiselijk geweld of kindermishandeling.",
    ),
    "rechten.inzage": (
        "Recht op inzage",
        "Een ouder of leerling ziet de eigen gegevens en krijgt een kopie.",
    ),
    "rechten.correctie": (
        "Recht op correctie",
        "Een ouder of leerling laat onjuiste gegevens verbeteren of voegt een verklaring toe.",
    ),
    "rechten.verwijdering": (
        "Recht op verwijdering en bezwaar",
        "Een ouder of leerling laat gegevens wissen of maakt bezwaar.",
    ),
    "leerling.inschrijving": (
        "Inschrijving van de leerling en gezag",
        "De school legt haar eigen leerling (aanmelding, inschrijving) en de gezagdragers "
        "vast uit haar leerlingadministratie: de bron waarop alle andere partijen steunen.",
    ),
    "audit.toezicht": (
        "Toezicht door de functionaris gegevensbescherming",
        "De FG leest het auditlog om op elke uitwisseling toe te zien; er gaan geen "
        "gegevens tussen organisaties.",
    ),
}

RETENTION = {
    "leerlingdossier": "2 jaar na uitschrijving van de leerling",
    "verzuim_5y": "5 jaar na uitschrijving",
    "voorschool_2y": "2 jaar (dossier van de voorschool)",
    "swv_3y": "Ten hoogste 3 jaar (dossier van het samenwerkingsverband, ook gezondheid)",
    "jeugdhulp_20y": "20 jaar na het einde van de jeugdhulp",
    "jgz_20y": "20 jaar (dossier van de jeugdgezondheidszorg)",
    "case_view": "Zo lang als de langste bewaartermijn van de partijen in de casus; ten minste "
    "2 jaar na het sluiten van de casus",
    "own_term": "Elke partij haar eigen termijn; er is geen gedeeld dossier",
    "verwijsindex": "Actief ten hoogste 2 jaar, daarna 5 jaar archief; vernietigd bij 23 "
    "jaar of overlijden",
    "follows_signal": "Volgt het signaal waarop de match berust",
    "veilig_thuis": "Veilig Thuis: tot het jongste kind 18 is; de melder: volgens het eigen "
    "dossierbeleid",
    "rights_request": "Het verzoek en het antwoord: met het auditlog; de gegevens zelf houden "
    "hun eigen termijn",
    "inschrijving_5y": "5 jaar na het einde van de inschrijving",
    "consent_record": "De bewaartermijn van de uitwisseling waarvoor de toestemming gold, "
    "vanaf de intrekking of het einde ervan",
    "subject_record": "Zo lang er nog gegevens over de leerling zijn",
    "audit_log": "Bewaard: alleen pseudoniemen en kenmerken",
    "idempotency": "1 dag (technisch: een herhaald verzoek)",
    "notification": "30 dagen na het bericht, zodra het is afgeleverd (technisch: een melding)",
    "portal_session": "Tot de sessie verloopt (inactief of maximale duur)",
    "officer_registration": "Zolang de registratie als functionaris gegevensbescherming staat",
}

SAFEGUARDS = {
    "encryption_at_rest": "Elk record is versleuteld opgeslagen (AES-256-GCM) met een sleutel "
    "per leerling en doel; wie de sleutel vernietigt, vernietigt de gegevens.",
    "pseudonymised_bsn": "Het BSN is in elke index en elk log vervangen door een pseudoniem "
    "met geheime sleutel (HMAC).",
    "hash_chained_audit": "Elk besluit, toestaan of weigeren, staat in een hash-geketend "
    "auditlog, in dezelfde transactie als de handeling; `gateway audit verify` bewijst dat "
    "het volledig en ongewijzigd is.",
    "purpose_binding": "Elk verzoek noemt zijn doel; de beleidscatalogus toetst het voordat "
    "er iets beweegt.",
    "category_minimisation": "Alleen de categorieën die de stroom toestaat worden verstrekt; "
    "verboden categorieën gaan nooit mee.",
    "consent_registry": "Toestemming wordt vastgelegd per leerling, doel, ontvangers en "
    "categorieën, en is met directe werking in te trekken.",
    "break_glass_review": "Elke doorbraak (break-glass) wordt gemarkeerd en achteraf door de "
    "FG beoordeeld.",
    "organisation_authentication": "Organisaties melden zich aan met OAuth2-client-"
    "credentials; de handelende persoon staat bij elk verzoek.",
    "bsn_allowed": "Het BSN gaat alleen mee omdat de wettelijke grondslag van deze stroom dat "
    "toestaat (UAVG art. 46).",
}

OBLIGATIONS = {
    "record_inzage_date": "leg de datum vast waarop ouders (en de leerling vanaf 16) inzage hadden",
    "attach_zienswijze": "voeg de zienswijze van de ouders toe als die er is (geen veto)",
    "no_selection_at_the_gate": "niet gebruiken om leerlingen aan de poort te selecteren",
    "inform_parents": "vertel de ouders (en de leerling vanaf 12) dat dit is gebeurd",
    "record_zienswijze": "leg zonder instemming van de ouders hun zienswijze vast",
    "record_opp_instemming": "leg de instemming van de ouders met het handelingsdeel van het "
    "OPP apart vast",
    "objection_route": "noem de bezwaarmogelijkheid (Awb)",
    "no_school_advice_unless_aligned": "geen schooladvies tenzij afgestemd met de school",
    "no_system_account_for_leerplicht": "leerplicht krijgt nooit een account op het schoolsysteem",
    "withhold_absence_reason_from_parents": "de leerling is 16 of ouder: vertel de ouders de "
    "reden van verzuim niet zonder toestemming van de leerling",
    "stop_on_withdrawal": "stop elke latere toegang zodra de toestemming is ingetrokken",
    "school_needs_only": "leg alleen vast wat de school voor haar eigen taak nodig heeft",
    "purpose_bound_minimum": "deel per deelnemer het doelgebonden minimum",
    "never_reason_or_content": "leg nooit een reden of inhoud bij het signaal vast",
    "record_not_told_reason": "leg vast waarom ouders of jeugdige niet zijn ingelicht",
    "inform_youth_or_parents": "licht naar leeftijd ouders en/of jeugdige in over het signaal, "
    "of leg vast waarom niet",
    "no_content_without_consent": "na een match geen inhoud zonder toestemming",
    "log_archive_lookup": "raadplegingen van het archief worden met naam en datum gelogd",
    "review_by_privacy_officer": "de FG beoordeelt deze doorbraak achteraf",
    "record_meldcode_steps": "bewaar de vijf meldcodestappen en de redenen in het dossier",
    "redact_third_parties": "maak gegevens van anderen onleesbaar",
    "answer_within_one_month": "antwoord binnen een maand (eenmaal met twee te verlengen)",
    "check_statutory_retention": "toets wettelijke bewaarplichten voordat u wist",
    "health_data_restricted": "bewaar gezondheidsgegevens waar alleen het "
    "samenwerkingsverband en zijn deskundigen erbij kunnen",
    "health_only_jeugdarts_or_gz_psycholoog": "gezondheidsgegevens alleen van en naar een "
    "jeugdarts of GZ-psycholoog",
    "record_skipped_step_reason": "leg vast waarom een meldcodestap is overgeslagen",
    "thuiszitter_follow_up": "het verzuim duurt langer dan de thuiszittersgrens: volg de "
    "leerling op als thuiszitter",
}

MELDCODE_STEPS = {
    "signalen": "signalen in kaart brengen",
    "collegiale_consultatie": "collegiale consultatie (en zo nodig Veilig Thuis)",
    "gesprek": "gesprek met ouders en kind",
    "afweging": "afweging met het afwegingskader",
    "besluit": "besluit over hulp en/of melden",
}

PRECONDITIONS = {
    "sender_related": "de verzender heeft een band met de leerling (inschrijving, ontvangen "
    "aanvraag of verwijzing)",
    "aanmelding": "een aanmelding bij de ontvangende school",
    "inzage": "inzage door de ouders vóór verstrekking",
    "informed": "ouders of jeugdige zijn ingelicht (of vastgelegd waarom niet)",
    "participant": "de ontvanger neemt met mandaat deel aan de casus",
}

ACTIONS = {
    "send": "verzenden",
    "release": "verstrekken aan de ontvanger",
    "register": "aanmelding registreren",
}

GRANTORS = {"parent": "ouder met gezag", "guardian": "voogd", "pupil": "leerling"}

# The facts a decision can depend on, as `--fact name=value` names them.
FACTS = {
    "subject_age": "leeftijd van de leerling",
    "requester": "verzoeker",
    "granted_by": "toestemming gegeven door",
    "consent_categories": "categorieën die de toestemming noemt",
    "meldcode_steps": "vastgelegde meldcodestappen",
    "reasons": "redenen voor de melding",
    "parents_told": "ouders of jeugdige zijn ingelicht",
    "not_told_reason": "reden om niet in te lichten",
    "absence_hours": "uren verzuim",
    "sender_related": "verzender heeft een band met de leerling",
    "aanmelding": "aanmelding bij de ontvangende school",
    "inzage": "ouders hadden inzage",
    "informed": "ouders of jeugdige zijn ingelicht",
    "participant": "ontvanger is deelnemer van de casus",
    "absence_type": "soort verzuim",
    "meldcode_skipped": "overgeslagen meldcodestappen",
    "absence_days": "duur van de verzuimperiode in dagen",
    "record_purpose": "doel waarvoor het dossier is gestuurd",
    "gezag_holders": "aantal gezaghebbenden volgens de school",
}


def kind(name: str, catalog: Catalog) -> str:
    if name in ORG_KINDS:
        return ORG_KINDS[name]
    tax = catalog.taxonomy
    spec = tax.org_kinds.get(name) or tax.parties.get(name)
    return f"{spec.label} ({name})" if spec else name


def category(name: str, catalog: Catalog) -> str:
    if name in CATEGORIES:
        return CATEGORIES[name]
    spec = catalog.taxonomy.categories.get(name)
    return f"{spec.label} ({name})" if spec else name


def purpose(name: str, catalog: Catalog) -> tuple[str, str]:
    if name in PURPOSES:
        return PURPOSES[name]
    spec = catalog.taxonomy.purposes.get(name)
    return (spec.label, spec.description) if spec else (name, "")


def retention(key: str, catalog: Catalog) -> str:
    if key in RETENTION:
        return RETENTION[key]
    spec = catalog.taxonomy.retention_classes.get(key)
    return spec.term if spec else key


def safeguard(name: str, catalog: Catalog) -> str:
    return SAFEGUARDS.get(name) or catalog.taxonomy.safeguards.get(name, name)


def obligation(name: str, catalog: Catalog) -> str:
    return OBLIGATIONS.get(name) or catalog.taxonomy.obligations.get(name, name)


def meldcode_step(name: str, catalog: Catalog) -> str:
    return MELDCODE_STEPS.get(name) or catalog.taxonomy.meldcode_steps.get(name, name)


def fact(name: str) -> str:
    return FACTS.get(name, name)
